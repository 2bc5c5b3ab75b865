//! The expression evaluator: HCL expressions of one module instance to
//! [`Val`]s.
//!
//! Evaluation never fails: anything it cannot know (a data source, a
//! computed attribute, an unsupported function, a type error) is
//! [`Val::Unknown`], and rules do not fire on unknowns. While it evaluates,
//! it records which resources an expression refers to, so a rule can find the
//! separate resource that configures a bucket's encryption.

use std::cell::RefCell;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use indexmap::IndexMap;

use super::funcs;
use super::module::Instance;
use super::value::{Val, fmt_num};

/// Deepest nesting of references (a local that uses a local that …).
const MAX_DEPTH: u32 = 64;

pub struct Eval<'i, 'a> {
    pub inst: &'i Instance<'a>,
    /// Names bound by `count`, `each`, `for` expressions, dynamic iterators.
    pub bindings: Vec<(String, Val)>,
    /// Addresses (`module.m.aws_s3_bucket.b`) of resources referred to.
    pub refs: RefCell<Vec<String>>,
}

impl<'i, 'a> Eval<'i, 'a> {
    pub fn new(inst: &'i Instance<'a>, bindings: Vec<(String, Val)>) -> Self {
        Eval {
            inst,
            bindings,
            refs: RefCell::new(Vec::new()),
        }
    }

    pub fn take_refs(&self) -> Vec<String> {
        let mut r = std::mem::take(&mut *self.refs.borrow_mut());
        r.sort();
        r.dedup();
        r
    }

    fn binding(&self, name: &str) -> Option<&Val> {
        self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn add_refs(&self, refs: &[String]) {
        self.refs.borrow_mut().extend(refs.iter().cloned());
    }

    pub fn expr(&self, e: &Expression) -> Val {
        // The depth is the instance's, so references across resources and
        // locals that loop back on themselves end as unknown.
        let d = self.inst.depth.get();
        if d > MAX_DEPTH {
            return Val::Unknown;
        }
        self.inst.depth.set(d + 1);
        let v = self.expr_inner(e);
        self.inst.depth.set(d);
        v
    }

    fn expr_inner(&self, e: &Expression) -> Val {
        match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Num(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Val::Str(s.value().clone()),
            Expression::Array(a) => {
                let items: Vec<Val> = a.iter().map(|x| self.expr(x)).collect();
                Val::List(items)
            }
            Expression::Object(o) => {
                let mut m = IndexMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().to_string(),
                        ObjectKey::Expression(Expression::Variable(i)) => i.value().to_string(),
                        ObjectKey::Expression(x) => match self.expr(x).to_string_lossy() {
                            Some(s) => s,
                            None => return Val::Unknown,
                        },
                    };
                    m.insert(key, self.expr(v.expr()));
                }
                Val::Map(m)
            }
            Expression::StringTemplate(t) => self.template(t),
            // The parser has already stripped a `<<-` heredoc's indent.
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => self.variable(v.value().as_str()),
            Expression::Conditional(c) => match self.expr(&c.cond_expr).as_bool() {
                Some(true) => self.expr(&c.true_expr),
                Some(false) => self.expr(&c.false_expr),
                None => {
                    // Both branches may still agree.
                    let (a, b) = (self.expr(&c.true_expr), self.expr(&c.false_expr));
                    if a == b && !a.has_unknown() { a } else { Val::Unknown }
                }
            },
            Expression::FuncCall(f) => self.call(f),
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators),
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr);
                match u.operator.value() {
                    UnaryOperator::Neg => v.as_num().map_or(Val::Unknown, |n| Val::Num(-n)),
                    UnaryOperator::Not => v.as_bool().map_or(Val::Unknown, |b| Val::Bool(!b)),
                }
            }
            Expression::BinaryOp(b) => self.binary(&b.lhs_expr, *b.operator.value(), &b.rhs_expr),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    fn variable(&self, name: &str) -> Val {
        if let Some(v) = self.binding(name) {
            return v.clone();
        }
        Val::Unknown
    }

    fn template(&self, t: &Template) -> Val {
        let mut out = String::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => match self.expr(&i.expr) {
                    Val::Str(s) => out.push_str(&s),
                    v => match v.to_string_lossy() {
                        Some(s) => out.push_str(&s),
                        None => return Val::Unknown,
                    },
                },
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(i) => {
                        let branch = match self.expr(&i.if_expr.cond_expr).as_bool() {
                            Some(true) => Some(&i.if_expr.template),
                            Some(false) => i.else_expr.as_ref().map(|e| &e.template),
                            None => return Val::Unknown,
                        };
                        if let Some(t) = branch {
                            match self.template(t) {
                                Val::Str(s) => out.push_str(&s),
                                _ => return Val::Unknown,
                            }
                        }
                    }
                    Directive::For(f) => {
                        let coll = self.expr(&f.for_expr.collection_expr);
                        let Some(pairs) = iter_pairs(&coll) else {
                            return Val::Unknown;
                        };
                        for (k, v) in pairs {
                            let mut inner = Eval::new(self.inst, self.bindings.clone());
                            if let Some(kv) = &f.for_expr.key_var {
                                inner.bindings.push((kv.value().to_string(), k));
                            }
                            inner.bindings.push((f.for_expr.value_var.value().to_string(), v));
                            let r = inner.template(&f.for_expr.template);
                            self.add_refs(&inner.take_refs());
                            match r {
                                Val::Str(s) => out.push_str(&s),
                                _ => return Val::Unknown,
                            }
                        }
                    }
                },
            }
        }
        Val::Str(out)
    }

    fn call(&self, f: &hcl_edit::expr::FuncCall) -> Val {
        let name = f.name.name.value().as_str();
        // `provider::aws::…` functions are provider-defined: unknown.
        if !f.name.namespace.is_empty() {
            return Val::Unknown;
        }
        let args: Vec<&Expression> = f.args.iter().collect();
        match name {
            // Lazy: the first argument that evaluates to a known value.
            "try" => {
                for a in &args {
                    let v = self.expr(a);
                    if !v.has_unknown() {
                        return v;
                    }
                }
                Val::Unknown
            }
            "can" => match args.first().map(|a| self.expr(a)) {
                Some(v) if !v.has_unknown() => Val::Bool(true),
                _ => Val::Unknown,
            },
            _ => {
                let mut vals: Vec<Val> = args.iter().map(|a| self.expr(a)).collect();
                if f.args.expand_final() {
                    match vals.pop() {
                        Some(Val::List(l)) => vals.extend(l),
                        _ => return Val::Unknown,
                    }
                }
                funcs::call(name, vals, self.inst.path_module())
            }
        }
    }

    fn binary(&self, l: &Expression, op: BinaryOperator, r: &Expression) -> Val {
        use BinaryOperator as B;
        let a = self.expr(l);
        // Short-circuit like Terraform 1.x does for known sides.
        if op == B::And && a.as_bool() == Some(false) {
            return Val::Bool(false);
        }
        if op == B::Or && a.as_bool() == Some(true) {
            return Val::Bool(true);
        }
        let b = self.expr(r);
        match op {
            B::Eq | B::NotEq => {
                if a.has_unknown() || b.has_unknown() {
                    return Val::Unknown;
                }
                let eq = loose_eq(&a, &b);
                Val::Bool(if op == B::Eq { eq } else { !eq })
            }
            B::And | B::Or => match (a.as_bool(), b.as_bool()) {
                (Some(x), Some(y)) => Val::Bool(if op == B::And { x && y } else { x || y }),
                (_, Some(false)) if op == B::And => Val::Bool(false),
                (_, Some(true)) if op == B::Or => Val::Bool(true),
                _ => Val::Unknown,
            },
            _ => {
                let (Some(x), Some(y)) = (a.as_num(), b.as_num()) else {
                    return Val::Unknown;
                };
                match op {
                    B::Less => Val::Bool(x < y),
                    B::LessEq => Val::Bool(x <= y),
                    B::Greater => Val::Bool(x > y),
                    B::GreaterEq => Val::Bool(x >= y),
                    B::Plus => Val::Num(x + y),
                    B::Minus => Val::Num(x - y),
                    B::Mul => Val::Num(x * y),
                    B::Div if y != 0.0 => Val::Num(x / y),
                    B::Mod if y != 0.0 => Val::Num(x % y),
                    _ => Val::Unknown,
                }
            }
        }
    }

    fn for_expr(&self, f: &hcl_edit::expr::ForExpr) -> Val {
        let coll = self.expr(&f.intro.collection_expr);
        let Some(pairs) = iter_pairs(&coll) else {
            return Val::Unknown;
        };
        let mut list = Vec::new();
        let mut map: IndexMap<String, Val> = IndexMap::new();
        for (k, v) in pairs {
            let mut inner = Eval::new(self.inst, self.bindings.clone());
            if let Some(kv) = &f.intro.key_var {
                inner.bindings.push((kv.value().to_string(), k));
                inner.bindings.push((f.intro.value_var.value().to_string(), v));
            } else {
                inner.bindings.push((f.intro.value_var.value().to_string(), v));
            }
            if let Some(c) = &f.cond {
                match inner.expr(&c.expr).as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Val::Unknown,
                }
            }
            let value = inner.expr(&f.value_expr);
            match &f.key_expr {
                Some(ke) => {
                    let Some(key) = inner.expr(ke).to_string_lossy() else {
                        return Val::Unknown;
                    };
                    if f.grouping {
                        match map.entry(key).or_insert_with(|| Val::List(Vec::new())) {
                            Val::List(l) => l.push(value),
                            _ => return Val::Unknown,
                        }
                    } else {
                        map.insert(key, value);
                    }
                }
                None => list.push(value),
            }
            self.add_refs(&inner.take_refs());
        }
        if f.key_expr.is_some() {
            Val::Map(map)
        } else {
            Val::List(list)
        }
    }

    fn traversal(&self, root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> Val {
        let ops: Vec<&TraversalOperator> = ops.iter().map(|o| o.value()).collect();
        let attr = |i: usize| -> Option<&str> {
            match ops.get(i) {
                Some(TraversalOperator::GetAttr(a)) => Some(a.value().as_str()),
                _ => None,
            }
        };
        let (base, rest): (Val, usize) = match root {
            Expression::Variable(v) if self.binding(v.value().as_str()).is_none() => {
                match v.value().as_str() {
                    "var" => match attr(0) {
                        Some(n) => (self.inst.var(n, self), 1),
                        None => return Val::Unknown,
                    },
                    "local" => match attr(0) {
                        Some(n) => (self.inst.local(n, self), 1),
                        None => return Val::Unknown,
                    },
                    // `module.m.out`, or `module.m[0].out` / `module.m["k"].out`
                    // for an instance of a call with `count` / `for_each`.
                    "module" => {
                        let Some(m) = attr(0) else { return Val::Unknown };
                        let (call, next) = match ops.get(1) {
                            Some(TraversalOperator::Index(e)) => match instance_key(&self.expr(e)) {
                                Some(k) => (format!("{m}{k}"), 2),
                                None => return Val::Unknown,
                            },
                            Some(TraversalOperator::LegacyIndex(n)) => (format!("{m}[{}]", n.value()), 2),
                            _ => (m.to_string(), 1),
                        };
                        match attr(next) {
                            Some(o) => (self.inst.module_output(&call, o, self), next + 1),
                            None => return Val::Unknown,
                        }
                    }
                    "path" => match attr(0) {
                        Some("module") => (Val::Str(self.inst.path_module().to_string()), 1),
                        Some("root") | Some("cwd") => (Val::Str(".".into()), 1),
                        _ => return Val::Unknown,
                    },
                    "terraform" => match attr(0) {
                        Some("workspace") => (Val::Str("default".into()), 1),
                        _ => return Val::Unknown,
                    },
                    "data" | "each" | "count" | "self" => return Val::Unknown,
                    kind => match attr(0) {
                        Some(name) => {
                            self.refs
                                .borrow_mut()
                                .push(format!("{}{kind}.{name}", self.inst.prefix));
                            // Skip an instance index: `aws_s3_bucket.b[0].bucket`.
                            let mut i = 1;
                            while matches!(
                                ops.get(i),
                                Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
                            ) {
                                i += 1;
                            }
                            match attr(i) {
                                Some(a) => (self.inst.resource_attr(kind, name, a, self), i + 1),
                                None => return Val::Unknown,
                            }
                        }
                        None => return Val::Unknown,
                    },
                }
            }
            other => (self.expr(other), 0),
        };
        self.apply_ops(base, &ops[rest..])
    }

    fn apply_ops(&self, mut v: Val, ops: &[&TraversalOperator]) -> Val {
        for (i, op) in ops.iter().enumerate() {
            match op {
                TraversalOperator::GetAttr(a) => v = get_key(&v, a.value().as_str()),
                TraversalOperator::Index(e) => {
                    let k = self.expr(e);
                    v = match (&v, &k) {
                        (Val::List(l), _) => match k.as_num() {
                            Some(n) if n >= 0.0 => l.get(n as usize).cloned().unwrap_or(Val::Unknown),
                            _ => Val::Unknown,
                        },
                        (Val::Map(_), _) => match k.to_string_lossy() {
                            Some(s) => get_key(&v, &s),
                            None => Val::Unknown,
                        },
                        _ => Val::Unknown,
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = match &v {
                        Val::List(l) => l.get(*n.value() as usize).cloned().unwrap_or(Val::Unknown),
                        _ => Val::Unknown,
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match v {
                        Val::List(l) => l,
                        Val::Null => Vec::new(),
                        Val::Unknown => return Val::Unknown,
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    return Val::List(items.into_iter().map(|x| self.apply_ops(x, rest)).collect());
                }
            }
        }
        v
    }
}

/// The address suffix of a module or resource instance: `[0]`, `["k"]`.
fn instance_key(k: &Val) -> Option<String> {
    match k {
        Val::Str(s) => Some(format!("[\"{s}\"]")),
        Val::Num(n) if n.fract() == 0.0 && *n >= 0.0 => Some(format!("[{}]", fmt_num(*n))),
        _ => None,
    }
}

fn get_key(v: &Val, k: &str) -> Val {
    match v {
        Val::Map(m) => m.get(k).cloned().unwrap_or(Val::Unknown),
        _ => Val::Unknown,
    }
}

/// (key, value) pairs of a collection, for `for` and `for_each`.
pub fn iter_pairs(v: &Val) -> Option<Vec<(Val, Val)>> {
    match v {
        Val::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, x)| (Val::Num(i as f64), x.clone()))
                .collect(),
        ),
        Val::Map(m) => Some(m.iter().map(|(k, x)| (Val::Str(k.clone()), x.clone())).collect()),
        Val::Null => Some(Vec::new()),
        _ => None,
    }
}

/// Equality with Terraform's primitive conversions (`1 == "1"` is false in
/// Terraform, but `"true" == true` style comparisons in real code are meant).
fn loose_eq(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Str(_), Val::Str(_)) => a == b,
        (Val::Bool(_), Val::Str(_)) | (Val::Str(_), Val::Bool(_)) => a.as_bool() == b.as_bool(),
        (Val::Num(x), Val::Str(s)) | (Val::Str(s), Val::Num(x)) => *s == fmt_num(*x),
        _ => a == b,
    }
}
