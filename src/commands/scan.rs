//! `lockgate scan`: the policy scanner.

use std::io::{IsTerminal as _, Write as _};

use anyhow::{Context as _, Result};

use crate::cli::{GlobalArgs, ScanArgs, ScanFormat};
use crate::exit::{Exit, UserError};
use crate::policy::baseline::Baseline;
use crate::policy::rule::{FrameworkFilter, Rule, Severity};
use crate::policy::{self, ScanOptions, output, rules};

/// The `policy:` section of the project's lockgate.yaml supplies defaults
/// for what the command line leaves unset.
/// A project whose lockgate.yaml does not validate is refused (exit 2, its
/// diagnostics printed): scanning without its exclusions, skips and
/// frameworks could pass what the project means to fail. `--no-project`
/// scans without it.
fn apply_project_policy(g: &GlobalArgs, args: &mut ScanArgs) -> Result<()> {
    let Ok(path) = super::spec_path(g) else { return Ok(()) };
    let loaded = super::load_spec(g, &path)?;
    let p = &loaded.spec.policy;
    let base = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    // Shown relative to the current directory when the project is in it, so
    // findings read `infra/main.tf`, not an absolute path.
    let base = std::env::current_dir()
        .ok()
        .and_then(|cwd| base.strip_prefix(&cwd).ok().map(std::path::Path::to_path_buf))
        .map(|rel| if rel.as_os_str().is_empty() { ".".into() } else { rel })
        .unwrap_or(base);
    if args.paths == [std::path::PathBuf::from(".")] && !p.paths.is_empty() {
        args.paths = p.paths.iter().map(|x| base.join(x.as_str())).collect();
    }
    // A pattern with a slash names a place from the project directory.
    args.exclude.extend(p.exclude.iter().map(|x| {
        let x = x.as_str();
        if x.contains('/') && !x.starts_with(['/', '.', '*']) {
            base.join(x).to_string_lossy().into_owned()
        } else {
            x.to_string()
        }
    }));
    args.skip_rules.extend(p.skip.iter().map(|x| x.to_string()));
    if args.fail_on.is_none() && !args.exit_zero {
        args.fail_on = p
            .fail_on
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.as_str().map(str::to_string));
    }
    if args.framework.is_none() && args.frameworks_from_project.is_empty() {
        args.frameworks_from_project = p.frameworks.iter().map(|x| x.to_string()).collect();
    }
    if args.baseline.is_none() {
        args.baseline = p.baseline.as_ref().map(|b| base.join(b.as_str()));
    }
    if !p.rego.is_empty() {
        let mut glob = globset::GlobSetBuilder::new();
        for pat in &p.rego {
            match globset::Glob::new(pat.as_str()) {
                Ok(g) => {
                    glob.add(g);
                }
                Err(e) => eprintln!("warning: policy.rego pattern {:?} is not a glob: {e}", pat.as_str()),
            }
        }
        if let Ok(set) = glob.build() {
            let mut found: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(&base)
                .build()
                .flatten()
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .filter(|e| e.path().strip_prefix(&base).is_ok_and(|rel| set.is_match(rel)))
                .map(|e| e.path().to_path_buf())
                .collect();
            found.sort();
            args.rego.extend(found);
        }
    }
    if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&p.toolchain) {
        args.toolchain = m
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
            .collect();
    }
    Ok(())
}

pub fn run(g: &GlobalArgs, mut args: ScanArgs) -> Result<Exit> {
    if !args.no_project {
        apply_project_policy(g, &mut args)?;
    }
    let fail_on = match &args.fail_on {
        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
            UserError::usage(format!("--fail-on {s:?} is not a severity"))
                .with_hint("use one of: critical, high, medium, low, info")
        })?),
        None => None,
    };
    let selected = select_rules(&args)?;
    let stdin = args.paths == [std::path::PathBuf::from("-")];
    for p in args.paths.iter().filter(|_| !stdin) {
        if !p.exists() {
            return Err(UserError::usage(format!("{} does not exist", p.display()))
                .with_hint("pass a directory or file to scan (default: the current directory)")
                .into());
        }
    }
    let mut vars = Vec::new();
    for v in &args.vars {
        let Some((k, val)) = v.split_once('=') else {
            return Err(UserError::usage(format!("--var {v:?} is not NAME=VALUE")).into());
        };
        vars.push((k.trim().to_string(), val.to_string()));
    }
    for f in &args.var_file {
        if !f.is_file() {
            return Err(UserError::usage(format!("--var-file {} does not exist", f.display())).into());
        }
    }
    let mut rego = Vec::new();
    for path in &args.rego {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::usage(format!("cannot read the policy {}: {e}", path.display()))
                .with_hint("--rego takes a .rego file; lockgate.yaml's policy.rego takes globs")
        })?;
        rego.push((crate::diag::display_path(path), text));
    }
    let baseline = match &args.baseline {
        Some(p) => Some(
            Baseline::load(p)
                .map_err(|e| UserError::usage(e).with_hint("write one with `lockgate scan --write-baseline FILE`"))?,
        ),
        None => None,
    };
    let opts = ScanOptions {
        exclude: args.exclude.clone(),
        var_files: args.var_file.clone(),
        vars,
        max_file_size: args.max_file_size.unwrap_or(0),
        threads: args.threads.unwrap_or(0),
        today: None,
        toolchain: args.toolchain.clone(),
        rego,
    };
    let mut report = if stdin {
        // Rendered manifests piped in: `helm template … | lockgate scan -`.
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| UserError::usage(format!("cannot read standard input: {e}")))?;
        policy::scan_sources(&[("<stdin>.yaml", &text)], &opts, &selected)
    } else {
        policy::scan_with(&args.paths, &opts, &selected)
    };

    if let Some(path) = &args.write_baseline {
        let b = Baseline::from_findings(&report.findings);
        let text = serde_json::to_string_pretty(&b)? + "\n";
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} finding(s) to the baseline {}",
            b.findings.len(),
            path.display()
        );
    }
    if let Some(b) = &baseline {
        let known = b.fingerprints();
        let before = report.findings.len();
        report.findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        policy::summarize(&report.findings, &mut report.summary);
        eprintln!("baseline: {} known finding(s) hidden", before - report.findings.len());
    }

    let text = match args.format {
        ScanFormat::Table => output::table(&report.findings, &report.summary, args.show_suppressed),
        ScanFormat::Json => output::json(&report.findings, &report.summary),
        ScanFormat::Sarif => output::sarif(&report.findings, &selected),
        ScanFormat::Junit => output::junit(&report.findings, &report.summary),
        ScanFormat::Github => output::github(&report.findings),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{}", output::summary_line(&report.summary));
            eprintln!("wrote {}", path.display());
        }
        None => {
            anstream::stdout().lock().write_all(text.as_bytes())?;
            if args.format != ScanFormat::Table && std::io::stderr().is_terminal() {
                eprintln!("{}", output::summary_line(&report.summary));
            }
        }
    }
    if args.exit_zero {
        return Ok(Exit::Ok);
    }
    let threshold = fail_on.unwrap_or(Severity::Info);
    let failing = report
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= threshold);
    Ok(if failing { Exit::Failed } else { Exit::Ok })
}

fn select_rules(args: &ScanArgs) -> Result<Vec<&'static Rule>> {
    let mut selected: Vec<&'static Rule> = rules::all().to_vec();
    if let Some(fw) = &args.framework {
        let filter = FrameworkFilter::parse(fw)
            .map_err(|e| UserError::usage(format!("--framework {}", e.message)).with_hint(e.hint))?;
        selected.retain(|r| filter.matches(r));
    } else if !args.frameworks_from_project.is_empty() {
        let mut filters = Vec::new();
        for fw in &args.frameworks_from_project {
            filters.push(FrameworkFilter::parse(fw).map_err(|e| {
                UserError::usage(format!("lockgate.yaml policy.frameworks: {}", e.message)).with_hint(e.hint)
            })?);
        }
        selected.retain(|r| filters.iter().any(|f| f.matches(r)));
    }
    for id in args.rules.iter().chain(&args.skip_rules) {
        if rules::find(id).is_none() {
            return Err(UserError::usage(format!("no rule has the id {id:?}"))
                .with_hint("`lockgate rules list` shows them")
                .into());
        }
    }
    if !args.rules.is_empty() {
        selected.retain(|r| args.rules.iter().any(|id| id.eq_ignore_ascii_case(r.id)));
    }
    selected.retain(|r| !args.skip_rules.iter().any(|id| id.eq_ignore_ascii_case(r.id)));
    Ok(selected)
}
