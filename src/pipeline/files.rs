//! Resolving `inputs`, `outputs` and report paths to files.
//!
//! A literal path is checked directly. A glob walks only its literal base
//! directory (`src/**/*.rs` walks `src/`). Inputs honour `.gitignore`
//! (ignored files are not sources); outputs and reports do not (build
//! outputs usually *are* ignored). `.git` and `.lockgate` are never walked.

use std::path::Path;

use globset::{Glob, GlobMatcher};

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// The directory part of a glob before its first wildcard component.
fn base_dir(pattern: &str) -> &str {
    let mut end = 0;
    for (i, comp) in pattern.split('/').enumerate() {
        if is_glob(comp) {
            break;
        }
        end = if i == 0 { comp.len() } else { end + 1 + comp.len() };
    }
    // The last literal component may be a file name, not a directory.
    let base = &pattern[..end.min(pattern.len())];
    if base == pattern { "" } else { base }
}

/// Files (relative to `root`, `/`-separated, sorted) matching `patterns`.
pub fn resolve(root: &Path, patterns: &[&str], gitignore: bool) -> std::io::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for pattern in patterns {
        let pattern = pattern.trim_start_matches("./");
        if !is_glob(pattern) {
            let p = root.join(pattern);
            if p.is_file() {
                out.push(pattern.to_string());
            } else if p.is_dir() {
                walk(root, &p, None, gitignore, &mut out)?;
            }
            continue;
        }
        let matcher = Glob::new(pattern)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("`{pattern}`: {e}")))?
            .compile_matcher();
        let base = base_dir(pattern);
        let start = if base.is_empty() {
            root.to_path_buf()
        } else {
            root.join(base)
        };
        if start.is_dir() {
            walk(root, &start, Some(&matcher), gitignore, &mut out)?;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(
    root: &Path,
    start: &Path,
    matcher: Option<&GlobMatcher>,
    gitignore: bool,
    out: &mut Vec<String>,
) -> std::io::Result<()> {
    let walker = ignore::WalkBuilder::new(start)
        .hidden(false)
        .git_ignore(gitignore)
        .git_exclude(gitignore)
        .git_global(false)
        .ignore(gitignore)
        .parents(gitignore)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git" && e.file_name() != ".lockgate")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| std::io::Error::other(e.to_string()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if matcher.is_none_or(|m| m.is_match(&rel)) {
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_dirs() {
        assert_eq!(base_dir("src/**/*.rs"), "src");
        assert_eq!(base_dir("**/*.py"), "");
        assert_eq!(base_dir("a/b/*.txt"), "a/b");
        assert_eq!(
            base_dir("target/surefire-reports/TEST-*.xml"),
            "target/surefire-reports"
        );
    }

    #[test]
    fn resolves_literals_globs_and_gitignore() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "src/a.rs",
            "src/sub/b.rs",
            "src/c.txt",
            "dist/app",
            "Cargo.lock",
            ".lockgate/x",
        ] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        std::fs::write(d.path().join(".gitignore"), "dist/\n").unwrap();
        let r = resolve(d.path(), &["src/**/*.rs", "Cargo.lock", "missing.txt"], true).unwrap();
        assert_eq!(r, vec!["Cargo.lock", "src/a.rs", "src/sub/b.rs"]);
        assert!(
            resolve(d.path(), &["**"], true)
                .unwrap()
                .iter()
                .all(|f| !f.starts_with("dist/") && !f.starts_with(".lockgate"))
        );
        assert_eq!(resolve(d.path(), &["dist/**"], false).unwrap(), vec!["dist/app"]);
        assert_eq!(resolve(d.path(), &["src"], true).unwrap().len(), 3);
    }
}
