//! `lockgate init` on sample Rust, Bun, Poetry and Go repositories: the
//! generated file uses each ecosystem's package manager and validates.

use std::path::Path;

use super::{assert_no_panic, lockgate, stderr, stdout};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Runs `init` in a repository made of `files`; returns the generated file.
fn init_repo(name: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    std::fs::create_dir(&root).unwrap();
    write(&root, files);
    let out = lockgate(&root).arg("init").output().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let yaml = std::fs::read_to_string(root.join("lockgate.yaml")).unwrap();
    // What init writes must pass validate.
    let v = lockgate(&root).arg("validate").output().unwrap();
    assert_eq!(
        v.status.code(),
        Some(0),
        "generated file does not validate:\n{}\n{yaml}",
        stderr(&v)
    );
    (dir, yaml)
}

#[test]
fn rust_repository_uses_cargo_with_nextest_junit_and_llvm_cov() {
    let (dir, yaml) = init_repo(
        "crate",
        &[
            ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ("src/main.rs", "fn main() {}\n"),
        ],
    );
    assert!(yaml.contains("run: cargo build --locked --release"));
    assert!(yaml.contains("junit: target/nextest/ci/junit.xml"));
    assert!(yaml.contains("coverage: target/lcov.info"));
    let nextest = std::fs::read_to_string(dir.path().join("crate/.config/nextest.toml")).unwrap();
    assert!(nextest.contains("[profile.ci.junit]"));
    insta::assert_snapshot!("init_rust", yaml);
}

#[test]
fn typescript_repository_uses_bun() {
    let (_dir, yaml) = init_repo(
        "web",
        &[
            (
                "package.json",
                r#"{"name":"web","scripts":{"build":"tsc","lint":"eslint .","test":"bun test"},"devDependencies":{"typescript":"^5"}}"#,
            ),
            ("tsconfig.json", "{}"),
            ("bun.lock", ""),
        ],
    );
    assert!(yaml.contains("# Detected: TypeScript (Bun)."));
    assert!(yaml.contains("run: bun install --frozen-lockfile"));
    assert!(yaml.contains("run: bun run build"));
    assert!(yaml.contains("run: bun run lint"));
    assert!(yaml.contains("junit: reports/junit.xml"));
    assert!(!yaml.contains("npm "), "no npm commands in a Bun project");
    insta::assert_snapshot!("init_bun", yaml);
}

#[test]
fn python_repository_uses_poetry() {
    let (_dir, yaml) = init_repo(
        "svc",
        &[
            ("pyproject.toml", "[tool.poetry]\nname = \"svc\"\n"),
            ("svc/__init__.py", ""),
        ],
    );
    assert!(yaml.contains("run: poetry install --no-interaction"));
    assert!(yaml.contains("poetry run pytest --junitxml=reports/junit.xml"));
    assert!(yaml.contains("coverage: reports/coverage.xml"));
    assert!(!yaml.contains("pip install"));
    insta::assert_snapshot!("init_poetry", yaml);
}

#[test]
fn go_repository_uses_go_modules() {
    let (_dir, yaml) = init_repo(
        "tool",
        &[
            ("go.mod", "module example.com/tool\n\ngo 1.22\n"),
            ("main.go", "package main\nfunc main() {}\n"),
        ],
    );
    assert!(yaml.contains("run: go build ./..."));
    assert!(yaml.contains("gotestsum"));
    assert!(yaml.contains("junit: reports/junit.xml"));
    insta::assert_snapshot!("init_go", yaml);
}

#[test]
fn monorepo_gets_prefixed_jobs_with_workdirs() {
    let (_dir, yaml) = init_repo(
        "mono",
        &[
            ("api/go.mod", "module example.com/api\n"),
            ("web/package.json", r#"{"name":"web","scripts":{"test":"bun test"}}"#),
        ],
    );
    assert!(
        yaml.contains("  api-build:\n    run: go build ./...\n    workdir: api\n"),
        "{yaml}"
    );
    assert!(yaml.contains("  web-install:"), "{yaml}");
    assert!(yaml.contains("junit: web/reports/junit.xml"), "{yaml}");
}

#[test]
fn empty_repository_still_gets_a_valid_file_with_gates() {
    let (_dir, yaml) = init_repo("empty", &[]);
    assert!(yaml.contains("No build system was recognised"));
    for gate in [
        "design:",
        "provisioning-and-security:",
        "pipeline-and-deployment:",
        "production-readiness:",
    ] {
        assert!(yaml.contains(gate), "missing gate {gate}");
    }
}

#[test]
fn never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), "project: mine\n").unwrap();
    let out = lockgate(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: lockgate.yaml already exists\n  hint: pass --force to overwrite it, or --dry-run to print the new file instead\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("lockgate.yaml")).unwrap(),
        "project: mine\n"
    );
    lockgate(dir.path())
        .args(["init", "--force", "--name", "shop"])
        .assert()
        .code(0);
    let yaml = std::fs::read_to_string(dir.path().join("lockgate.yaml")).unwrap();
    assert!(yaml.contains("project: shop\n"));
}

#[test]
fn dry_run_prints_and_writes_nothing_and_json_reports_detection() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("go.mod", "module x\n")]);
    let out = lockgate(dir.path()).args(["init", "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("run: go build ./..."));
    assert!(!dir.path().join("lockgate.yaml").exists());
    let out = lockgate(dir.path()).args(["init", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["detection"]["found"][0]["ecosystem"], "go");
    assert_eq!(v["written"].as_array().unwrap().len(), 1);
}

#[test]
fn init_into_a_missing_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).args(["init", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: cannot access nowhere: No such file or directory\n"),
        "{}",
        stderr(&out)
    );
}
