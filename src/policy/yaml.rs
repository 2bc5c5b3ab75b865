//! YAML documents to the scanner's model, with a position on every node.
//!
//! Mappings become blocks (a key whose value is a mapping is a nested block;
//! a sequence of mappings is several blocks of that name), scalars and
//! sequences of scalars become attributes. Plain scalars are typed the YAML
//! 1.2 core-schema way (`true`, `3`, `null`); quoted ones stay strings.
//! Aliases are resolved. Each `---` document is parsed on its own, so one
//! broken document does not hide the others.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};

use super::model::{Attr, Block, Body, Span};
use super::terraform::value::Val;

#[derive(Clone, Debug)]
pub enum Node {
    Map(Vec<(String, Span, Node)>, Span),
    Seq(Vec<Node>, Span),
    Scalar(Val, Span),
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Map(_, s) | Node::Seq(_, s) | Node::Scalar(_, s) => *s,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m, _) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar(Val::Str(s), _) => Some(s),
            _ => None,
        }
    }

    /// The node as a plain value (positions dropped).
    pub fn to_val(&self) -> Val {
        match self {
            Node::Scalar(v, _) => v.clone(),
            Node::Seq(items, _) => Val::List(items.iter().map(Node::to_val).collect()),
            Node::Map(m, _) => Val::Map(m.iter().map(|(k, _, v)| (k.clone(), v.to_val())).collect()),
        }
    }

    /// A mapping as a model body (see the module doc).
    pub fn to_body(&self) -> Body {
        let mut body = Body::default();
        let Node::Map(entries, _) = self else { return body };
        for (key, key_span, value) in entries {
            match value {
                Node::Map(_, s) => body.blocks.push(Block {
                    ident: key.clone(),
                    labels: Vec::new(),
                    body: value.to_body(),
                    span: span_from(*key_span, *s),
                }),
                Node::Seq(items, s) if !items.is_empty() && items.iter().all(|i| matches!(i, Node::Map(..))) => {
                    // Keep the list too, so `get("containers")` sees it.
                    body.attrs.push((
                        key.clone(),
                        Attr {
                            value: value.to_val(),
                            span: span_from(*key_span, *s),
                            refs: Vec::new(),
                        },
                    ));
                    for item in items {
                        body.blocks.push(Block {
                            ident: key.clone(),
                            labels: Vec::new(),
                            body: item.to_body(),
                            span: item.span(),
                        });
                    }
                }
                other => body.attrs.push((
                    key.clone(),
                    Attr {
                        value: other.to_val(),
                        span: span_from(*key_span, other.span()),
                        refs: Vec::new(),
                    },
                )),
            }
        }
        body
    }
}

fn span_from(start: Span, end: Span) -> Span {
    Span {
        file: start.file,
        line: start.line,
        col: start.col,
        end_line: end.end_line,
        end_col: end.end_col,
    }
}

/// One parsed document, or the error that stopped it.
pub type Doc = Result<Option<Node>, (String, u32, u32)>;

/// Parse every `---` document of `text` (file id `file`).
pub fn parse_stream(text: &str, file: u32) -> Vec<Doc> {
    let mut docs = Vec::new();
    for (start_line, chunk) in split_documents(text) {
        docs.push(parse_one(chunk, file, start_line));
    }
    docs
}

/// Documents by `---` lines: (0-based first line, text).
fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0u32;
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim_end();
        if (t == "---" || t.starts_with("--- ")) && offset > start {
            out.push((start_line, &text[start..offset]));
            start = offset;
            start_line = i as u32;
        }
        offset += line.len();
    }
    if start < text.len() {
        out.push((start_line, &text[start..]));
    }
    out
}

fn parse_one(text: &str, file: u32, line0: u32) -> Doc {
    let pos = |m: granit_parser::Marker| (m.line() as u32 + line0, m.col() as u32 + 1);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    for next in Parser::new_from_str(text) {
        let (event, span) = next.map_err(|e| {
            let m = e.marker();
            let (l, c) = pos(*m);
            (format!("YAML syntax error: {}", e.info()), l, c)
        })?;
        let (l, c) = pos(span.start);
        let (el, ec) = pos(span.end);
        let here = Span {
            file,
            line: l,
            col: c,
            end_line: el,
            end_col: ec,
        };
        let node = match event {
            Event::Scalar(v, style, anchor, _) => {
                let val = if style == ScalarStyle::Plain {
                    typed(&v)
                } else {
                    Val::Str(v.into_owned())
                };
                Some((Node::Scalar(val, here), anchor))
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((n, size)) => {
                    // Count what the alias expands to before copying it.
                    nodes += size;
                    if nodes > MAX_NODES {
                        return Err((
                            format!("document expands to more than {MAX_NODES} nodes (alias bomb?)"),
                            l,
                            c,
                        ));
                    }
                    Some((n.clone(), 0))
                }
                None => Some((Node::Scalar(Val::Null, here), 0)),
            },
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), here, anchor));
                None
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map(Vec::new(), None, here, anchor));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, s, anchor)) => Some((Node::Seq(items, span_from(s, here)), anchor)),
                _ => None,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, s, anchor)) => Some((Node::Map(entries, span_from(s, here)), anchor)),
                _ => None,
            },
            _ => None,
        };
        let Some((node, anchor)) = node else { continue };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err((format!("document has more than {MAX_NODES} nodes"), l, c));
        }
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), size(&node)));
        }
        match stack.last_mut() {
            Some(Frame::Seq(items, _, _)) => items.push(node),
            Some(Frame::Map(entries, key, _, _)) => match key.take() {
                None => {
                    let k = match &node {
                        Node::Scalar(v, _) => v.to_string_lossy().unwrap_or_else(|| "null".into()),
                        _ => "<complex key>".into(),
                    };
                    *key = Some((k, node.span()));
                }
                Some((k, ks)) => entries.push((k, ks, node)),
            },
            None => root = Some(node),
        }
    }
    Ok(root)
}

fn size(n: &Node) -> usize {
    match n {
        Node::Scalar(..) => 1,
        Node::Seq(items, _) => 1 + items.iter().map(size).sum::<usize>(),
        Node::Map(m, _) => 1 + m.iter().map(|(_, _, v)| 1 + size(v)).sum::<usize>(),
    }
}

/// Aliases can blow a small file up exponentially ("billion laughs").
const MAX_NODES: usize = 200_000;

enum Frame {
    Seq(Vec<Node>, Span, usize),
    Map(Vec<(String, Span, Node)>, Option<(String, Span)>, Span, usize),
}

/// YAML 1.2 core schema for plain scalars.
fn typed(s: &str) -> Val {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Val::Null,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        _ => {
            let looks_numeric = s
                .trim_start_matches(['-', '+'])
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.');
            match s.parse::<f64>() {
                Ok(n) if looks_numeric && !s.contains('_') => Val::Num(n),
                _ => Val::Str(s.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_blocks_attributes_and_positions() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n      securityContext:\n        privileged: true\n---\nkind: [broken\n---\nkind: Service\nport: '80'\nnumber: 80\n";
        let docs = parse_stream(text, 0);
        assert_eq!(docs.len(), 3);
        let pod = docs[0].as_ref().unwrap().as_ref().unwrap().to_body();
        assert_eq!(pod.get("kind").str(), Some("Pod"));
        let c = pod.block("spec").unwrap().body.blocks("containers").next().unwrap();
        let p = c.body.get("securityContext.privileged");
        assert_eq!(p.bool(), Some(true));
        assert_eq!((p.span().unwrap().line, p.span().unwrap().col), (10, 9));
        let (msg, line, _) = docs[1].as_ref().unwrap_err();
        assert!(msg.starts_with("YAML syntax error"), "{msg}");
        assert!(*line >= 12, "{line}");
        let svc = docs[2].as_ref().unwrap().as_ref().unwrap().to_body();
        assert_eq!(svc.get("port").str(), Some("80"));
        assert_eq!(svc.get("number").num(), Some(80.0));
    }

    #[test]
    fn aliases_resolve_and_bombs_are_refused() {
        let docs = parse_stream("base: &b {cpu: 1}\nother: *b\n", 0);
        let body = docs[0].as_ref().unwrap().as_ref().unwrap().to_body();
        assert_eq!(body.get("other.cpu").num(), Some(1.0));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        assert!(parse_stream(&bomb, 0)[0].is_err());
    }
}
