//! Terraform evaluation and suppression details of `lockgate scan` end to end.

use std::path::Path;

use serde_json::Value;

use super::scan::{findings, scan_json, unsuppressed, write};
use super::{assert_no_panic, git};

/// A bucket module: encrypted unless the caller says `encrypt = false`.
const BUCKET_MODULE: &str = r#"variable "name" {}
variable "encrypt" {
  type    = bool
  default = true
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = var.encrypt ? 1 : 0
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}

output "name" { value = aws_s3_bucket.this.bucket }
"#;

/// `resource file:line` of every finding of `rule`, in report order.
fn at(v: &Value, rule: &str) -> Vec<String> {
    findings(v, rule)
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["resource"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect()
}

fn bucket(name: &str) -> String {
    format!("resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}\"\n}}\n")
}

#[test]
fn count_and_for_each_instances_are_checked_one_by_one_and_reported_once_when_alike() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "modules/bucket/main.tf", BUCKET_MODULE);
    write(
        t.path(),
        "main.tf",
        r#"resource "aws_s3_bucket" "counted" {
  count  = 2
  bucket = "counted-${count.index}"
}

resource "aws_security_group" "admin" {
  count = 2
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [count.index == 0 ? "10.0.0.0/8" : "0.0.0.0/0"]
  }
}

resource "aws_security_group" "none" {
  count = 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_s3_bucket" "site" {
  for_each = {
    public  = "public-read"
    private = "private"
    world   = "public-read-write"
  }
  bucket = each.key
  acl    = each.value
}

resource "aws_s3_bucket" "set" {
  for_each = toset(["x", "y"])
  bucket   = each.key
}

resource "aws_s3_bucket_server_side_encryption_configuration" "x" {
  bucket = "x"
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "site" {
  for_each = toset(["public", "private", "world"])
  bucket   = aws_s3_bucket.site[each.key].id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}

module "buckets" {
  for_each = { audit = true, scratch = false }
  source   = "./modules/bucket"
  name     = each.key
  encrypt  = each.value
}

module "tmp" {
  for_each = toset(["tmp1", "tmp2"])
  source   = "./modules/bucket"
  name     = each.key
  encrypt  = false
}
"#,
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001,LG-AWS-002,LG-AWS-006"]);
    assert_eq!(code, 1);
    // Both counted buckets fail alike, at the same place: one finding.
    // Of the for_each buckets, only "y" has no encryption configuration
    // (the one for "x" names it by each.key's value).
    assert_eq!(
        at(&v, "LG-AWS-001"),
        [
            "aws_s3_bucket.counted[0] main.tf:1",
            "aws_s3_bucket.set[\"y\"] main.tf:36",
            "module.buckets[\"scratch\"].aws_s3_bucket.this modules/bucket/main.tf:7",
            "module.tmp[\"tmp1\"].aws_s3_bucket.this modules/bucket/main.tf:7",
        ]
    );
    // count.index picks the CIDR: only the second group is open; count = 0
    // makes no group at all.
    assert_eq!(at(&v, "LG-AWS-002"), ["aws_security_group.admin[1] main.tf:8"]);
    // each.value is the acl: "public" and "world" fail alike (one finding at
    // the acl line), "private" passes.
    assert_eq!(at(&v, "LG-AWS-006"), ["aws_s3_bucket.site[\"public\"] main.tf:33"]);
    let via: Vec<u64> = ["module.buckets[\"scratch\"]", "module.tmp[\"tmp1\"]"]
        .iter()
        .map(|m| {
            let f = findings(&v, "LG-AWS-001")
                .into_iter()
                .find(|f| f["resource"].as_str().unwrap().starts_with(m))
                .unwrap();
            assert_eq!(f["via"].as_array().unwrap().len(), 1, "{f:#}");
            assert_eq!(f["via"][0]["file"], "main.tf");
            f["via"][0]["line"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(via, [56, 63], "each module instance points at its call");
    // 2 counted + 2 admin + 0 none + 3 site + 2 set + 1 + 3 configurations,
    // module instances: audit 2, scratch 1, tmp1 1, tmp2 1.
    assert_eq!(v["summary"]["resources"], 18);
}

#[test]
fn outputs_of_a_module_instance_are_read_by_its_key() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "modules/bucket/main.tf",
        r#"variable "name" {}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

output "name" { value = var.name }
"#,
    );
    // The encryption configurations name the module's buckets through the
    // instances' outputs; "logs" has none.
    write(
        t.path(),
        "main.tf",
        r#"module "store" {
  for_each = toset(["data", "logs"])
  source   = "./modules/bucket"
  name     = each.key
}

module "counted" {
  count  = 2
  source = "./modules/bucket"
  name   = "counted-${count.index}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = module.store["data"].name
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "counted" {
  bucket = module.counted[1].name
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}
"#,
    );
    let (v, _) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    let mut resources: Vec<&str> = findings(&v, "LG-AWS-001")
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    resources.sort();
    assert_eq!(
        resources,
        [
            "module.counted[0].aws_s3_bucket.this",
            "module.store[\"logs\"].aws_s3_bucket.this"
        ],
        "{v:#}"
    );
}

#[test]
fn remote_module_outputs_and_data_sources_are_unknown_and_fire_nothing() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "modules/wrap/main.tf",
        "variable \"key\" {}\noutput \"key\" { value = var.key }\n",
    );
    write(
        t.path(),
        "main.tf",
        r#"module "kms" {
  source  = "terraform-aws-modules/kms/aws"
  version = "~> 2.0"
}

module "git_kms" {
  source = "git::https://example.com/kms.git?ref=v1"
}

module "wrapped" {
  source = "./modules/wrap"
  key    = module.kms.key_arn
}

data "aws_kms_key" "sns" {
  key_id = "alias/sns"
}

resource "aws_sns_topic" "registry" {
  name              = "registry"
  kms_master_key_id = module.kms.key_arn
}

resource "aws_sns_topic" "git" {
  name              = "git"
  kms_master_key_id = module.git_kms.key_arn
}

resource "aws_sns_topic" "through_a_local_module" {
  name              = "through"
  kms_master_key_id = module.wrapped.key
}

resource "aws_sns_topic" "data" {
  name              = "data"
  kms_master_key_id = data.aws_kms_key.sns.arn
}

resource "aws_sns_topic" "empty" {
  name              = "empty"
  kms_master_key_id = ""
}

resource "aws_sns_topic" "missing" {
  name = "missing"
}

resource "aws_security_group" "remote_cidrs" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [module.kms.cidr, data.aws_vpc.main.cidr_block]
  }
}

resource "aws_security_group" "literal" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#,
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-053,LG-AWS-002"]);
    assert_eq!(code, 1);
    // Literal bad values fire; values from a registry or git module (also
    // passed through a local module) and from a data source do not.
    assert_eq!(
        at(&v, "LG-AWS-053"),
        ["aws_sns_topic.empty main.tf:41", "aws_sns_topic.missing main.tf:44"]
    );
    assert_eq!(at(&v, "LG-AWS-002"), ["aws_security_group.literal main.tf:58"]);
}

#[test]
fn a_companion_resource_named_by_a_remote_module_output_may_be_the_one() {
    let t = tempfile::tempdir().unwrap();
    let config = |bucket: &str| {
        format!(
            "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b\"\n}}\n\nmodule \"names\" {{\n  source = \"cloudposse/label/null\"\n}}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"e\" {{\n  bucket = {bucket}\n  rule {{\n    apply_server_side_encryption_by_default {{ sse_algorithm = \"aws:kms\" }}\n  }}\n}}\n"
        )
    };
    // The configuration's bucket is unknown until apply: it may be "b".
    for unknown in ["module.names.id", "data.aws_s3_bucket.x.id", "var.bucket"] {
        write(t.path(), "main.tf", &config(unknown));
        let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
        assert_eq!(findings(&v, "LG-AWS-001").len(), 0, "{unknown}: {v:#}");
        assert_eq!(code, 0);
    }
    // Known to be another bucket: "b" has no configuration.
    write(t.path(), "main.tf", &config("\"other\""));
    let (v, _) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    assert_eq!(at(&v, "LG-AWS-001"), ["aws_s3_bucket.b main.tf:1"]);
}

#[test]
fn suppressions_on_the_finding_line_above_it_and_migrated_with_expiry() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "s3.tf",
        r#"resource "aws_s3_bucket" "trailing" {
  bucket = "trailing"
  acl    = "public-read" # lockgate:ignore LG-AWS-006,LG-AWS-001 reason="static website"
}

resource "aws_s3_bucket" "above" {
  bucket = "above"
  # lockgate:ignore LG-AWS-006 reason="public docs"
  acl = "public-read"
}

resource "aws_s3_bucket" "too_far" {
  # lockgate:ignore LG-AWS-006 reason="two lines above the finding"
  bucket = "too-far"
  acl    = "public-read"
}

#trivy:ignore:AVD-AWS-0088
resource "aws_s3_bucket" "trivy" {
  bucket = "trivy"
  #trivy:ignore:AVD-AWS-0092:exp:2099-12-31
  acl = "public-read"
}

#tfsec:ignore:aws-s3-enable-bucket-encryption:exp:2020-01-01
resource "aws_s3_bucket" "tfsec_expired" {
  bucket = "tfsec-expired"
}

#tfsec:ignore:aws-s3-enable-bucket-encryption:exp:2099-12-31
resource "aws_s3_bucket" "tfsec_future" {
  bucket = "tfsec-future"
  acl    = "public-read" #trivy:ignore:AVD-AWS-0092:exp:2020-01-01
}

#tfsec:ignore:aws-s3-no-public-access-with-acl tfsec:ignore:aws-s3-enable-bucket-encryption
resource "aws_s3_bucket" "two_on_one_line" {
  bucket = "two"
  acl    = "public-read"
}
"#,
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001,LG-AWS-006"]);
    assert_eq!(code, 1);
    let open = |rule: &str| -> Vec<String> {
        unsuppressed(&v, rule)
            .iter()
            .map(|f| format!("{}:{}", f["resource"].as_str().unwrap(), f["location"]["line"]))
            .collect()
    };
    // A suppression on the acl line covers the acl finding only, not the
    // bucket's own finding on line 1, though it names LG-AWS-001 too.
    assert_eq!(
        open("LG-AWS-001"),
        [
            "aws_s3_bucket.trailing:1",
            "aws_s3_bucket.above:6",
            "aws_s3_bucket.too_far:12",
            "aws_s3_bucket.tfsec_expired:26"
        ]
    );
    assert_eq!(
        open("LG-AWS-006"),
        ["aws_s3_bucket.too_far:15", "aws_s3_bucket.tfsec_future:33"]
    );
    let suppressed: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppressed").is_some())
        .map(|f| {
            let s = &f["suppressed"];
            format!(
                "{} {} {} line {} until {}",
                f["rule"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                s["syntax"].as_str().unwrap(),
                s["location"]["line"],
                s["until"]
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            "LG-AWS-006 aws_s3_bucket.trailing lockgate line 3 until null",
            "LG-AWS-006 aws_s3_bucket.above lockgate line 8 until null",
            "LG-AWS-001 aws_s3_bucket.trivy trivy line 18 until null",
            "LG-AWS-006 aws_s3_bucket.trivy trivy line 21 until \"2099-12-31\"",
            "LG-AWS-001 aws_s3_bucket.tfsec_future tfsec line 30 until \"2099-12-31\"",
            "LG-AWS-001 aws_s3_bucket.two_on_one_line tfsec line 36 until null",
            "LG-AWS-006 aws_s3_bucket.two_on_one_line tfsec line 36 until null",
        ]
    );
    let message = |resource: &str, rule: &str| -> String {
        findings(&v, rule)
            .into_iter()
            .find(|f| f["resource"] == resource)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        message("aws_s3_bucket.tfsec_expired", "LG-AWS-001")
            .ends_with("(a tfsec suppression on line 25 expired on 2020-01-01)")
    );
    assert!(
        message("aws_s3_bucket.tfsec_future", "LG-AWS-006")
            .ends_with("(a trivy suppression on line 33 expired on 2020-01-01)")
    );
    assert_eq!(
        message("aws_s3_bucket.tfsec_future", "LG-AWS-001"),
        "the bucket has no default server-side encryption configuration"
    );
    // Every suppression here has a reason or is a migrated ignore.
    assert_eq!(findings(&v, "suppression-warning").len(), 0);
    assert_eq!(v["summary"]["suppressed"], 7);
}

#[test]
fn gitignored_files_and_excluded_directories_are_not_scanned() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "infra/main.tf", &bucket("kept"));
    write(d, "infra/generated.tf", &bucket("generated"));
    write(d, "infra/build/out.tf", &bucket("built"));
    write(d, "infra/vendor/x/main.tf", &bucket("vendored"));
    write(d, "infra/legacy/main.tf", &bucket("legacy"));
    write(d, "infra/.gitignore", "generated.tf\nbuild/\n");
    // The files with a finding, scanning from `dir` with `args`.
    let files = |dir: &Path, args: &[&str]| -> Vec<String> {
        let mut a = vec!["--rules", "LG-AWS-001"];
        a.extend_from_slice(args);
        let (v, _) = scan_json(dir, &a);
        findings(&v, "LG-AWS-001")
            .iter()
            .map(|f| f["location"]["file"].as_str().unwrap().to_string())
            .collect()
    };
    let scanned = |args: &[&str]| files(d, args);
    let all = ["infra/legacy/main.tf", "infra/main.tf", "infra/vendor/x/main.tf"];
    // .gitignore is honoured outside a git repository too: the ignored
    // files are not even read.
    assert_eq!(scanned(&[]), all);
    assert_eq!(scan_json(d, &["--rules", "LG-AWS-001"]).0["summary"]["files"], 3);
    git(d, &["init", "-q"]);
    assert_eq!(scanned(&[]), all, "and inside one");
    assert_eq!(
        scanned(&["--exclude", "vendor"]),
        ["infra/legacy/main.tf", "infra/main.tf"]
    );
    // Gitignore-style globs: a pattern with a slash is anchored at the
    // scanned directory.
    assert_eq!(
        scanned(&["--exclude", "vendor/", "--exclude", "legacy/**"]),
        ["infra/legacy/main.tf", "infra/main.tf"]
    );
    assert_eq!(
        scanned(&["--exclude", "infra/legacy", "--exclude", "infra/vendor/x/main.tf"]),
        ["infra/main.tf"]
    );
    assert_eq!(
        scanned(&["--exclude", "./infra/legacy"]),
        ["infra/main.tf", "infra/vendor/x/main.tf"]
    );
    // Scanning a subdirectory, a pattern written from here still applies.
    let sub = |args: &[&str]| files(d, &[&["infra"], args].concat());
    assert_eq!(
        sub(&["--exclude", "infra/legacy"]),
        ["infra/main.tf", "infra/vendor/x/main.tf"]
    );
    assert_eq!(
        sub(&["--exclude", "./infra/legacy/"]),
        ["infra/main.tf", "infra/vendor/x/main.tf"]
    );
    assert_eq!(
        sub(&["--exclude", "legacy"]),
        ["infra/main.tf", "infra/vendor/x/main.tf"]
    );
    // `./legacy` names ./legacy (there is none), not every legacy folder.
    assert_eq!(scanned(&["--exclude", "./legacy"]), all);
    // lockgate.yaml's paths are absolute to the walk; its excludes still
    // name places from the project directory.
    write(
        d,
        "lockgate.yaml",
        "project: p\npolicy:\n  paths: [infra]\n  exclude: [infra/legacy]\n",
    );
    assert_eq!(scanned(&[]), ["infra/main.tf", "infra/vendor/x/main.tf"]);
    // From a subdirectory, the project's excludes name the same place.
    write(d, "lockgate.yaml", "project: p\npolicy:\n  exclude: [infra/legacy]\n");
    assert_eq!(files(&d.join("infra"), &[]), ["main.tf", "vendor/x/main.tf"]);
}

#[test]
fn an_unreadable_file_is_reported_and_the_scan_completes() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "good.tf", &bucket("good"));
    write(t.path(), "locked.tf", &bucket("locked"));
    let locked = t.path().join("locked.tf");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (v, code) = if std::fs::read(&locked).is_ok() {
        // Root reads a file with mode 000: scan as `nobody` instead.
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_lockgate"))
            .args(["scan", "--rules", "LG-AWS-001", "--format", "json"])
            .current_dir(t.path())
            .env("NO_COLOR", "1")
            .output();
        match out {
            Ok(out) if !out.stdout.is_empty() => {
                assert_no_panic(&out);
                (
                    serde_json::from_slice::<Value>(&out.stdout).unwrap(),
                    out.status.code().unwrap_or(-1),
                )
            }
            other => {
                eprintln!("SKIPPED: running as root and `setpriv` cannot drop to nobody: {other:?}");
                return;
            }
        }
    } else {
        scan_json(t.path(), &["--rules", "LG-AWS-001"])
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(code, 1);
    let skipped = findings(&v, "file-skipped");
    assert_eq!(skipped.len(), 1, "{v:#}");
    assert_eq!(skipped[0]["location"]["file"], "locked.tf");
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read: Permission denied"),
        "{:#}",
        skipped[0]
    );
    assert_eq!(at(&v, "LG-AWS-001"), ["aws_s3_bucket.good good.tf:1"]);
}

/// `modules/m1` … `modules/m18`, each with a bucket, each calling the next.
fn module_chain(dir: &Path, n: usize) {
    write(dir, "main.tf", "module \"m1\" {\n  source = \"./modules/m1\"\n}\n");
    for i in 1..=n {
        let mut text = bucket("b");
        if i < n {
            text.push_str(&format!(
                "\nmodule \"m{next}\" {{\n  source = \"../m{next}\"\n}}\n",
                next = i + 1
            ));
        }
        write(dir, &format!("modules/m{i}/main.tf"), &text);
    }
}

#[test]
fn a_module_chain_deeper_than_sixteen_is_cut_with_a_finding_and_the_rest_is_scanned() {
    let t = tempfile::tempdir().unwrap();
    module_chain(t.path(), 18);
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    assert_eq!(code, 1);
    let errors = findings(&v, "module-error");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["location"]["file"], "modules/m16/main.tf");
    assert_eq!(errors[0]["location"]["line"], 5, "the call of m17");
    assert_eq!(
        errors[0]["message"],
        "module \"m17\": nesting deeper than 16 modules (not followed further)"
    );
    // The buckets of m1 … m16 are found, each through its chain of calls;
    // m17 and m18 are not followed (nor scanned as roots: they are called).
    let mut found: Vec<(usize, String, usize)> = findings(&v, "LG-AWS-001")
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap();
            let depth: usize = file
                .strip_prefix("modules/m")
                .and_then(|r| r.strip_suffix("/main.tf"))
                .unwrap()
                .parse()
                .unwrap();
            (
                depth,
                f["resource"].as_str().unwrap().to_string(),
                f["via"].as_array().unwrap().len(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found.len(), 16, "{found:#?}");
    assert_eq!(found[0], (1, "module.m1.aws_s3_bucket.b".to_string(), 1));
    assert_eq!(found[1], (2, "module.m1.module.m2.aws_s3_bucket.b".to_string(), 2));
    let deepest = &found[15];
    assert_eq!((deepest.0, deepest.2), (16, 16));
    assert_eq!(deepest.1.matches("module.").count(), 16);
    assert_eq!(v["summary"]["resources"], 16);
}
