//! What rules see: resources with evaluated attributes, nested blocks and
//! exact source spans, independent of the file format they came from.

use super::terraform::value::Val;

/// A place in a scanned file (1-based line and column, columns in
/// characters). `file` indexes the scan's file table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: u32,
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    /// One position, `line:col`, in file `file`.
    pub fn point(file: u32, line: u32, col: u32) -> Span {
        Span {
            file,
            line,
            col,
            end_line: line,
            end_col: col,
        }
    }
}

/// Byte offsets to line/column.
#[derive(Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// (line, column), both 1-based; the column counts characters.
    pub fn pos(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line as u32, col as u32)
    }

    pub fn span(&self, file: u32, text: &str, range: std::ops::Range<usize>) -> Span {
        let (line, col) = self.pos(text, range.start);
        let (end_line, end_col) = self.pos(text, range.end);
        Span {
            file,
            line,
            col,
            end_line,
            end_col,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub value: Val,
    pub span: Span,
    /// Addresses of the resources the expression refers to.
    pub refs: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attrs: Vec<(String, Attr)>,
    pub blocks: Vec<Block>,
}

/// A looked-up setting: absent, present but unknown until apply, or known.
#[derive(Clone, Copy, Debug)]
pub enum Get<'a> {
    Missing,
    Unknown(Span),
    Val(&'a Val, Span),
}

impl<'a> Get<'a> {
    pub fn span(&self) -> Option<Span> {
        match self {
            Get::Missing => None,
            Get::Unknown(s) | Get::Val(_, s) => Some(*s),
        }
    }
    pub fn is_missing(&self) -> bool {
        matches!(self, Get::Missing | Get::Val(Val::Null, _))
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Get::Unknown(_))
    }
    pub fn val(&self) -> Option<&'a Val> {
        match self {
            Get::Val(v, _) => Some(v),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        self.val().and_then(Val::as_bool)
    }
    pub fn str(&self) -> Option<&'a str> {
        self.val().and_then(Val::as_str)
    }
    pub fn num(&self) -> Option<f64> {
        self.val().and_then(Val::as_num)
    }
    /// Strings of a list (or the single string), when fully known.
    pub fn strs(&self) -> Option<Vec<&'a str>> {
        match self.val()? {
            Val::List(l) => l.iter().map(Val::as_str).collect(),
            Val::Str(s) => Some(vec![s.as_str()]),
            _ => None,
        }
    }
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    pub fn blocks<'b>(&'b self, ident: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    pub fn block(&self, ident: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.ident == ident)
    }

    /// Look up a dotted path through attributes, nested blocks (the first
    /// block of a name) and object values: `versioning.enabled`,
    /// `server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm`.
    pub fn get(&self, path: &str) -> Get<'_> {
        let mut parts = path.split('.');
        let Some(first) = parts.next() else { return Get::Missing };
        let rest: Vec<&str> = parts.collect();
        if let Some(a) = self.attr(first) {
            let mut v = &a.value;
            for p in &rest {
                match v {
                    Val::Map(m) => match m.get(*p) {
                        Some(x) => v = x,
                        None => return Get::Missing,
                    },
                    // A list of one object (block given as attribute).
                    Val::List(l) if l.len() == 1 => match &l[0] {
                        Val::Map(m) => match m.get(*p) {
                            Some(x) => v = x,
                            None => return Get::Missing,
                        },
                        Val::Unknown => return Get::Unknown(a.span),
                        _ => return Get::Missing,
                    },
                    Val::Unknown => return Get::Unknown(a.span),
                    _ => return Get::Missing,
                }
            }
            return match v {
                Val::Unknown => Get::Unknown(a.span),
                v => Get::Val(v, a.span),
            };
        }
        if let Some(b) = self.block(first) {
            if rest.is_empty() {
                return Get::Val(&TRUE_BLOCK, b.span);
            }
            return b.body.get(&rest.join("."));
        }
        Get::Missing
    }
}

/// What `get` returns for a path that names a block: present.
static TRUE_BLOCK: Val = Val::Bool(true);

/// One resource (or data source, or provider configuration) instance.
#[derive(Clone, Debug)]
pub struct Resource {
    /// `aws_s3_bucket`; `data.aws_iam_policy_document`; `provider.aws`.
    pub kind: String,
    pub name: String,
    /// Full address with module path and instance key: `module.logs.aws_s3_bucket.b[0]`.
    pub address: String,
    /// The address without the instance key, as references record it.
    pub base: String,
    /// The block, header to closing brace.
    pub span: Span,
    pub body: Body,
    /// The module calls that led here, outermost first.
    pub via: Vec<Span>,
}

impl Resource {
    pub fn get(&self, path: &str) -> Get<'_> {
        self.body.get(path)
    }
    /// The tags (`tags` merged with nothing else; unknown when unknown).
    pub fn tags(&self) -> Get<'_> {
        self.get("tags")
    }
}
