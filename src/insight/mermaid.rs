//! The Mermaid we emit (flowcharts only) and a checker for it: every
//! diagram `lockgate docs` writes is checked before it is written, and the
//! tests run the checker over the output. It accepts the subset we emit
//! and rejects anything else, so an unescaped label or a dangling edge
//! cannot reach a document.

use std::collections::BTreeSet;

/// A Mermaid-safe node id: letters, digits and `_`, prefixed by a kind;
/// a name that had to be changed gets a short hash, so `web-1` and
/// `web_1` stay two nodes.
pub fn id(kind: &str, name: &str) -> String {
    let body: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if body == name {
        format!("{kind}_{body}")
    } else {
        use sha2::Digest as _;
        let h = hex::encode(&sha2::Sha256::digest(name.as_bytes())[..3]);
        format!("{kind}_{body}_{h}")
    }
}

/// A label inside double quotes: quotes and angle brackets as entities,
/// no line breaks.
pub fn label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '|' => out.push_str("#124;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A flowchart under construction.
pub struct Flowchart {
    dir: &'static str,
    lines: Vec<String>,
}

impl Flowchart {
    pub fn new(dir: &'static str) -> Self {
        Flowchart { dir, lines: Vec::new() }
    }

    /// `id["label"]` (shape `box`), `id(["label"])` (`stadium`), `id{{"label"}}` (`hex`).
    pub fn node(&mut self, id: &str, text: &str, shape: &str) {
        let l = label(text);
        self.lines.push(match shape {
            "stadium" => format!("    {id}([\"{l}\"])"),
            "hex" => format!("    {id}{{{{\"{l}\"}}}}"),
            _ => format!("    {id}[\"{l}\"]"),
        });
    }

    pub fn edge(&mut self, from: &str, to: &str, text: Option<&str>) {
        self.lines.push(match text {
            Some(t) => format!("    {from} -->|\"{}\"| {to}", label(t)),
            None => format!("    {from} --> {to}"),
        });
    }

    pub fn dotted(&mut self, from: &str, to: &str, text: &str) {
        self.lines.push(format!("    {from} -.->|\"{}\"| {to}", label(text)));
    }

    pub fn subgraph(&mut self, id: &str, text: &str) {
        self.lines.push(format!("    subgraph {id}[\"{}\"]", label(text)));
    }

    pub fn end(&mut self) {
        self.lines.push("    end".into());
    }

    /// The fenced block.
    pub fn render(&self) -> String {
        let mut s = format!("```mermaid\nflowchart {}\n", self.dir);
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s.push_str("```\n");
        s
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A quoted label as we write it: no raw quote inside.
fn quoted(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

/// Parses a node definition `id["…"]`, `id(["…"])`, `id{{"…"}}`; the id.
fn node_def(s: &str) -> Option<&str> {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (id, rest) = s.split_at(end);
    if !is_id(id) {
        return None;
    }
    let inner = [("([", "])"), ("{{", "}}"), ("[", "]")]
        .iter()
        .find_map(|(open, close)| rest.strip_prefix(open)?.strip_suffix(close))?;
    quoted(inner)?;
    Some(id)
}

/// Checks one diagram's text (without the fence). Errors name the line.
pub fn check(diagram: &str) -> Result<(), String> {
    let mut lines = diagram.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, head)) = lines.next() else {
        return Err("empty diagram".into());
    };
    let dir = head.trim().strip_prefix("flowchart ").ok_or("not a flowchart")?;
    if !matches!(dir, "LR" | "TD" | "TB" | "RL" | "BT") {
        return Err(format!("unknown direction `{dir}`"));
    }
    let mut defined = BTreeSet::new();
    let mut used = Vec::new();
    let mut depth = 0usize;
    for (n, raw) in lines {
        let line = raw.trim();
        let at = |m: &str| format!("line {}: {m}: {line}", n + 1);
        if line == "end" {
            depth = depth.checked_sub(1).ok_or_else(|| at("`end` without `subgraph`"))?;
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let id = node_def(rest).ok_or_else(|| at("bad subgraph"))?;
            defined.insert(id.to_string());
            depth += 1;
            continue;
        }
        let edge = [" -->|", " -.->|"].iter().find_map(|arrow| {
            let (from, rest) = line.split_once(arrow)?;
            let (text, to) = rest.split_once("| ")?;
            Some((from, Some(text), to))
        });
        let edge = edge.or_else(|| line.split_once(" --> ").map(|(a, b)| (a, None, b)));
        if let Some((from, text, to)) = edge {
            if !is_id(from) || !is_id(to) {
                return Err(at("edge between unknown ids"));
            }
            if let Some(t) = text {
                quoted(t).ok_or_else(|| at("edge label must be one quoted string"))?;
            }
            used.push((n + 1, from.to_string(), to.to_string()));
            continue;
        }
        let id = node_def(line).ok_or_else(|| at("not a node, edge or subgraph"))?;
        if !defined.insert(id.to_string()) {
            return Err(at("node defined twice"));
        }
    }
    if depth != 0 {
        return Err("unclosed subgraph".into());
    }
    for (n, a, b) in used {
        for x in [&a, &b] {
            if !defined.contains(x.as_str()) {
                return Err(format!("line {n}: edge to undefined node `{x}`"));
            }
        }
    }
    Ok(())
}

/// Every ```mermaid block of a Markdown text.
pub fn blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in markdown.lines() {
        match (&mut cur, line) {
            (None, "```mermaid") => cur = Some(String::new()),
            (Some(_), "```") => out.push(cur.take().unwrap_or_default()),
            (Some(c), l) => {
                c.push_str(l);
                c.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_we_emit_checks() {
        let mut f = Flowchart::new("LR");
        f.subgraph("sg_x", "group \"a\"");
        f.node("a", "A <b>", "box");
        f.node("b", "B", "stadium");
        f.end();
        f.node("c", "C", "hex");
        f.edge("a", "b", Some("needs \"x\""));
        f.edge("b", "c", None);
        f.dotted("c", "a", "back");
        let text = f.render();
        let blocks = blocks(&text);
        assert_eq!(blocks.len(), 1);
        check(&blocks[0]).unwrap();
    }

    #[test]
    fn mistakes_are_caught() {
        for (bad, why) in [
            ("flowchart XX\n", "direction"),
            ("graph LR\n", "not a flowchart"),
            ("flowchart LR\n    a[\"x\"] \n    a --> b\n", "undefined"),
            ("flowchart LR\n    a[\"x\"y\"]\n", "not a node"),
            ("flowchart LR\n    subgraph s[\"x\"]\n", "unclosed"),
            ("flowchart LR\n    end\n", "without"),
            ("flowchart LR\n    a[\"x\"]\n    a[\"y\"]\n", "twice"),
            ("flowchart LR\n    a-b[\"x\"]\n", "not a node"),
            ("flowchart LR\n    a[\"x\"]\n    a -->|x| a\n", "quoted"),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }

    proptest::proptest! {
        /// Any name and label survive: ids are safe, labels never break out.
        #[test]
        fn any_text_makes_a_valid_diagram(a in ".{0,40}", b in ".{0,40}", l in ".{0,80}") {
            let mut f = Flowchart::new("TD");
            let (ia, ib) = (id("n", &a), id("m", &b));
            f.node(&ia, &a, "box");
            f.node(&ib, &l, "stadium");
            f.edge(&ia, &ib, Some(&l));
            let text = f.render();
            let bl = blocks(&text);
            proptest::prop_assert_eq!(bl.len(), 1);
            proptest::prop_assert!(check(&bl[0]).is_ok(), "{}", text);
        }
    }
}
