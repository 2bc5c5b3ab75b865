//! Values of evaluated Terraform expressions.
//!
//! `Unknown` stands for anything Terraform only knows at apply time (a data
//! source, a computed attribute such as `id`, a remote module's output, a
//! variable without a value). Rules treat it as "cannot tell", never as
//! false.

use indexmap::IndexMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Map(IndexMap<String, Val>),
    Unknown,
}

impl Val {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown)
    }

    /// Whether the value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Val::Unknown => true,
            Val::List(l) => l.iter().any(Val::has_unknown),
            Val::Map(m) => m.values().any(Val::has_unknown),
            _ => false,
        }
    }

    /// Terraform's type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "object",
            Val::Unknown => "unknown",
        }
    }

    /// The boolean, with Terraform's string conversion ("true"/"false").
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A primitive converted to a string the way Terraform's `tostring` does.
    pub fn to_string_lossy(&self) -> Option<String> {
        match self {
            Val::Str(s) => Some(s.clone()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Num(n) => Some(fmt_num(*n)),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Val]> {
        match self {
            Val::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&IndexMap<String, Val>> {
        match self {
            Val::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Truthiness for rules: `Some(b)` when known.
    pub fn truthy(&self) -> Option<bool> {
        self.as_bool()
    }

    /// The value as JSON (unknown becomes null), for `jsonencode` and output.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Val::Null | Val::Unknown => J::Null,
            Val::Bool(b) => J::Bool(*b),
            Val::Num(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    J::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map_or(J::Null, J::Number)
                }
            }
            Val::Str(s) => J::String(s.clone()),
            Val::List(l) => J::Array(l.iter().map(Val::to_json).collect()),
            Val::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    pub fn from_json(j: &serde_json::Value) -> Val {
        use serde_json::Value as J;
        match j {
            J::Null => Val::Null,
            J::Bool(b) => Val::Bool(*b),
            J::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
            J::String(s) => Val::Str(s.clone()),
            J::Array(a) => Val::List(a.iter().map(Val::from_json).collect()),
            J::Object(o) => Val::Map(o.iter().map(|(k, v)| (k.clone(), Val::from_json(v))).collect()),
        }
    }
}

pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
