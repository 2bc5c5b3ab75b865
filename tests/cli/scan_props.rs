//! Property tests of the scanner on generated Terraform: whatever the text,
//! a scan completes without panicking, every finding points inside its file,
//! and a suppression comment never changes what is found, only its status.

use lockgate::policy::{ScanOptions, rules, scan_sources, suppress};
use proptest::prelude::*;

/// Pieces of real-looking Terraform, including broken ones.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("resource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\n".to_string()),
        Just("variable \"name\" { default = \"x\" }\n".to_string()),
        Just("locals {\n  a = [for i in range(3) : i * 2]\n  b = { for k, v in var.m : k => upper(v) }\n  c = local.a\n}\n".to_string()),
        Just("resource \"aws_security_group\" \"s\" {\n  dynamic \"ingress\" {\n    for_each = local.a\n    content {\n      from_port = ingress.value\n      to_port = 22\n      protocol = \"tcp\"\n      cidr_blocks = [\"0.0.0.0/0\"]\n    }\n  }\n}\n".to_string()),
        Just("resource \"aws_db_instance\" \"d\" {\n  count = length(local.a)\n  storage_encrypted = count.index > 0\n}\n".to_string()),
        Just("locals { loop = local.loop }\n".to_string()),
        Just("module \"self\" { source = \"./\" }\n".to_string()),
        Just("output \"o\" { value = cidrsubnet(\"10.0.0.0/16\", 8, 300) }\n".to_string()),
        Just("resource \"x\" \"y\" {\n".to_string()),
        Just("}\n\"unterminated\n".to_string()),
        Just("# lockgate:ignore LG-AWS-001 until=someday\n".to_string()),
        "[ -~\n]{0,40}",
    ]
}

/// Pieces of manifests, workflows and Dockerfiles, including broken ones.
fn yaml_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n".to_string()),
        Just("---\n".to_string()),
        Just("kind: List\napiVersion: v1\nitems:\n  - { apiVersion: v1, kind: Pod, spec: { hostNetwork: true } }\n".to_string()),
        Just("a: &x [1, 2]\nb: *x\nc: *undefined\n".to_string()),
        Just("on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps:\n      - uses: a/b@v1\n      - run: echo ${{ github.event.issue.title }}\n".to_string()),
        Just("key: [unclosed\n".to_string()),
        Just("  - bad indent\n x: y\n".to_string()),
        "[ -~\n]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn scanning_generated_terraform_never_panics_and_spans_stay_in_the_file(parts in proptest::collection::vec(fragment(), 0..8)) {
        let text = parts.concat();
        let lines = text.lines().count().max(1) as u32 + 1;
        let opts = ScanOptions { threads: 1, ..ScanOptions::default() };
        let report = scan_sources(&[("main.tf", &text)], &opts, rules::all());
        for f in &report.findings {
            prop_assert!(f.location.line >= 1 && f.location.line <= lines, "{f:?} outside {lines} lines");
            prop_assert!(f.location.column >= 1);
        }
    }

    #[test]
    fn scanning_generated_yaml_and_dockerfiles_never_panics(parts in proptest::collection::vec(yaml_fragment(), 0..6), docker in "(FROM [a-z:0-9]{0,12}\n|RUN [ -~]{0,30}\n|USER [a-z0-9]{0,6}\n|HEALTHCHECK NONE\n|[A-Z]{1,8} x\n|<<EOT\n|EOT\n){0,8}") {
        let text = parts.concat();
        let lines = text.lines().count().max(1) as u32 + 1;
        let opts = ScanOptions { threads: 1, ..ScanOptions::default() };
        let report = scan_sources(&[("k8s.yaml", &text), (".github/workflows/w.yml", &text), ("Dockerfile", &docker)], &opts, rules::all());
        for f in &report.findings {
            let limit = if f.location.file == "Dockerfile" { docker.lines().count().max(1) as u32 + 1 } else { lines };
            prop_assert!(f.location.line >= 1 && f.location.line <= limit, "{f:?} outside {limit} lines");
        }
    }

    #[test]
    fn suppression_comments_parse_or_fail_cleanly(s in "[ -~]{0,60}") {
        for prefix in ["# lockgate:ignore ", "#checkov:skip=", "#tfsec:ignore:", "// trivy:ignore:"] {
            let _ = suppress::parse_line(&format!("{prefix}{s}"), 1);
        }
    }

    #[test]
    fn a_reasoned_suppression_changes_status_not_findings(name in "[a-z]{1,12}") {
        let plain = format!("resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}\"\n}}\n");
        let quiet = format!("# lockgate:ignore LG-AWS-001 reason=\"generated\"\n{plain}");
        let opts = ScanOptions { threads: 1, ..ScanOptions::default() };
        let rule = [rules::find("LG-AWS-001").unwrap().rule];
        let a = scan_sources(&[("s3.tf", &plain)], &opts, &rule);
        let b = scan_sources(&[("s3.tf", &quiet)], &opts, &rule);
        prop_assert_eq!(a.findings.len(), 1);
        prop_assert_eq!(b.findings.len(), 1);
        prop_assert!(a.findings[0].suppressed.is_none());
        prop_assert!(b.findings[0].suppressed.is_some());
        prop_assert_eq!(&a.findings[0].fingerprint, &b.findings[0].fingerprint, "fingerprints survive the line shift");
    }
}
