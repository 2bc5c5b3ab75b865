//! # Python projects use the organisation's package manager
//!
//! ## What it checks
//! Every directory with Python packaging files. The organisation's Python
//! package manager is Poetry unless lockgate.yaml says otherwise
//! (`policy: { toolchain: { python: poetry | uv | pip } }`). With Poetry, a
//! `pyproject.toml` must use Poetry (`[tool.poetry]` or the
//! `poetry.core.masonry.api` build backend) and `poetry.lock` must be
//! committed; a `requirements.txt`, `Pipfile` or `setup.py` without such a
//! `pyproject.toml` is reported. With uv, `uv.lock` must be committed; with
//! pip, a `requirements.txt`.
//!
//! ## Why it matters
//! Dependencies resolved by one tool with one lockfile are reproducible and
//! reviewable; a bare `requirements.txt` usually pins only top-level
//! packages, and mixing managers gives each developer a different tree.
//!
//! ## Example
//! ```text
//! api/requirements.txt       # and no pyproject.toml using Poetry
//! ```
//!
//! ## Fix
//! `poetry init`, then `poetry add $(cat requirements.txt)`; commit
//! `pyproject.toml` and `poetry.lock`; install in CI with `poetry install
//! --no-root` instead of `pip install -r requirements.txt`.
//!
//! ## References
//! - https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control
//! - SLSA Build: reproducible dependency resolution

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-PKG-002",
    title: "Python projects use the organisation's package manager",
    severity: Severity::Medium,
    resources: &["project"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "pci-dss:6.3.2", "slsa:build-l3"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let Some(files) = r.get("files").strs() else { return Outcome::Unknown };
    let has = |n: &str| files.contains(&n);
    let python = ["pyproject.toml", "requirements.txt", "Pipfile", "setup.py"].iter().any(|f| has(f));
    if !python {
        return Outcome::Pass;
    }
    let at = r.get("files").span();
    match cx.tool("python", "poetry").as_str() {
        "poetry" => {
            if has("pyproject.toml") {
                if r.get("poetry").bool() != Some(true) {
                    return fail(at, "pyproject.toml does not use Poetry: this organisation uses Poetry — run `poetry init` (or set build-backend = \"poetry.core.masonry.api\")");
                }
                if !has("poetry.lock") {
                    return fail(at, "pyproject.toml uses Poetry but poetry.lock is not committed: run `poetry lock` and commit it");
                }
                return Outcome::Pass;
            }
            let what = ["requirements.txt", "Pipfile", "setup.py"].into_iter().filter(|f| has(f)).collect::<Vec<_>>().join(", ");
            fail(at, format!("{what} without a Poetry pyproject.toml: this organisation uses Poetry — run `poetry init` and `poetry add` the dependencies"))
        }
        "uv" => {
            if has("uv.lock") {
                Outcome::Pass
            } else {
                fail(at, "no uv.lock: this organisation uses uv — run `uv lock` and commit uv.lock")
            }
        }
        "pip" => {
            if has("requirements.txt") {
                Outcome::Pass
            } else {
                fail(at, "no requirements.txt: this organisation installs with pip — run `pip freeze > requirements.txt`")
            }
        }
        _ => Outcome::Unknown,
    }
}
