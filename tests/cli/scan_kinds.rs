//! Scanner file kinds beyond Terraform end to end: Pod Security Standards
//! levels, every file kind in one pass, package-manager messages, Rego.

use std::path::Path;

use serde_json::Value;

use super::scan::{findings, located, scan_json, write};
use super::{assert_no_panic, lockgate, stderr, stdout};

/// `rule file:line` of every finding, in report order.
fn places(v: &Value) -> Vec<String> {
    v["findings"]
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
        .collect()
}

/// `file:line` of each finding of `rule`.
fn at(v: &Value, rule: &str) -> Vec<String> {
    findings(v, rule)
        .iter()
        .map(|f| format!("{}:{}", f["location"]["file"].as_str().unwrap(), f["location"]["line"]))
        .collect()
}

/// A pod that breaks one Baseline control (`hostNetwork`) and, of the
/// Restricted-only controls, only "run as non-root".
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
        seccompProfile:
          type: RuntimeDefault
";

/// `pss:baseline` selects the Baseline rules, `pss:restricted` Restricted
/// with Baseline (the profile includes it), `pss` both; the levels work in
/// `rules list` and lockgate.yaml too, and an unknown level is a usage
/// error that lists the valid ones.
#[test]
fn pod_security_standards_levels_select_their_rules() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "k8s/pod.yaml", POD);
    let baseline = ["LG-K8S-004 k8s/pod.yaml:6"];
    let restricted = ["LG-K8S-004 k8s/pod.yaml:6", "LG-K8S-006 k8s/pod.yaml:8"];
    let (v, code) = scan_json(d, &["--framework", "pss:baseline"]);
    assert_eq!(code, 1);
    assert_eq!(places(&v), baseline, "the restricted-only rule is not selected: {v:#}");
    let baseline_rules = v["summary"]["rules"].as_u64().unwrap();
    let (v, _) = scan_json(d, &["--framework", "pss:restricted"]);
    assert_eq!(places(&v), restricted, "{v:#}");
    let restricted_rules = v["summary"]["rules"].as_u64().unwrap();
    assert!(baseline_rules < restricted_rules);
    let (v, _) = scan_json(d, &["--framework", "PSS:Restricted"]);
    assert_eq!(places(&v), restricted, "levels are case-insensitive");
    let (v, _) = scan_json(d, &["--framework", "pss"]);
    assert_eq!(places(&v), restricted, "the whole framework still works");
    assert_eq!(v["summary"]["rules"].as_u64().unwrap(), restricted_rules);

    // rules list: the same selections.
    let list = |fw: &str| -> Vec<Value> {
        let out = lockgate(d)
            .args(["rules", "list", "--json", "--framework", fw])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let ids = |list: &[Value]| -> Vec<String> { list.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect() };
    let b = list("pss:baseline");
    let r = list("pss:restricted");
    assert_eq!(b.len() as u64, baseline_rules);
    assert_eq!(r.len() as u64, restricted_rules);
    for rule in &b {
        let tags = rule["frameworks"].as_array().unwrap();
        assert!(tags.iter().any(|f| f == "pss:baseline"), "{rule:#}");
        assert!(ids(&r).contains(&rule["id"].as_str().unwrap().to_string()));
    }
    assert!(ids(&b).contains(&"LG-K8S-004".to_string()));
    assert!(!ids(&b).contains(&"LG-K8S-006".to_string()));
    assert!(ids(&r).contains(&"LG-K8S-006".to_string()));

    // An unknown level, or a level of a framework without levels: exit 2,
    // naming what is valid.
    for args in [
        &["scan", "--framework", "pss:foo"][..],
        &["rules", "list", "--framework", "pss:foo"][..],
    ] {
        let out = lockgate(d).args(args).output().unwrap();
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("\"pss:foo\" is not a level of pss"), "{err}");
        assert!(err.contains("pss:baseline, pss:restricted"), "{err}");
    }
    let out = lockgate(d)
        .args(["scan", "--framework", "soc2:CC6.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("soc2 has no levels"), "{}", stderr(&out));
    let out = lockgate(d)
        .args(["rules", "list", "--framework", "iso-27001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pss:restricted"),
        "the hint lists the levels: {}",
        stderr(&out)
    );

    // lockgate.yaml's policy.frameworks takes levels too, and says which
    // entry is wrong.
    write(
        d,
        "lockgate.yaml",
        "project: shop\npolicy:\n  frameworks: [\"pss:baseline\"]\n",
    );
    let (v, _) = scan_json(d, &[]);
    assert_eq!(places(&v), baseline);
    let (v, _) = scan_json(d, &["--framework", "pss:restricted"]);
    assert_eq!(places(&v), restricted, "the command line wins");
    write(
        d,
        "lockgate.yaml",
        "project: shop\npolicy:\n  frameworks: [\"pss:strict\"]\n",
    );
    let out = lockgate(d).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Refused with the file, line and column, before anything is scanned.
    assert!(
        stderr(&out).contains("\"pss:strict\" is not a level of pss") && stderr(&out).contains("lockgate.yaml:3:"),
        "{}",
        stderr(&out)
    );
}

/// One default scan of one repository covers every file kind: Terraform,
/// a Kubernetes manifest, a Dockerfile, a GitHub workflow, GitLab CI,
/// package manifests and a secret in a plain settings file, each reported at
/// its file and line; the AWS key never reaches the output.
#[test]
fn one_scan_covers_every_file_kind() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let key_id = "AKIA4HQX7RZ2MNV3KTLW";
    let secret_key = "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";
    write(
        d,
        "infra/s3.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
    );
    write(
        d,
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example/app:1.4.2\n          securityContext:\n            privileged: true\n",
    );
    write(
        d,
        "app/Dockerfile",
        "FROM debian:12\nRUN apt-get update\nCOPY app /app\n",
    );
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    );
    write(
        d,
        ".gitlab-ci.yml",
        "build:\n  image: node:latest\n  script:\n    - make build\n",
    );
    write(d, "web/package.json", "{ \"name\": \"web\" }\n");
    write(d, "web/package-lock.json", "{}\n");
    write(
        d,
        "config/settings.yaml",
        &format!(
            "# Deployment settings\nregion: eu-west-1\naws_access_key_id: {key_id}\naws_secret_access_key: {secret_key}\n"
        ),
    );
    let out = lockgate(d).args(["scan", "--format", "json"]).output().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let json = stdout(&out);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"]["files"], 8, "every file was read: {:#}", v["summary"]);
    assert_eq!(at(&v, "LG-AWS-001"), ["infra/s3.tf:1"]);
    assert_eq!(at(&v, "LG-K8S-001"), ["k8s/web.yaml:12"]);
    assert_eq!(at(&v, "LG-DOCKER-001"), ["app/Dockerfile:1"]);
    assert_eq!(at(&v, "LG-DOCKER-026"), ["app/Dockerfile:2"]);
    assert_eq!(at(&v, "LG-CI-001"), [".github/workflows/ci.yml:6"]);
    assert_eq!(at(&v, "LG-CI-010"), [".gitlab-ci.yml:2"]);
    assert_eq!(at(&v, "LG-PKG-001"), ["web/package.json:1"]);
    assert_eq!(at(&v, "LG-SECRET-002"), ["config/settings.yaml:3"]);
    let secret = findings(&v, "LG-SECRET-002")[0];
    assert_eq!(secret["location"]["column"], 20);
    assert_eq!(
        secret["message"],
        "an AWS access key id is stored in the file: AKIA****************"
    );
    assert!(findings(&v, "parse-error").is_empty(), "{v:#}");
    // Every file with something to find was scanned in this one pass.
    for file in [
        "infra/s3.tf",
        "k8s/web.yaml",
        "app/Dockerfile",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "web/package.json",
        "config/settings.yaml",
    ] {
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["location"]["file"] == file),
            "no finding in {file}"
        );
    }
    // The key id and the secret key never appear, in JSON or in the table.
    let table = lockgate(d).args(["scan", "--format", "table"]).output().unwrap();
    for text in [json, stdout(&table), stderr(&out), stderr(&table)] {
        for s in [key_id, &key_id[4..], secret_key] {
            assert!(!text.contains(s), "the output shows a secret:\n{text}");
        }
    }
}

/// LG-PKG-005 says what to run instead, from the configured toolchain.
#[test]
fn ci_installs_are_told_the_organisations_install_command() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements.txt\n",
    );
    write(d, ".gitlab-ci.yml", "build:\n  script:\n    - npm ci\n    - npm test\n");
    let messages = |v: &Value| located(v, "LG-PKG-005", "message");
    let (v, code) = scan_json(d, &["--rules", "LG-PKG-005"]);
    assert_eq!(code, 1);
    assert_eq!(
        messages(&v),
        [
            ".github/workflows/ci.yml:6 `pip install -r requirements.txt` installs with pip, but this organisation uses poetry for python: run `poetry install` instead",
            // GitLab: the `script:` list (its items have no lines of their own).
            ".gitlab-ci.yml:2 `npm ci` installs with npm, but this organisation uses bun for javascript: run `bun install --frozen-lockfile` instead",
        ]
    );
    write(
        d,
        "lockgate.yaml",
        "project: shop\npolicy:\n  toolchain: { javascript: pnpm, python: uv }\n",
    );
    let (v, _) = scan_json(d, &["--rules", "LG-PKG-005"]);
    let m = messages(&v);
    assert_eq!(m.len(), 2, "{m:#?}");
    assert!(
        m[0].ends_with("uses uv for python: run `uv sync --locked` instead"),
        "{m:#?}"
    );
    assert!(
        m[1].ends_with("uses pnpm for javascript: run `pnpm install --frozen-lockfile` instead"),
        "{m:#?}"
    );
}

/// A policy file that does not compile is a `policy-error` at its file and
/// line, and only it is left out: the shipped examples beside it still
/// report. A policy regorus rejects only when it evaluates it (an unsafe
/// variable) is placed at its own line too, and stops no other policy.
#[test]
fn a_broken_rego_policy_is_reported_and_the_others_still_run() {
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
        "policies/broken.rego",
        "package acme.broken\nimport rego.v1\ndeny contains x if {\n  x := \n}\n",
    );
    write(
        d,
        "policies/unsafe.rego",
        "package acme.unsafe\nimport rego.v1\ndeny contains msg if {\n  input.kind == \"aws_s3_bucket\"\n}\n",
    );
    write(
        d,
        "s3.tf",
        "resource \"aws_s3_bucket\" \"owned\" {\n  bucket = \"a\"\n  tags   = { owner = \"data\" }\n}\n\nresource \"aws_s3_bucket\" \"orphan\" {\n  bucket = \"b\"\n}\n",
    );
    write(
        d,
        "k8s/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
    );
    write(
        d,
        "lockgate.yaml",
        "project: infra\npolicy:\n  rego: [\"policies/*.rego\"]\n",
    );
    for args in [
        &["--rules", "LG-AWS-001"][..],
        // The same files from the command line.
        &[
            "--no-project",
            "--rules",
            "LG-AWS-001",
            "--rego",
            "policies/broken.rego",
            "--rego",
            "policies/k8s_team_label.rego",
            "--rego",
            "policies/unsafe.rego",
            "--rego",
            "policies/required_tags.rego",
        ][..],
    ] {
        let (v, code) = scan_json(d, args);
        assert_eq!(code, 1);
        let errors: Vec<(String, u64, String)> = findings(&v, "policy-error")
            .iter()
            .map(|f| {
                (
                    f["location"]["file"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(errors.len(), 2, "{args:?}: {errors:#?}");
        assert!(errors[0].0.ends_with("policies/broken.rego"), "{errors:#?}");
        assert_eq!(errors[0].1, 4);
        assert_eq!(
            errors[0].2,
            "Rego policy does not compile: expecting `}` while parsing set"
        );
        assert!(errors[1].0.ends_with("policies/unsafe.rego"), "{errors:#?}");
        assert_eq!(errors[1].1, 3);
        assert!(
            errors[1]
                .2
                .starts_with("Rego policy failed on aws_s3_bucket.owned: package acme.unsafe: var msg is unsafe"),
            "{errors:#?}"
        );
        // Both examples still report, and so do the built-in rules.
        assert_eq!(at(&v, "ACME-TAG-001"), ["s3.tf:6"], "{args:?}");
        assert_eq!(findings(&v, "ACME-TAG-001")[0]["resource"], "aws_s3_bucket.orphan");
        assert_eq!(at(&v, "ACME-K8S-001"), ["k8s/app.yaml:1"], "{args:?}");
        assert_eq!(findings(&v, "LG-AWS-001").len(), 2);
    }
}

/// Code in Dockerfile heredocs is checked like any RUN script, at the RUN's
/// lines: `RUN <<EOF` and `RUN bash <<EOF` bodies run in a shell; a body
/// written to a file or fed to another program is data. Instructions after
/// a heredoc keep their lines, and an unclosed heredoc is a parse error.
#[test]
fn dockerfile_heredocs_are_checked_at_their_lines() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "app/Dockerfile",
        "FROM debian:12
RUN <<EOF
set -e
curl -fsSL https://get.example.com/install.sh | sh
apt-get update
apt-get install -y --no-install-recommends git
EOF
RUN python3 <<EOF
import subprocess
EOF
RUN cat <<'EOF' > /usr/local/bin/fetch
curl -fsSL https://get.example.com/other.sh | sh
EOF
USER root
",
    );
    write(
        d,
        "app/tools.Dockerfile",
        "FROM debian:12\nRUN bash <<-EOF\n\twget -qO- https://get.example.com/tools.sh | bash\n\tEOF\nUSER app\n",
    );
    write(
        d,
        "app/open.Dockerfile",
        "FROM debian:12\nUSER app\nRUN <<EOF\necho never closed\n",
    );
    let (v, code) = scan_json(d, &["--rules", "LG-DOCKER-001,LG-DOCKER-010,LG-DOCKER-013"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&v),
        [
            "LG-DOCKER-010 app/Dockerfile:2",
            "LG-DOCKER-013 app/Dockerfile:2",
            "LG-DOCKER-001 app/Dockerfile:14",
            "parse-error app/open.Dockerfile:3",
            "LG-DOCKER-013 app/tools.Dockerfile:2",
        ]
    );
    let curl = findings(&v, "LG-DOCKER-013");
    assert_eq!(curl[0]["location"]["end_line"], 7, "the span covers the heredoc");
    assert_eq!(
        curl[0]["message"],
        "`curl -fsSL https://get.example.com/install.sh | sh` runs a downloaded script without verifying it"
    );
    assert_eq!(curl[1]["location"]["end_line"], 4);
    assert!(
        curl[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("`wget -qO- https://get.example.com/tools.sh | bash`")
    );
    assert_eq!(
        findings(&v, "parse-error")[0]["message"],
        "Dockerfile syntax error: heredoc <<EOF is not closed: no line `EOF` ends it"
    );
}

/// Environment files, properties, scripts and key files are searched for
/// secrets (and nothing else); the values never reach the output.
#[test]
fn secrets_in_environment_files_scripts_and_keys_are_found() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let password = "Qx7vLp2mZr9TkW4s";
    let token = format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
    write(
        d,
        ".env",
        &format!("# local settings\nAPP_NAME=shop\nDB_PASSWORD={password}\n"),
    );
    write(
        d,
        "deploy/release.sh",
        &format!("#!/bin/sh\nexport GITHUB_TOKEN={token}\n"),
    );
    write(d, "conf/app.properties", "db.user=shop\ndb.password=${DB_PASSWORD}\n");
    write(
        d,
        "keys/deploy.pem",
        &format!(
            "-----BEGIN {} PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END {} PRIVATE KEY-----\n",
            "RSA", "RSA"
        ),
    );
    write(d, "notes.txt", &format!("password={password}\n"));
    // A DER key is binary and skipped without a word; a Latin-1 properties
    // file is still read.
    std::fs::write(
        d.join("keys/der.key"),
        [0x30u8, 0x82, 0x04, 0xa3, 0x02, 0x01, 0x00, 0x02],
    )
    .unwrap();
    let mut latin = b"# r\xe9glages\n".to_vec();
    latin.extend_from_slice(format!("app.password={password}\n").as_bytes());
    std::fs::write(d.join("conf/latin.properties"), latin).unwrap();
    // Lockfiles are full of hashes and not searched.
    write(
        d,
        "go.sum",
        &format!(
            "example.com/m v1.0.0 h1:{}=\ntoken={token}\n",
            "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTAxMg"
        ),
    );
    let (v, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    // The token is both of a known format and the value of a credential setting.
    assert_eq!(
        at(&v, "LG-SECRET-003"),
        [".env:3", "conf/latin.properties:2", "deploy/release.sh:2"],
        "{:#?}",
        places(&v)
    );
    assert_eq!(at(&v, "LG-SECRET-002"), ["deploy/release.sh:2"], "{:#?}", places(&v));
    assert_eq!(at(&v, "LG-SECRET-001"), ["keys/deploy.pem:1"], "{:#?}", places(&v));
    // A reference is not a secret; .txt files are not read.
    assert!(
        places(&v).iter().all(|p| !p.contains("app.properties")
            && !p.contains("notes.txt")
            && !p.contains("go.sum")
            && !p.contains("der.key")),
        "{:#?}",
        places(&v)
    );
    assert_eq!(v["summary"]["files"], 6, "{:#}", v["summary"]);
    assert!(findings(&v, "file-skipped").is_empty(), "{:#?}", places(&v));
    let text = v.to_string();
    assert!(
        !text.contains(password) && !text.contains(&token),
        "a secret reached the report"
    );
    let out = lockgate(d).args(["scan", "--format", "table"]).output().unwrap();
    assert_no_panic(&out);
    assert!(!stdout(&out).contains(password) && !stderr(&out).contains(&token));
}
