//! Checks shared by the Dockerfile rules.

use crate::policy::model::{Block, Resource};

/// The instructions of the final stage (what the image runs).
pub fn final_stage(r: &Resource) -> Vec<&Block> {
    let last = r
        .body
        .blocks
        .iter()
        .filter(|b| b.ident == "from")
        .count()
        .saturating_sub(1)
        .to_string();
    r.body
        .blocks
        .iter()
        .filter(|b| b.labels.first() == Some(&last))
        .collect()
}

/// The instruction's text after the keyword.
pub fn args(b: &Block) -> &str {
    b.body.get("args").str().unwrap_or("")
}

// ---- shell commands in RUN instructions ----------------------------------

/// What joins a simple command to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    Start,
    And,
    Or,
    Seq,
    Pipe,
    /// Inside `$(…)` or `<(…)`: the output feeds the command before.
    Subst,
}

/// One simple command of a shell script: its words, quotes removed.
#[derive(Clone, Debug)]
pub struct Cmd {
    pub sep: Sep,
    pub words: Vec<String>,
}

const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "exec", "command",
];

impl Cmd {
    /// The words from the program on: leading shell keywords and
    /// `VAR=value` assignments dropped.
    pub fn invocation(&self) -> &[String] {
        let mut i = 0;
        while i < self.words.len() {
            let w = &self.words[i];
            if SHELL_KEYWORDS.contains(&w.as_str()) || is_assignment(w) {
                i += 1;
            } else {
                break;
            }
        }
        &self.words[i..]
    }

    /// Like `invocation`, with `sudo` (and its options) and `env` wrappers
    /// dropped too.
    pub fn unwrapped(&self) -> &[String] {
        let mut w = self.invocation();
        loop {
            match w.first().map(|s| base_name(s)) {
                Some("sudo") => {
                    let mut i = 1;
                    while i < w.len() && w[i].starts_with('-') {
                        if matches!(
                            w[i].as_str(),
                            "-u" | "-g" | "-C" | "-D" | "-h" | "-p" | "-r" | "-t" | "-U"
                        ) {
                            i += 1;
                        }
                        i += 1;
                    }
                    w = &w[i.min(w.len())..];
                }
                Some("env") => {
                    let mut i = 1;
                    while i < w.len() && (w[i].starts_with('-') || is_assignment(&w[i])) {
                        i += 1;
                    }
                    w = &w[i..];
                }
                _ => return w,
            }
        }
    }

    /// The program name (without its directory), after `unwrapped`.
    pub fn program(&self) -> Option<&str> {
        self.unwrapped().first().map(|s| base_name(s))
    }

    /// Whether the command is `<program> … <sub> …` with `sub` the first
    /// word that is not an option (`apt-get -y install`, `apk --no-cache add`).
    pub fn is(&self, programs: &[&str], sub: &[&str]) -> bool {
        let w = self.unwrapped();
        let Some(p) = w.first() else { return false };
        if !programs.contains(&base_name(p)) {
            return false;
        }
        if sub.is_empty() {
            return true;
        }
        w[1..]
            .iter()
            .find(|x| !x.starts_with('-'))
            .is_some_and(|x| sub.contains(&x.as_str()))
    }

    /// Whether any argument equals one of `flags` or starts with `flag=`.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.unwrapped()[1.min(self.unwrapped().len())..].iter().any(|w| {
            flags
                .iter()
                .any(|f| w == f || w.strip_prefix(f).is_some_and(|rest| rest.starts_with('=')))
        })
    }

    /// The command as text, for messages.
    pub fn text(&self) -> String {
        let s = self.unwrapped().join(" ");
        if s.chars().count() > 60 {
            format!("{}…", s.chars().take(60).collect::<String>())
        } else {
            s
        }
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// `/usr/bin/apt-get` → `apt-get`.
pub fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The options of a RUN instruction (`--mount=…`, `--network=…`).
pub fn run_flags(b: &Block) -> Vec<&str> {
    args(b).split_whitespace().take_while(|w| w.starts_with("--")).collect()
}

/// The script of a RUN instruction (its options dropped).
pub fn run_script(b: &Block) -> &str {
    let mut s = args(b).trim_start();
    while s.starts_with("--") {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        s = s[end..].trim_start();
    }
    s
}

/// The simple commands of a RUN instruction (shell or exec form).
pub fn run_commands(b: &Block) -> Vec<Cmd> {
    let s = run_script(b);
    if s.starts_with('[')
        && s.trim_end().ends_with(']')
        && let Ok(words) = serde_json::from_str::<Vec<String>>(s.trim())
    {
        // `["sh", "-c", "script"]` runs a script; anything else is one command.
        if words.len() == 3 && matches!(base_name(&words[0]), "sh" | "bash" | "ash" | "dash") && words[1] == "-c" {
            return commands(&words[2]);
        }
        return vec![Cmd { sep: Sep::Start, words }];
    }
    commands(&heredoc_scripts(s))
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// A RUN script with its heredocs resolved: the body of a heredoc that a
/// shell runs (`RUN <<EOF`, `RUN bash <<EOF`, `RUN <<EOF sh`) stays as
/// script lines; the body of one fed to another program (`cat <<EOF >
/// file`, `python3 <<EOF`) or starting with another interpreter's `#!` is
/// data, and left out.
pub fn heredoc_scripts(script: &str) -> std::borrow::Cow<'_, str> {
    if !script.contains("<<") {
        return std::borrow::Cow::Borrowed(script);
    }
    let mut out = String::new();
    // (delimiter, its body is script, the next line is the body's first)
    let mut pending: std::collections::VecDeque<(String, bool, bool)> = Default::default();
    for line in script.lines() {
        if let Some((delim, is_script, first)) = pending.front_mut() {
            let t = line.trim();
            if t == delim.as_str() {
                pending.pop_front();
                continue;
            }
            if std::mem::take(first)
                && let Some(interpreter) = t.strip_prefix("#!")
            {
                let mut words = interpreter.split_whitespace().map(base_name);
                let program = match words.next() {
                    Some("env") => words.find(|w| !w.starts_with('-')),
                    p => p,
                };
                *is_script &= program.is_some_and(|p| SHELLS.contains(&p));
            }
            if *is_script {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        for h in crate::policy::docker::heredoc_markers(line) {
            // The simple command the heredoc feeds: the marker's stretch of
            // the line between command separators.
            let before = &line[..h.range.start];
            let after = &line[h.range.end..];
            let start = ["&&", "||", ";", "|"]
                .iter()
                .filter_map(|sep| before.rfind(sep).map(|i| i + sep.len()))
                .max()
                .unwrap_or(0);
            let end = ["&&", "||", ";", "|"]
                .iter()
                .filter_map(|sep| after.find(sep))
                .min()
                .unwrap_or(after.len());
            let cmd = format!("{} {}", &before[start..], &after[..end]);
            let is_script = match commands(&cmd).first() {
                None => true,
                Some(c) => c.program().is_some_and(|p| SHELLS.contains(&p)) && !c.unwrapped().iter().any(|w| w == "-c"),
            };
            pending.push_back((h.delimiter, is_script, true));
        }
        out.push_str(line);
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

/// Split a shell script into simple commands (quotes, escapes, `&&`, `||`,
/// `;`, `|`, newlines, subshells and command substitutions; redirection
/// targets dropped). Good enough for linting, not a shell.
pub fn commands(script: &str) -> Vec<Cmd> {
    let mut lx = Lexer {
        out: Vec::new(),
        words: Vec::new(),
        word: String::new(),
        in_word: false,
        sep: Sep::Start,
        skip_next: false,
    };
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                lx.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    lx.word.push(chars[i]);
                    i += 1;
                }
            }
            '"' => {
                lx.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    lx.word.push(chars[i]);
                    i += 1;
                }
            }
            '\\' => {
                lx.in_word = true;
                if i + 1 < chars.len() {
                    i += 1;
                    if chars[i] != '\n' {
                        lx.word.push(chars[i]);
                    }
                }
            }
            ' ' | '\t' => lx.end_word(),
            '#' if !lx.in_word => {
                while i + 1 < chars.len() && chars[i + 1] != '\n' {
                    i += 1;
                }
            }
            '\n' | ';' | '(' | ')' | '`' => lx.end_cmd(Sep::Seq),
            '&' => {
                if chars.get(i + 1) == Some(&'&') {
                    i += 1;
                    lx.end_cmd(Sep::And);
                } else if chars.get(i + 1) == Some(&'>') {
                    lx.end_word();
                } else {
                    lx.end_cmd(Sep::Seq);
                }
            }
            '|' => {
                if chars.get(i + 1) == Some(&'|') {
                    i += 1;
                    lx.end_cmd(Sep::Or);
                } else {
                    lx.end_cmd(Sep::Pipe);
                }
            }
            '>' | '<' => {
                if lx.in_word && lx.word.chars().all(|c| c.is_ascii_digit()) {
                    lx.word.clear();
                    lx.in_word = false;
                }
                lx.end_word();
                while i + 1 < chars.len() && matches!(chars[i + 1], '>' | '<' | '|') {
                    i += 1;
                }
                if chars.get(i + 1) == Some(&'&') {
                    // `2>&1`, `>&-`
                    i += 1;
                    while i + 1 < chars.len() && (chars[i + 1].is_ascii_digit() || chars[i + 1] == '-') {
                        i += 1;
                    }
                } else if chars.get(i + 1) == Some(&'(') {
                    // process substitution
                    i += 1;
                    lx.end_cmd(Sep::Subst);
                } else {
                    // the redirection target
                    lx.skip_next = true;
                }
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                i += 1;
                lx.end_cmd(Sep::Subst);
            }
            _ => {
                lx.in_word = true;
                lx.word.push(c);
            }
        }
        i += 1;
    }
    lx.end_cmd(Sep::Seq);
    lx.out
}

struct Lexer {
    out: Vec<Cmd>,
    words: Vec<String>,
    word: String,
    in_word: bool,
    sep: Sep,
    skip_next: bool,
}

impl Lexer {
    fn end_word(&mut self) {
        if self.in_word {
            let w = std::mem::take(&mut self.word);
            if self.skip_next {
                self.skip_next = false;
            } else {
                self.words.push(w);
            }
            self.in_word = false;
        }
    }

    fn end_cmd(&mut self, next: Sep) {
        self.end_word();
        self.skip_next = false;
        if !self.words.is_empty() {
            self.out.push(Cmd {
                sep: self.sep,
                words: std::mem::take(&mut self.words),
            });
            self.sep = next;
        } else if self.sep == Sep::Start || next == Sep::Pipe || next == Sep::Subst {
            self.sep = next;
        }
    }
}

/// All RUN instructions of the file, each with its commands.
pub fn runs(r: &Resource) -> impl Iterator<Item = (&Block, Vec<Cmd>)> {
    r.body.blocks("run").map(|b| (b, run_commands(b)))
}

// ---- base images ----------------------------------------------------------

/// A FROM image split into (name, tag, digest); the registry port is part of
/// the name.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(c) => (&rest[..slash + c], Some(&rest[slash + c + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// The external base images of the file: FROM blocks with their image,
/// leaving out `scratch` and references to earlier stages (by alias or
/// index). Images with build-argument variables are included; callers
/// treat them as unknown.
pub fn external_froms(r: &Resource) -> Vec<(&Block, &str)> {
    let mut aliases: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (index, b) in r.body.blocks("from").enumerate() {
        if let Some(image) = b.body.get("image").str() {
            let lower = image.to_ascii_lowercase();
            let earlier = aliases.contains(&lower) || lower.parse::<usize>().is_ok_and(|n| n < index);
            if lower != "scratch" && !earlier {
                out.push((b, image));
            }
        }
        if let Some(a) = b.body.get("alias").str() {
            aliases.push(a.to_ascii_lowercase());
        }
    }
    out
}

// ---- CI pipelines ---------------------------------------------------------

/// A GitHub workflow's jobs.
pub fn gha_jobs(r: &Resource) -> Vec<&Block> {
    r.body
        .block("jobs")
        .map(|j| j.body.blocks.iter().collect())
        .unwrap_or_default()
}

/// The events that trigger a GitHub workflow (`on: push`, `on: [a, b]`,
/// `on: {a: …}`).
pub fn gha_triggers(r: &Resource) -> Vec<String> {
    if let Some(b) = r.body.block("on") {
        let mut v: Vec<String> = b.body.attrs.iter().map(|(k, _)| k.clone()).collect();
        v.extend(b.body.blocks.iter().map(|b| b.ident.clone()));
        v.dedup();
        return v;
    }
    r.get("on")
        .strs()
        .map(|v| v.into_iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// GitLab CI keywords that are not jobs.
const GITLAB_GLOBAL: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];

/// A GitLab CI file's jobs (hidden `.template` jobs included).
pub fn gitlab_jobs(r: &Resource) -> Vec<&Block> {
    r.body
        .blocks
        .iter()
        .filter(|b| !GITLAB_GLOBAL.contains(&b.ident.as_str()))
        .collect()
}

/// The script lines of a GitLab job (or `default`) body: `before_script`,
/// `script`, `after_script`, as strings with the attribute's span.
pub fn gitlab_scripts(b: &crate::policy::model::Body) -> Vec<(String, Option<crate::policy::model::Span>)> {
    let mut out = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        let g = b.get(key);
        if let Some(v) = g.val() {
            collect_strs(v, &mut |s| out.push((s.to_string(), g.span())));
        }
    }
    out
}

fn collect_strs(v: &crate::policy::terraform::value::Val, f: &mut dyn FnMut(&str)) {
    use crate::policy::terraform::value::Val;
    match v {
        Val::Str(s) => f(s),
        Val::List(l) => l.iter().for_each(|x| collect_strs(x, f)),
        _ => {}
    }
}

/// A shell command that downloads and runs a script: `curl … | sh`,
/// `wget -O- … | sudo bash`, `bash <(curl …)`, `sh -c "$(curl …)"`.
/// Returns the commands' text.
pub fn pipes_download_to_shell(cmds: &[Cmd]) -> Option<String> {
    let shell = |c: &Cmd| {
        matches!(
            c.program(),
            Some("sh" | "bash" | "zsh" | "dash" | "ash" | "ksh" | "python" | "python3" | "perl" | "ruby" | "node")
        )
    };
    let download = |c: &Cmd| matches!(c.program(), Some("curl" | "wget"));
    for w in cmds.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.sep == Sep::Pipe && download(a) && shell(b) {
            return Some(format!("{} | {}", a.text(), b.text()));
        }
        if b.sep == Sep::Subst && shell(a) && download(b) {
            return Some(format!("{} <({})", a.text(), b.text()));
        }
    }
    for c in cmds.iter().filter(|c| shell(c)) {
        let fetches = c.unwrapped().iter().any(|w| {
            let w = w.trim_start_matches(['$', '(', '`', '<']);
            w.starts_with("curl ") || w.starts_with("wget ")
        });
        if fetches && c.unwrapped().iter().any(|w| w.contains("$(") || w.contains('`')) {
            return Some(c.text());
        }
    }
    None
}

// ---- ADD / COPY -------------------------------------------------------------

/// An ADD or COPY instruction's options and sources (the destination
/// dropped); shell and JSON forms.
pub fn add_sources(b: &Block) -> (Vec<String>, Vec<String>) {
    let a = args(b).lines().next().unwrap_or("").trim();
    let mut flags = Vec::new();
    let mut rest = a;
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        flags.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    let mut words: Vec<String> = if rest.starts_with('[') {
        serde_json::from_str::<Vec<String>>(rest).unwrap_or_default()
    } else {
        rest.split_whitespace().map(str::to_string).collect()
    };
    words.pop();
    words.retain(|w| !w.starts_with("<<"));
    (flags, words)
}

/// Whether an ADD source is fetched over the network.
pub fn is_remote_source(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("git@") || l.starts_with("git://")
}

// ---- ENV / ARG ------------------------------------------------------------

/// The `NAME=value` pairs of an ENV or ARG instruction (quotes removed);
/// `ENV NAME value` (the legacy form) when `legacy` allows it. A name
/// without a value has `None`.
pub fn env_pairs(text: &str, legacy: bool) -> Vec<(String, Option<String>)> {
    let text = text.trim();
    let first = text.split_whitespace().next().unwrap_or("");
    if legacy && !first.contains('=') {
        let value = text[first.len()..].trim();
        if value.is_empty() {
            return vec![(first.to_string(), None)];
        }
        let v = value.trim_matches('"').trim_matches('\'').to_string();
        return vec![(first.to_string(), Some(v))];
    }
    commands(text)
        .into_iter()
        .flat_map(|c| c.words)
        .map(|w| match w.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// The positional arguments after the subcommand `sub` of a package
/// manager command (options dropped, and the values of `takes_value`
/// options).
pub fn package_args<'c>(c: &'c Cmd, sub: &str, takes_value: &[&str]) -> Vec<&'c str> {
    let w = c.unwrapped();
    let mut out = Vec::new();
    let mut seen_sub = false;
    let mut i = 1;
    while i < w.len() {
        let x = w[i].as_str();
        if x.starts_with('-') {
            if takes_value.contains(&x) {
                i += 1;
            }
        } else if !seen_sub {
            seen_sub = x == sub;
        } else {
            out.push(x);
        }
        i += 1;
    }
    out
}

/// The arguments of a `pip install` (`pip3 install`, `python -m pip
/// install`), after `install`.
pub fn pip_install_args(c: &Cmd) -> Option<&[String]> {
    let w = c.unwrapped();
    let is_pip = |s: &str| {
        s.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let rest = match w.first().map(|s| base_name(s)) {
        Some(p) if is_pip(p) => &w[1..],
        Some(p)
            if p.starts_with("python")
                && w.get(1).map(String::as_str) == Some("-m")
                && w.get(2).is_some_and(|m| is_pip(m)) =>
        {
            &w[3..]
        }
        _ => return None,
    };
    let i = rest.iter().position(|x| !x.starts_with('-'))?;
    (rest[i] == "install").then(|| &rest[i + 1..])
}

/// The steps of a GitHub workflow job.
pub fn gha_steps(job: &Block) -> impl Iterator<Item = &Block> {
    job.body.blocks("steps")
}

/// The `${{ … }}` expressions of a text, their inner text trimmed.
pub fn gha_expressions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let after = &rest[i + 3..];
        match after.find("}}") {
            Some(j) => {
                out.push(after[..j].trim());
                rest = &after[j + 2..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{commands, heredoc_scripts};

    fn programs(script: &str) -> Vec<String> {
        commands(&heredoc_scripts(script))
            .iter()
            .filter_map(|c| c.program().map(str::to_string))
            .collect()
    }

    #[test]
    fn heredocs_a_shell_runs_are_script_and_others_are_data() {
        assert_eq!(programs("<<EOF\nset -e\ncurl -fsSL x | sh\nEOF"), ["set", "curl", "sh"]);
        assert_eq!(programs("bash <<-'EOF'\napt-get update\nEOF"), ["bash", "apt-get"]);
        assert_eq!(
            programs("<<EOF sh\napt-get update\nEOF\necho done"),
            ["sh", "apt-get", "echo"]
        );
        assert_eq!(
            programs("cat <<EOF > /etc/x && chmod 600 /etc/x\ncurl x | sh\nEOF"),
            ["cat", "chmod"]
        );
        assert_eq!(programs("python3 <<EOF\nimport os\nEOF"), ["python3"]);
        assert_eq!(
            programs("<<EOF\n#!/usr/bin/env python3\nimport os\nEOF"),
            Vec::<String>::new()
        );
        assert_eq!(programs("<<EOF\n#!/bin/bash\napt-get update\nEOF"), ["apt-get"]);
        assert_eq!(
            programs("<<ONE cat > /a && <<TWO bash\nrm -rf /\nONE\ncurl x\nTWO"),
            ["cat", "bash", "curl"]
        );
        assert_eq!(programs("echo \"a << b\" && true"), ["echo", "true"]);
    }
}
