//! `lockgate scan` end to end: module evaluation, suppressions, baselines,
//! every output format (SARIF validated against the official schema), bad
//! input that must not stop a scan, and the rule reference.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{assert_no_panic, git, lockgate, stderr, stdout};

pub(crate) fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub(crate) fn scan_json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = lockgate(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_no_panic(&out);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(&out), stderr(&out)));
    (v, out.status.code().unwrap_or(-1))
}

pub(crate) fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `file:line FIELD` of every finding of `rule`, in report order.
pub(crate) fn located(v: &Value, rule: &str, field: &str) -> Vec<String> {
    findings(v, rule)
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"],
                f[field].as_str().unwrap()
            )
        })
        .collect()
}

pub(crate) fn unsuppressed<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    findings(v, rule)
        .into_iter()
        .filter(|f| f.get("suppressed").is_none())
        .collect()
}

const BUCKET_MODULE: &str = r#"
variable "name" {}
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

output "arn" { value = aws_s3_bucket.this.arn }
"#;

#[test]
fn a_module_finding_is_reported_at_the_resource_and_the_call_with_the_callers_inputs() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "modules/bucket/main.tf", BUCKET_MODULE);
    write(
        t.path(),
        "main.tf",
        r#"
module "encrypted" {
  source = "./modules/bucket"
  name   = "audit-logs"
}

module "plain" {
  source  = "./modules/bucket"
  name    = "scratch"
  encrypt = local.encrypt_scratch
}

locals { encrypt_scratch = false }
"#,
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    assert_eq!(code, 1);
    let f = findings(&v, "LG-AWS-001");
    assert_eq!(f.len(), 1, "only the call with encrypt = false fails: {f:#?}");
    assert_eq!(f[0]["resource"], "module.plain.aws_s3_bucket.this");
    assert_eq!(f[0]["location"]["file"], "modules/bucket/main.tf");
    assert_eq!(f[0]["location"]["line"], 8);
    assert_eq!(f[0]["via"][0]["file"], "main.tf");
    assert_eq!(f[0]["via"][0]["line"], 7, "the module call's line");
    // The module directory is not also scanned on its own with defaults.
    assert_eq!(v["summary"]["resources"], 3);
}

#[test]
fn variables_come_from_defaults_tfvars_var_files_and_var_flags() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "sg.tf",
        r#"
variable "admin_cidr" { default = "10.0.0.0/8" }
resource "aws_security_group" "admin" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"#,
    );
    let count = |args: &[&str]| unsuppressed(&scan_json(t.path(), args).0, "LG-AWS-002").len();
    assert_eq!(count(&["--rules", "LG-AWS-002"]), 0, "the default is private");
    assert_eq!(count(&["--rules", "LG-AWS-002", "--var", "admin_cidr=0.0.0.0/0"]), 1);
    write(t.path(), "open.tfvars", "admin_cidr = \"0.0.0.0/0\"\n");
    assert_eq!(count(&["--rules", "LG-AWS-002", "--var-file", "open.tfvars"]), 1);
    write(t.path(), "terraform.tfvars", "admin_cidr = \"0.0.0.0/0\"\n");
    assert_eq!(count(&["--rules", "LG-AWS-002"]), 1, "terraform.tfvars is read");
    assert_eq!(
        count(&["--rules", "LG-AWS-002", "--var", "admin_cidr=192.168.0.0/16"]),
        0,
        "--var wins"
    );
}

#[test]
fn suppressions_inline_migrated_expired_and_without_reason() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "s3.tf",
        r#"
# lockgate:ignore LG-AWS-001 reason="public website assets" until=2099-01-01
resource "aws_s3_bucket" "site" {
  bucket = "site"
}

resource "aws_s3_bucket" "legacy" {
  #checkov:skip=CKV_AWS_19:Encrypted by the bucket policy
  bucket = "legacy"
}

#tfsec:ignore:aws-s3-enable-bucket-encryption
resource "aws_s3_bucket" "tf" {
  bucket = "tf"
}

# lockgate:ignore LG-AWS-001 reason="was temporary" until=2020-01-01
resource "aws_s3_bucket" "expired" {
  bucket = "expired"
}

# lockgate:ignore LG-AWS-001
resource "aws_s3_bucket" "no_reason" {
  bucket = "no-reason"
}

resource "aws_s3_bucket" "plain" {
  bucket = "plain"
}
"#,
    );
    let (v, _) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    let all = findings(&v, "LG-AWS-001");
    assert_eq!(all.len(), 6);
    let open: Vec<&str> = unsuppressed(&v, "LG-AWS-001")
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["aws_s3_bucket.expired", "aws_s3_bucket.plain"]);
    let expired = all.iter().find(|f| f["resource"] == "aws_s3_bucket.expired").unwrap();
    assert!(
        expired["message"].as_str().unwrap().contains("expired on 2020-01-01"),
        "{expired}"
    );
    let syntaxes: Vec<&str> = all.iter().filter_map(|f| f["suppressed"]["syntax"].as_str()).collect();
    assert_eq!(syntaxes, ["lockgate", "checkov", "tfsec", "lockgate"]);
    let warnings = findings(&v, "suppression-warning");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["location"]["line"], 22);
    assert_eq!(v["summary"]["suppressed"], 4);
}

#[test]
fn a_suppression_on_the_module_call_reaches_the_module_resources() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "modules/bucket/main.tf", BUCKET_MODULE);
    write(
        t.path(),
        "main.tf",
        r#"
# lockgate:ignore LG-AWS-001 reason="scratch data only"
module "plain" {
  source  = "./modules/bucket"
  name    = "scratch"
  encrypt = false
}
"#,
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        findings(&v, "LG-AWS-001")[0]["suppressed"]["location"]["file"],
        "main.tf"
    );
}

#[test]
fn a_baseline_hides_known_findings_across_line_shifts_and_shows_new_ones() {
    let t = tempfile::tempdir().unwrap();
    let body = "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n";
    write(t.path(), "s3.tf", body);
    let out = lockgate(t.path())
        .args(["scan", "--rules", "LG-AWS-001", "--write-baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("wrote 1 finding(s) to the baseline"),
        "{}",
        stderr(&out)
    );
    // Shift every line down and add a new bucket.
    write(
        t.path(),
        "s3.tf",
        &format!("# moved\n\n\n{body}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b\"\n}}\n"),
    );
    let (v, code) = scan_json(t.path(), &["--rules", "LG-AWS-001", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    let f = findings(&v, "LG-AWS-001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["resource"], "aws_s3_bucket.b");
    // A broken baseline is a usage error naming the file.
    write(t.path(), "bad.json", "{ not json");
    let out = lockgate(t.path())
        .args(["scan", "--baseline", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:1:"), "{}", stderr(&out));
}

#[test]
fn bad_input_is_reported_and_the_scan_completes() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "broken.tf",
        "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n}\n",
    );
    std::fs::write(t.path().join("binary.tf"), b"\x00\x01\x02resource").unwrap();
    write(
        t.path(),
        "huge.tf",
        &format!("locals {{\n  x = \"{}\"\n}}\n", "a".repeat(5000)),
    );
    write(
        t.path(),
        "good.tf",
        "resource \"aws_s3_bucket\" \"ok\" {\n  bucket = \"ok\"\n}\n",
    );
    // A module that calls itself, and two that call each other.
    write(
        t.path(),
        "self/main.tf",
        "module \"again\" {\n  source = \"../self\"\n}\n",
    );
    write(
        t.path(),
        "ping/main.tf",
        "module \"pong\" {\n  source = \"../pong\"\n}\n",
    );
    write(
        t.path(),
        "pong/main.tf",
        "module \"ping\" {\n  source = \"../ping\"\n}\n",
    );
    write(
        t.path(),
        "caller.tf",
        "module \"p\" {\n  source = \"./ping\"\n}\nmodule \"s\" {\n  source = \"./self\"\n}\n",
    );
    std::os::unix::fs::symlink(t.path(), t.path().join("loop")).unwrap();
    let (v, code) = scan_json(t.path(), &["--max-file-size", "4000"]);
    assert_eq!(code, 1);
    let parse = findings(&v, "parse-error");
    assert_eq!(parse.len(), 1, "{parse:#?}");
    assert_eq!(parse[0]["location"]["file"], "broken.tf");
    assert_eq!(parse[0]["location"]["line"], 2);
    assert!(parse[0]["location"]["column"].as_u64().unwrap() > 1);
    let skipped: Vec<String> = findings(&v, "file-skipped")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["location"]["file"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        skipped.iter().any(|s| s.starts_with("binary.tf binary file")),
        "{skipped:#?}"
    );
    assert!(
        skipped
            .iter()
            .any(|s| s.starts_with("huge.tf file is") && s.contains("limit")),
        "{skipped:#?}"
    );
    assert!(skipped.iter().any(|s| s.contains("symbolic link loop")), "{skipped:#?}");
    let modules: Vec<&str> = findings(&v, "module-error")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        modules.iter().any(|m| m.contains("recursive module source ../self")),
        "{modules:#?}"
    );
    assert!(
        modules.iter().any(|m| m.contains("recursive module source ../p")),
        "{modules:#?}"
    );
    // The good file was still scanned.
    assert_eq!(findings(&v, "LG-AWS-001").len(), 1);
}

#[test]
fn fail_on_framework_and_rule_selection() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "s3.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n",
    );
    let code = |args: &[&str]| {
        lockgate(t.path())
            .arg("scan")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&["--rules", "LG-AWS-001"]), Some(1));
    assert_eq!(code(&["--rules", "LG-AWS-001", "--fail-on", "critical"]), Some(0));
    assert_eq!(code(&["--rules", "LG-AWS-001", "--fail-on", "high"]), Some(1));
    let (v, _) = scan_json(t.path(), &["--framework", "pci-dss"]);
    assert!(!findings(&v, "LG-AWS-001").is_empty());
    assert!(v["summary"]["rules"].as_u64().unwrap() < scan_json(t.path(), &[]).0["summary"]["rules"].as_u64().unwrap());
    let out = lockgate(t.path())
        .args(["scan", "--fail-on", "urgent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("critical, high, medium, low, info"),
        "{}",
        stderr(&out)
    );
    let out = lockgate(t.path())
        .args(["scan", "--framework", "iso-27001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = lockgate(t.path()).args(["scan", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere does not exist"), "{}", stderr(&out));
    assert_no_panic(&out);
}

#[test]
fn table_junit_and_github_outputs() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "s3.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n",
    );
    let out = lockgate(t.path())
        .args(["scan", "--rules", "LG-AWS-001"])
        .output()
        .unwrap();
    let table = stdout(&out);
    assert!(table.contains("s3.tf\n"), "{table}");
    assert!(
        table.contains("1:1") && table.contains("LG-AWS-001") && table.contains("│ resource \"aws_s3_bucket\" \"a\" {"),
        "{table}"
    );
    assert!(table.contains("1 finding (0 critical, 1 high"), "{table}");
    assert!(!table.contains('\u{1b}'), "NO_COLOR output has no escape codes");

    let out = lockgate(t.path())
        .args(["scan", "--rules", "LG-AWS-001", "--format", "junit", "-o", "scan.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(t.path().join("scan.xml")).unwrap();
    assert!(
        xml.contains("<testsuite name=\"lockgate scan\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<failure message=\"the bucket has no default server-side encryption configuration\" type=\"high\">"
        ),
        "{xml}"
    );
    let out = lockgate(t.path())
        .args(["scan", "--rules", "LG-AWS-001", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        "::error file=s3.tf,line=1,col=1,endLine=3,title=LG-AWS-001 S3 bucket is encrypted at rest::the bucket has no default server-side encryption configuration (aws_s3_bucket.a)"
    );
}

/// The official OASIS schema, fetched by scripts/test; mandatory in CI.
fn sarif_schema() -> Option<Value> {
    match std::env::var("LOCKGATE_SARIF_SCHEMA")
        .ok()
        .filter(|p| Path::new(p).is_file())
    {
        Some(p) => Some(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()),
        None => {
            if std::env::var("LOCKGATE_REQUIRE_TOOLS").as_deref() == Ok("1") {
                panic!("LOCKGATE_REQUIRE_TOOLS=1 but LOCKGATE_SARIF_SCHEMA does not name the SARIF schema");
            }
            eprintln!("SKIPPED: the SARIF schema is not available (run scripts/test, which fetches it)");
            None
        }
    }
}

fn assert_valid_sarif(schema: &Value, sarif: &Value) {
    let validator = jsonschema::draft4::new(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is not schema-valid:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_against_the_official_schema_with_modules_and_suppressions() {
    let Some(schema) = sarif_schema() else { return };
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "modules/bucket/main.tf", BUCKET_MODULE);
    write(
        t.path(),
        "main.tf",
        "module \"plain\" {\n  source  = \"./modules/bucket\"\n  name    = \"x\"\n  encrypt = false\n}\n# lockgate:ignore LG-AWS-001 reason=\"test\"\nresource \"aws_s3_bucket\" \"s\" {\n  bucket = \"s\"\n}\n",
    );
    write(t.path(), "broken.tf", "resource \"aws_s3_bucket\" \"broken\" {\n");
    let out = lockgate(t.path()).args(["scan", "--format", "sarif"]).output().unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&schema, &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let module = results
        .iter()
        .find(|r| r["ruleId"] == "LG-AWS-001" && r.get("relatedLocations").is_some())
        .unwrap();
    assert_eq!(
        module["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "modules/bucket/main.tf"
    );
    assert_eq!(
        module["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert!(results.iter().any(|r| r["suppressions"][0]["justification"] == "test"));
    assert!(results.iter().any(|r| r["ruleId"] == "parse-error"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let idx = module["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "LG-AWS-001");
    assert_eq!(rules[idx]["properties"]["security-severity"], "8.0");
}

fn terragoat() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/terragoat");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LOCKGATE_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("LOCKGATE_REQUIRE_SHARED=1 but {} is missing", dir.display());
    }
    eprintln!("SKIPPED: ../shared/corpora/terragoat is absent");
    None
}

/// The issue's done-when: the terragoat scan as SARIF is schema-valid.
#[test]
fn terragoat_sarif_is_schema_valid() {
    let Some(dir) = terragoat() else { return };
    let Some(schema) = sarif_schema() else { return };
    let out = lockgate(&dir)
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&schema, &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.len() > 100,
        "terragoat is deliberately vulnerable: {} results",
        results.len()
    );
    for p in ["terraform/aws/", "terraform/azure/", "terraform/gcp/"] {
        assert!(
            results
                .iter()
                .any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .starts_with(p)),
            "no finding under {p}"
        );
    }
}

#[test]
fn rules_list_and_explain() {
    let t = tempfile::tempdir().unwrap();
    let out = lockgate(t.path()).args(["rules", "list", "--json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 100, "{} rules", list.len());
    assert!(list.iter().all(|r| !r["frameworks"].as_array().unwrap().is_empty()));
    let out = lockgate(t.path())
        .args(["rules", "list", "--framework", "hipaa"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("LG-AWS-001"));
    let out = lockgate(t.path())
        .args(["rules", "explain", "lg-aws-001"])
        .output()
        .unwrap();
    let page = stdout(&out);
    assert!(
        page.starts_with("# LG-AWS-001: S3 bucket is encrypted at rest"),
        "{page}"
    );
    for s in ["| Severity | high |", "## What it checks", "## Fix", "CKV_AWS_19"] {
        assert!(page.contains(s), "{s} missing:\n{page}");
    }
    let out = lockgate(t.path())
        .args(["rules", "explain", "LG-NOPE-999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// docs/rules/ is generated from the rule files; regenerate with
/// `cargo run -- rules docs docs/rules`.
#[test]
fn rule_reference_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let out = lockgate(t.path())
        .args(["rules", "docs"])
        .arg(t.path().join("rules"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut stale = Vec::new();
    let mut names = Vec::new();
    for e in std::fs::read_dir(t.path().join("rules")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let want = std::fs::read_to_string(e.path()).unwrap();
        let have = std::fs::read_to_string(root.join("docs/rules").join(&name)).unwrap_or_default();
        if want != have {
            stale.push(name.clone());
        }
        names.push(name);
    }
    for e in std::fs::read_dir(root.join("docs/rules")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !names.contains(&name) {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale, run `cargo run -- rules docs`: {stale:?}"
    );
}

/// The scan as a pipeline job: its SARIF is evidence, and the gate on
/// `policy.failed{severity>=high}` closes on a high finding and opens once
/// the code is fixed.
#[test]
fn a_scan_job_feeds_the_pipeline_gate() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "lockgate.yaml",
        r#"project: infra
pipeline:
  scan:
    run: '"$LOCKGATE" scan infra --rules LG-AWS-001 --format sarif -o scan.sarif --exit-zero'
    inputs: ["infra/**"]
    reports: { sarif: scan.sarif }
gates:
  release:
    items:
      - { id: policy, title: No high policy findings, check: "policy.failed{severity>=high} == 0", key: true }
"#,
    );
    write(d, ".gitignore", ".lockgate/\nscan.sarif\n");
    write(
        d,
        "infra/s3.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n",
    );
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "bucket"]);
    let run = |d: &Path| {
        let out = lockgate(d)
            .args(["run", "--progress", "plain"])
            .env("LOCKGATE_USER", "dev@example.com")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "the scan job reports, the gate decides: {}",
            stderr(&out)
        );
        lockgate(d)
            .args(["gate", "evaluate", "release", "--json"])
            .env("LOCKGATE_USER", "dev@example.com")
            .output()
            .unwrap()
    };
    let out = run(d);
    assert_eq!(out.status.code(), Some(3), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("policy.failed{severity>=high}"),
        "{}",
        stdout(&out)
    );
    write(
        d,
        "infra/s3.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  rule {\n    apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" }\n  }\n}\n",
    );
    git(d, &["commit", "-qam", "encrypt"]);
    let out = run(d);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
}

#[test]
fn terraform_json_syntax_and_opentofu_files_are_scanned() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "main.tf.json",
        r#"{
  "variable": { "cidr": { "default": "10.0.0.0/8" } },
  "resource": {
    "aws_security_group": {
      "web": {
        "ingress": [
          { "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["${var.cidr}"] }
        ]
      }
    }
  }
}
"#,
    );
    write(t.path(), "terraform.tfvars.json", r#"{ "cidr": "0.0.0.0/0" }"#);
    write(
        t.path(),
        "s3.tofu",
        "resource \"aws_s3_bucket\" \"t\" {\n  bucket = \"t\"\n}\n",
    );
    write(t.path(), "broken.tf.json", "{ \"resource\": ");
    let (v, _) = scan_json(t.path(), &["--rules", "LG-AWS-001,LG-AWS-002"]);
    let sg = findings(&v, "LG-AWS-002");
    assert_eq!(sg.len(), 1, "{v:#}");
    assert_eq!(sg[0]["location"]["file"], "main.tf.json");
    assert_eq!(sg[0]["location"]["line"], 5, "the resource's key line");
    assert_eq!(findings(&v, "LG-AWS-001")[0]["location"]["file"], "s3.tofu");
    let parse = findings(&v, "parse-error");
    assert_eq!(parse[0]["location"]["file"], "broken.tf.json");
    assert!(parse[0]["message"].as_str().unwrap().starts_with("JSON syntax error"));
}

/// lockgate.yaml's `policy:` section gives the scan its defaults.
#[test]
fn the_projects_policy_section_sets_excludes_skips_and_the_failure_threshold() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "lockgate.yaml",
        "project: infra\npolicy:\n  exclude: [\"legacy/**\"]\n  skip: [LG-AWS-003]\n  fail_on: critical\n",
    );
    write(
        t.path(),
        "s3.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n",
    );
    write(
        t.path(),
        "legacy/old.tf",
        "resource \"aws_s3_bucket\" \"old\" {\n  bucket = \"old\"\n}\n",
    );
    let (v, code) = scan_json(t.path(), &[]);
    assert_eq!(code, 0, "high findings stay under fail_on: critical");
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert!(!files.iter().any(|f| f.starts_with("legacy/")), "{files:?}");
    assert!(findings(&v, "LG-AWS-003").is_empty());
    assert!(!findings(&v, "LG-AWS-001").is_empty());
    // The command line still wins, and --no-project ignores the section.
    let (_, code) = scan_json(t.path(), &["--fail-on", "high"]);
    assert_eq!(code, 1);
    let (v, _) = scan_json(t.path(), &["--no-project"]);
    assert!(!findings(&v, "LG-AWS-003").is_empty());
}

/// A SOC 2 report from a real project: scanner findings fail their
/// controls, the ledger and the approval settings evidence process controls.
#[test]
fn a_compliance_report_combines_findings_and_process_evidence() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "lockgate.yaml",
        r#"project: infra
environments:
  production:
    approvals: { required: 2, not_author: true }
pipeline:
  scan:
    run: '"$LOCKGATE" scan . --format sarif -o scan.sarif --exit-zero'
    reports: { sarif: scan.sarif }
gates:
  release:
    environment: production
    items:
      - { id: policy, check: "policy.failed{severity>=high} == 0", key: true }
"#,
    );
    write(
        d,
        "infra/s3.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n",
    );
    write(
        d,
        "infra/site.tf",
        "# lockgate:ignore LG-AWS-001 reason=\"public website assets\" until=2099-01-01\nresource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n}\n",
    );
    let out = lockgate(d)
        .args(["audit", "note", "ledger started"])
        .env("LOCKGATE_USER", "dev@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = lockgate(d)
        .args([
            "compliance",
            "report",
            "--framework",
            "soc2",
            "--format",
            "json",
            "infra",
        ])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let control = |id: &str| {
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no control {id}"))
            .clone()
    };
    // CC6.1 is evidenced by LG-AWS-001, which fails on the bucket.
    let cc61 = control("CC6.1");
    assert_eq!(cc61["status"], "failing", "{cc61:#}");
    assert!(
        cc61["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "LG-AWS-001")
    );
    // The suppressed bucket is not a failure: it is an exception, with its reason.
    let exceptions = cc61["exceptions"].as_array().unwrap();
    assert_eq!(exceptions.len(), 1, "{cc61:#}");
    assert_eq!(exceptions[0]["resource"], "aws_s3_bucket.site");
    assert_eq!(exceptions[0]["reason"], "public website assets");
    assert_eq!(exceptions[0]["until"], "2099-01-01");
    assert!(
        !cc61["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["resource"] == "aws_s3_bucket.site" && f["rule"] == "LG-AWS-001"),
        "{cc61:#}"
    );
    // CC8.1 (change management) rests on approvals and gates.
    let cc81 = control("CC8.1");
    let process: Vec<(&str, bool)> = cc81["process"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["ok"].as_bool()?)))
        .collect();
    assert!(process.contains(&("change-approval", true)), "{cc81:#}");
    assert!(
        !process.iter().any(|(id, ok)| *id == "tests-in-pipeline" && *ok),
        "no gate checks tests here: {cc81:#}"
    );
    let s = &r["summary"];
    assert_eq!(
        s["controls"].as_u64().unwrap(),
        s["passing"].as_u64().unwrap() + s["failing"].as_u64().unwrap() + s["not_evidenced"].as_u64().unwrap()
    );
    // The ledger verifies: audit-trail evidence holds wherever it is asked for.
    let audit: Vec<&Value> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["process"].as_array().unwrap())
        .filter(|p| p["id"] == "audit-trail")
        .collect();
    assert!(!audit.is_empty() && audit.iter().all(|p| p["ok"] == true), "{audit:#?}");

    // Markdown and HTML render the same verdicts.
    let md = stdout(
        &lockgate(d)
            .args(["compliance", "report", "--framework", "soc2", "infra"])
            .output()
            .unwrap(),
    );
    assert!(
        md.contains("compliance report") && md.contains("| [CC6.1](#cc6-1) |") && md.contains("✗ **failing**"),
        "{md}"
    );
    assert!(
        md.contains("Exceptions (findings accepted by a suppression)")
            && md.contains("reason: public website assets, until 2099-01-01")
            && md.contains("| Project | infra |"),
        "{md}"
    );
    let out = lockgate(d)
        .args([
            "compliance",
            "report",
            "--framework",
            "soc2",
            "--format",
            "html",
            "-o",
            "soc2.html",
            "infra",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = std::fs::read_to_string(d.join("soc2.html")).unwrap();
    assert!(
        html.starts_with("<!doctype html>") && html.contains("<td class=\"failing\">failing</td>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "a self-contained page without scripts");
}

#[test]
fn a_custom_framework_file_with_an_unknown_rule_still_reports() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "controls.yaml",
        "id: acme\ntitle: ACME controls\ncontrols:\n  - id: ENC-1\n    title: Data at rest is encrypted\n    rules: [LG-AWS-001, LG-NOPE-404]\n  - id: LOG-1\n    title: Audit trail\n    process: [audit-trail, telepathy]\n",
    );
    write(
        d,
        "s3.tf",
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n",
    );
    let out = lockgate(d)
        .args([
            "compliance",
            "report",
            "--framework",
            "controls.yaml",
            "--format",
            "json",
            "--fail-under",
            "50",
        ])
        .output()
        .unwrap();
    assert_no_panic(&out);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["controls"][0]["status"], "failing");
    assert_eq!(
        r["controls"][1]["status"], "not-evidenced",
        "no lockgate project here: {:#}",
        r["controls"][1]
    );
    let problems: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(problems.iter().any(|p| p.contains("LG-NOPE-404")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("telepathy")), "{problems:?}");
    let lines: Vec<u64> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6, 9], "the lines of the unknown rule and process ids");
    assert!(
        stderr(&out).contains("warning: controls.yaml:6: control ENC-1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(1), "0 % passing is under --fail-under 50");
    // A framework file that is not YAML is refused with its line and column.
    write(
        d,
        "broken.yaml",
        "id: broken\ntitle: Broken\ncontrols:\n  - id: [unclosed\n",
    );
    let out = lockgate(d)
        .args(["compliance", "report", "--framework", "broken.yaml"])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("broken.yaml"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("line 4") || stderr(&out).contains(":4:"),
        "{}",
        stderr(&out)
    );
    let out = lockgate(d)
        .args(["compliance", "report", "--framework", "iso-9001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("built in:"), "{}", stderr(&out));
}

/// Terraform, Kubernetes manifests, a Dockerfile and a workflow in one pass;
/// a broken YAML document among good ones and a Dockerfile with an unknown
/// instruction are reported precisely and the rest is scanned.
#[test]
fn a_mixed_repository_is_scanned_in_one_pass_despite_bad_documents() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "infra/s3.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n",
    );
    write(
        d,
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: true\n---\napiVersion: v1\nkind: Pod\nmetadata: [unclosed\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: { name: listed }\n    spec:\n      containers:\n        - { name: side, image: side:1, securityContext: { privileged: true } }\n",
    );
    write(d, "app/Dockerfile", "FROM debian:12\nCOPY app /app\n");
    write(d, "app/broken.Dockerfile", "FROM debian:12\nFROBNICATE now\n");
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    );
    write(d, "notes/random.yaml", "just: some\nconfig: [1, 2]\n");
    let rules = "LG-AWS-001,LG-K8S-001,LG-DOCKER-001,LG-CI-001";
    let (v, code) = scan_json(d, &["--rules", rules]);
    assert_eq!(code, 1);
    let at = |rule: &str| located(&v, rule, "resource");
    assert_eq!(at("LG-AWS-001"), ["infra/s3.tf:1 aws_s3_bucket.a"]);
    assert_eq!(
        at("LG-K8S-001"),
        ["k8s/app.yaml:10 Pod/good", "k8s/app.yaml:24 Pod/listed"]
    );
    assert_eq!(at("LG-DOCKER-001"), ["app/Dockerfile:1 app/Dockerfile"]);
    assert_eq!(at("LG-CI-001"), [".github/workflows/ci.yml:6 .github/workflows/ci.yml"]);
    let parse = located(&v, "parse-error", "message");
    assert_eq!(parse.len(), 2, "{parse:#?}");
    assert!(
        parse[0].starts_with("app/broken.Dockerfile:2 Dockerfile syntax error: unknown instruction"),
        "{parse:#?}"
    );
    assert!(
        parse[1].starts_with("k8s/app.yaml:14 YAML syntax error: unclosed bracket"),
        "{parse:#?}"
    );
}

#[test]
fn rendered_manifests_can_come_on_standard_input() {
    let t = tempfile::tempdir().unwrap();
    let out = lockgate(t.path())
        .args(["scan", "-", "--rules", "LG-K8S-001", "--format", "json"])
        .write_stdin("# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n          securityContext: { privileged: true }\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings(&v, "LG-K8S-001")[0]["location"]["file"], "<stdin>.yaml");
    assert_eq!(findings(&v, "LG-K8S-001")[0]["location"]["line"], 12);
}

/// Package-manager standards follow the organisation's toolchain in
/// lockgate.yaml (default Bun and Poetry).
#[test]
fn package_manager_standards_follow_the_configured_toolchain() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "web/package.json", "{ \"name\": \"web\" }\n");
    write(d, "web/package-lock.json", "{}\n");
    write(d, "api/requirements.txt", "flask==3.0.0\n");
    let rules = "LG-PKG-001,LG-PKG-002";
    let (v, _) = scan_json(d, &["--rules", rules]);
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("package-lock.json is npm's lockfile, but this organisation uses bun")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("requirements.txt without a Poetry pyproject.toml")),
        "{msgs:#?}"
    );
    write(
        d,
        "lockgate.yaml",
        "project: shop\npolicy:\n  toolchain: { javascript: npm, python: pip }\n",
    );
    let (v, code) = scan_json(d, &["--rules", rules]);
    assert_eq!(code, 0, "npm and pip are this organisation's tools now: {v:#}");
    write(d, "web/bun.lock", "{}\n");
    let (v, _) = scan_json(d, &["--rules", rules]);
    assert!(
        findings(&v, "LG-PKG-001")[0]["message"]
            .as_str()
            .unwrap()
            .contains("bun.lock is bun's lockfile, but this organisation uses npm")
    );
}

/// Secrets are found in every kind of file and never printed.
#[test]
fn secrets_are_reported_redacted_and_never_printed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let token = "ghp_Zx9aQ2bW4cE6dR8fT0gY1hU3iJ5kL7mN9oP2";
    write(
        d,
        "providers.tf",
        &format!("provider \"github\" {{\n  token = \"{token}\"\n}}\n"),
    );
    write(
        d,
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: app:1\n      env:\n        - name: DB_PASSWORD\n          value: \"Pq8vN3xR6tYz1WkL\"\n",
    );
    write(
        d,
        "deploy/id_rsa.yaml",
        "key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n  -----END OPENSSH PRIVATE KEY-----\n",
    );
    let rules = "LG-SECRET-001,LG-SECRET-002,LG-SECRET-003";
    let (v, code) = scan_json(d, &["--rules", rules]);
    assert_eq!(code, 1);
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "LG-SECRET-001 deploy/id_rsa.yaml:2",
            "LG-SECRET-003 k8s/pod.yaml:11",
            "LG-SECRET-002 providers.tf:2",
            "LG-SECRET-003 providers.tf:2"
        ]
    );
    for format in ["table", "json", "sarif", "junit", "github"] {
        let out = lockgate(d)
            .args(["scan", "--rules", rules, "--format", format])
            .output()
            .unwrap();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        for secret in [token, "Pq8vN3xR6tYz1WkL", "b3BlbnNzaC1rZXkt"] {
            assert!(!text.contains(secret), "{format} output shows a secret:\n{text}");
        }
    }
}

/// Custom policies in Rego: the shipped examples find what they promise,
/// lockgate.yaml's `policy.rego` globs load them, and a policy that does not
/// compile is reported at its line while the scan goes on.
#[test]
fn custom_rego_policies_report_like_built_in_rules() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    for f in ["required_tags.rego", "k8s_team_label.rego"] {
        write(
            d,
            &format!("policies/{f}"),
            &std::fs::read_to_string(examples.join(f)).unwrap(),
        );
    }
    write(
        d,
        "s3.tf",
        "resource \"aws_s3_bucket\" \"owned\" {\n  bucket = \"a\"\n  tags   = { owner = \"data\" }\n}\n\nresource \"aws_s3_bucket\" \"orphan\" {\n  bucket = \"b\"\n}\n",
    );
    write(
        d,
        "k8s/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: { team: shop }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
    );
    write(
        d,
        "lockgate.yaml",
        "project: infra\npolicy:\n  rego: [\"policies/*.rego\"]\n",
    );
    let (v, code) = scan_json(d, &["--rules", "LG-AWS-001"]);
    assert_eq!(code, 1);
    let tag = findings(&v, "ACME-TAG-001");
    assert_eq!(tag.len(), 1, "{v:#}");
    assert_eq!(tag[0]["resource"], "aws_s3_bucket.orphan");
    assert_eq!(tag[0]["location"]["line"], 6);
    assert_eq!(tag[0]["severity"], "low");
    let k8s = findings(&v, "ACME-K8S-001");
    assert_eq!(k8s.len(), 1);
    assert_eq!(k8s[0]["message"], "Deployment/api has no `team` label");

    write(
        d,
        "policies/broken.rego",
        "package broken\nimport rego.v1\ndeny contains x if {\n  x := \n}\n",
    );
    let (v, _) = scan_json(d, &["--rules", "LG-AWS-001"]);
    let errors = findings(&v, "policy-error");
    assert_eq!(errors.len(), 1, "{v:#}");
    assert_eq!(
        errors[0]["location"]["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap(),
        "broken.rego"
    );
    assert_eq!(errors[0]["location"]["line"], 4);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Rego policy does not compile"),
        "{:#}",
        errors[0]
    );
    assert!(!findings(&v, "LG-AWS-001").is_empty(), "the built-in rules still ran");
    let out = lockgate(d).args(["scan", "--rego", "missing.rego"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
