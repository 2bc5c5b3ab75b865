//! Dockerfiles (and Containerfiles) to the scanner's model: one resource
//! per file, kind `dockerfile`, with a block per instruction in order.
//!
//! Each block's ident is the instruction in lower case (`from`, `run`,
//! `user`, …), its labels hold the stage index, and its attributes are
//! `args` (the instruction's text after the keyword, continuation lines
//! joined, heredoc bodies included) and, for `from`, `image` and `alias`.
//! Parsing is parse-dockerfile's (multi-stage builds, parser directives).
//! It knows a heredoc only at the start of a RUN (`RUN <<EOF`), so heredoc
//! bodies are found here (`RUN <<EOF`, `RUN bash <<EOF`,
//! `RUN cat <<EOF > file`, `COPY <<EOF /dst`, several per instruction) and
//! blanked in the text the parser reads; the instruction's `args` keep
//! them.

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
    let for_parser =
        blank_heredocs(text).map_err(|(msg, line)| (format!("Dockerfile syntax error: {msg}"), line, 1))?;
    let df = parse_dockerfile::parse(&for_parser).map_err(|e| {
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

/// The instruction's text: comment lines dropped (a `#!` line is kept: it
/// may start a heredoc script), `\` continuations joined, heredoc bodies
/// kept on their own lines.
fn join_lines(raw: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let t = line.trim();
        if (t.starts_with('#') && !t.starts_with("#!")) || t.is_empty() {
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

/// A heredoc marker in an instruction line: `<<EOF`, `<<-EOF` (leading
/// tabs stripped from the body), `<<"EOF"` / `<<'EOF'`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The marker's bytes in the line.
    pub range: std::ops::Range<usize>,
    pub delimiter: String,
    pub strip_tabs: bool,
}

/// The heredoc markers of one line, outside quotes (`<<<` is a here-string,
/// `1<<2` arithmetic: neither is a heredoc).
pub fn heredoc_markers(line: &str) -> Vec<Heredoc> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            None if c == b'\'' || c == b'"' => {
                quote = Some(c);
                i += 1;
                continue;
            }
            None if c == b'\\' => {
                i += 2;
                continue;
            }
            None => {}
        }
        // `<<` inside `$(( … ))` is a shift, not a heredoc.
        let in_arithmetic = || line[..i].matches("$((").count() > line[..i].matches("))").count();
        if c != b'<'
            || b.get(i + 1) != Some(&b'<')
            || b.get(i + 2) == Some(&b'<')
            || (i > 0 && b[i - 1] == b'<')
            || in_arithmetic()
        {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 2;
        let strip_tabs = b.get(j) == Some(&b'-');
        if strip_tabs {
            j += 1;
        }
        let open = b.get(j).copied().filter(|q| *q == b'"' || *q == b'\'');
        if open.is_some() {
            j += 1;
        }
        let word_start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-' || b[j] == b'.') {
            j += 1;
        }
        let word = &line[word_start..j];
        let closed = match open {
            Some(q) if b.get(j) == Some(&q) => {
                j += 1;
                true
            }
            Some(_) => false,
            None => true,
        };
        if closed && !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(Heredoc {
                range: start..j,
                delimiter: word.to_string(),
                strip_tabs,
            });
        }
        i = j.max(i + 2);
    }
    out
}

/// `text` as parse-dockerfile should read it: every heredoc body and its
/// closing line blanked (same length, newlines kept, so offsets and lines
/// stay), its marker replaced by a plain word. Borrowed when there is no
/// heredoc. An unclosed heredoc is an error at its marker's line.
fn blank_heredocs(text: &str) -> Result<std::borrow::Cow<'_, str>, (String, u32)> {
    // The escape character of line continuations (`# escape=` directive).
    let mut escape = '\\';
    for line in text.lines() {
        let Some(d) = line.trim().strip_prefix('#') else { break };
        match d.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("escape") => {
                escape = v.trim().chars().next().unwrap_or('\\');
            }
            Some((k, _)) if k.trim().eq_ignore_ascii_case("syntax") || k.trim().eq_ignore_ascii_case("check") => {}
            _ => break,
        }
    }
    let mut out: Option<Vec<u8>> = None;
    let mut pending: std::collections::VecDeque<(Heredoc, u32)> = Default::default();
    let mut keyword = String::new();
    let mut continuing = false;
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let here = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if !continuing && let Some((h, _)) = pending.front() {
            // A body line, or the line that closes the heredoc.
            let closing = if h.strip_tabs {
                content.trim_start_matches('\t')
            } else {
                content
            };
            if closing == h.delimiter {
                pending.pop_front();
            }
            let buf = out.get_or_insert_with(|| text.as_bytes().to_vec());
            for b in &mut buf[here..here + content.len()] {
                *b = b' ';
            }
            continue;
        }
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !continuing {
            keyword = trimmed
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
        }
        continuing = trimmed.trim_end().ends_with(escape);
        if !matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            continue;
        }
        for h in heredoc_markers(content) {
            let buf = out.get_or_insert_with(|| text.as_bytes().to_vec());
            let at = here + h.range.start;
            buf[at] = b'_';
            for b in &mut buf[at + 1..here + h.range.end] {
                *b = b' ';
            }
            pending.push_back((h, n as u32 + 1));
        }
    }
    if let Some((h, line)) = pending.front() {
        return Err((
            format!(
                "heredoc <<{} is not closed: no line `{}` ends it",
                h.delimiter, h.delimiter
            ),
            *line,
        ));
    }
    Ok(match out {
        // Only ASCII bytes replaced ASCII or whole lines: still UTF-8.
        Some(buf) => std::borrow::Cow::Owned(String::from_utf8(buf).map_err(|e| (e.to_string(), 1))?),
        None => std::borrow::Cow::Borrowed(text),
    })
}

#[cfg(test)]
mod tests {
    use super::{Heredoc, blank_heredocs, heredoc_markers};

    #[test]
    fn heredoc_markers_are_found_outside_quotes() {
        let m = |l: &str| -> Vec<String> { heredoc_markers(l).into_iter().map(|h| h.delimiter).collect() };
        assert!(m("echo $((a<<b))").is_empty(), "arithmetic is not a heredoc");
        assert!(m("echo $((1<<2))").is_empty());
        assert_eq!(m("cat 0<<EOF"), ["EOF"]);
        assert_eq!(m("true;cat<<EOF"), ["EOF"]);
        assert_eq!(m("<<EOF"), ["EOF"]);
        assert_eq!(m("cat <<-'END' > /etc/x && <<\"TWO\" tee y"), ["END", "TWO"]);
        assert_eq!(
            heredoc_markers("bash <<-EOF")[0],
            Heredoc {
                range: 5..11,
                delimiter: "EOF".into(),
                strip_tabs: true
            }
        );
        assert!(m("cat <<< \"here-string\"").is_empty());
        assert!(m("echo \"<<EOF\" '<<X'").is_empty());
        assert!(m("echo $((1<<2))").is_empty());
        assert!(m("cat <<'EOF").is_empty(), "unclosed quote");
    }

    #[test]
    fn odd_heredoc_text_does_not_panic() {
        for text in [
            "RUN <<",
            "RUN <<-",
            "RUN <<'",
            "RUN <<\"\"",
            "RUN <<\\",
            "RUN é <<É\né\nÉ\n",
            "RUN ééé <<EOF\nété\nEOF",
            "RUN a \\\n<<EOF\nx\nEOF",
            "RUN \"a <<EOF",
            "# escape=`\nRUN a `\n  <<EOF\nx\nEOF\n",
            "COPY <<A <<B /dst/\na\nA\nb\nB\n",
        ] {
            if let Ok(t) = blank_heredocs(text) {
                assert_eq!(t.len(), text.len(), "{text:?}");
            }
            for line in text.lines() {
                let _ = heredoc_markers(line);
            }
        }
    }

    #[test]
    fn heredoc_bodies_are_blanked_for_the_parser_with_offsets_kept() {
        let text = "FROM debian:12\nRUN python3 <<EOF\nprint('hi')\nEOF\nCOPY <<-X /etc/motd\n\thello\n\tX\nUSER app\n";
        let blanked = blank_heredocs(text).unwrap();
        assert_eq!(blanked.len(), text.len());
        assert_eq!(
            blanked.lines().collect::<Vec<_>>(),
            [
                "FROM debian:12",
                "RUN python3 _    ",
                "           ",
                "   ",
                "COPY _    /etc/motd",
                "      ",
                "  ",
                "USER app"
            ]
        );
        assert!(matches!(
            blank_heredocs("FROM a\nRUN true\n").unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
        // A continuation line: the body starts after the instruction ends.
        let text = "FROM a\nRUN cat <<EOF \\\n  > /x\nbody\nEOF\n";
        assert_eq!(blank_heredocs(text).unwrap().lines().nth(3), Some("    "));
        assert_eq!(
            blank_heredocs("FROM a\nRUN <<EOF\necho\n").unwrap_err(),
            ("heredoc <<EOF is not closed: no line `EOF` ends it".to_string(), 2)
        );
    }
}
