//! Finding secrets in file text, for the LG-SECRET rules. Values are only
//! ever reported redacted.

use crate::policy::model::{Resource, Span};

/// The file's text (`file` resources).
pub fn text(r: &Resource) -> &str {
    r.get("text").str().unwrap_or("")
}

/// The span of `len` bytes at `offset` in the file of `r`.
pub fn span_at(r: &Resource, offset: usize, len: usize) -> Span {
    let text = text(r);
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[start..].chars().count() as u32 + 1;
    let width = text.get(offset..offset + len).map_or(len, |s| s.chars().count()) as u32;
    Span {
        file: r.span.file,
        line,
        col,
        end_line: line,
        end_col: col + width,
    }
}

/// `AKIA…MPLE` → `AKIA************`: enough to recognise, not to use.
pub fn redact(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    format!("{shown}{}", "*".repeat(value.chars().count().saturating_sub(4).min(16)))
}

/// Offsets of tokens that start with `prefix` and continue with at least
/// `min` characters from `body`, not glued to a preceding word.
pub fn tokens<'t>(text: &'t str, prefix: &str, min: usize, body: fn(char) -> bool) -> Vec<(usize, &'t str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(prefix).map(|i| from + i) {
        from = i + prefix.len();
        let glued = text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest = text[i + prefix.len()..]
            .chars()
            .take_while(|c| body(*c))
            .map(char::len_utf8)
            .sum::<usize>();
        if !glued && rest >= min {
            out.push((i, &text[i..i + prefix.len() + rest]));
        }
    }
    out
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let n = s.chars().count() as f64;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}
