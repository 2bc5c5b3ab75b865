//! `lockgate.yaml`: the typed project spec, its loading with `file:line:col`
//! diagnostics, `${VAR}` interpolation and validation.
//!
//! Parse ([`parse_str`]) turns text into a [`Spec`] or located errors;
//! [`validate`] checks references and values without doing any I/O; both
//! together are [`load`]. The CLI, the server and the MCP tools call these.

pub mod condition;
pub mod criteria;
mod freeze;
mod graph;
pub mod interp;
mod model;
#[cfg(test)]
mod proptests;
pub mod reference;
mod validate;
mod values;

use std::path::{Path, PathBuf};

use serde_saphyr::MessageFormatter as _;

pub use freeze::{FreezeWindow, Recurrence};
pub use graph::{job_stages, promotion_order};
pub use model::*;
pub use validate::{did_you_mean, item_id, slug as slug_name, validate};
pub use values::{Duration, Located, NamedMap, Percent, Script, Sh, Shorthand, Text, TextList};

use crate::diag::{self, Diagnostic, Pos};

/// File names looked for, in order, when no `-f/--config` is given.
pub const FILE_NAMES: [&str; 2] = ["lockgate.yaml", "lockgate.yml"];

/// Largest configuration file we read; larger input is refused, not parsed.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A parsed and validated spec with the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub source: String,
    pub spec: Spec,
    /// Problems that do not stop anything.
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// The project directory: where `lockgate.yaml` lives.
    pub fn root(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no lockgate.yaml in {} or any parent directory", start.display())]
    NotFound { start: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not valid ({} error{})", path.display(), count_errors(diagnostics), if count_errors(diagnostics) == 1 { "" } else { "s" })]
    Invalid {
        path: PathBuf,
        source_text: String,
        diagnostics: Vec<Diagnostic>,
    },
}

fn count_errors(d: &[Diagnostic]) -> usize {
    d.iter().filter(|d| d.severity == diag::Severity::Error).count()
}

/// Finds `lockgate.yaml` in `start` or the nearest parent that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find_map(|dir| FILE_NAMES.iter().map(|name| dir.join(name)).find(|p| p.is_file()))
}

/// The process environment as interpolation variables.
pub fn process_vars() -> interp::Vars {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Reads, parses and validates the spec at `path`.
pub fn load(path: &Path, vars: interp::Vars) -> Result<Loaded, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        return Err(LoadError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory, not a file"),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the file is {} bytes; lockgate.yaml may be at most {MAX_FILE_BYTES}",
                    meta.len()
                ),
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let source = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let pos = pos_of_offset(&text, offset);
            return Err(LoadError::Invalid {
                path: path.to_owned(),
                diagnostics: vec![
                    Diagnostic::error(path, pos, "the file is not valid UTF-8")
                        .hint("save lockgate.yaml as UTF-8 text"),
                ],
                source_text: text,
            });
        }
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match parse_str(path, &source, vars) {
        Ok(spec) => {
            let diagnostics = validate(path, &spec);
            let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
                .into_iter()
                .partition(|d| d.severity == diag::Severity::Error);
            if errors.is_empty() {
                Ok(Loaded {
                    path: absolute,
                    source,
                    spec,
                    warnings,
                })
            } else {
                let mut all = errors;
                all.extend(warnings);
                Err(LoadError::Invalid {
                    path: path.to_owned(),
                    source_text: source,
                    diagnostics: all,
                })
            }
        }
        Err(d) => Err(LoadError::Invalid {
            path: path.to_owned(),
            source_text: source,
            diagnostics: vec![*d],
        }),
    }
}

/// Parses `text` into a [`Spec`] without validating references.
pub fn parse_str(file: &Path, text: &str, vars: interp::Vars) -> Result<Spec, Box<Diagnostic>> {
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::error(file, Pos::new(1, 1, 1), "the file is empty")
                .hint("start with `project: <name>`, or run `lockgate init` to write a starter file"),
        ));
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_nodes: 250_000,
        },
    };
    let result = interp::scoped(vars, || serde_saphyr::from_str_with_options::<Spec>(text, options));
    result.map_err(|e| Box::new(saphyr_to_diagnostic(file, text, &e)))
}

fn saphyr_to_diagnostic(file: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let inner = err.without_snippet();
    let raw = serde_saphyr::DefaultMessageFormatter.format_message(inner).to_string();
    let (message, mut hint) = match raw.split_once(" (hint: ") {
        Some((m, h)) => (m.to_string(), Some(h.trim_end_matches(')').to_string())),
        None => (raw.clone(), None),
    };
    let pos = err
        .location()
        .map(|l| Pos::new(l.line(), l.column(), l.span().len()))
        .unwrap_or_default();
    let mut message = message;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        // "unknown field `neds`, expected one of run, needs, ..." → hint
        if let Some((field, expected)) = rest.split_once('`') {
            let expected: Vec<&str> = expected
                .trim_start_matches(", expected one of ")
                .trim_start_matches(", expected ")
                .split(", ")
                .map(|s| s.trim_matches('`'))
                .filter(|s| !s.is_empty())
                .collect();
            hint = Some(match did_you_mean(field, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Allowed keys here: {}", expected.join(", ")),
                None => format!("allowed keys here: {}", expected.join(", ")),
            });
            message = format!("unknown key `{field}`");
        }
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default().to_string();
        message = format!("missing required key `{field}`");
        hint.get_or_insert_with(|| format!("add `{field}:` to this mapping"));
    }
    if hint.is_none() {
        hint = Some(if is_syntax_error(inner) {
            "this is not valid YAML: check the indentation, quotes and brackets here and on the line before".into()
        } else {
            "this value has the wrong shape; `lockgate schema` describes every key".into()
        });
    }
    let mut pos = pos;
    if pos.len == 0 {
        pos.len = token_len_at(text, pos);
    }
    let mut d = Diagnostic::error(file, pos, message);
    d.hint = hint;
    d
}

fn is_syntax_error(e: &serde_saphyr::Error) -> bool {
    !matches!(
        e,
        serde_saphyr::Error::Message { .. }
            | serde_saphyr::Error::Unexpected { .. }
            | serde_saphyr::Error::NullIntoString { .. }
    )
}

/// Length of the word under `pos`, for underlining when the parser gave none.
fn token_len_at(text: &str, pos: Pos) -> u64 {
    if pos.is_unknown() {
        return 1;
    }
    text.lines()
        .nth(pos.line as usize - 1)
        .map(|l| {
            l.chars()
                .skip(pos.column as usize - 1)
                .take_while(|c| !c.is_whitespace() && *c != ':' && *c != ',')
                .count()
                .max(1) as u64
        })
        .unwrap_or(1)
}

fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Pos::new(line, col, 1)
}

/// The JSON Schema of `lockgate.yaml`, pretty-printed, with a trailing newline.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Spec>();
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
