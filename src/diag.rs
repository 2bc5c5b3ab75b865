//! Diagnostics that point at the user's file: `file:line:col`, the excerpt
//! with a caret under the offending text, and a `hint:` that says what to do.
//!
//! Rendering writes ANSI styles through `anstyle`; the `anstream` stream the
//! caller passes strips them when colour is off (`--color never`, `NO_COLOR`,
//! not a terminal).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column (in characters) plus a length in characters
/// for the underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
    #[serde(skip)]
    pub len: u64,
}

impl Pos {
    pub fn new(line: u64, column: u64, len: u64) -> Self {
        Pos { line, column, len }
    }

    /// True when the parser could not tell where the problem is.
    pub fn is_unknown(&self) -> bool {
        self.line == 0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    #[serde(serialize_with = "serialize_path")]
    pub file: PathBuf,
    #[serde(flatten)]
    pub pos: Pos,
    /// Short text printed beside the caret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: file.into(),
            pos,
            label: None,
            hint: None,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(file, pos, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:col` as printed in the header.
    pub fn location(&self) -> String {
        let file = display_path(&self.file);
        if self.pos.is_unknown() {
            file
        } else {
            format!("{file}:{}:{}", self.pos.line, self.pos.column)
        }
    }

    /// Renders the diagnostic with its excerpt from `source` (the file's
    /// contents, when available). The output always ends with a newline.
    pub fn render(&self, source: Option<&str>) -> String {
        let (sev_style, sev_word) = match self.severity {
            Severity::Error => (AnsiColor::Red.on_default().bold(), "error"),
            Severity::Warning => (AnsiColor::Yellow.on_default().bold(), "warning"),
        };
        let bold = Style::new().bold();
        let blue = AnsiColor::Blue.on_default().bold();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{sev_style}{sev_word}{sev_style:#}{bold}: {}{bold:#}",
            sanitize(&self.message)
        );
        let line_text = source
            .filter(|_| !self.pos.is_unknown())
            .and_then(|src| src.lines().nth((self.pos.line - 1) as usize));
        let gutter = " ".repeat(self.pos.line.to_string().len());
        let _ = writeln!(out, "{gutter}{blue}-->{blue:#} {}", self.location());
        if let Some(text) = line_text {
            let text = sanitize(text.trim_end_matches('\r'));
            let _ = writeln!(out, "{gutter} {blue}|{blue:#}");
            let _ = writeln!(out, "{blue}{}{blue:#} {blue}|{blue:#} {text}", self.pos.line);
            let col = self.pos.column.max(1) as usize;
            // Align the caret by characters; tabs keep their width.
            let prefix: String = text
                .chars()
                .take(col - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let avail = text.chars().count().saturating_sub(col - 1).max(1);
            let len = (self.pos.len.max(1) as usize).min(avail);
            let carets = "^".repeat(len);
            let label = self
                .label
                .as_deref()
                .map(|l| format!(" {}", sanitize(l)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{gutter} {blue}|{blue:#} {prefix}{sev_style}{carets}{label}{sev_style:#}"
            );
        } else if let Some(label) = &self.label {
            let _ = writeln!(out, "{gutter} {blue}={blue:#} {}", sanitize(label));
        }
        if let Some(hint) = &self.hint {
            let green = AnsiColor::Green.on_default().bold();
            let _ = writeln!(out, "{gutter} {blue}={blue:#} {green}hint{green:#}: {}", sanitize(hint));
        }
        out
    }
}

fn serialize_path<S: serde::Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&display_path(p))
}

/// Paths are printed relative to the current directory when they are below
/// it, so diagnostics are short and snapshot-stable.
pub fn display_path(path: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
        && !rel.as_os_str().is_empty()
    {
        return rel.display().to_string();
    }
    if path.is_relative() {
        // `./lockgate.yaml` → `lockgate.yaml`
        let clean: PathBuf = path
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        if !clean.as_os_str().is_empty() {
            return clean.display().to_string();
        }
    }
    path.display().to_string()
}

/// Removes control characters (other than tab) so that a hostile file
/// cannot inject terminal escape sequences into our output.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_excerpt_with_caret_under_the_column() {
        let src = "project: x\npipeline:\n  a:\n    needs: [buid]\n";
        let d = Diagnostic::error("lockgate.yaml", Pos::new(4, 13, 4), "unknown job `buid`")
            .label("no such job")
            .hint("did you mean `build`?");
        let text = d.render(Some(src));
        let plain = anstream::adapter::strip_str(&text).to_string();
        assert_eq!(
            plain,
            "error: unknown job `buid`\n --> lockgate.yaml:4:13\n  |\n4 |     needs: [buid]\n  |             ^^^^ no such job\n  = hint: did you mean `build`?\n"
        );
    }

    #[test]
    fn unknown_position_prints_only_the_file() {
        let d = Diagnostic::error("x.yaml", Pos::default(), "boom");
        let plain = anstream::adapter::strip_str(&d.render(None)).to_string();
        assert_eq!(plain, "error: boom\n --> x.yaml\n");
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(sanitize("a\x1b[31mb"), "a\u{fffd}[31mb");
    }
}
