//! `lockgate init`: detect what a repository is built with and write a
//! starter `lockgate.yaml` that uses each ecosystem's standard package
//! manager — Cargo for Rust, Bun for JavaScript/TypeScript, Poetry for
//! Python, Go modules for Go, Maven or Gradle for Java — with build, test
//! (JUnit and coverage reports where the ecosystem can write them) and scan
//! jobs, environments dev → staging → production and the four default gates.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// An ecosystem found in a directory of the repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "ecosystem", rename_all = "snake_case")]
pub enum Ecosystem {
    Rust,
    #[serde(rename = "javascript")]
    JavaScript {
        typescript: bool,
        scripts: Vec<String>,
    },
    Python,
    Go,
    Maven,
    Gradle {
        wrapper: bool,
    },
}

impl Ecosystem {
    pub fn label(&self) -> &'static str {
        match self {
            Ecosystem::Rust => "Rust (Cargo)",
            Ecosystem::JavaScript { typescript: true, .. } => "TypeScript (Bun)",
            Ecosystem::JavaScript { .. } => "JavaScript (Bun)",
            Ecosystem::Python => "Python (Poetry)",
            Ecosystem::Go => "Go (modules)",
            Ecosystem::Maven => "Java (Maven)",
            Ecosystem::Gradle { .. } => "Java/Kotlin (Gradle)",
        }
    }

    fn prefix(&self) -> &'static str {
        match self {
            Ecosystem::Rust => "rust",
            Ecosystem::JavaScript { .. } => "js",
            Ecosystem::Python => "python",
            Ecosystem::Go => "go",
            Ecosystem::Maven | Ecosystem::Gradle { .. } => "java",
        }
    }
}

/// An ecosystem and the directory (relative to the repository) it was found in.
#[derive(Clone, Debug, Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub ecosystem: Ecosystem,
    pub dir: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Detection {
    pub found: Vec<Found>,
    pub dockerfile: bool,
    pub terraform: bool,
    pub kubernetes: bool,
}

/// Looks at `root` and its immediate subdirectories (monorepos).
pub fn detect(root: &Path) -> std::io::Result<Detection> {
    let mut d = Detection::default();
    detect_dir(root, "", &mut d)?;
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.')
                && !matches!(
                    name,
                    "node_modules" | "target" | "vendor" | "dist" | "build" | "venv" | "__pycache__"
                )
        })
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let rel = sub
            .strip_prefix(root)
            .unwrap_or(&sub)
            .to_string_lossy()
            .replace('\\', "/");
        // A Cargo workspace member or a package already covered at the root is not separate.
        let before = d.found.len();
        detect_dir(&sub, &rel, &mut d)?;
        let new: Vec<Found> = d.found.drain(before..).collect();
        let keep: Vec<Found> = new
            .into_iter()
            .filter(|f| {
                !d.found
                    .iter()
                    .any(|r| r.dir.is_empty() && r.ecosystem.prefix() == f.ecosystem.prefix())
            })
            .collect();
        d.found.extend(keep);
    }
    Ok(d)
}

fn detect_dir(dir: &Path, rel: &str, d: &mut Detection) -> std::io::Result<()> {
    let has = |name: &str| dir.join(name).exists();
    let mut push = |ecosystem| {
        d.found.push(Found {
            ecosystem,
            dir: rel.to_string(),
        })
    };
    if has("Cargo.toml") {
        push(Ecosystem::Rust);
    }
    if has("package.json") {
        let text = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut scripts: Vec<String> = json
            .get("scripts")
            .and_then(|s| s.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        scripts.sort();
        let deps_have_ts = ["dependencies", "devDependencies"]
            .iter()
            .any(|k| json.get(k).and_then(|v| v.get("typescript")).is_some());
        push(Ecosystem::JavaScript {
            typescript: has("tsconfig.json") || deps_have_ts,
            scripts,
        });
    }
    if has("pyproject.toml") || has("setup.py") || has("requirements.txt") || has("setup.cfg") {
        push(Ecosystem::Python);
    }
    if has("go.mod") {
        push(Ecosystem::Go);
    }
    if has("pom.xml") {
        push(Ecosystem::Maven);
    } else if has("build.gradle") || has("build.gradle.kts") {
        push(Ecosystem::Gradle {
            wrapper: has("gradlew"),
        });
    }
    if has("Dockerfile") || has("Containerfile") {
        d.dockerfile = true;
    }
    for entry in std::fs::read_dir(dir)?.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".tf") || name.ends_with(".tofu") {
            d.terraform = true;
        }
        if rel.is_empty() && matches!(name.as_ref(), "k8s" | "kubernetes" | "manifests" | "deploy" | "charts") {
            d.kubernetes = true;
        }
    }
    Ok(())
}

/// One generated pipeline job.
struct JobDef {
    name: String,
    comment: Option<&'static str>,
    run: String,
    workdir: Option<String>,
    needs: Vec<String>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    junit: Option<String>,
    coverage: Option<String>,
    sarif: Option<String>,
    tools: Vec<&'static str>,
}

impl JobDef {
    fn new(name: impl Into<String>, run: impl Into<String>) -> Self {
        JobDef {
            name: name.into(),
            comment: None,
            run: run.into(),
            workdir: None,
            needs: vec![],
            inputs: vec![],
            outputs: vec![],
            junit: None,
            coverage: None,
            sarif: None,
            tools: vec![],
        }
    }
}

/// Jobs for one ecosystem. Names are prefixed when several ecosystems exist.
fn jobs_for(f: &Found, prefixed: bool) -> Vec<JobDef> {
    let p = |s: &str| {
        if prefixed {
            let mut name = f.ecosystem.prefix().to_string();
            if !f.dir.is_empty() {
                name = crate::spec::slug_name(&f.dir);
            }
            format!("{name}-{s}")
        } else {
            s.to_string()
        }
    };
    let in_dir = |path: &str| {
        if f.dir.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", f.dir)
        }
    };
    let mut jobs = match &f.ecosystem {
        Ecosystem::Rust => {
            let mut build = JobDef::new(p("build"), "cargo build --locked --release");
            build.inputs = vec!["src/**".into(), "Cargo.toml".into(), "Cargo.lock".into()];
            build.tools = vec!["cargo --version"];
            let mut lint = JobDef::new(p("lint"), "cargo clippy --locked --all-targets -- -D warnings");
            lint.inputs = vec![
                "src/**".into(),
                "tests/**".into(),
                "Cargo.toml".into(),
                "Cargo.lock".into(),
            ];
            lint.tools = vec!["cargo clippy --version"];
            let mut test = JobDef::new(p("test"), "cargo nextest run --locked --profile ci");
            test.comment = Some(
                "JUnit from cargo-nextest (profile `ci` in .config/nextest.toml); install: cargo install cargo-nextest",
            );
            test.needs = vec![p("build")];
            test.inputs = lint.inputs.clone();
            test.junit = Some("target/nextest/ci/junit.xml".into());
            test.tools = vec!["cargo --version", "cargo nextest --version"];
            let mut cov = JobDef::new(
                p("coverage"),
                "cargo llvm-cov nextest --locked --lcov --output-path target/lcov.info",
            );
            cov.comment = Some("LCOV coverage; install: cargo install cargo-llvm-cov");
            cov.needs = vec![p("build")];
            cov.inputs = lint.inputs.clone();
            cov.coverage = Some("target/lcov.info".into());
            cov.tools = vec!["cargo --version", "cargo llvm-cov --version"];
            vec![build, lint, test, cov]
        }
        Ecosystem::JavaScript { typescript, scripts } => {
            let mut install = JobDef::new(p("install"), "bun install --frozen-lockfile");
            install.inputs = vec!["package.json".into(), "bun.lock".into(), "bun.lockb".into()];
            install.tools = vec!["bun --version"];
            let mut out = vec![];
            let src = vec!["src/**".into(), "package.json".into(), "bun.lock".into()];
            if scripts.iter().any(|s| s == "build") {
                let mut build = JobDef::new(p("build"), "bun run build");
                build.needs = vec![p("install")];
                build.inputs = src.clone();
                build.outputs = vec!["dist/**".into()];
                build.tools = vec!["bun --version"];
                out.push(build);
            } else if *typescript {
                let mut check = JobDef::new(p("typecheck"), "bunx tsc --noEmit");
                check.needs = vec![p("install")];
                check.inputs = src.clone();
                out.push(check);
            }
            if scripts.iter().any(|s| s == "lint") {
                let mut lint = JobDef::new(p("lint"), "bun run lint");
                lint.needs = vec![p("install")];
                lint.inputs = src.clone();
                out.push(lint);
            }
            let mut test = JobDef::new(
                p("test"),
                "bun test --reporter=junit --reporter-outfile=reports/junit.xml --coverage --coverage-reporter=lcov --coverage-dir=reports/coverage",
            );
            test.comment = Some("bun writes JUnit and LCOV itself");
            test.needs = vec![p("install")];
            test.inputs = src;
            test.junit = Some("reports/junit.xml".into());
            test.coverage = Some("reports/coverage/lcov.info".into());
            test.tools = vec!["bun --version"];
            let mut all = vec![install];
            all.extend(out);
            all.push(test);
            all
        }
        Ecosystem::Python => {
            let mut install = JobDef::new(p("install"), "poetry install --no-interaction");
            install.inputs = vec!["pyproject.toml".into(), "poetry.lock".into()];
            install.tools = vec!["poetry --version", "python3 --version"];
            let mut test = JobDef::new(
                p("test"),
                "poetry run pytest --junitxml=reports/junit.xml --cov --cov-report=xml:reports/coverage.xml",
            );
            test.comment = Some("Cobertura coverage needs pytest-cov: poetry add --group dev pytest pytest-cov");
            test.needs = vec![p("install")];
            test.inputs = vec!["**/*.py".into(), "pyproject.toml".into(), "poetry.lock".into()];
            test.junit = Some("reports/junit.xml".into());
            test.coverage = Some("reports/coverage.xml".into());
            test.tools = install.tools.clone();
            let mut build = JobDef::new(p("build"), "poetry build");
            build.needs = vec![p("test")];
            build.inputs = test.inputs.clone();
            build.outputs = vec!["dist/**".into()];
            vec![install, test, build]
        }
        Ecosystem::Go => {
            let mut build = JobDef::new(p("build"), "go build ./...");
            build.inputs = vec!["**/*.go".into(), "go.mod".into(), "go.sum".into()];
            build.tools = vec!["go version"];
            let mut vet = JobDef::new(p("vet"), "go vet ./...");
            vet.inputs = build.inputs.clone();
            vet.tools = vec!["go version"];
            let mut test = JobDef::new(
                p("test"),
                "mkdir -p reports && go run gotest.tools/gotestsum@latest --junitfile reports/junit.xml -- -coverprofile=reports/coverage.out ./... && go run github.com/boumenot/gocover-cobertura@latest < reports/coverage.out > reports/coverage.xml",
            );
            test.comment = Some(
                "gotestsum writes JUnit; gocover-cobertura converts the Go cover profile (pin both versions for reproducible runs)",
            );
            test.needs = vec![p("build")];
            test.inputs = build.inputs.clone();
            test.junit = Some("reports/junit.xml".into());
            test.coverage = Some("reports/coverage.xml".into());
            test.tools = vec!["go version"];
            vec![build, vet, test]
        }
        Ecosystem::Maven => {
            let mut verify = JobDef::new(p("test"), "mvn -B -ntp verify");
            verify.comment = Some("Surefire writes one JUnit file per test class");
            verify.inputs = vec!["src/**".into(), "pom.xml".into()];
            verify.junit = Some("target/surefire-reports/TEST-*.xml".into());
            verify.outputs = vec!["target/*.jar".into()];
            verify.tools = vec!["mvn --version"];
            vec![verify]
        }
        Ecosystem::Gradle { wrapper } => {
            let gradle = if *wrapper { "./gradlew" } else { "gradle" };
            let mut build = JobDef::new(p("test"), format!("{gradle} build"));
            build.inputs = vec!["src/**".into(), "build.gradle*".into(), "settings.gradle*".into()];
            build.junit = Some("build/test-results/test/*.xml".into());
            build.outputs = vec!["build/libs/**".into()];
            vec![build]
        }
    };
    if !f.dir.is_empty() {
        for j in &mut jobs {
            j.workdir = Some(f.dir.clone());
            for path in j.inputs.iter_mut().chain(j.outputs.iter_mut()) {
                *path = in_dir(path);
            }
            for r in [&mut j.junit, &mut j.coverage, &mut j.sarif].into_iter().flatten() {
                *r = in_dir(r);
            }
        }
    }
    jobs
}

/// Quotes `s` for YAML when a plain scalar would change its meaning.
fn yaml_str(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.starts_with(|c: char| "!&*{}[]|>'\"%@`#,?:-".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace)
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~")
        && s.parse::<f64>().is_err();
    if plain_ok {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn yaml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", "))
}

/// Renders the starter `lockgate.yaml`.
pub fn render(detection: &Detection, project: &str, timezone: &str) -> String {
    let mut y = String::new();
    let w = &mut y;
    let _ = writeln!(
        w,
        "# lockgate.yaml — written by `lockgate init`. Edit freely; check with `lockgate validate`."
    );
    let _ = writeln!(
        w,
        "# Editor completion: `lockgate schema > lockgate.schema.json`, then add"
    );
    let _ = writeln!(w, "#   # yaml-language-server: $schema=./lockgate.schema.json");
    if detection.found.is_empty() {
        let _ = writeln!(
            w,
            "# No build system was recognised; the pipeline below only scans. Add your build and test jobs."
        );
    } else {
        let labels: Vec<String> = detection
            .found
            .iter()
            .map(|f| {
                if f.dir.is_empty() {
                    f.ecosystem.label().to_string()
                } else {
                    format!("{} in {}/", f.ecosystem.label(), f.dir)
                }
            })
            .collect();
        let _ = writeln!(w, "# Detected: {}.", labels.join(", "));
    }
    let _ = writeln!(w, "version: 1");
    let _ = writeln!(w, "project: {}", yaml_str(project));
    let _ = writeln!(w);
    let _ = writeln!(w, "# Promotion order: dev → staging → production.");
    let _ = writeln!(w, "environments:");
    let _ = writeln!(w, "  dev:");
    let _ = writeln!(w, "    target: local");
    let _ = writeln!(w, "  staging:");
    let _ = writeln!(w, "    target: local");
    let _ = writeln!(w, "    promote_from: dev");
    let _ = writeln!(w, "  production:");
    let _ = writeln!(w, "    target: local");
    let _ = writeln!(w, "    promote_from: staging");
    let _ = writeln!(w, "    approvals:");
    let _ = writeln!(w, "      required: 2              # two different people");
    let _ = writeln!(w, "      roles: [release-manager]");
    let _ = writeln!(
        w,
        "      not_author: true         # the change's author cannot approve it"
    );
    let _ = writeln!(w, "      expires: 7d");
    let _ = writeln!(w, "      break_glass: [incident-commander]");
    let _ = writeln!(w, "    freeze:");
    let _ = writeln!(w, "      - window: Fri 16:00 - Mon 08:00 {timezone}");
    let _ = writeln!(w, "        reason: no production changes over the weekend");
    let _ = writeln!(w, "    on_freeze: fail");
    let _ = writeln!(w);
    let _ = writeln!(w, "# Services lockgate deploys and rolls out. Example:");
    let _ = writeln!(w, "#   api:");
    let _ = writeln!(w, "#     run: ./target/release/api --port ${{PORT}}");
    let _ = writeln!(w, "#     health: /healthz");
    let _ = writeln!(w, "#     port: 8080");
    let _ = writeln!(w, "#     strategy:");
    let _ = writeln!(w, "#       canary:");
    let _ = writeln!(w, "#         steps: [10, 25, 50, 100]");
    let _ = writeln!(w, "#         interval: 30s");
    let _ = writeln!(w, "#         analysis: [\"error_rate < 1%\", \"p99_latency < 300ms\"]");
    let _ = writeln!(w, "services: {{}}");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "# Jobs run as a graph by `lockgate run`; a job with `inputs` is skipped when they are unchanged."
    );
    let _ = writeln!(w, "pipeline:");
    let prefixed = detection.found.len() > 1;
    let mut all_jobs: Vec<JobDef> = detection.found.iter().flat_map(|f| jobs_for(f, prefixed)).collect();
    let mut scan = JobDef::new(
        "scan",
        "mkdir -p .lockgate && lockgate scan --format sarif -o .lockgate/scan.sarif --exit-zero",
    );
    scan.comment = Some(if detection.terraform || detection.dockerfile || detection.kubernetes {
        "IaC, Dockerfile, CI and dependency policy scan; SARIF feeds the pipeline gate"
    } else {
        "policy scan; SARIF feeds the pipeline gate"
    });
    scan.sarif = Some(".lockgate/scan.sarif".into());
    all_jobs.push(scan);
    for j in &all_jobs {
        if let Some(c) = j.comment {
            let _ = writeln!(w, "  # {c}");
        }
        let _ = writeln!(w, "  {}:", j.name);
        let _ = writeln!(w, "    run: {}", yaml_str(&j.run));
        if let Some(d) = &j.workdir {
            let _ = writeln!(w, "    workdir: {}", yaml_str(d));
        }
        if !j.needs.is_empty() {
            let _ = writeln!(w, "    needs: {}", yaml_list(&j.needs));
        }
        if !j.inputs.is_empty() {
            let _ = writeln!(w, "    inputs: {}", yaml_list(&j.inputs));
        }
        if !j.outputs.is_empty() {
            let _ = writeln!(w, "    outputs: {}", yaml_list(&j.outputs));
        }
        if !j.tools.is_empty() {
            let tools: Vec<String> = j.tools.iter().map(|t| t.to_string()).collect();
            let _ = writeln!(w, "    tools: {}", yaml_list(&tools));
        }
        let reports: Vec<String> = [("junit", &j.junit), ("coverage", &j.coverage), ("sarif", &j.sarif)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", yaml_str(v))))
            .collect();
        if !reports.is_empty() {
            let _ = writeln!(w, "    reports: {{ {} }}", reports.join(", "));
        }
    }
    let _ = writeln!(w);
    y.push_str(GATES_TEMPLATE);
    y.push_str(
        "
policy:
  fail_on: high          # `lockgate scan` exits 1 on high or critical findings
",
    );
    y
}

/// The four default phases. Checks are conditions over evidence from the
/// ledger; `attest` items are signed by a person with that role.
const GATES_TEMPLATE: &str = r#"# The four default phases. `check` items are judged from evidence in the ledger;
# `attest` items are signed by a person with that role (`lockgate attest GATE ITEM`).
gates:
  design:
    title: Design
    environment: dev
    items:
      - { id: requirements, title: Requirements and capacity plan reviewed, attest: architect }
      - { id: architecture, title: Architecture approved by the infrastructure team, attest: infrastructure }
      - { id: security-design, title: Security and compliance controls in the design, attest: security }
      - { id: dr-plan, title: DR/BC plan validated, attest: sre }
      - { id: budget, title: Budget approved, attest: finance }
      - { id: change-approval, title: Change-management approval obtained, attest: change-manager, link: required }
  provisioning-and-security:
    title: Provisioning & security
    environment: staging
    after: [design]
    items:
      - { id: provisioned, title: Infrastructure provisioned in all environments, attest: infrastructure }
      - { id: hardening, title: "Hardening: no high or critical policy findings", check: "policy.failed{severity>=high} == 0", key: true }
      - { id: network, title: Network segmentation and access controls tested, attest: security }
      - { id: monitoring, title: Monitoring and alerting configured, attest: sre }
      - { id: backup-dr, title: Backup and DR procedures tested, check: "age(evidence(\"dr-drill\")) < 30d" }
      - { id: audit-trail, title: Compliance controls and audit trail in place, check: "audit.verified == true" }
  pipeline-and-deployment:
    title: Pipeline & deployment
    environment: production
    after: [provisioning-and-security]
    items:
      - { id: pipeline-green, title: Pipeline green with tests, check: "tests.failed == 0", key: true }
      - { id: coverage, title: Coverage at least 80%, check: "coverage.lines >= 80%" }
      - { id: no-critical, title: Security scanning without critical findings, check: "sarif.errors == 0", key: true }
      - { id: staging-deployed, title: Staging deployment successful, check: "deploy(\"staging\").status == succeeded" }
      - { id: rollback-tested, title: Rollback procedure tested, attest: sre }
  production-readiness:
    title: Production readiness
    environment: production
    after: [pipeline-and-deployment]
    items:
      - { id: monitoring-baseline, title: Monitoring with baseline metrics, attest: sre }
      - { id: security-validated, title: Security controls validated in production, attest: security }
      - { id: slo, title: "Performance SLOs met in staging", check: "metric(\"error_rate\", env=\"staging\") < 1%" }
      - { id: dr-validated, title: DR procedure validated with measured recovery time, check: "age(evidence(\"dr-drill\")) < 30d" }
      - { id: runbooks, title: Runbooks updated, attest: sre, link: required }
"#;

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("cannot access {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Serialize)]
pub struct InitReport {
    pub path: PathBuf,
    pub project: String,
    pub detection: Detection,
    /// Files written (empty on a dry run).
    pub written: Vec<PathBuf>,
    #[serde(skip)]
    pub content: String,
}

pub struct InitOptions<'a> {
    pub dir: &'a Path,
    pub name: Option<&'a str>,
    pub force: bool,
    pub dry_run: bool,
    pub timezone: String,
}

/// Detects, renders and (unless a dry run) writes `lockgate.yaml`, plus the
/// nextest profile that makes Rust tests write JUnit when it is missing.
pub fn init(opts: &InitOptions) -> Result<InitReport, InitError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| InitError::Io { path, source }
    };
    let meta = std::fs::metadata(opts.dir).map_err(io(opts.dir))?;
    if !meta.is_dir() {
        return Err(InitError::NotADirectory {
            path: opts.dir.to_owned(),
        });
    }
    let path = opts.dir.join("lockgate.yaml");
    if !opts.force && !opts.dry_run && (path.exists() || opts.dir.join("lockgate.yml").exists()) {
        return Err(InitError::Exists { path });
    }
    let detection = detect(opts.dir).map_err(io(opts.dir))?;
    let project = match opts.name {
        Some(n) => n.to_string(),
        None => {
            let abs = std::path::absolute(opts.dir).unwrap_or_else(|_| opts.dir.to_owned());
            let base = abs
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let s = crate::spec::slug_name(&base);
            if s.is_empty() { "project".to_string() } else { s }
        }
    };
    let content = render(&detection, &project, &opts.timezone);
    let mut written = Vec::new();
    if !opts.dry_run {
        std::fs::write(&path, &content).map_err(io(&path))?;
        written.push(path.clone());
        if detection.found.iter().any(|f| f.ecosystem == Ecosystem::Rust) {
            for f in detection.found.iter().filter(|f| f.ecosystem == Ecosystem::Rust) {
                let cfg = opts.dir.join(&f.dir).join(".config/nextest.toml");
                if !cfg.exists() {
                    std::fs::create_dir_all(cfg.parent().unwrap_or(opts.dir)).map_err(io(&cfg))?;
                    std::fs::write(&cfg, NEXTEST_PROFILE).map_err(io(&cfg))?;
                    written.push(cfg);
                }
            }
        }
    }
    Ok(InitReport {
        path,
        project,
        detection,
        written,
        content,
    })
}

const NEXTEST_PROFILE: &str = "# Written by `lockgate init`: the `ci` profile makes cargo-nextest write JUnit XML
# to target/nextest/ci/junit.xml, which lockgate turns into test evidence.
[profile.ci]
fail-fast = false

[profile.ci.junit]
path = \"junit.xml\"
";

/// The IANA name of the local time zone, or `UTC`.
pub fn local_timezone() -> String {
    if let Ok(tz) = std::env::var("TZ") {
        let tz = tz.trim_start_matches(':');
        if jiff::tz::TimeZone::get(tz).is_ok() {
            return tz.to_string();
        }
    }
    jiff::tz::TimeZone::system()
        .iana_name()
        .filter(|n| !n.is_empty() && *n != "Etc/Unknown")
        .unwrap_or("UTC")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_meaning() {
        assert_eq!(yaml_str("cargo build"), "cargo build");
        assert_eq!(yaml_str("echo a: b"), "'echo a: b'");
        assert_eq!(yaml_str("true"), "'true'");
        assert_eq!(yaml_str("*.xml"), "'*.xml'");
        assert_eq!(yaml_str("it's"), "it's");
        assert_eq!(yaml_str("'x"), "'''x'");
    }
}
