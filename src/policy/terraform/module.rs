//! Module instances: variables, locals, module calls with their inputs and
//! outputs, and the expansion of `count`, `for_each` and `dynamic` into the
//! resources rules see.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block as HBlock, Body as HBody, Structure};
use indexmap::IndexMap;

use super::eval::{Eval, iter_pairs};
use super::value::Val;
use crate::policy::model::{Attr, Block, Body, Resource, Span};
use crate::policy::{Diagnostic, DiagnosticKind, SourceFile};

/// Deepest chain of module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;
/// Most instances expanded from one `count`/`for_each` (the rest are alike).
const MAX_INSTANCES: usize = 64;

/// The parsed `.tf` files of one directory.
pub struct ModuleDef<'a> {
    pub dir: PathBuf,
    pub files: Vec<(&'a SourceFile, &'a HBody)>,
}

type Valued = (Val, Vec<String>);

pub struct Instance<'a> {
    pub prefix: String,
    path_module: String,
    vars: HashMap<String, Valued>,
    local_exprs: HashMap<String, &'a Expression>,
    locals: RefCell<HashMap<String, Option<Valued>>>,
    resources: HashMap<(String, String), &'a HBlock>,
    outputs: RefCell<HashMap<String, HashMap<String, Valued>>>,
    pub depth: Cell<u32>,
}

impl<'a> Instance<'a> {
    pub fn empty() -> Self {
        Instance {
            prefix: String::new(),
            path_module: ".".into(),
            vars: HashMap::new(),
            local_exprs: HashMap::new(),
            locals: RefCell::new(HashMap::new()),
            resources: HashMap::new(),
            outputs: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
        }
    }

    pub fn path_module(&self) -> &str {
        &self.path_module
    }

    pub fn var(&self, name: &str, ev: &Eval) -> Val {
        match self.vars.get(name) {
            Some((v, refs)) => {
                ev.add_refs(refs);
                v.clone()
            }
            None => Val::Unknown,
        }
    }

    pub fn local(&self, name: &str, ev: &Eval) -> Val {
        if let Some(cached) = self.locals.borrow().get(name) {
            return match cached {
                Some((v, refs)) => {
                    ev.add_refs(refs);
                    v.clone()
                }
                None => Val::Unknown, // a cycle
            };
        }
        let Some(expr) = self.local_exprs.get(name) else {
            return Val::Unknown;
        };
        self.locals.borrow_mut().insert(name.to_string(), None);
        let inner = Eval::new(self, Vec::new());
        let v = inner.expr(expr);
        let refs = inner.take_refs();
        ev.add_refs(&refs);
        self.locals
            .borrow_mut()
            .insert(name.to_string(), Some((v.clone(), refs)));
        v
    }

    pub fn resource_attr(&self, kind: &str, name: &str, attr: &str, ev: &Eval) -> Val {
        let Some(block) = self.resources.get(&(kind.to_string(), name.to_string())) else {
            return Val::Unknown;
        };
        match block.body.get_attribute(attr) {
            Some(a) => {
                let inner = Eval::new(self, Vec::new());
                let v = inner.expr(&a.value);
                ev.add_refs(&inner.take_refs());
                v
            }
            None => Val::Unknown,
        }
    }

    /// An output of the module call `module` (`m`, or `m["k"]` / `m[0]` for
    /// an instance of a call with `for_each` / `count`). The references it
    /// carries are those of the output's value: a registry module's output
    /// is unknown and refers to nothing, so a rule cannot tell which
    /// resource it names (it does not record the call as a reference, which
    /// would read as "refers to something else").
    pub fn module_output(&self, module: &str, output: &str, ev: &Eval) -> Val {
        match self.outputs.borrow().get(module).and_then(|o| o.get(output)) {
            Some((v, refs)) => {
                ev.add_refs(refs);
                v.clone()
            }
            None => Val::Unknown,
        }
    }
}

/// Everything a module evaluation needs from the scan.
pub struct Loader<'a> {
    pub modules: &'a HashMap<PathBuf, ModuleDef<'a>>,
    pub out: RefCell<Vec<Resource>>,
    pub diags: RefCell<Vec<Diagnostic>>,
}

pub struct Call<'c> {
    pub prefix: String,
    pub vars: HashMap<String, Valued>,
    pub via: Vec<Span>,
    pub stack: Vec<&'c Path>,
}

/// Evaluate one module instance: its resources go to `loader.out`; returns
/// its outputs.
pub fn evaluate<'a>(loader: &Loader<'a>, def: &'a ModuleDef<'a>, call: Call<'_>) -> HashMap<String, Valued> {
    let mut inst = Instance::empty();
    inst.prefix = call.prefix.clone();
    inst.path_module = def.dir.display().to_string();
    let mut var_defaults: Vec<(&str, &Expression)> = Vec::new();
    let mut module_calls: Vec<(&SourceFile, &HBlock)> = Vec::new();
    let mut outputs: Vec<(&str, &Expression)> = Vec::new();
    let mut managed: Vec<(&SourceFile, &HBlock)> = Vec::new();
    for (file, body) in &def.files {
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            match (block.ident.value().as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    if let Some(d) = block.body.get_attribute("default") {
                        var_defaults.push((name, &d.value));
                    }
                }
                ("locals", []) => {
                    for a in block.body.attributes() {
                        inst.local_exprs.insert(a.key.value().to_string(), &a.value);
                    }
                }
                ("resource", [kind, name]) => {
                    inst.resources.insert((kind.to_string(), name.to_string()), block);
                    managed.push((file, block));
                }
                ("data", [_, _]) | ("provider", [_]) => managed.push((file, block)),
                ("module", [_]) => module_calls.push((file, block)),
                ("output", [name]) => {
                    if let Some(v) = block.body.get_attribute("value") {
                        outputs.push((name, &v.value));
                    }
                }
                _ => {}
            }
        }
    }
    // Variables: the caller's values, else defaults.
    {
        let empty = Instance::empty();
        for (name, expr) in var_defaults {
            if !call.vars.contains_key(name) {
                let ev = Eval::new(&empty, Vec::new());
                inst.vars.insert(name.to_string(), (ev.expr(expr), Vec::new()));
            }
        }
    }
    inst.vars.extend(call.vars);

    // Module calls, in order, so later calls can use earlier outputs.
    for (file, block) in module_calls {
        let name = block.labels[0].as_str().to_string();
        let span = file.span_or(block.span(), &format!("module.{name}"));
        let ev = Eval::new(&inst, Vec::new());
        let source = block.body.get_attribute("source").map(|a| ev.expr(&a.value));
        let Some(Val::Str(source)) = source else { continue };
        if !(source.starts_with("./") || source.starts_with("../")) {
            continue; // a registry or remote module: its outputs stay unknown
        }
        let dir = normalize(&def.dir.join(&source));
        let Some(child) = loader.modules.get(&dir) else {
            loader.diags.borrow_mut().push(Diagnostic::new(
                DiagnosticKind::Module,
                span,
                format!("module \"{name}\": source {source} has no .tf files in the scanned tree"),
            ));
            continue;
        };
        if dir == def.dir || call.stack.contains(&dir.as_path()) || call.stack.len() >= MAX_MODULE_DEPTH {
            loader.diags.borrow_mut().push(Diagnostic::new(
                DiagnosticKind::Module,
                span,
                format!(
                    "module \"{name}\": {} (not followed further)",
                    if call.stack.len() >= MAX_MODULE_DEPTH {
                        format!("nesting deeper than {MAX_MODULE_DEPTH} modules")
                    } else {
                        format!("recursive module source {source}")
                    }
                ),
            ));
            continue;
        }
        for (key, bindings) in instances(&inst, &block.body) {
            let ev = Eval::new(&inst, bindings);
            let mut vars = HashMap::new();
            for a in block.body.attributes() {
                let k = a.key.value().as_str();
                if matches!(
                    k,
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                let v = ev.expr(&a.value);
                vars.insert(k.to_string(), (v, ev.take_refs()));
            }
            let mut via = call.via.clone();
            via.push(span);
            let mut stack = call.stack.clone();
            stack.push(&def.dir);
            let outs = evaluate(
                loader,
                child,
                Call {
                    prefix: format!("{}module.{name}{key}.", inst.prefix),
                    vars,
                    via,
                    stack,
                },
            );
            // Keyed by instance: `module.m["k"].out`, `module.m[0].out`.
            inst.outputs.borrow_mut().insert(format!("{name}{key}"), outs);
        }
    }

    for (file, block) in managed {
        expand(loader, &inst, file, block, &call.via);
    }

    let mut result = HashMap::new();
    for (name, expr) in outputs {
        let ev = Eval::new(&inst, Vec::new());
        let v = ev.expr(expr);
        result.insert(name.to_string(), (v, ev.take_refs()));
    }
    result
}

/// `count` / `for_each` instances: (address suffix, bindings).
fn instances(inst: &Instance, body: &HBody) -> Vec<(String, Vec<(String, Val)>)> {
    let ev = Eval::new(inst, Vec::new());
    if let Some(c) = body.get_attribute("count") {
        return match ev.expr(&c.value).as_num() {
            Some(n) => (0..(n.max(0.0) as usize).min(MAX_INSTANCES))
                .map(|i| {
                    let count = Val::Map([("index".to_string(), Val::Num(i as f64))].into_iter().collect());
                    (format!("[{i}]"), vec![("count".to_string(), count)])
                })
                .collect(),
            None => {
                let count = Val::Map([("index".to_string(), Val::Unknown)].into_iter().collect());
                vec![("[?]".to_string(), vec![("count".to_string(), count)])]
            }
        };
    }
    if let Some(f) = body.get_attribute("for_each") {
        let each = |k: Val, v: Val| Val::Map([("key".to_string(), k), ("value".to_string(), v)].into_iter().collect());
        let v = ev.expr(&f.value);
        return match &v {
            Val::Map(m) => m
                .iter()
                .take(MAX_INSTANCES)
                .map(|(k, v)| {
                    (
                        format!("[\"{k}\"]"),
                        vec![("each".to_string(), each(Val::Str(k.clone()), v.clone()))],
                    )
                })
                .collect(),
            Val::List(l) if l.iter().all(|x| x.as_str().is_some()) => l
                .iter()
                .take(MAX_INSTANCES)
                .map(|x| {
                    let k = x.as_str().unwrap_or_default();
                    (
                        format!("[\"{k}\"]"),
                        vec![("each".to_string(), each(x.clone(), x.clone()))],
                    )
                })
                .collect(),
            _ => vec![(
                "[?]".to_string(),
                vec![("each".to_string(), each(Val::Unknown, Val::Unknown))],
            )],
        };
    }
    vec![(String::new(), Vec::new())]
}

fn expand(loader: &Loader, inst: &Instance, file: &SourceFile, block: &HBlock, via: &[Span]) {
    let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
    let (kind, name) = match (block.ident.value().as_str(), labels.as_slice()) {
        ("resource", [k, n]) => (k.to_string(), n.to_string()),
        ("data", [k, n]) => (format!("data.{k}"), n.to_string()),
        ("provider", [k]) => {
            let alias = block
                .body
                .get_attribute("alias")
                .and_then(|a| a.value.as_str())
                .unwrap_or("default");
            (format!("provider.{k}"), alias.to_string())
        }
        _ => return,
    };
    let key = match block.ident.value().as_str() {
        "provider" => format!("provider.{}", labels[0]),
        ident => format!("{ident}.{}", labels.join(".")),
    };
    let span = file.span_or(block.span(), &key);
    let base = format!("{}{kind}.{name}", inst.prefix);
    for (key, bindings) in instances(inst, &block.body) {
        let ev = Eval::new(inst, bindings);
        let body = resolve(&ev, file, &block.body, span);
        loader.out.borrow_mut().push(Resource {
            kind: kind.clone(),
            name: name.clone(),
            address: format!("{base}{key}"),
            base: base.clone(),
            span,
            body,
            via: via.to_vec(),
        });
    }
}

/// `at` is the enclosing block's span, for nodes without one (`.tf.json`).
fn resolve(ev: &Eval, file: &SourceFile, body: &HBody, at: Span) -> Body {
    let span_of = |r: Option<std::ops::Range<usize>>| r.map_or(at, |r| file.span(r));
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.value().as_str();
                if matches!(key, "count" | "for_each" | "depends_on") {
                    continue;
                }
                ev.take_refs();
                let value = ev.expr(&a.value);
                let refs = ev.take_refs();
                out.attrs.push((
                    key.to_string(),
                    Attr {
                        value,
                        span: span_of(a.span()),
                        refs,
                    },
                ));
            }
            Structure::Block(b) if b.ident.value().as_str() == "dynamic" => {
                let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                    continue;
                };
                let iter_name = b
                    .body
                    .get_attribute("iterator")
                    .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_string()))
                    .unwrap_or_else(|| label.clone());
                let Some(content) = b.body.get_blocks("content").next() else {
                    continue;
                };
                let coll = b
                    .body
                    .get_attribute("for_each")
                    .map_or(Val::Unknown, |a| ev.expr(&a.value));
                let pairs = iter_pairs(&coll).unwrap_or_else(|| vec![(Val::Unknown, Val::Unknown)]);
                for (k, v) in pairs.into_iter().take(MAX_INSTANCES) {
                    let mut bindings = ev.bindings.clone();
                    bindings.push((
                        iter_name.clone(),
                        Val::Map(IndexMap::from([("key".into(), k), ("value".into(), v)])),
                    ));
                    let inner = Eval::new(ev.inst, bindings);
                    let span = span_of(b.span());
                    let body = resolve(&inner, file, &content.body, span);
                    out.blocks.push(Block {
                        ident: label.clone(),
                        labels: Vec::new(),
                        body,
                        span,
                    });
                }
            }
            Structure::Block(b) => {
                let span = span_of(b.span());
                out.blocks.push(Block {
                    ident: b.ident.value().to_string(),
                    labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    body: resolve(ev, file, &b.body, span),
                    span,
                })
            }
        }
    }
    out
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Values of a `.tfvars` file (attributes evaluated without context).
pub fn tfvars(body: &HBody) -> Vec<(String, Val)> {
    let empty = Instance::empty();
    body.attributes()
        .map(|a| {
            let ev = Eval::new(&empty, Vec::new());
            (a.key.value().to_string(), ev.expr(&a.value))
        })
        .collect()
}
