//! Reading a git repository's state without starting `git` for the cheap
//! parts: the commit and branch from `.git/HEAD`, refs and packed-refs, and
//! `user.email` from git's config files. Only the dirty check (which needs
//! the index) runs `git status`.

use std::path::{Path, PathBuf};

/// The `.git` directory for `start` or the nearest parent (following a
/// `.git` file's `gitdir:` for worktrees and submodules).
pub fn git_dir(start: &Path) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let dot = dir.join(".git");
        if dot.is_dir() {
            return Some(dot);
        }
        if dot.is_file() {
            let text = std::fs::read_to_string(&dot).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let p = Path::new(target);
            return Some(if p.is_absolute() { p.to_path_buf() } else { dir.join(p) });
        }
    }
    None
}

/// The common directory (where refs live) of a worktree's git dir.
fn common_dir(git: &Path) -> PathBuf {
    match std::fs::read_to_string(git.join("commondir")) {
        Ok(rel) => {
            let p = Path::new(rel.trim());
            if p.is_absolute() { p.to_path_buf() } else { git.join(p) }
        }
        Err(_) => git.to_path_buf(),
    }
}

fn resolve_ref(git: &Path, name: &str) -> Option<String> {
    for dir in [git.to_path_buf(), common_dir(git)] {
        if let Ok(v) = std::fs::read_to_string(dir.join(name)) {
            let v = v.trim();
            if let Some(next) = v.strip_prefix("ref:") {
                return resolve_ref(git, next.trim());
            }
            return Some(v.to_string());
        }
    }
    let packed = std::fs::read_to_string(common_dir(git).join("packed-refs")).ok()?;
    packed.lines().find_map(|l| {
        let (sha, r) = l.split_once(' ')?;
        (r.trim() == name && !sha.starts_with('#')).then(|| sha.to_string())
    })
}

/// Commit (`None` in a repository without commits) and branch (`None` when
/// detached) of the repository containing `start`.
pub fn head(start: &Path) -> Option<(Option<String>, Option<String>)> {
    let git = git_dir(start)?;
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    Some(match head.strip_prefix("ref:") {
        Some(r) => {
            let r = r.trim();
            let branch = r.strip_prefix("refs/heads/").map(str::to_string);
            (resolve_ref(&git, r).filter(|s| s.len() >= 40), branch)
        }
        None => (Some(head.to_string()).filter(|s| s.len() >= 40), None),
    })
}

/// `user.email` from the repository's, the global and the XDG git config
/// (in git's order of precedence).
pub fn user_email(start: &Path) -> Option<String> {
    let mut files = Vec::new();
    if let Some(git) = git_dir(start) {
        files.push(common_dir(&git).join("config"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        files.push(Path::new(&home).join(".gitconfig"));
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")));
    if let Some(x) = xdg {
        files.push(x.join("git/config"));
    }
    files
        .iter()
        .find_map(|f| config_value(&std::fs::read_to_string(f).ok()?, "user", "email"))
}

/// A value from git's INI-like config format (`[section]` then `key = value`).
fn config_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            // `[user]` only: `[user "x"]` is a subsection, another section.
            let inner = line.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            in_section = inner.eq_ignore_ascii_case(section);
            continue;
        }
        if !in_section || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim().eq_ignore_ascii_case(key)
        {
            let v = v
                .split([';', '#'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
                .to_string();
            if !v.is_empty() {
                // The last assignment wins, as in git.
                found = Some(v);
            }
        }
    }
    found
}

/// Whether tracked files have uncommitted changes (runs `git status`).
pub fn dirty(start: &Path) -> bool {
    std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(start)
        .stderr(std::process::Stdio::null())
        .output()
        .map(|o| o.status.success() && !o.stdout.is_empty())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_head_refs_and_packed_refs() {
        let d = tempfile::tempdir().unwrap();
        let git = d.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        let sha = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs with: peeled\n{sha} refs/heads/main\n"),
        )
        .unwrap();
        let sub = d.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(head(&sub), Some((Some(sha.to_string()), Some("main".into()))));
        std::fs::write(git.join("refs/heads/main"), format!("{}\n", sha.replace('0', "f"))).unwrap();
        assert_eq!(head(&sub).unwrap().0.unwrap(), sha.replace('0', "f"));
        std::fs::write(git.join("HEAD"), format!("{sha}\n")).unwrap();
        assert_eq!(head(&sub), Some((Some(sha.to_string()), None)));
        assert_eq!(head(Path::new("/")), None);
    }

    #[test]
    fn config_values() {
        let cfg = "[core]\n\tbare = false\n[user]\n\tname = A\n\temail = a@example.com ; comment\n[user \"x\"]\n\temail = no\n";
        assert_eq!(config_value(cfg, "user", "email"), Some("a@example.com".into()));
        assert_eq!(config_value(cfg, "user", "missing"), None);
    }

    /// Agrees with git itself on a real repository.
    #[test]
    fn agrees_with_git() {
        let d = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(d.path())
                .output()
        };
        let Ok(out) = git(&["init", "-q", "-b", "trunk"]) else {
            return;
        };
        if !out.status.success() {
            return;
        }
        std::fs::write(d.path().join("f"), "x").unwrap();
        git(&["add", "f"]).unwrap();
        git(&[
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "commit",
            "-qm",
            "c",
        ])
        .unwrap();
        let want = String::from_utf8(git(&["rev-parse", "HEAD"]).unwrap().stdout).unwrap();
        assert_eq!(
            head(d.path()),
            Some((Some(want.trim().to_string()), Some("trunk".into())))
        );
        assert!(!dirty(d.path()));
        std::fs::write(d.path().join("f"), "y").unwrap();
        assert!(dirty(d.path()));
    }
}
