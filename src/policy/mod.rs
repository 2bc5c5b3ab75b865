//! The policy scanner: walk a tree, parse infrastructure code in parallel,
//! evaluate it into resources, run the rules, apply suppressions and a
//! baseline, and report findings with exact spans.
//!
//! A scan never aborts on one bad file: parse errors, binary or oversized
//! files, symlink loops and recursive modules become diagnostics — findings
//! of their own kind with the location — and the scan completes.

pub mod baseline;
pub mod compliance;
pub mod docker;
pub mod manifests;
pub mod model;
pub mod output;
pub mod rego;
pub mod rule;
pub mod rules;
pub mod suppress;
pub mod terraform;
pub mod yaml;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use model::{LineIndex, Span};
use rule::{Ctx, Outcome, Rule, Severity};

/// Files larger than this are reported and skipped.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// One file of the scan, as read.
pub struct SourceFile {
    pub id: u32,
    /// The path as shown to users: the scanned root joined with the file's
    /// path inside it.
    pub path: String,
    pub abs: PathBuf,
    pub text: String,
    pub lines: LineIndex,
    /// For `.tf.json`: where each block's key is (`resource.TYPE.NAME`,
    /// `module.NAME`), since the converted tree has no spans.
    pub block_spans: HashMap<String, std::ops::Range<usize>>,
}

impl SourceFile {
    pub fn new(id: u32, path: String, abs: PathBuf, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            id,
            path,
            abs,
            text,
            lines,
            block_spans: HashMap::new(),
        }
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        self.lines.span(self.id, &self.text, range)
    }

    /// The span of a syntax node, or of the block `key` (`.tf.json`), or
    /// the file's start.
    pub fn span_or(&self, range: Option<std::ops::Range<usize>>, key: &str) -> Span {
        match range.or_else(|| self.block_spans.get(key).cloned()) {
            Some(r) => self.span(r),
            None => self.span(0..0),
        }
    }

    /// The text of a 1-based line.
    pub fn line(&self, n: u32) -> Option<&str> {
        self.text.lines().nth((n as usize).checked_sub(1)?)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// The file does not parse.
    ParseError,
    /// Not scanned: binary, too large, unreadable, a symlink loop.
    FileSkipped,
    /// A module call that cannot be followed (missing, recursive, too deep).
    Module,
    /// A suppression without a reason, or one that cannot be read.
    Suppression,
    /// A custom Rego policy that does not compile or fails to evaluate.
    Policy,
}

impl DiagnosticKind {
    pub fn id(self) -> &'static str {
        match self {
            DiagnosticKind::ParseError => "parse-error",
            DiagnosticKind::FileSkipped => "file-skipped",
            DiagnosticKind::Module => "module-error",
            DiagnosticKind::Suppression => "suppression-warning",
            DiagnosticKind::Policy => "policy-error",
        }
    }
    pub fn severity(self) -> Severity {
        match self {
            DiagnosticKind::ParseError | DiagnosticKind::FileSkipped => Severity::Medium,
            DiagnosticKind::Module => Severity::Low,
            DiagnosticKind::Suppression => Severity::Low,
            DiagnosticKind::Policy => Severity::High,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            DiagnosticKind::ParseError => "File does not parse",
            DiagnosticKind::FileSkipped => "File not scanned",
            DiagnosticKind::Module => "Module call not followed",
            DiagnosticKind::Suppression => "Suppression needs attention",
            DiagnosticKind::Policy => "Custom policy error",
        }
    }
    pub const ALL: [DiagnosticKind; 5] = [
        DiagnosticKind::ParseError,
        DiagnosticKind::FileSkipped,
        DiagnosticKind::Module,
        DiagnosticKind::Suppression,
        DiagnosticKind::Policy,
    ];
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub span: Span,
    /// For files the scan could not read (no file table entry).
    pub path: Option<String>,
    pub message: String,
}

impl Diagnostic {
    /// At `line:col` of a file outside the scanned ones (a policy file),
    /// named by `path`.
    pub fn at_path(kind: DiagnosticKind, path: String, line: u32, col: u32, message: String) -> Self {
        Diagnostic {
            kind,
            span: Span::point(0, line, col),
            path: Some(path),
            message,
        }
    }

    pub fn new(kind: DiagnosticKind, span: Span, message: String) -> Self {
        Diagnostic {
            kind,
            span,
            path: None,
            message,
        }
    }
}

/// A place in a file, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Suppressed {
    /// `lockgate`, `checkov`, `tfsec` or `trivy`.
    pub syntax: &'static str,
    pub reason: Option<String>,
    pub until: Option<String>,
    pub location: Location,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The rule id (`LG-AWS-001`) or the diagnostic kind (`parse-error`).
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The resource address (`module.logs.aws_s3_bucket.b`); empty for
    /// diagnostics.
    pub resource: String,
    /// The module calls that led to the resource, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Location>,
    /// Framework controls the rule evidences (`pci-dss:3.5.1`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<String>,
    /// Stable across line shifts: rule, file and resource.
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppressed>,
    /// The source line of the finding (for the table).
    #[serde(skip)]
    pub excerpt: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Glob patterns (gitignore style) of paths not to scan.
    pub exclude: Vec<String>,
    /// `-var-file` equivalents, applied to every root module after its own
    /// `terraform.tfvars` and `*.auto.tfvars`.
    pub var_files: Vec<PathBuf>,
    /// `-var NAME=VALUE` equivalents (values parsed as HCL, else strings).
    pub vars: Vec<(String, String)>,
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Today, for suppression expiry.
    pub today: Option<jiff::civil::Date>,
    /// Package managers the LG-PKG rules expect (`javascript` → `bun`, …);
    /// absent ecosystems use the defaults (bun, poetry).
    pub toolchain: BTreeMap<String, String>,
    /// Custom Rego policies: (path as shown, text).
    pub rego: Vec<rego::Source>,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub resources: usize,
    pub rules: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub by_severity: BTreeMap<String, usize>,
}

pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Rule id → how many resources the rule was checked on (a rule that
    /// checked nothing evidences nothing).
    pub evaluated: BTreeMap<String, usize>,
}

type Hit = (&'static Rule, model::Resource, Span, String);

/// A custom policy that failed on a resource: the failure, the resource's
/// span and address.
type PolicyFailure = (rego::Failure, Span, String);

/// Every applicable rule on every resource of one evaluation.
fn check_all(
    resources: &[model::Resource],
    by_kind: &HashMap<&'static str, Vec<&'static Rule>>,
    toolchain: &BTreeMap<String, String>,
    files: &[SourceFile],
    policies: &[rego::Source],
) -> (Vec<Hit>, HashMap<&'static str, usize>, Vec<PolicyFailure>) {
    let mut ctx = Ctx::new(resources);
    ctx.toolchain = toolchain.clone();
    let mut hits = Vec::new();
    let mut evaluated: HashMap<&'static str, usize> = HashMap::new();
    for r in resources {
        for rule in by_kind.get(r.kind.as_str()).into_iter().flatten() {
            *evaluated.entry(rule.id).or_default() += 1;
            if let Outcome::Fail { span, message } = (rule.check)(r, &ctx) {
                hits.push((*rule, r.clone(), span.unwrap_or(r.span), message));
            }
        }
    }
    let mut failures = Vec::new();
    // Custom Rego policies (compiled per evaluation: regorus engines are not
    // shared between threads). `policies` holds only the files that compile;
    // the others were reported once already.
    if !policies.is_empty()
        && let Ok(mut compiled) = rego::compile(policies)
    {
        let mut failed = HashSet::new();
        for r in resources.iter().filter(|r| r.kind != "file") {
            let file = files.get(r.span.file as usize).map_or("", |f| f.path.as_str());
            let (found, errors) = rego::evaluate(&mut compiled, r, file);
            for c in found {
                hits.push((custom_rule(&c.id, &c.title, c.severity), r.clone(), r.span, c.message));
            }
            for e in errors {
                if failed.insert((e.at.clone(), e.message.clone())) {
                    failures.push((e, r.span, r.address.clone()));
                }
            }
        }
    }
    (hits, evaluated, failures)
}

/// A rule entry for a custom policy's finding id (made once per id).
fn custom_rule(id: &str, title: &str, severity: Severity) -> &'static Rule {
    static RULES: Mutex<Vec<&'static Rule>> = Mutex::new(Vec::new());
    let mut list = RULES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = list
        .iter()
        .find(|r| r.id == id && r.title == title && r.severity == severity)
    {
        return r;
    }
    let rule: &'static Rule = Box::leak(Box::new(Rule {
        id: Box::leak(id.to_string().into_boxed_str()),
        title: Box::leak(title.to_string().into_boxed_str()),
        severity,
        resources: &[],
        frameworks: &[],
        equivalent: &[],
        check: |_, _| Outcome::Pass,
    }));
    list.push(rule);
    rule
}

/// The file kinds the scanner reads.
fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if manifests::is_project_file(name) {
        return Some(FileKind::Manifest);
    }
    if name.ends_with(".tf") || name.ends_with(".tofu") || name.ends_with(".tf.json") {
        Some(FileKind::Terraform)
    } else if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
        Some(FileKind::Tfvars)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(FileKind::Yaml)
    } else if docker::is_dockerfile(name) {
        Some(FileKind::Dockerfile)
    } else if is_config_text(name) {
        Some(FileKind::Text)
    } else {
        None
    }
}

/// Files searched for secrets only: environment files, configuration in
/// common text formats, shell scripts, keys and credential files.
fn is_config_text(name: &str) -> bool {
    const NAMES: &[&str] = &[
        ".env",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        "credentials",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
    ];
    const SUFFIXES: &[&str] = &[
        ".env",
        ".properties",
        ".ini",
        ".cfg",
        ".conf",
        ".sh",
        ".bash",
        ".zsh",
        ".ps1",
        ".pem",
        ".key",
        ".p8",
    ];
    NAMES.contains(&name) || name.starts_with(".env.") || SUFFIXES.iter().any(|s| name.ends_with(s))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FileKind {
    Terraform,
    Tfvars,
    /// Kubernetes manifests, GitHub Actions and GitLab CI files.
    Yaml,
    Dockerfile,
    /// Package manifests and lockfiles (package.json, pyproject.toml, …).
    Manifest,
    /// Other text searched for secrets only (`.env`, `*.properties`, keys, …).
    Text,
}

struct Candidate {
    abs: PathBuf,
    shown: String,
    kind: FileKind,
}

fn shown_path(root: &Path, abs: &Path) -> String {
    let rel = abs.strip_prefix(root).unwrap_or(abs);
    let joined = if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let s = joined.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// An `--exclude` pattern as a glob relative to the scanned directory
/// `root` (absolute), or `None` when it explicitly names a place outside it.
/// A pattern with a slash (or starting `./`) that names a path under `root`
/// from the current directory becomes anchored (`/legacy`); any other is a
/// gitignore glob as written (`vendor`, `legacy/**`).
fn exclude_pattern(pat: &str, root: Option<&Path>) -> Option<String> {
    let explicit = pat.starts_with("./");
    let rel = pat.trim_start_matches("./");
    let dir_only = rel.ends_with('/');
    let body = rel.trim_end_matches('/');
    if !(explicit || body.contains('/')) || body.is_empty() {
        return Some(rel.to_string());
    }
    let under = root.and_then(|root| {
        let abs = std::path::absolute(body).ok()?;
        let inside = abs.strip_prefix(root).ok()?;
        let inside = inside.to_string_lossy().replace('\\', "/");
        (!inside.is_empty()).then(|| format!("/{inside}{}", if dir_only { "/" } else { "" }))
    });
    match under {
        Some(p) => Some(p),
        None if explicit => None,
        None => Some(rel.to_string()),
    }
}

/// Walk the roots: .gitignore honoured, `.git` and `.terraform` skipped,
/// symlinks followed with loop detection.
fn discover(roots: &[PathBuf], opts: &ScanOptions, diags: &mut Vec<Diagnostic>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for root in roots {
        let mut ov = ignore::overrides::OverrideBuilder::new(root);
        for pat in [".git/", ".terraform/"] {
            let _ = ov.add(&format!("!{pat}"));
        }
        // Patterns are gitignore globs relative to the scanned directory; one
        // written from the current directory (`infra/legacy` while scanning
        // `infra` or `/abs/infra`, `./legacy`) means the place it names.
        let abs_root = std::path::absolute(root).ok();
        for pat in &opts.exclude {
            let Some(p) = exclude_pattern(pat, abs_root.as_deref()) else {
                continue;
            };
            if let Err(e) = ov.add(&format!("!{p}")) {
                diags.push(Diagnostic {
                    kind: DiagnosticKind::FileSkipped,
                    span: Span::default(),
                    path: Some(pat.clone()),
                    message: format!("exclude pattern {pat:?} is not a valid glob: {e}"),
                });
            }
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .follow_links(true)
            .require_git(false)
            .overrides(ov.build().unwrap_or_else(|_| ignore::overrides::Override::empty()))
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    let Some(kind) = kind_of(e.path()) else { continue };
                    let abs = e.path().to_path_buf();
                    if !seen.insert(abs.clone()) {
                        continue;
                    }
                    out.push(Candidate {
                        shown: shown_path(root, &abs),
                        abs,
                        kind,
                    });
                }
                Err(err) => {
                    let path = err_path(&err).map(|p| shown_path(root, &p));
                    diags.push(Diagnostic {
                        kind: DiagnosticKind::FileSkipped,
                        span: Span::default(),
                        path: Some(path.unwrap_or_else(|| root.display().to_string())),
                        message: format!("not scanned: {}", plain_walk_error(&err)),
                    });
                }
            }
        }
    }
    out
}

fn err_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => err_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn plain_walk_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => plain_walk_error(err),
        other => other.to_string(),
    }
}

enum Parsed {
    Hcl(hcl_edit::structure::Body),
    Failed,
    /// Parsed after the file table exists (their spans need the file id).
    Later,
}

/// Run `f` over `items` on `threads` workers, keeping the order.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1).min(items.len().max(1)) {
            let worker = std::thread::Builder::new().stack_size(16 << 20);
            let spawned = worker.spawn_scoped(s, || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                }
            });
            if spawned.is_err() {
                break; // fewer workers; the ones running take all the work
            }
        }
    });
    let done = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // Anything a worker did not do (none could start) is done here.
    done.into_iter()
        .zip(items)
        .map(|(r, item)| r.unwrap_or_else(|| f(item)))
        .collect()
}

/// A file's text, or why it is skipped. Files read for secrets only
/// ([`FileKind::Text`]) are skipped without a word when binary or too
/// large (a DER key, a UTF-16 script) and read lossily when not UTF-8 (a
/// Latin-1 `.properties`): an empty reason means "skip quietly".
fn read_file(c: &Candidate, max: u64) -> Result<String, String> {
    let meta = std::fs::metadata(&c.abs).map_err(|e| format!("cannot read: {e}"))?;
    let secondary = c.kind == FileKind::Text;
    if secondary && meta.len() > max {
        return Err(String::new());
    }
    if meta.len() > max {
        return Err(format!(
            "file is {} bytes, over the {max}-byte limit (raise it with --max-file-size)",
            meta.len()
        ));
    }
    let bytes = std::fs::read(&c.abs).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(if secondary {
            String::new()
        } else {
            "binary file (contains NUL bytes)".into()
        });
    }
    if secondary {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Scan `roots` with every rule in the registry.
pub fn scan(roots: &[PathBuf], opts: &ScanOptions) -> ScanReport {
    scan_with(roots, opts, rules::all())
}

pub fn scan_with(roots: &[PathBuf], opts: &ScanOptions, rules: &[&'static Rule]) -> ScanReport {
    let threads = threads(opts);
    let max = if opts.max_file_size == 0 {
        DEFAULT_MAX_FILE_SIZE
    } else {
        opts.max_file_size
    };
    let mut diags = Vec::new();
    let candidates = discover(roots, opts, &mut diags);
    let texts: Vec<Result<String, String>> = par_map(&candidates, threads, |c| read_file(c, max));
    let mut sources = Vec::new();
    for (c, r) in candidates.into_iter().zip(texts) {
        match r {
            Ok(text) => sources.push((c, text)),
            Err(msg) if msg.is_empty() => {}
            Err(msg) => diags.push(Diagnostic {
                kind: DiagnosticKind::FileSkipped,
                span: Span {
                    line: 1,
                    col: 1,
                    end_line: 1,
                    end_col: 1,
                    file: 0,
                },
                path: Some(c.shown.clone()),
                message: msg,
            }),
        }
    }
    analyze(sources, diags, opts, rules, threads)
}

/// Scan sources held in memory: (path, text) pairs, paths relative like
/// `main.tf` or `modules/x/main.tf`. For tests and fuzzing.
pub fn scan_sources(sources: &[(&str, &str)], opts: &ScanOptions, rules: &[&'static Rule]) -> ScanReport {
    let sources = sources
        .iter()
        .filter_map(|(path, text)| {
            let abs = PathBuf::from(path);
            let kind = kind_of(&abs)?;
            Some((
                Candidate {
                    abs,
                    shown: path.to_string(),
                    kind,
                },
                text.to_string(),
            ))
        })
        .collect();
    analyze(sources, Vec::new(), opts, rules, threads(opts))
}

fn threads(opts: &ScanOptions) -> usize {
    if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    }
}

fn analyze(
    sources: Vec<(Candidate, String)>,
    mut diags: Vec<Diagnostic>,
    opts: &ScanOptions,
    rules: &[&'static Rule],
    threads: usize,
) -> ScanReport {
    // Parse in parallel.
    type ParseResult = (Parsed, HashMap<String, std::ops::Range<usize>>, Option<Diagnostic>);
    let parsed_all: Vec<ParseResult> = par_map(&sources, threads, |(c, text)| {
        let error = |msg: String, line: usize, col: usize| {
            Diagnostic::new(DiagnosticKind::ParseError, Span::point(0, line as u32, col as u32), msg)
        };
        if matches!(
            c.kind,
            FileKind::Yaml | FileKind::Dockerfile | FileKind::Manifest | FileKind::Text
        ) {
            return (Parsed::Later, HashMap::new(), None);
        }
        if c.shown.ends_with(".json") {
            let converted = if c.kind == FileKind::Tfvars {
                terraform::json::convert_tfvars(text).map(|b| (b, HashMap::new()))
            } else {
                terraform::json::convert(text).map(|c| (c.body, c.spans))
            };
            return match converted {
                Ok((body, spans)) => (Parsed::Hcl(body), spans, None),
                Err((msg, line, col)) => (Parsed::Failed, HashMap::new(), Some(error(msg, line, col))),
            };
        }
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => (Parsed::Hcl(body), HashMap::new(), None),
            Err(e) => {
                let loc = e.location();
                let msg = format!("HCL syntax error: {}", e.message());
                (
                    Parsed::Failed,
                    HashMap::new(),
                    Some(error(msg, loc.line(), loc.column())),
                )
            }
        }
    });
    let mut files: Vec<SourceFile> = Vec::new();
    let mut parsed: Vec<(usize, FileKind, Parsed)> = Vec::new();
    for ((c, text), (p, spans, d)) in sources.into_iter().zip(parsed_all) {
        let id = files.len() as u32;
        let mut file = SourceFile::new(id, c.shown, c.abs, text);
        file.block_spans = spans;
        files.push(file);
        if let Some(mut d) = d {
            d.span.file = id;
            diags.push(d);
        }
        parsed.push((id as usize, c.kind, p));
    }

    // Directories of .tf files are modules.
    let mut modules: HashMap<PathBuf, terraform::module::ModuleDef> = HashMap::new();
    let mut tfvars_by_dir: HashMap<PathBuf, Vec<&hcl_edit::structure::Body>> = HashMap::new();
    for (id, kind, p) in &parsed {
        let Parsed::Hcl(body) = p else { continue };
        let f = &files[*id];
        let dir = terraform::module::normalize(f.abs.parent().unwrap_or(Path::new(".")));
        match kind {
            FileKind::Terraform => modules
                .entry(dir.clone())
                .or_insert_with(|| terraform::module::ModuleDef { dir, files: Vec::new() })
                .files
                .push((f, body)),
            FileKind::Yaml | FileKind::Dockerfile | FileKind::Manifest | FileKind::Text => {}
            FileKind::Tfvars => {
                let name = f.abs.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let name = name.strip_suffix(".json").unwrap_or(name);
                if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") {
                    tfvars_by_dir.entry(dir).or_default().push(body);
                }
            }
        }
    }
    // Modules called from another scanned module are evaluated through the
    // call (with its inputs), not as roots of their own.
    let mut called: HashSet<PathBuf> = HashSet::new();
    for def in modules.values() {
        for (_, body) in &def.files {
            for b in body.blocks() {
                if b.ident.value().as_str() != "module" {
                    continue;
                }
                if let Some(src) = b.body.get_attribute("source").and_then(|a| a.value.as_str())
                    && (src.starts_with("./") || src.starts_with("../"))
                {
                    let target = terraform::module::normalize(&def.dir.join(src));
                    if target != def.dir {
                        called.insert(target);
                    }
                }
            }
        }
    }
    let mut roots_dirs: Vec<&PathBuf> = modules.keys().filter(|d| !called.contains(*d)).collect();
    roots_dirs.sort();

    let extra_vars = extra_vars(opts, &mut diags);
    // Custom policies: a policy file that does not compile is reported at
    // its line and left out; the other policy files and the built-in rules
    // still run.
    let (policies, policy_errors) = if opts.rego.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        rego::check(&opts.rego)
    };
    for (path, line, col, msg) in policy_errors {
        diags.push(Diagnostic::at_path(
            DiagnosticKind::Policy,
            path,
            line,
            col,
            format!("Rego policy does not compile: {msg}"),
        ));
    }
    let by_kind = rule::index(rules);
    let results = par_map(&roots_dirs, threads, |dir| {
        let def = &modules[*dir];
        let mut vars: HashMap<String, (terraform::value::Val, Vec<String>)> = HashMap::new();
        for body in tfvars_by_dir.get(*dir).into_iter().flatten() {
            for (k, v) in terraform::module::tfvars(body) {
                vars.insert(k, (v, Vec::new()));
            }
        }
        for (k, v) in &extra_vars {
            vars.insert(k.clone(), (v.clone(), Vec::new()));
        }
        let loader = terraform::module::Loader {
            modules: &modules,
            out: Default::default(),
            diags: Default::default(),
        };
        terraform::module::evaluate(
            &loader,
            def,
            terraform::module::Call {
                prefix: String::new(),
                vars,
                via: Vec::new(),
                stack: Vec::new(),
            },
        );
        let resources = loader.out.into_inner();
        let (hits, evaluated, failures) = check_all(&resources, &by_kind, &opts.toolchain, &files, &policies);
        (resources.len(), hits, loader.diags.into_inner(), evaluated, failures)
    });

    let mut results = results;
    // Manifests, workflows and Dockerfiles: parsed now, checked together
    // (a rule may look across files, e.g. a namespace without a NetworkPolicy).
    let later: Vec<(usize, FileKind)> = parsed
        .iter()
        .filter(|(_, kind, p)| matches!(p, Parsed::Later) && !matches!(kind, FileKind::Manifest | FileKind::Text))
        .map(|(id, kind, _)| (*id, *kind))
        .collect();
    let project_files: Vec<&SourceFile> = parsed
        .iter()
        .filter(|(_, kind, _)| *kind == FileKind::Manifest)
        .map(|(id, _, _)| &files[*id])
        .collect();
    {
        let parts = par_map(&later, threads, |(id, kind)| {
            manifests::load(&files[*id], *kind == FileKind::Dockerfile)
        });
        let mut resources = manifests::projects(&project_files);
        // Every scanned file is also a `file` resource, for the secrets rules.
        // Lockfiles are left out: integrity hashes and registry URLs, never
        // credentials (gitleaks skips them too), and often megabytes.
        let file_resources: Vec<model::Resource> = files
            .iter()
            .filter(|f| !manifests::is_lockfile(&f.path))
            .map(manifests::file_resource)
            .collect();
        let file_count = file_resources.len();
        resources.extend(file_resources);
        let mut d = Vec::new();
        for (r, diag) in parts {
            resources.extend(r);
            d.extend(diag);
        }
        let (hits, evaluated, failures) = check_all(&resources, &by_kind, &opts.toolchain, &files, &policies);
        results.push((resources.len() - file_count, hits, d, evaluated, failures));
    }

    let mut resources = 0;
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    let mut evaluated_all: BTreeMap<String, usize> = BTreeMap::new();
    // A policy that fails is reported once, at its own line when regorus
    // says where (else at the first resource it failed on).
    let mut policy_failed = HashSet::new();
    for (n, hits, d, evaluated, failures) in results {
        resources += n;
        for (id, count) in evaluated {
            *evaluated_all.entry(id.to_string()).or_default() += count;
        }
        diags.extend(d);
        for (failure, span, address) in failures {
            if !policy_failed.insert((failure.at.clone(), failure.message.clone())) {
                continue;
            }
            let message = format!("Rego policy failed on {address}: {}", failure.message);
            diags.push(match failure.at {
                Some((path, line, col)) => Diagnostic::at_path(DiagnosticKind::Policy, path, line, col, message),
                None => Diagnostic::new(DiagnosticKind::Policy, span, message),
            });
        }
        for (rule, r, span, message) in hits {
            // count/for_each instances that fail alike are one finding.
            if !seen.insert((rule.id, span, r.via.clone())) {
                continue;
            }
            let f = &files[span.file as usize];
            // A finding about a secret shows no source line at all.
            let excerpt = if rule.id.starts_with("LG-SECRET") || message.contains("****") {
                None
            } else {
                f.line(span.line).map(|l| redact(l.trim_end()))
            };
            findings.push((
                Finding {
                    rule: rule.id.to_string(),
                    title: rule.title.to_string(),
                    severity: rule.severity,
                    message,
                    location: location(&files, span),
                    resource: r.address.clone(),
                    via: r.via.iter().map(|s| location(&files, *s)).collect(),
                    frameworks: rule.frameworks.iter().map(|s| s.to_string()).collect(),
                    fingerprint: baseline::fingerprint(rule.id, &f.path, &r.base, ""),
                    suppressed: None,
                    excerpt,
                },
                Some((r.span, r.via, rule)),
            ));
        }
    }
    let today = opts
        .today
        .unwrap_or_else(|| crate::ledger::now().to_zoned(jiff::tz::TimeZone::UTC).date());
    let sup = suppress::Index::build(&files, &mut diags);
    for d in diags {
        let (loc, excerpt) = match &d.path {
            Some(p) => (
                Location {
                    file: p.clone(),
                    line: d.span.line,
                    column: d.span.col,
                    end_line: d.span.end_line,
                    end_column: d.span.end_col,
                },
                None,
            ),
            None => {
                let f = &files[d.span.file as usize];
                (
                    location(&files, d.span),
                    f.line(d.span.line).map(|l| redact(l.trim_end())),
                )
            }
        };
        findings.push((
            Finding {
                rule: d.kind.id().to_string(),
                title: d.kind.title().to_string(),
                severity: d.kind.severity(),
                fingerprint: baseline::fingerprint(d.kind.id(), &loc.file, "", &d.message),
                message: d.message,
                location: loc,
                resource: String::new(),
                via: Vec::new(),
                frameworks: Vec::new(),
                suppressed: None,
                excerpt,
            },
            None,
        ));
    }
    let mut out = Vec::new();
    for (mut f, ctx) in findings {
        if let Some((rspan, via, rule)) = ctx {
            sup.apply(&mut f, rule, rspan, &via, &files, today);
        }
        out.push(f);
    }
    out.sort_by(|a, b| a.location.cmp(&b.location).then(a.rule.cmp(&b.rule)));
    let mut summary = Summary {
        files: files.len(),
        resources,
        rules: rules.len(),
        ..Summary::default()
    };
    summarize(&out, &mut summary);
    ScanReport {
        findings: out,
        summary,
        evaluated: evaluated_all,
    }
}

pub fn summarize(findings: &[Finding], summary: &mut Summary) {
    summary.findings = 0;
    summary.suppressed = 0;
    summary.by_severity.clear();
    for s in Severity::ALL {
        summary.by_severity.insert(s.as_str().to_string(), 0);
    }
    for f in findings {
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.findings += 1;
            *summary.by_severity.entry(f.severity.as_str().to_string()).or_default() += 1;
        }
    }
}

/// A source line for display with likely secrets masked: the string values
/// of settings named like credentials, and AWS access key ids anywhere. The
/// table shows excerpts on terminals and in CI logs, where secrets must not
/// appear.
pub fn redact(line: &str) -> String {
    const NAMES: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "access_key",
        "private_key",
        "api_key",
        "apikey",
        "credential",
    ];
    // AWS access key ids anywhere on the line.
    let mut line = line.to_string();
    for prefix in ["AKIA", "ASIA"] {
        let mut from = 0;
        while let Some(i) = line[from..].find(prefix).map(|i| from + i) {
            let id = line[i + 4..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                .count();
            if id >= 12 {
                line.replace_range(i + 4..i + 4 + id, &"*".repeat(id));
            }
            from = i + 4;
        }
    }
    // `name = value` pairs whose name looks like a credential, wherever they
    // are on the line (also inside a string: `"DB_PASSWORD=hunter2"`).
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut masks: Vec<std::ops::Range<usize>> = Vec::new();
    for name in NAMES {
        let mut from = 0;
        while let Some(i) = lower[from..].find(name).map(|i| from + i) {
            from = i + name.len();
            // The rest of the name, then `=` or `:`.
            let mut j = from;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'_' | b'-' | b'"' | b'\'' | b' '))
            {
                j += 1;
            }
            if j >= bytes.len() || !matches!(bytes[j], b'=' | b':') {
                continue;
            }
            let mut k = j + 1;
            while k < bytes.len() && matches!(bytes[k], b' ' | b'"' | b'\'') {
                k += 1;
            }
            let value_end = lower[k..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | ')'))
                .map_or(bytes.len(), |e| k + e);
            let value = &lower[k..value_end];
            if value.is_empty()
                || value.starts_with("${")
                || value.starts_with("var.")
                || value.starts_with("local.")
                || value.starts_with("data.")
            {
                continue;
            }
            masks.push(k..value_end);
        }
    }
    masks.sort_by_key(|r| std::cmp::Reverse(r.start));
    let mut last = usize::MAX;
    for m in masks {
        if m.end <= last {
            line.replace_range(m.clone(), "****");
            last = m.start;
        }
    }
    line
}

fn location(files: &[SourceFile], s: Span) -> Location {
    Location {
        file: files[s.file as usize].path.clone(),
        line: s.line,
        column: s.col,
        end_line: s.end_line,
        end_column: s.end_col,
    }
}

fn extra_vars(opts: &ScanOptions, diags: &mut Vec<Diagnostic>) -> Vec<(String, terraform::value::Val)> {
    let mut out = Vec::new();
    for path in &opts.var_files {
        match std::fs::read_to_string(path) {
            Ok(text) => match hcl_edit::parser::parse_body(&text) {
                Ok(body) => out.extend(terraform::module::tfvars(&body)),
                Err(e) => diags.push(Diagnostic {
                    kind: DiagnosticKind::ParseError,
                    span: Span {
                        file: 0,
                        line: e.location().line() as u32,
                        col: e.location().column() as u32,
                        end_line: e.location().line() as u32,
                        end_col: e.location().column() as u32,
                    },
                    path: Some(path.display().to_string()),
                    message: format!("var file: HCL syntax error: {}", e.message()),
                }),
            },
            Err(e) => diags.push(Diagnostic {
                kind: DiagnosticKind::FileSkipped,
                span: Span::default(),
                path: Some(path.display().to_string()),
                message: format!("var file cannot be read: {e}"),
            }),
        }
    }
    for (k, v) in &opts.vars {
        let val = hcl_edit::parser::parse_expr(v)
            .ok()
            .map(|e| {
                let empty = terraform::module::Instance::empty();
                terraform::eval::Eval::new(&empty, Vec::new()).expr(&e)
            })
            .filter(|v| !v.has_unknown())
            .unwrap_or_else(|| terraform::value::Val::Str(v.clone()));
        out.push((k.clone(), val));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn excerpts_mask_credentials() {
        assert_eq!(
            redact(r#"  access_key = "AKIAIOSFODNN7EXAMPLE""#),
            r#"  access_key = "****""#
        );
        assert_eq!(redact(r#"  DB_PASSWORD = "hunter2""#), r#"  DB_PASSWORD = "****""#);
        assert_eq!(
            redact("export KEY=AKIAIOSFODNN7EXAMPLE"),
            "export KEY=AKIA****************"
        );
        assert_eq!(
            redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG"),
            "aws_secret_access_key = ****"
        );
        assert_eq!(redact(r#"  bucket = "logs""#), r#"  bucket = "logs""#);
        assert_eq!(
            redact(r#"  password = "${var.db_password}""#),
            r#"  password = "${var.db_password}""#
        );
        assert_eq!(redact("  password = var.db_password"), "  password = var.db_password");
        assert_eq!(
            redact(r#"  user_data = base64encode("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG")"#),
            r#"  user_data = base64encode("aws_secret_access_key = ****")"#
        );
        assert_eq!(
            redact(r#"    DB_PASSWORD = "hunter2", TOKEN: abc"#),
            r#"    DB_PASSWORD = "****", TOKEN: ****"#
        );
    }
}
