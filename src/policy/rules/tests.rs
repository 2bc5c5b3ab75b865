//! The registry test: every rule has an id of the right shape (unique),
//! documentation with the five sections, at least one framework mapping, and
//! fixtures that prove it fires on `fail.tf` and stays quiet on `pass.tf`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Entry, entries};
use crate::policy::rule::FRAMEWORKS;
use crate::policy::{ScanOptions, scan_with};

fn fixture_dir(e: &Entry) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/policy")
        .join(e.file)
}

/// `pass.tf`, `fail.yaml`, `fail.Dockerfile`, `pass.gitlab-ci.yml`, … or a
/// `pass/` / `fail/` folder (a project tree, for the package-manager rules).
fn fixture(dir: &Path, stem: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == stem || n.starts_with(&format!("{stem}.")))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn ids_in(file: &Path, e: &Entry) -> Vec<String> {
    let opts = ScanOptions {
        threads: 1,
        ..ScanOptions::default()
    };
    let report = scan_with(&[file.to_path_buf()], &opts, &[e.rule]);
    report
        .findings
        .iter()
        .map(|f| {
            if f.rule == e.rule.id {
                f.rule.clone()
            } else {
                format!("{} {}: {}", f.rule, f.location.line, f.message)
            }
        })
        .collect()
}

#[test]
fn every_rule_is_documented_mapped_unique_and_has_fixtures_that_prove_it() {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    // What the scanner promises per kind of file.
    let count = |providers: &[&str]| {
        entries()
            .iter()
            .filter(|e| providers.contains(&e.rule.provider()))
            .count()
    };
    for (providers, least) in [
        (&["aws", "azure", "gcp"][..], 100),
        (&["kubernetes"][..], 40),
        (&["docker"][..], 20),
        (&["ci"][..], 10),
    ] {
        let n = count(providers);
        assert!(
            n >= least,
            "the scanner ships at least {least} {providers:?} rules, has {n}"
        );
    }
    for e in entries() {
        let r = e.rule;
        let id_ok =
            r.id.strip_prefix("LG-")
                .and_then(|x| x.split_once('-'))
                .is_some_and(|(p, n)| {
                    ["AWS", "AZURE", "GCP", "K8S", "DOCKER", "CI", "PKG", "SECRET"].contains(&p)
                        && n.len() == 3
                        && n.chars().all(|c| c.is_ascii_digit())
                });
        if !id_ok {
            problems.push(format!(
                "{}: id is not LG-<AWS|AZURE|GCP|K8S|DOCKER|CI|PKG|SECRET>-NNN",
                r.id
            ));
        }
        if !ids.insert(r.id) {
            problems.push(format!("{}: duplicate id", r.id));
        }
        if !e.file.starts_with(&format!("{}/", r.provider())) {
            problems.push(format!(
                "{}: lives in {} but its id says {}",
                r.id,
                e.file,
                r.provider()
            ));
        }
        if !e.doc.starts_with("# ") {
            problems.push(format!("{}: doc does not start with a `# Title` line", r.id));
        }
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## References",
        ] {
            if !e.doc.contains(section) {
                problems.push(format!("{}: doc lacks `{section}`", r.id));
            }
        }
        if r.frameworks.is_empty() {
            problems.push(format!("{}: no framework mapping", r.id));
        }
        for f in r.frameworks {
            let name = f.split(':').next().unwrap_or("");
            if !FRAMEWORKS.iter().any(|(id, _)| *id == name) || !f.contains(':') {
                problems.push(format!("{}: framework mapping {f:?} is not framework:control", r.id));
            }
        }
        if r.resources.is_empty() {
            problems.push(format!("{}: checks no resource type", r.id));
        }
        let dir = fixture_dir(e);
        let (Some(pass), Some(fail)) = (fixture(&dir, "pass"), fixture(&dir, "fail")) else {
            problems.push(format!(
                "{}: missing fixtures {}/{{pass,fail}}.<ext>",
                r.id,
                dir.display()
            ));
            continue;
        };
        let on_fail = ids_in(&fail, e);
        if !on_fail.iter().any(|x| x == r.id) || on_fail.iter().any(|x| x != r.id) {
            problems.push(format!(
                "{}: fail.tf should produce only {} findings, got {on_fail:?}",
                r.id, r.id
            ));
        }
        let on_pass = ids_in(&pass, e);
        if !on_pass.is_empty() {
            problems.push(format!("{}: pass.tf should produce no finding, got {on_pass:?}", r.id));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every rule's findings on its fail fixture: id, place and message.
#[test]
fn fail_fixture_findings() {
    let mut lines = Vec::new();
    let mut list: Vec<&Entry> = entries().iter().collect();
    list.sort_by_key(|e| e.rule.id);
    for e in list {
        let Some(file) = fixture(&fixture_dir(e), "fail") else {
            continue;
        };
        let opts = ScanOptions {
            threads: 1,
            ..ScanOptions::default()
        };
        // Resources named after their file carry the checkout's path: drop it,
        // so the snapshot holds wherever the repository is cloned.
        let base = format!("{}/", env!("CARGO_MANIFEST_DIR"));
        for f in scan_with(&[file], &opts, &[e.rule]).findings {
            lines.push(format!(
                "{} {}:{}:{} {} — {}",
                f.rule,
                e.file,
                f.location.line,
                f.location.column,
                f.resource.replace(&base, ""),
                f.message
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}
