//! Validation of a parsed spec: references, cycles, names and values.
//! No I/O: the same function serves `lockgate validate`, every command that
//! loads the spec, and the server.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::model::*;
use super::values::{Located, NamedMap};
use crate::diag::{Diagnostic, Pos};

struct Ctx<'a> {
    file: &'a Path,
    out: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, pos: Pos, msg: impl Into<String>, hint: impl Into<String>) {
        self.out.push(Diagnostic::error(self.file, pos, msg).hint(hint));
    }

    fn warn(&mut self, pos: Pos, msg: impl Into<String>, hint: impl Into<String>) {
        self.out.push(Diagnostic::warning(self.file, pos, msg).hint(hint));
    }
}

/// Checks `spec` and returns every problem found (errors and warnings), in
/// file order.
pub fn validate(file: &Path, spec: &Spec) -> Vec<Diagnostic> {
    let mut cx = Ctx { file, out: Vec::new() };
    if spec.version != 1 {
        cx.error(
            Pos::new(1, 1, 1),
            format!("unsupported format version {}", spec.version),
            "this lockgate understands `version: 1`",
        );
    }
    if spec.project.value.trim().is_empty() {
        cx.error(spec.project.pos, "the project name is empty", "write `project: <name>`");
    }
    names(&mut cx, "environment", &spec.environments);
    names(&mut cx, "service", &spec.services);
    names(&mut cx, "job", &spec.pipeline);
    names(&mut cx, "gate", &spec.gates);
    names(&mut cx, "secret", &spec.secrets);
    environments(&mut cx, spec);
    services(&mut cx, spec);
    pipeline(&mut cx, spec);
    gates(&mut cx, spec);
    if let Some(w) = &spec.notify.webhook
        && !(w.value.starts_with("http://") || w.value.starts_with("https://"))
    {
        cx.error(
            w.pos,
            "the webhook is not an http:// or https:// URL",
            "write `webhook: https://…` (or `${VAR}` holding one)",
        );
    }
    policy(&mut cx, spec);
    cx.out.sort_by_key(|d| (d.pos.line, d.pos.column));
    cx.out
}

/// `policy.frameworks` names frameworks (or levels) that exist; `policy.skip`
/// ids that are not built-in rules are worth a warning.
fn policy(cx: &mut Ctx, spec: &Spec) {
    for f in &spec.policy.frameworks {
        if let Err(e) = crate::policy::rule::FrameworkFilter::parse(&f.value) {
            cx.error(f.pos, e.message, e.hint);
        }
    }
    for id in &spec.policy.skip {
        // A custom Rego policy's id is known only when the scan loads it.
        if crate::policy::rules::find(&id.value).is_none() {
            cx.warn(
                id.pos,
                format!("no built-in rule has the id {:?}", id.value.to_string()),
                "`lockgate rules list` shows the ids; ignore this for a custom Rego policy's id",
            );
        }
    }
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.len() <= 64
}

fn names<V>(cx: &mut Ctx, what: &str, map: &NamedMap<V>) {
    for (k, _) in &map.entries {
        if !valid_name(&k.value) {
            cx.error(
                k.pos,
                format!("`{}` is not a valid {what} name", k.value),
                "names are 1–64 letters, digits, `-`, `_` or `.`, starting with a letter or digit",
            );
        }
    }
}

/// Error for a reference to a name that is not defined.
fn unknown(cx: &mut Ctx, what: &str, r: &Located<String>, defined: &[&str]) {
    let hint = match did_you_mean(&r.value, defined.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if defined.is_empty() => format!("no {what}s are defined"),
        None => format!("defined {what}s: {}", defined.join(", ")),
    };
    let mut pos = r.pos;
    if pos.len == 0 {
        pos.len = r.value.chars().count() as u64;
    }
    cx.out.push(
        Diagnostic::error(cx.file, pos, format!("unknown {what} `{}`", r.value))
            .label(format!("no {what} named `{}`", r.value))
            .hint(hint),
    );
}

fn environments(cx: &mut Ctx, spec: &Spec) {
    let names: Vec<&str> = spec.environments.names().collect();
    for (name, env) in spec.environments.iter() {
        if let Some(from) = &env.promote_from {
            if from.value == name {
                cx.error(
                    from.pos,
                    format!("environment `{name}` is promoted from itself"),
                    "name the environment before it, e.g. `promote_from: staging`",
                );
            } else if !spec.environments.contains(&from.value) {
                unknown(cx, "environment", from, &names);
            }
        }
        if let Some(a) = &env.approvals {
            approvals(cx, a, env.promote_from.as_ref().map_or(Pos::default(), |p| p.pos));
        }
    }
    // Promotion chains must not loop.
    for (name, _) in spec.environments.iter() {
        let mut seen = vec![name];
        let mut cur = name;
        while let Some(from) = spec.environments.get(cur).and_then(|e| e.promote_from.as_ref()) {
            if from.value == cur || !spec.environments.contains(&from.value) {
                break;
            }
            if from.value == name {
                seen.push(&from.value);
                if seen.iter().skip(1).all(|s| *s >= name) {
                    cx.error(
                        from.pos,
                        format!("promotion cycle: {}", seen.join(" ← ")),
                        "promotion must run one way, e.g. dev → staging → production",
                    );
                }
                break;
            }
            if seen.contains(&from.value.as_str()) {
                break;
            }
            seen.push(&from.value);
            cur = &from.value;
        }
    }
}

fn approvals(cx: &mut Ctx, a: &Approvals, pos: Pos) {
    if a.required == 0 {
        cx.error(
            pos,
            "`approvals.required` is 0",
            "require at least 1 approval, or remove `approvals`",
        );
    }
    if a.expires.as_std().is_zero() {
        cx.error(
            pos,
            "`approvals.expires` is 0s, so every approval would be expired",
            "use e.g. `expires: 7d`",
        );
    }
    for r in a.roles.iter().chain(&a.break_glass) {
        if r.value.trim().is_empty() {
            cx.error(r.pos, "empty role name", "write a role such as `release-manager`");
        }
    }
}

fn services(cx: &mut Ctx, spec: &Spec) {
    let env_names: Vec<&str> = spec.environments.names().collect();
    let mut ports: HashMap<u16, String> = HashMap::new();
    for (k, svc) in &spec.services.entries {
        let name = &k.value;
        if svc.run.value.0.trim().is_empty() {
            cx.error(
                svc.run.pos,
                format!("service `{name}` has an empty `run` command"),
                "write the command that starts one instance, using ${PORT}",
            );
        }
        if svc.instances == 0 {
            cx.error(
                k.pos,
                format!("service `{name}` has 0 instances"),
                "use `instances: 1` or more",
            );
        }
        if let Some(h) = &svc.health
            && !h.path.starts_with('/')
        {
            cx.error(
                k.pos,
                format!("health path `{}` of service `{name}` does not start with `/`", h.path),
                "write an HTTP path such as `/healthz`",
            );
        }
        for e in &svc.environments {
            if !spec.environments.contains(&e.value) {
                unknown(cx, "environment", e, &env_names);
            }
        }
        let mut claim = |cx: &mut Ctx, port: &Located<u16>, what: &str| {
            if port.value == 0 {
                cx.error(
                    port.pos,
                    "port 0 cannot be listened on",
                    "choose a port between 1 and 65535",
                );
            } else if let Some(other) = ports.insert(port.value, format!("{what} of service `{name}`")) {
                cx.error(
                    port.pos,
                    format!("port {} is already used by the {other}", port.value),
                    "give every service and preview its own port",
                );
            }
        };
        if let Some(p) = &svc.port {
            claim(cx, p, "port");
        }
        match &svc.strategy {
            Strategy::Rolling(r) => {
                if r.batch == 0 {
                    cx.error(
                        k.pos,
                        format!("rolling batch of service `{name}` is 0"),
                        "use `batch: 1` or more",
                    );
                }
                if let Some(a) = &r.analysis {
                    analysis(cx, a, k.pos);
                }
            }
            Strategy::BlueGreen(b) => {
                if let Some(p) = &b.preview_port {
                    claim(cx, p, "preview port");
                }
                if let Some(a) = &b.analysis {
                    analysis(cx, a, k.pos);
                }
            }
            Strategy::Canary(c) => canary(cx, name, k.pos, c),
        }
        if let Some(s) = &svc.slo {
            slo(cx, name, k.pos, s);
        }
    }
}

/// A service's objectives: each share strictly between 0 and 100 %, a
/// latency threshold the proxy's histogram can measure, a window the
/// burn-rate alerts fit in.
fn slo(cx: &mut Ctx, name: &str, pos: Pos, s: &Slo) {
    let at = |p: Pos| if p.line > 0 { p } else { pos };
    if s.availability.is_none() && s.latency.is_none() {
        cx.error(
            pos,
            format!("the slo of service `{name}` sets no objective"),
            "add `availability: 99.9%` and/or `latency: { threshold: 300ms, percentile: 99% }`",
        );
    }
    let share = |cx: &mut Ctx, p: &Located<super::values::Percent>, what: &str| {
        if !(p.value.0 > 0.0 && p.value.0 < 100.0) {
            cx.error(
                at(p.pos),
                format!(
                    "{what} objective {} of service `{name}` is not strictly between 0% and 100%",
                    p.value
                ),
                "100% leaves no error budget to alert on; write e.g. `99.9%`",
            );
            false
        } else {
            true
        }
    };
    let window = s.window.value.as_std();
    let window_ok = window >= std::time::Duration::from_secs(7 * 86_400);
    if !window_ok {
        cx.error(
            at(s.window.pos),
            format!("slo window {} of service `{name}` is shorter than 7d", s.window.value),
            "the burn-rate alerts look back up to 3 days; use e.g. `window: 30d` (the default) or `28d`",
        );
    }
    // The fastest alert pages when 2% of the budget burns in 1 hour: with
    // too small a budget for the window that rate is above 100% errors.
    let page_ok = |cx: &mut Ctx, p: &Located<super::values::Percent>, what: &str| {
        let budget = (100.0 - p.value.0) / 100.0;
        let factor = 0.02 * window.as_secs_f64() / 3600.0;
        if window_ok && budget * factor >= 1.0 {
            cx.warn(
                at(p.pos),
                format!(
                    "with a {what} objective of {} over {}, the fast-burn page can never fire",
                    p.value, s.window.value
                ),
                "it fires at 2% of the error budget in 1h, which needs more than 100% failures here; raise the objective or shorten the window",
            );
        }
    };
    if let Some(a) = &s.availability
        && share(cx, a, "availability")
    {
        page_ok(cx, a, "availability");
    }
    if let Some(l) = &s.latency {
        if share(cx, &l.percentile, "latency") {
            page_ok(cx, &l.percentile, "latency");
        }
        let t = l.threshold.value.as_std();
        let largest = crate::insight::monitoring::PROXY_BUCKETS.last().copied().unwrap_or(0.0);
        if t.is_zero() {
            cx.error(
                at(l.threshold.pos),
                format!("latency threshold of service `{name}` is 0s"),
                "write e.g. `threshold: 300ms`",
            );
        } else if t.as_secs_f64() > largest {
            cx.error(
                at(l.threshold.pos),
                format!(
                    "latency threshold {} of service `{name}` is above the proxy's largest latency bucket ({largest}s)",
                    l.threshold.value
                ),
                "the proxy's histogram measures up to 10s; use a threshold of 10s or less",
            );
        }
    }
}

fn canary(cx: &mut Ctx, name: &str, pos: Pos, c: &Canary) {
    if c.steps.is_empty() {
        cx.error(
            pos,
            format!("canary of service `{name}` has no steps"),
            "write e.g. `steps: [10, 25, 50, 100]`",
        );
    }
    let mut last = 0.0;
    let mut any_weight = false;
    for s in &c.steps {
        if let CanaryStep::Weight(w) = s.value {
            any_weight = true;
            if w.0 < last {
                cx.error(
                    s.pos,
                    format!("canary weight {w} is lower than the step before ({last}%)"),
                    "weights only grow; to go back, abort the rollout",
                );
            }
            last = w.0;
        }
    }
    if !c.steps.is_empty() && !any_weight {
        cx.error(
            pos,
            format!("canary of service `{name}` has only pauses"),
            "add weights, e.g. `steps: [10, pause, 50, 100]`",
        );
    }
    if c.interval.as_std().is_zero() {
        cx.error(pos, "canary `interval` is 0s", "use e.g. `interval: 30s`");
    }
    if let Some(h) = &c.header
        && let Err(e) = crate::delivery::proxy::Options::header(h.as_str())
    {
        cx.error(
            pos,
            format!("canary header `{h}`: {e}"),
            "write e.g. `header: \"X-Canary: always\"`",
        );
    }
    if let Some(a) = &c.analysis {
        analysis(cx, a, pos);
    }
}

fn analysis(cx: &mut Ctx, a: &Analysis, pos: Pos) {
    if a.conditions.is_empty() && a.probes.is_empty() {
        cx.error(
            pos,
            "this analysis measures nothing: it has no conditions and no probes",
            "add e.g. `conditions: [\"error_rate < 1%\"]`, or remove `analysis:`",
        );
    }
    for cond in &a.conditions {
        match crate::delivery::analysis::Condition::parse(cond.value.as_str()) {
            Err(e) => {
                let mut pos = cond.pos;
                if pos.line > 0 {
                    pos.column += e.offset as u64 + quote_width(cond);
                    pos.len = 1;
                }
                cx.error(
                    pos,
                    format!("invalid analysis condition `{}`: {}", cond.value, e.message),
                    e.hint,
                );
            }
            Ok(c) => {
                if matches!(c.measure, crate::delivery::analysis::Measure::Prometheus(_)) && a.prometheus.is_none() {
                    cx.error(
                        cond.pos,
                        format!(
                            "`{}` queries Prometheus, but the analysis names no `prometheus` server",
                            cond.value
                        ),
                        "add `prometheus: http://127.0.0.1:9090` to the analysis",
                    );
                }
            }
        }
    }
    if let Some(p) = &a.prometheus
        && (!p.as_str().starts_with("http://") || p.as_str().contains('@'))
    {
        cx.error(
            a.conditions.first().map_or(Pos::default(), |c| c.pos),
            "the `prometheus` URL must be http://HOST:PORT[/PATH] without credentials",
            "write e.g. `prometheus: http://127.0.0.1:9090` (https is not supported yet)",
        );
    }
    if a.interval.as_std().is_zero() {
        cx.error(
            a.conditions.first().map_or(Pos::default(), |c| c.pos),
            "analysis `interval` is 0s",
            "use e.g. `interval: 10s`",
        );
    }
}

fn pipeline(cx: &mut Ctx, spec: &Spec) {
    let jobs: Vec<&str> = spec.pipeline.names().collect();
    let secret_names: Vec<&str> = spec.secrets.names().collect();
    for (k, job) in &spec.pipeline.entries {
        let name = &k.value;
        if job.run.value.0.trim().is_empty() {
            cx.error(
                job.run.pos,
                format!("job `{name}` has an empty `run` script"),
                "write the commands the job runs",
            );
        }
        let mut seen = HashSet::new();
        for n in &job.needs {
            if n.value == *name {
                cx.error(n.pos, format!("job `{name}` needs itself"), "remove it from `needs`");
            } else if !spec.pipeline.contains(&n.value) {
                unknown(cx, "job", n, &jobs);
            } else if !seen.insert(n.value.as_str()) {
                cx.warn(
                    n.pos,
                    format!("`{}` is listed twice in `needs`", n.value),
                    "remove the duplicate",
                );
            }
        }
        for s in &job.secrets {
            if !spec.secrets.contains(&s.value) {
                unknown(cx, "secret", s, &secret_names);
            }
        }
        for g in job.inputs.iter().chain(&job.outputs) {
            if let Err(e) = globset::Glob::new(&g.value) {
                cx.error(
                    g.pos,
                    format!("`{}` is not a valid glob: {}", g.value, e.kind()),
                    "see https://docs.rs/globset for the glob syntax",
                );
            }
            if Path::new(g.value.as_str()).is_absolute() || g.value.split('/').any(|c| c == "..") {
                cx.error(
                    g.pos,
                    format!("`{}` points outside the project", g.value),
                    "inputs and outputs are paths inside the project directory",
                );
            }
        }
        if job.timeout.is_some_and(|t| t.as_std().is_zero()) {
            cx.error(
                job.run.pos,
                format!("job `{name}` has a timeout of 0s"),
                "remove `timeout` or give a positive duration",
            );
        }
        if let Some(c) = &job.condition
            && c.value.trim().is_empty()
        {
            cx.error(
                c.pos,
                "empty `if` condition",
                "remove `if` or write e.g. `branch == \"main\"`",
            );
        }
        for r in job
            .reports
            .junit
            .iter()
            .chain(&job.reports.coverage.0)
            .chain(&job.reports.sarif.0)
        {
            if r.value.trim().is_empty() {
                cx.error(
                    r.pos,
                    "empty report path",
                    "write the path of the report file the job writes",
                );
            }
        }
    }
    // Cycles: depth-first search, reporting each cycle once at the edge that closes it.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let index: HashMap<&str, usize> = jobs.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut marks = vec![Mark::New; jobs.len()];
    let mut stack: Vec<usize> = Vec::new();
    fn visit(
        i: usize,
        spec: &Spec,
        index: &HashMap<&str, usize>,
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
        cx: &mut Ctx,
    ) {
        marks[i] = Mark::Active;
        stack.push(i);
        let (_, job) = &spec.pipeline.entries[i];
        for n in &job.needs {
            let Some(&j) = index.get(n.value.as_str()) else {
                continue;
            };
            if j == i {
                continue;
            }
            match marks[j] {
                Mark::New => visit(j, spec, index, marks, stack, cx),
                Mark::Active => {
                    let from = stack.iter().position(|&s| s == j).unwrap_or(0);
                    let mut path: Vec<&str> = stack[from..]
                        .iter()
                        .map(|&s| spec.pipeline.entries[s].0.value.as_str())
                        .collect();
                    path.push(&n.value);
                    cx.error(
                        n.pos,
                        format!("dependency cycle: {}", path.join(" → ")),
                        "a job cannot (indirectly) need itself; remove one of these `needs`",
                    );
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks[i] = Mark::Done;
    }
    for i in 0..jobs.len() {
        if marks[i] == Mark::New {
            visit(i, spec, &index, &mut marks, &mut stack, cx);
        }
    }
}

fn gates(cx: &mut Ctx, spec: &Spec) {
    let env_names: Vec<&str> = spec.environments.names().collect();
    let gate_names: Vec<&str> = spec.gates.names().collect();
    for (k, gate) in &spec.gates.entries {
        let name = &k.value;
        if let Some(e) = &gate.environment
            && !spec.environments.contains(&e.value)
        {
            unknown(cx, "environment", e, &env_names);
        }
        for a in &gate.after {
            if a.value == *name {
                cx.error(
                    a.pos,
                    format!("gate `{name}` comes after itself"),
                    "name the gate before it",
                );
            } else if !spec.gates.contains(&a.value) {
                unknown(cx, "gate", a, &gate_names);
            }
        }
        if let Some(a) = &gate.approvals {
            approvals(cx, a, k.pos);
        }
        if gate.items.is_empty() {
            cx.warn(
                k.pos,
                format!("gate `{name}` has no items, so it is always open"),
                "add checks or attestations, or remove the gate",
            );
        }
        let mut ids: HashMap<String, Pos> = HashMap::new();
        for item in &gate.items {
            let it = &item.value;
            let has_check = it.check.is_some();
            let has_attest = !it.attest.is_empty();
            if has_check == has_attest {
                cx.error(
                    item.pos,
                    if has_check {
                        "an item cannot both `check` and `attest`"
                    } else {
                        "an item needs `check` or `attest`"
                    },
                    "write `check: <condition>` for an automatic item, or `attest: <role>` for one a person signs",
                );
            }
            for cond in it.check.iter().chain(it.warning.iter()) {
                if let Err(e) = super::criteria::parse(&cond.value) {
                    // Point into the check when it has its own position (map form).
                    let mut pos = if cond.pos.line > 0 { cond.pos } else { item.pos };
                    if cond.pos.line > 0 {
                        pos.column += e.offset as u64 + quote_width(cond);
                        pos.len = 1;
                    }
                    cx.error(
                        pos,
                        format!("invalid check `{}`: {}", cond.value, e.message),
                        e.hint
                            .unwrap_or_else(|| "e.g. `tests.failed == 0`, `coverage.lines >= 80%`".to_string()),
                    );
                }
            }
            if !(it.weight.is_finite() && it.weight >= 0.0) {
                cx.error(
                    item.pos,
                    format!("weight {} is not a non-negative number", it.weight),
                    "use e.g. `weight: 1`",
                );
            }
            let id = item_id(it);
            if id.is_empty() {
                cx.error(item.pos, "this item has no id", "add `id: <name>`");
            } else if let Some(first) = ids.insert(id.clone(), item.pos) {
                cx.error(
                    item.pos,
                    format!(
                        "item id `{id}` is used twice in gate `{name}` (first at line {})",
                        first.line
                    ),
                    "give the items distinct `id`s",
                );
            }
        }
        if let Some(s) = &gate.scoring
            && s.warning.0 > s.pass.0
        {
            cx.error(
                k.pos,
                format!(
                    "scoring warning threshold {} is above the pass threshold {}",
                    s.warning, s.pass
                ),
                "the warning threshold must be at or below the pass threshold",
            );
        }
    }
    // `after` must not loop.
    for (k, _) in &spec.gates.entries {
        let mut frontier = vec![k.value.as_str()];
        let mut seen: HashSet<&str> = HashSet::new();
        while let Some(cur) = frontier.pop() {
            let Some(g) = spec.gates.get(cur) else { continue };
            for a in &g.after {
                if a.value == k.value && cur != k.value {
                    cx.error(
                        a.pos,
                        format!("gate order cycle involving `{}`", k.value),
                        "`after` must describe a one-way order of phases",
                    );
                    // One report is enough: the cycle's other gates would repeat it.
                    return;
                }
                if seen.insert(&a.value) {
                    frontier.push(&a.value);
                }
            }
        }
    }
}

/// 1 when the value was written in quotes (its span is longer than its
/// text), so a caret inside it moves past the opening quote.
fn quote_width(v: &Located<super::values::Text>) -> u64 {
    u64::from(v.pos.len as usize >= v.value.chars().count() + 2)
}

/// The id of a gate item: its `id`, or a slug of its title or check.
pub fn item_id(item: &GateItem) -> String {
    if let Some(id) = &item.id {
        return id.value.clone();
    }
    let basis = item
        .title
        .as_ref()
        .map(|t| t.as_str())
        .or(item.check.as_ref().map(|c| c.value.as_str()))
        .unwrap_or("");
    slug(basis)
}

/// `Coverage ≥ 80 %` → `coverage-80`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(64);
    out
}

/// The candidate closest to `word` by edit distance, when it is close enough
/// to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance where swapping two neighbouring letters counts as one
/// edit (optimal string alignment), so `biuld` is close to `build`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_words_only() {
        assert_eq!(did_you_mean("buid", ["build", "test"].into_iter()), Some("build"));
        assert_eq!(
            did_you_mean("neds", ["run", "needs", "inputs"].into_iter()),
            Some("needs")
        );
        assert_eq!(did_you_mean("biuld", ["build", "test"].into_iter()), Some("build"));
        assert_eq!(did_you_mean("zzz", ["build", "test"].into_iter()), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("tests.failed == 0"), "tests-failed-0");
        assert_eq!(slug("Coverage ≥ 80 %"), "coverage-80");
    }
}
