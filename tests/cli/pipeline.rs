//! `lockgate run` with real processes and files: ordering, parallelism,
//! timeouts, retries, the cache, secret masking, cancellation, reports.

use std::path::Path;

use serde_json::Value;

use super::{assert_no_panic, lockgate, stderr, stdout};

fn project(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lockgate.yaml"), yaml).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = lockgate(dir)
        .arg("run")
        .args(["--progress", "plain"])
        .args(args)
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

fn runs(dir: &Path) -> Vec<Value> {
    let out = lockgate(dir).args(["runs", "--json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)))
}

fn job<'a>(run: &'a Value, name: &str) -> &'a Value {
    &run["results"][name]
}

/// Whether process `pid` is still running (not a zombie) after giving a
/// SIGKILL that was already sent a bounded moment to take effect.
fn alive(pid: i32) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.split(' ').nth(2).is_some_and(|st| st != "Z" && st != "X"))
            .unwrap_or(false)
    };
    for _ in 0..500 {
        if !running() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    running()
}

#[test]
fn jobs_run_in_dependency_order_and_in_parallel() {
    // `a` and `b` each wait until the other has started: they can only both
    // finish when they really overlap. `c` checks both finished first.
    let dir = project(
        "project: p
pipeline:
  a:
    run: touch a.started; while [ ! -e b.started ]; do sleep 0.02; done; touch a.done
    timeout: 20s
  b:
    run: touch b.started; while [ ! -e a.started ]; do sleep 0.02; done; touch b.done
    timeout: 20s
  c:
    needs: [a, b]
    run: test -e a.done && test -e b.done && touch c.done
",
    );
    let out = run(dir.path(), &["-j", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(dir.path().join("c.done").exists());
    let text = stdout(&out);
    assert!(text.find("▶ c").unwrap() > text.find("✓ a").unwrap(), "{text}");
    assert!(text.find("▶ c").unwrap() > text.find("✓ b").unwrap(), "{text}");
}

#[test]
fn a_timeout_kills_the_whole_process_group() {
    let dir = project(
        "project: p
pipeline:
  hang:
    run: sleep 300 & echo $! > grandchild.pid; sleep 300
    timeout: 1s
",
    );
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("timed out after 1s"), "{}", stdout(&out));
    let pid: i32 = std::fs::read_to_string(dir.path().join("grandchild.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid), "grandchild {pid} survived the timeout");
    let r = &runs(dir.path())[0];
    assert_eq!(job(r, "hang")["outcome"], "failure");
}

#[test]
fn retries_until_success_and_only_on_listed_exit_codes() {
    let dir = project(
        "project: p
pipeline:
  flaky:
    run: echo x >> attempts; test $(wc -l < attempts) -ge 3
    retries: 2
  picky:
    run: echo x >> picky; exit 4
    retries: { max: 3, on_exit_codes: [3] }
",
    );
    let out = run(dir.path(), &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let r = &runs(dir.path())[0];
    assert_eq!(job(r, "flaky")["conclusion"], "success");
    assert_eq!(job(r, "flaky")["attempts"], 3);
    assert_eq!(job(r, "picky")["attempts"], 1, "exit 4 is not retryable");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("picky"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn allow_failure_keeps_outcome_and_conclusion_apart() {
    let dir = project(
        "project: p
pipeline:
  lint: { run: exit 2, allow_failure: true }
  after: { needs: [lint], run: touch after.ran }
",
    );
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(dir.path().join("after.ran").exists());
    let r = &runs(dir.path())[0];
    assert_eq!(job(r, "lint")["outcome"], "failure");
    assert_eq!(job(r, "lint")["conclusion"], "success");
}

#[test]
fn fail_fast_stops_and_keep_going_continues_independent_jobs() {
    let yaml = "project: p
pipeline:
  bad: { run: exit 1 }
  dependent: { needs: [bad], run: touch dependent.ran }
  other: { needs: [gate], run: touch other.ran }
  gate: { run: sleep 0.3 }
";
    let dir = project(yaml);
    let out = run(dir.path(), &["-j", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !dir.path().join("other.ran").exists(),
        "fail-fast must not start new jobs"
    );
    let r = &runs(dir.path())[0];
    assert_eq!(job(r, "dependent")["conclusion"], "skipped");
    let dir = project(yaml);
    let out = run(dir.path(), &["-j", "1", "--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        dir.path().join("other.ran").exists(),
        "--keep-going runs independent jobs"
    );
    assert!(!dir.path().join("dependent.ran").exists());
}

#[test]
fn conditions_skip_jobs_and_their_dependents() {
    let dir = project(
        "project: p
pipeline:
  deploy: { run: touch deployed, if: 'env.LG_DEPLOY == \"yes\"' }
  notify: { needs: [deploy], run: touch notified }
  always: { run: touch always }
",
    );
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!dir.path().join("deployed").exists() && !dir.path().join("notified").exists());
    assert!(dir.path().join("always").exists());
    let out = lockgate(dir.path())
        .args(["run", "--progress", "plain"])
        .env("LG_DEPLOY", "yes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("notified").exists());
}

#[test]
fn cache_hits_restore_outputs_and_one_changed_byte_reruns() {
    let dir = project(
        "project: p
pipeline:
  build:
    run: cp in.txt out.txt; echo ran >> build.count
    inputs: [in.txt]
    outputs: [out.txt]
  package:
    needs: [build]
    run: cat out.txt > pkg.txt; echo ran >> package.count
    inputs: [pkg.cfg]
    outputs: [pkg.txt]
",
    );
    std::fs::write(dir.path().join("in.txt"), "v1").unwrap();
    std::fs::write(dir.path().join("pkg.cfg"), "cfg").unwrap();
    let count = |f: &str| {
        std::fs::read_to_string(dir.path().join(f))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    assert_eq!(run(dir.path(), &[]).status.code(), Some(0));
    assert_eq!((count("build.count"), count("package.count")), (1, 1));
    // Second run: both cached; deleted outputs come back.
    std::fs::remove_file(dir.path().join("out.txt")).unwrap();
    std::fs::remove_file(dir.path().join("pkg.txt")).unwrap();
    let out = run(dir.path(), &[]);
    assert!(
        stdout(&out).contains("↺ build cached") && stdout(&out).contains("↺ package cached"),
        "{}",
        stdout(&out)
    );
    assert_eq!((count("build.count"), count("package.count")), (1, 1));
    assert_eq!(std::fs::read_to_string(dir.path().join("pkg.txt")).unwrap(), "v1");
    // One byte of an input: build re-runs, and package (whose need changed) too.
    std::fs::write(dir.path().join("in.txt"), "v2").unwrap();
    assert_eq!(run(dir.path(), &[]).status.code(), Some(0));
    assert_eq!((count("build.count"), count("package.count")), (2, 2));
    assert_eq!(std::fs::read_to_string(dir.path().join("pkg.txt")).unwrap(), "v2");
    // --no-cache always runs.
    run(dir.path(), &["--no-cache"]);
    assert_eq!(count("build.count"), 3);
    // prune --all empties the cache.
    let out = lockgate(dir.path()).args(["cache", "prune", "--all"]).output().unwrap();
    assert!(
        stdout(&out).starts_with("removed 4 cache entries"),
        "v1 and v2 of both jobs: {}",
        stdout(&out)
    );
    run(dir.path(), &[]);
    assert_eq!(count("build.count"), 4);
}

#[test]
fn secrets_are_masked_in_output_logs_and_ledger_even_when_split() {
    let dir = project(
        "project: p
secrets:
  DEPLOY_TOKEN: { env: LG_TEST_TOKEN }
pipeline:
  deploy:
    secrets: [DEPLOY_TOKEN]
    run: |
      printf 'token is tok-'
      sleep 0.2
      printf '1234-abcd\\n'
      echo \"again $DEPLOY_TOKEN\"
",
    );
    let secret = "tok-1234-abcd";
    let out = lockgate(dir.path())
        .args(["run", "--progress", "plain"])
        .env("LG_TEST_TOKEN", secret)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains(secret) && !text.contains("1234-abcd"), "{text}");
    assert!(
        text.contains("[deploy] token is ***") && text.contains("[deploy] again ***"),
        "{text}"
    );
    let logs = lockgate(dir.path()).args(["logs", "last", "deploy"]).output().unwrap();
    assert!(
        !stdout(&logs).contains(secret) && stdout(&logs).contains("***"),
        "{}",
        stdout(&logs)
    );
    let db = std::fs::read(dir.path().join(".lockgate/ledger.db")).unwrap();
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()));
    // A missing secret is a clear error before anything runs.
    let out = lockgate(dir.path())
        .args(["run"])
        .env_remove("LG_TEST_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("secret `DEPLOY_TOKEN`: environment variable `LG_TEST_TOKEN` is not set"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ctrl_c_stops_every_job_and_records_the_run_as_cancelled() {
    let dir = project(
        "project: p
pipeline:
  long:
    run: sleep 300 & echo $! > gc.pid; touch started; wait
  later: { needs: [long], run: touch later.ran }
",
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lockgate"))
        .args(["run", "--progress", "plain"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..500 {
        if dir.path().join("started").exists() && dir.path().join("gc.pid").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let pid: i32 = std::fs::read_to_string(dir.path().join("gc.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid), "job process {pid} survived Ctrl-C");
    assert!(!dir.path().join("later.ran").exists());
    let r = &runs(dir.path())[0];
    assert_eq!(r["status"], "cancelled");
    assert_eq!(job(r, "long")["outcome"], "cancelled");
    assert_eq!(job(r, "later")["conclusion"], "cancelled");
}

#[test]
fn malformed_and_missing_reports_fail_the_job_and_are_recorded_as_invalid() {
    let dir = project(
        "project: p
pipeline:
  test:
    run: printf '<testsuites>\\n<testsuite>\\n<testcase name=\"a\">\\n</testsuite>' > junit.xml
    reports: { junit: junit.xml }
  cov:
    run: 'true'
    reports: { coverage: lcov.info }
",
    );
    let out = run(dir.path(), &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("junit report junit.xml:4: not well-formed XML"), "{text}");
    assert!(text.contains("no report file was written"), "{text}");
    let ev = lockgate(dir.path()).args(["evidence", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&ev.stdout).unwrap();
    let items = v["evidence"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["valid"] == false), "{v:#}");
    let log = lockgate(dir.path())
        .args(["audit", "log", "--json", "--kind", "evidence.invalid"])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&log.stdout).unwrap().len(), 2);
}

#[test]
fn evidence_and_artifacts_are_bound_to_the_run_and_commit() {
    let dir = project(
        "project: p
pipeline:
  build:
    run: mkdir -p dist && echo app > dist/app
    outputs: [dist/app]
  test:
    needs: [build]
    run: |
      printf '<testsuite tests=\"2\"><testcase classname=\"c\" name=\"ok\"/><testcase classname=\"c\" name=\"bad\"><failure/></testcase></testsuite>' > junit.xml
      printf 'SF:a\\nLF:10\\nLH:9\\nend_of_record\\n' > lcov.info
      printf '{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"t\"}},\"results\":[{\"ruleId\":\"R1\",\"level\":\"error\",\"message\":{\"text\":\"m\"}}]}]}' > scan.sarif
    reports: { junit: junit.xml, coverage: lcov.info, sarif: scan.sarif }
",
    );
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
    };
    git(&["init", "-q"]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "add",
        "lockgate.yaml",
    ]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "commit",
        "-qm",
        "init",
    ]);
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let ev = lockgate(dir.path()).args(["evidence", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&ev.stdout).unwrap();
    assert_eq!(v["commit"].as_str().unwrap().len(), 40, "{v:#}");
    let items = v["evidence"].as_array().unwrap();
    let get = |k: &str| items.iter().find(|e| e["kind"] == k).unwrap()["detail"].clone();
    assert_eq!(get("junit")["failed"], 1);
    assert_eq!(get("junit")["failing"][0], "c::bad");
    assert_eq!(get("coverage")["lines"], 90.0);
    assert_eq!(get("sarif")["errors"], 1);
    let human = lockgate(dir.path()).arg("evidence").output().unwrap();
    assert!(
        stdout(&human).contains("2 tests: 1 passed, 1 failed"),
        "{}",
        stdout(&human)
    );
    let arts = lockgate(dir.path())
        .args(["audit", "log", "--json", "--kind", "artifact.recorded"])
        .output()
        .unwrap();
    let arts: Vec<Value> = serde_json::from_slice(&arts.stdout).unwrap();
    assert_eq!(arts[0]["payload"]["path"], "dist/app");
    assert_eq!(arts[0]["payload"]["sha256"].as_str().unwrap().len(), 64);
    let r = &runs(dir.path())[0];
    assert!(r["artifact"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn unknown_jobs_and_empty_pipelines_are_usage_errors() {
    let dir = project("project: p\npipeline:\n  build: { run: 'true' }\n");
    let out = lockgate(dir.path()).args(["run", "biuld"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown job `biuld`; did you mean `build`?"),
        "{}",
        stderr(&out)
    );
    let dir = project("project: p\n");
    let out = lockgate(dir.path()).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = lockgate(dir.path()).args(["logs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn evidence_file_inspection_reports_facts_or_the_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cov.xml"),
        r#"<coverage lines-valid="4" lines-covered="3"/>"#,
    )
    .unwrap();
    let out = lockgate(dir.path())
        .args(["evidence", "--file", "cov.xml", "--kind", "coverage"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "cov.xml: lines 75.00% (3/4)\n");
    std::fs::write(dir.path().join("bad.sarif"), "{}").unwrap();
    let out = lockgate(dir.path())
        .args(["evidence", "--file", "bad.sarif", "--kind", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.sarif: no `version`"), "{}", stderr(&out));
}

/// Real JUnit from a real tool: cargo-nextest on a tiny crate made here.
#[test]
fn real_nextest_junit_becomes_evidence() {
    if std::process::Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!(
            "SKIP real_nextest_junit_becomes_evidence: cargo-nextest is not installed (scripts/test installs it)"
        );
        return;
    }
    let dir = project(
        "project: fixture
pipeline:
  test:
    run: cargo nextest run --offline --profile ci --no-fail-fast
    reports: { junit: target/nextest/ci/junit.xml }
",
    );
    let w = |p: &str, s: &str| {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, s).unwrap();
    };
    w(
        "Cargo.toml",
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    w(
        "src/lib.rs",
        "#[test] fn passes() {}\n#[test] fn fails() { assert_eq!(1, 2) }\n#[test] #[ignore] fn ignored() {}\n",
    );
    w(
        ".config/nextest.toml",
        "[profile.ci]\nfail-fast = false\n[profile.ci.junit]\npath = \"junit.xml\"\n",
    );
    let out = lockgate(dir.path())
        .args(["run", "--progress", "plain"])
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .env_remove("NEXTEST_PROFILE")
        .env_remove("NEXTEST_RUN_ID")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the fixture has a failing test: {}",
        stdout(&out)
    );
    let ev = lockgate(dir.path()).args(["evidence", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&ev.stdout).unwrap();
    let facts = &v["evidence"][0]["detail"];
    assert_eq!(v["evidence"][0]["valid"], true, "{v:#}");
    assert_eq!(
        (facts["passed"].as_u64(), facts["failed"].as_u64()),
        (Some(1), Some(1)),
        "{v:#}"
    );
    assert!(facts["failing"][0].as_str().unwrap().ends_with("fails"), "{v:#}");
}

/// The pipeline lockgate itself runs (`lockgate.yaml` at the repository
/// root) stays valid.
#[test]
fn the_projects_own_pipeline_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = lockgate(root).args(["validate", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["project"], "lockgate");
}

/// A second real-world layout: a Poetry project made here, its pipeline
/// written by `lockgate init` and run for real (poetry install, pytest with
/// JUnit and Cobertura coverage, poetry build). Needs `poetry` on PATH
/// (scripts/test installs it); mandatory when LOCKGATE_REQUIRE_TOOLS=1.
#[test]
fn poetry_project_from_init_runs_with_real_reports() {
    let have_poetry = std::process::Command::new("poetry")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_poetry {
        if std::env::var("LOCKGATE_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("LOCKGATE_REQUIRE_TOOLS=1 but `poetry` is not on PATH");
        }
        eprintln!(
            "SKIP poetry_project_from_init_runs_with_real_reports: poetry is not installed (scripts/test installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("calc");
    let w = |p: &str, s: &str| {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, s).unwrap();
    };
    w(
        "pyproject.toml",
        "[tool.poetry]\nname = \"calc\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = [\"t <t@example.com>\"]\npackages = [{ include = \"calc\" }]\n\n[tool.poetry.dependencies]\npython = \">=3.9\"\n\n[tool.poetry.group.dev.dependencies]\npytest = \">=7\"\npytest-cov = \">=4\"\n\n# Resolve through PyPI's simple index (as pip does); this machine's mirror\n# lacks the per-version JSON API for the newest releases.\n[[tool.poetry.source]]\nname = \"pypi-simple\"\nurl = \"https://pypi.org/simple/\"\npriority = \"primary\"\n\n[build-system]\nrequires = [\"poetry-core>=1.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    );
    w(
        "calc/__init__.py",
        "def add(a, b):\n    return a + b\n\n\ndef div(a, b):\n    if b == 0:\n        raise ZeroDivisionError('b')\n    return a / b\n",
    );
    w(
        "tests/test_calc.py",
        "from calc import add, div\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_div():\n    assert div(6, 3) == 2\n",
    );
    lockgate(&root).arg("init").assert().code(0);
    let yaml = std::fs::read_to_string(root.join("lockgate.yaml")).unwrap();
    assert!(
        yaml.contains("poetry install") && yaml.contains("poetry run pytest"),
        "{yaml}"
    );
    let out = lockgate(&root)
        .args(["run", "build", "--progress", "plain"])
        .env("POETRY_VIRTUALENVS_IN_PROJECT", "true")
        .env("POETRY_NO_INTERACTION", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let ev = lockgate(&root).args(["evidence", "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&ev.stdout).unwrap();
    let items = v["evidence"].as_array().unwrap();
    let junit = items
        .iter()
        .find(|e| e["kind"] == "junit")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(junit["valid"], true, "{v:#}");
    assert_eq!(junit["detail"]["passed"], 2, "{v:#}");
    let cov = items
        .iter()
        .find(|e| e["kind"] == "coverage")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(cov["detail"]["format"], "cobertura", "{v:#}");
    assert!(cov["detail"]["lines"].as_f64().unwrap() > 50.0, "{v:#}");
    assert!(
        std::fs::read_dir(root.join("dist")).unwrap().count() >= 1,
        "poetry build wrote the package"
    );
}

#[test]
fn jobs_call_the_same_lockgate_binary() {
    let dir =
        project("project: p\npipeline:\n  self: { run: 'lockgate --version > v.txt; echo \"$LOCKGATE\" > exe.txt' }\n");
    let out = lockgate(dir.path())
        .args(["run", "--progress", "plain"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v = std::fs::read_to_string(dir.path().join("v.txt")).unwrap();
    assert_eq!(v, format!("lockgate {}\n", env!("CARGO_PKG_VERSION")));
    let exe = std::fs::read_to_string(dir.path().join("exe.txt")).unwrap();
    assert_eq!(Path::new(exe.trim()), assert_cmd::cargo::cargo_bin("lockgate"));
}
