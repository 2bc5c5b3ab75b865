//! Terraform's JSON syntax (`.tf.json`, `.tfvars.json`), converted to the
//! same syntax tree as native HCL so evaluation is shared.
//!
//! Strings are templates (`"${var.name}"`), as in Terraform. An object or a
//! list of objects under a resource is a nested block unless it is one of the
//! map-typed arguments (`tags`, `labels`, `for_each`, …). The JSON has no
//! spans in the tree; each block's place is found in the text and attributes
//! report at their block.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Ident;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use serde_json::Value;

/// Arguments whose object values are maps, not nested blocks.
const MAP_ARGS: &[&str] = &[
    "tags",
    "tags_all",
    "labels",
    "for_each",
    "variables",
    "triggers",
    "parameters",
    "metadata",
    "annotations",
    "default",
    "value",
    "environment_variables",
    "app_settings",
    "inputs",
    "providers",
    "depends_on",
    "count",
    "policy",
    "assume_role_policy",
    "locals",
];

#[derive(Debug)]
pub struct Converted {
    pub body: Body,
    /// `resource.aws_s3_bucket.b`, `module.m`, … → byte range of the block's
    /// key in the text.
    pub spans: HashMap<String, Range<usize>>,
}

/// Convert a `.tf.json` document; errors carry (message, line, column).
pub fn convert(text: &str) -> Result<Converted, (String, usize, usize)> {
    let v: Value = serde_json::from_str(text).map_err(|e| (format!("JSON syntax error: {e}"), e.line(), e.column()))?;
    let Value::Object(top) = v else {
        return Err(("a .tf.json file must hold a JSON object".into(), 1, 1));
    };
    let mut out = Vec::new();
    let mut spans = HashMap::new();
    let mut locate = Locator { text, from: 0 };
    for (kind, v) in &top {
        let kind_at = locate.find(kind);
        match kind.as_str() {
            "resource" | "data" => {
                for (ty, names) in objects(v) {
                    locate.from = kind_at;
                    let ty_at = locate.find(ty);
                    for (name, bodies) in objects(names) {
                        locate.from = ty_at;
                        let at = locate.find(name);
                        spans.insert(format!("{kind}.{ty}.{name}"), at..at + name.len() + 2);
                        for b in as_list(bodies) {
                            out.push(block(kind, &[ty, name], b));
                        }
                    }
                }
            }
            "module" | "variable" | "output" | "provider" => {
                for (name, bodies) in objects(v) {
                    locate.from = kind_at;
                    let at = locate.find(name);
                    spans.insert(format!("{kind}.{name}"), at..at + name.len() + 2);
                    for b in as_list(bodies) {
                        out.push(block(kind, &[name], b));
                    }
                }
            }
            "locals" => {
                for b in as_list(v) {
                    let mut blk = Block::new(Ident::new("locals"));
                    blk.body = attrs_only(b);
                    out.push(Structure::Block(blk));
                }
            }
            _ => {} // terraform, moved, import, check: not scanned
        }
    }
    Ok(Converted {
        body: Body::from(out),
        spans,
    })
}

/// A `.tfvars.json` document.
pub fn convert_tfvars(text: &str) -> Result<Body, (String, usize, usize)> {
    let v: Value = serde_json::from_str(text).map_err(|e| (format!("JSON syntax error: {e}"), e.line(), e.column()))?;
    Ok(attrs_only(&v))
}

struct Locator<'t> {
    text: &'t str,
    from: usize,
}

impl Locator<'_> {
    /// The offset of `"key"` at or after `from` (or `from` when not found).
    fn find(&mut self, key: &str) -> usize {
        let needle = format!("\"{key}\"");
        let at = self
            .text
            .get(self.from..)
            .and_then(|t| t.find(&needle))
            .map_or(self.from, |i| self.from + i);
        self.from = at;
        at
    }
}

fn objects(v: &Value) -> Vec<(&String, &Value)> {
    match v {
        Value::Object(m) => m.iter().collect(),
        Value::Array(a) => a.iter().flat_map(objects).collect(),
        _ => Vec::new(),
    }
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    }
}

fn block(ident: &str, labels: &[&str], body: &Value) -> Structure {
    let mut b = Block::new(Ident::new_sanitized(ident));
    for l in labels {
        b.labels.push(BlockLabel::from(l.to_string()));
    }
    b.body = body_of(body, ident == "variable" || ident == "output");
    Structure::Block(b)
}

fn attrs_only(v: &Value) -> Body {
    let mut out = Vec::new();
    if let Value::Object(m) = v {
        for (k, v) in m {
            if let Ok(id) = Ident::try_new(k.as_str()) {
                out.push(Structure::Attribute(Attribute::new(id, expr(v))));
            }
        }
    }
    Body::from(out)
}

fn body_of(v: &Value, flat: bool) -> Body {
    let mut out = Vec::new();
    let Value::Object(m) = v else { return Body::from(out) };
    for (k, v) in m {
        let Ok(id) = Ident::try_new(k.as_str()) else { continue };
        let is_block = !flat
            && !MAP_ARGS.contains(&k.as_str())
            && match v {
                Value::Object(_) => true,
                Value::Array(a) => !a.is_empty() && a.iter().all(Value::is_object),
                _ => false,
            };
        if k == "dynamic" {
            for (name, spec) in objects(v) {
                let mut b = Block::new(Ident::new("dynamic"));
                b.labels.push(BlockLabel::from(name.clone()));
                let mut inner = Vec::new();
                if let Value::Object(spec) = spec {
                    for (sk, sv) in spec {
                        let Ok(sid) = Ident::try_new(sk.as_str()) else { continue };
                        if sk == "content" {
                            let mut c = Block::new(sid);
                            c.body = body_of(sv, false);
                            inner.push(Structure::Block(c));
                        } else {
                            inner.push(Structure::Attribute(Attribute::new(sid, expr(sv))));
                        }
                    }
                }
                b.body = Body::from(inner);
                out.push(Structure::Block(b));
            }
        } else if is_block {
            for item in as_list(v) {
                let mut b = Block::new(id.clone());
                b.body = body_of(item, false);
                out.push(Structure::Block(b));
            }
        } else {
            out.push(Structure::Attribute(Attribute::new(id, expr(v))));
        }
    }
    Body::from(out)
}

/// A JSON value as an HCL expression; strings are templates.
fn expr(v: &Value) -> Expression {
    hcl_edit::parser::parse_expr(&hcl_text(v)).unwrap_or_else(|_| Expression::null())
}

fn hcl_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // JSON string escapes are HCL string escapes; `${…}` stays a template.
        Value::String(s) => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()),
        Value::Array(a) => format!("[{}]", a.iter().map(hcl_text).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{} = {}", serde_json::to_string(k).unwrap_or_default(), hcl_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_blocks_maps_and_templates() {
        let text = r#"{
  "variable": { "name": { "default": "logs" } },
  "resource": {
    "aws_s3_bucket": {
      "b": {
        "bucket": "${var.name}-bucket",
        "tags": { "team": "platform" },
        "versioning": { "enabled": true }
      }
    }
  }
}"#;
        let c = convert(text).unwrap();
        let res = c.body.get_blocks("resource").next().unwrap();
        assert!(res.body.get_attribute("tags").is_some(), "tags stay a map");
        assert!(
            res.body.get_blocks("versioning").next().is_some(),
            "versioning is a block"
        );
        assert!(res.body.get_attribute("bucket").unwrap().value.is_string_template());
        let at = c.spans["resource.aws_s3_bucket.b"].start;
        assert_eq!(&text[at..at + 3], "\"b\"");
        assert!(convert("[1]").is_err());
        assert_eq!(convert("{\n  \"resource\": \n").unwrap_err().1, 3);
    }
}
