//! Dockerfiles (and Containerfiles) to the scanner's model: one resource
//! per file, kind `dockerfile`, with a block per instruction in order.
//!
//! Each block's ident is the instruction in lower case (`from`, `run`,
//! `user`, …), its labels hold the stage index, and its attributes are
//! `args` (the instruction's text after the keyword, continuation lines
//! joined, heredoc bodies included) and, for `from`, `image` and `alias`.
//! Parsing is parse-dockerfile's (heredocs, multi-stage builds, parser
//! directives).

use super::SourceFile;
use super::model::{Attr, Block, Body, Resource, Span};
use super::terraform::value::Val;

/// Whether a file name is a Dockerfile.
pub fn is_dockerfile(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// Instructions Docker knows; anything else is reported by the parser.
pub fn parse(file: &SourceFile) -> Result<Resource, (String, u32, u32)> {
    let text = &file.text;
    let df = parse_dockerfile::parse(text).map_err(|e| {
        // "{msg} at line L column C"; the crate's column is not a column,
        // so the error points at the line.
        let line = line_in(&e.to_string()).unwrap_or(1);
        (format!("Dockerfile syntax error: {e:#}"), line, 1)
    })?;
    let mut starts: Vec<(usize, usize)> = df
        .instructions
        .iter()
        .map(|i| {
            let kw = keyword_span(i);
            (kw.start, kw.end)
        })
        .collect();
    starts.sort_unstable();
    let mut body = Body::default();
    let mut stage = -1i64;
    for (n, (start, kw_end)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(text.len(), |s| s.0);
        let keyword = text[*start..*kw_end].to_ascii_lowercase();
        let raw = &text[*kw_end..end];
        let args = join_lines(raw);
        if keyword == "from" {
            stage += 1;
        }
        let last_line_end = *start + text[*start..end].trim_end().len();
        let span = file.span(*start..last_line_end);
        let mut b = Body::default();
        b.attrs.push((
            "args".into(),
            Attr {
                value: Val::Str(args.clone()),
                span,
                refs: Vec::new(),
            },
        ));
        if keyword == "from" {
            let words: Vec<&str> = args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
            if let Some(image) = words.first() {
                b.attrs.push((
                    "image".into(),
                    Attr {
                        value: Val::Str(image.to_string()),
                        span,
                        refs: Vec::new(),
                    },
                ));
            }
            if words.len() >= 3 && words[1].eq_ignore_ascii_case("as") {
                b.attrs.push((
                    "alias".into(),
                    Attr {
                        value: Val::Str(words[2].to_string()),
                        span,
                        refs: Vec::new(),
                    },
                ));
            }
        }
        body.blocks.push(Block {
            ident: keyword,
            labels: vec![stage.max(0).to_string()],
            body: b,
            span,
        });
    }
    let whole = file.span(0..text.trim_end().len());
    let name = file.path.rsplit('/').next().unwrap_or(&file.path).to_string();
    Ok(Resource {
        kind: "dockerfile".into(),
        name: name.clone(),
        address: file.path.clone(),
        base: file.path.clone(),
        span: Span {
            end_line: whole.end_line,
            end_col: whole.end_col,
            ..file.span(0..0)
        },
        body,
        via: Vec::new(),
    })
}

fn keyword_span(i: &parse_dockerfile::Instruction<'_>) -> std::ops::Range<usize> {
    use parse_dockerfile::Instruction as I;
    match i {
        I::Add(x) => x.add.span.clone(),
        I::Arg(x) => x.arg.span.clone(),
        I::Cmd(x) => x.cmd.span.clone(),
        I::Copy(x) => x.copy.span.clone(),
        I::Entrypoint(x) => x.entrypoint.span.clone(),
        I::Env(x) => x.env.span.clone(),
        I::Expose(x) => x.expose.span.clone(),
        I::From(x) => x.from.span.clone(),
        I::Healthcheck(x) => x.healthcheck.span.clone(),
        I::Label(x) => x.label.span.clone(),
        I::Maintainer(x) => x.maintainer.span.clone(),
        I::Onbuild(x) => x.onbuild.span.clone(),
        I::Run(x) => x.run.span.clone(),
        I::Shell(x) => x.shell.span.clone(),
        I::Stopsignal(x) => x.stopsignal.span.clone(),
        I::User(x) => x.user.span.clone(),
        I::Volume(x) => x.volume.span.clone(),
        I::Workdir(x) => x.workdir.span.clone(),
        _ => 0..0,
    }
}

/// The instruction's text: comment lines dropped, `\` continuations joined,
/// heredoc bodies kept on their own lines.
fn join_lines(raw: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(cont) => {
                out.push_str(cont.trim_end());
                out.push(' ');
            }
            None => {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    out.trim().to_string()
}

fn line_in(msg: &str) -> Option<u32> {
    let at = msg.rfind(" at line ")?;
    msg[at + 9..].split_whitespace().next()?.parse().ok()
}
