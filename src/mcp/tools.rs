//! The MCP tools, resources and prompts. Each tool calls the engine
//! function the CLI and the HTTP API call, as the agent's identity.

use std::sync::Arc;

use rmcp::model::{
    GetPromptResult, Prompt, PromptArgument, PromptMessage, ReadResourceResult, Resource, ResourceContents,
    ResourceTemplate, Tool, ToolAnnotations,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Answer, Backend, ToolError};
use crate::commands::{self, gate};
use crate::delivery::controller::Command;
use crate::ledger::Actor;
use crate::server::Perm;
use crate::server::identity::{Identity, Role};

type R = Result<Answer, ToolError>;

fn answer(text: impl Into<String>, data: impl serde::Serialize) -> R {
    Ok(Answer {
        text: text.into(),
        data: serde_json::to_value(data).unwrap_or(Value::Null),
    })
}

/// Runs blocking engine work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> Result<T, ToolError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ToolError::from),
        Err(_) => Err(ToolError("internal error: a worker task failed".into())),
    }
}

// ---- arguments --------------------------------------------------------------

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InitArgs {
    /// Directory of the repository, relative to the project (default: the project itself).
    #[serde(default)]
    pub dir: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleArgs {
    /// A rule id, e.g. `AWS_S3_001`.
    pub rule: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunArgs {
    /// Jobs to run (with what they need); default: the whole pipeline.
    #[serde(default)]
    pub jobs: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunStatusArgs {
    /// The run id (default: the latest run).
    #[serde(default)]
    pub run: Option<u64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunLogsArgs {
    /// The run id (default: the latest run).
    #[serde(default)]
    pub run: Option<u64>,
    /// The job whose log to read.
    pub job: String,
    /// Only the last N lines (default 100).
    #[serde(default)]
    pub tail: Option<usize>,
    /// Skip the first N lines (paging from the start instead of the end).
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanArgs {
    /// A path inside the project to scan (default: the whole project).
    #[serde(default)]
    pub path: Option<String>,
    /// Only findings of rules mapped to these frameworks (e.g. `cis`, `soc2`, `pss:restricted`).
    #[serde(default)]
    pub frameworks: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplianceArgs {
    /// A built-in framework id, e.g. `soc2`, `pci-dss`, `hipaa`, `gdpr`, `sox`, `cis-aws`.
    pub framework: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateArgs {
    /// The gate's name.
    pub gate: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestApprovalArgs {
    /// The gate waiting for approval.
    pub gate: String,
    /// What the approvers should know (what changed, why now).
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveArgs {
    /// The gate to approve (never one guarding production).
    pub gate: String,
    /// Why this change is fine.
    pub comment: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployArgs {
    /// The service to roll out.
    pub service: String,
    /// The environment, named explicitly.
    pub environment: String,
    /// The version (default: the change under review's commit).
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoraArgs {
    /// The environment whose deployments count (default: production, or the last environment).
    #[serde(default)]
    pub environment: Option<String>,
    /// The period, an age such as `30d` (compared with the period before it).
    #[serde(default)]
    pub since: Option<String>,
    /// Only this service.
    #[serde(default)]
    pub service: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocsArgs {
    /// Also write them to this directory inside the project (e.g. `plan`); default: only return them.
    #[serde(default)]
    pub write_to: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverArgs {
    /// Who takes over: security, performance, compliance or code.
    pub to: crate::cli::HandoverTo,
    /// What they should do.
    #[serde(default)]
    pub task: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvArgs {
    /// The environment, named explicitly.
    pub environment: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitArgs {
    pub service: String,
    /// The environment, named explicitly.
    pub environment: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteArgs {
    pub service: String,
    /// The environment, named explicitly.
    pub environment: String,
    /// Straight to 100 % instead of the next step.
    #[serde(default)]
    pub full: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditArgs {
    /// Exact event kind, or a prefix ending in `.` or `*` (e.g. `gate.*`).
    #[serde(default)]
    pub kind: Option<String>,
    /// e.g. `agent:claude` or `user:alice@example.com`.
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    /// An age (`7d`, `2h`), a date or an RFC 3339 time.
    #[serde(default)]
    pub since: Option<String>,
    /// Only events after this sequence number (the previous answer's `next`).
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many events (1–200, default 50).
    #[serde(default)]
    pub limit: Option<usize>,
}

fn schema_of<T: JsonSchema>() -> Arc<Map<String, Value>> {
    use schemars::generate::SchemaSettings;
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut v = generator.into_root_schema_for::<T>().to_value();
    if let Some(o) = v.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
        o.entry("type").or_insert(json!("object"));
        o.entry("properties").or_insert(json!({}));
    }
    Arc::new(v.as_object().cloned().unwrap_or_default())
}

fn parse<T: serde::de::DeserializeOwned>(tool: &str, args: Value) -> Result<T, ToolError> {
    serde_json::from_value(args)
        .map_err(|e| ToolError(format!("bad arguments for `{tool}`: {e}; see the tool's input schema")))
}

// ---- the catalogue ----------------------------------------------------------

struct Def {
    name: &'static str,
    perm: Perm,
    read_only: bool,
    destructive: bool,
    description: &'static str,
    schema: fn() -> Arc<Map<String, Value>>,
}

const DEFS: &[Def] = &[
    Def {
        name: "project_status",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<NoArgs>,
        description: "Where the project stands: environments, services with their deployed versions and running rollouts, every gate with its status and the question it waits on, and recent failures. Call this first.",
    },
    Def {
        name: "validate_config",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<NoArgs>,
        description: "Check lockgate.yaml (syntax, types, references, cycles). Returns valid=true, or the problems with file, line and column.",
    },
    Def {
        name: "init_config",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<InitArgs>,
        description: "Dry run of `lockgate init`: the lockgate.yaml lockgate would write for a repository (detected ecosystems, pipeline, environments, gates). Writes nothing; show the file to your human.",
    },
    Def {
        name: "explain_rule",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<RuleArgs>,
        description: "Explain a scanner rule: what it checks, why it matters, how to fix a finding, its compliance mappings.",
    },
    Def {
        name: "run_pipeline",
        perm: Perm::Operate,
        read_only: false,
        destructive: false,
        schema: schema_of::<RunArgs>,
        description: "Start the pipeline (or some jobs and what they need) in the background, as you. Returns the run id; follow it with run_status and run_logs.",
    },
    Def {
        name: "run_status",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<RunStatusArgs>,
        description: "A pipeline run: status (succeeded, failed, cancelled, unfinished), each job's result, the artifact digest and the evidence recorded.",
    },
    Def {
        name: "run_logs",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<RunLogsArgs>,
        description: "A job's log from a run (secrets masked): the last `tail` lines (default 100), or from `offset`.",
    },
    Def {
        name: "scan",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<ScanArgs>,
        description: "Scan the project's infrastructure code (Terraform, Kubernetes, Dockerfiles, CI workflows, package manifests) with its policy settings. Returns counts by severity and the top findings with file and line.",
    },
    Def {
        name: "compliance_report",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<ComplianceArgs>,
        description: "A compliance report of the project against a framework (SOC 2, PCI DSS, HIPAA, GDPR, SOX, CIS): each control passing, failing or needing evidence.",
    },
    Def {
        name: "gate_status",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<GateArgs>,
        description: "A gate's checklist with evidence values, what it waits on, the suggested next actions, and `ask_human`: the question to put to your human when the gate needs a person. Never try to get around a gate.",
    },
    Def {
        name: "request_approval",
        perm: Perm::Read,
        read_only: false,
        destructive: false,
        schema: schema_of::<RequestApprovalArgs>,
        description: "Ask the people who may approve a gate to review the change under review. Records the request in the ledger and names who was asked. You cannot approve it yourself.",
    },
    Def {
        name: "approve",
        perm: Perm::Approve,
        read_only: false,
        destructive: false,
        schema: schema_of::<ApproveArgs>,
        description: "Approve the change under review at a non-production gate your administrator allowed you to decide on. The gate's own rules (roles, not the author) still apply.",
    },
    Def {
        name: "deploy",
        perm: Perm::Operate,
        read_only: false,
        destructive: true,
        schema: schema_of::<DeployArgs>,
        description: "Roll out a version of a service to a named environment with its strategy (canary, blue-green, rolling). The environment's gates must be open; if they are not, this fails and says what they wait on.",
    },
    Def {
        name: "promote_environment",
        perm: Perm::Operate,
        read_only: false,
        destructive: false,
        schema: schema_of::<EnvArgs>,
        description: "Promote the change under review to a named environment through the gates guarding it (like `lockgate promote ENV`). Fails, saying what the gates wait on, when one is not open. A deploy to an environment promoted from another needs the change promoted there first.",
    },
    Def {
        name: "rollout_status",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<UnitArgs>,
        description: "A service in an environment: stable version, instances and their health, the current rollout's step, weights and analysis measurements.",
    },
    Def {
        name: "promote",
        perm: Perm::Operate,
        read_only: false,
        destructive: true,
        schema: schema_of::<PromoteArgs>,
        description: "Move a running rollout to its next step (or to 100 % with full=true).",
    },
    Def {
        name: "abort",
        perm: Perm::Operate,
        read_only: false,
        destructive: true,
        schema: schema_of::<UnitArgs>,
        description: "Abort a running rollout: all traffic back to the stable version at once.",
    },
    Def {
        name: "rollback",
        perm: Perm::Operate,
        read_only: false,
        destructive: true,
        schema: schema_of::<UnitArgs>,
        description: "Roll a service back to its previous stable version in a named environment.",
    },
    Def {
        name: "dora_metrics",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<DoraArgs>,
        description: "Delivery performance from the ledger: the four DORA keys (deployment frequency, lead time for changes, change failure rate, time to restore) with their performance band and trend, and success metrics (deployment success, rollbacks, gate pass rate, approval wait, automation coverage).",
    },
    Def {
        name: "generate_docs",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<DocsArgs>,
        description: "The project's infrastructure and deployment documents (architecture, pipelines, environments, security controls, monitoring, scaling, disaster recovery, operations guide) with Mermaid diagrams, generated from lockgate.yaml and the ledger. With write_to, also writes them there (operator).",
    },
    Def {
        name: "handover_context",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<HandoverArgs>,
        description: "A handover for a specialist (security, performance, compliance, code): infrastructure state, operational context, success criteria, dependencies and integration, risk factors, from live data.",
    },
    Def {
        name: "audit_query",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<AuditArgs>,
        description: "Search the tamper-evident audit ledger: every run, decision, deployment and tool call, with filters; `next` pages on.",
    },
    Def {
        name: "audit_verify",
        perm: Perm::Read,
        read_only: true,
        destructive: false,
        schema: schema_of::<NoArgs>,
        description: "Re-verify the whole audit ledger (hash chain, Merkle tree, signed checkpoints) against the pinned key.",
    },
];

pub fn known(name: &str) -> bool {
    DEFS.iter().any(|d| d.name == name)
}

/// Whether `id` may be offered the approve tool: an approver whose scope
/// reaches at least one gate that does not guard production.
fn may_approve_somewhere(b: &Backend, id: &Identity) -> bool {
    if !matches!(id.role, Role::Approver | Role::Admin) {
        return false;
    }
    let Some(spec) = load_spec(b) else { return false };
    spec.gates.iter().any(|(name, g)| {
        let env = g.environment.as_ref().map(|e| e.value.to_string());
        let in_scope = (id.gates.is_empty() || id.gates.iter().any(|x| x == name))
            && (id.environments.is_empty() || env.as_ref().is_some_and(|e| id.environments.contains(e)));
        // Production gates are never approved over MCP (see `approve`).
        in_scope && !env.as_deref().is_some_and(|e| super::is_production(&spec, e))
    })
}

fn load_spec(b: &Backend) -> Option<crate::spec::Spec> {
    if let Backend::Server(app) = b {
        return Some(app.spec.clone());
    }
    let path = commands::spec_path(b.g()).ok()?;
    crate::spec::load(&path, crate::spec::process_vars())
        .ok()
        .map(|l| l.spec)
}

/// The tools this identity may call.
pub fn list(b: &Backend, id: &Identity) -> Vec<Tool> {
    DEFS.iter()
        .filter(|d| super::can(id, d.perm))
        .filter(|d| d.name != "approve" || may_approve_somewhere(b, id))
        .map(|d| {
            let mut ann = ToolAnnotations::default();
            ann.read_only_hint = Some(d.read_only);
            ann.destructive_hint = Some(d.destructive);
            Tool::new(d.name, d.description, (d.schema)()).with_annotations(ann)
        })
        .collect()
}

/// Calls a tool as `id`.
pub async fn call(b: &Backend, id: &Identity, name: &str, args: Value) -> R {
    let Some(def) = DEFS.iter().find(|d| d.name == name) else {
        return Err(ToolError(format!("there is no tool `{name}`")));
    };
    if !super::can(id, def.perm) || (name == "approve" && !may_approve_somewhere(b, id)) {
        let _ = b.record(vec![crate::ledger::NewEvent::json(
            id.actor(),
            "api.denied",
            format!("mcp/{name}"),
            json!({ "identity": id.actor, "route": format!("mcp:{name}"), "reason": format!("role {} may not call {name}", id.role) }),
        )]);
        return Err(ToolError(format!(
            "{} ({}) may not call `{name}`; ask your human to do it, or to have an administrator grant you a role",
            id.actor, id.role
        )));
    }
    let actor = id.actor();
    match name {
        "project_status" => project_status(b).await,
        "validate_config" => validate_config(b).await,
        "init_config" => init_config(b, parse(name, args)?).await,
        "explain_rule" => explain_rule(parse(name, args)?),
        "run_pipeline" => run_pipeline(b, id, parse(name, args)?).await,
        "run_status" => run_status(b, parse(name, args)?).await,
        "run_logs" => run_logs(b, parse(name, args)?).await,
        "scan" => scan(b, parse(name, args)?).await,
        "compliance_report" => compliance(b, parse(name, args)?).await,
        "gate_status" => gate_status(b, parse(name, args)?).await,
        "request_approval" => request_approval(b, &actor, parse(name, args)?).await,
        "approve" => approve(b, id, &actor, parse(name, args)?).await,
        "deploy" => deploy(b, id, parse(name, args)?).await,
        "promote_environment" => {
            let a: EnvArgs = parse(name, args)?;
            let g = b.g().clone();
            let env = a.environment.clone();
            let p = blocking(move || gate::promote_as(&g, &actor, &env, false, &mut |_| {})).await?;
            answer(
                format!(
                    "promoted run {} (artifact {}) to {}; recorded as event {}",
                    p.run,
                    p.artifact.as_deref().unwrap_or("-"),
                    p.environment,
                    p.event
                ),
                &p,
            )
        }
        "rollout_status" => {
            let a: UnitArgs = parse(name, args)?;
            unit_call(b, id, &a.service, &a.environment, "status", false).await
        }
        "promote" => {
            let a: PromoteArgs = parse(name, args)?;
            unit_call(b, id, &a.service, &a.environment, "promote", a.full).await
        }
        "abort" | "rollback" => {
            let a: UnitArgs = parse(name, args)?;
            unit_call(b, id, &a.service, &a.environment, name, false).await
        }
        "audit_query" => audit_query(b, parse(name, args)?).await,
        "generate_docs" => generate_docs(b, id, parse(name, args)?).await,
        "dora_metrics" => {
            let a: DoraArgs = parse(name, args)?;
            let g = b.g().clone();
            let margs = crate::cli::MetricsArgs {
                env: a.environment,
                since: a.since.unwrap_or_else(|| "30d".into()),
                service: a.service,
                json: true,
            };
            blocking(move || {
                let (report, _) = commands::metrics::compute(&g, &margs)?;
                Ok(Answer {
                    text: commands::metrics::render(&report),
                    data: serde_json::to_value(&report)?,
                })
            })
            .await
        }
        "handover_context" => {
            let a: HandoverArgs = parse(name, args)?;
            if a.task.as_ref().is_some_and(|t| t.len() > 4096) {
                return Err(ToolError("the task is longer than 4096 bytes".into()));
            }
            let g = b.g().clone();
            blocking(move || {
                let f = crate::insight::docs::Facts::gather(&g)?;
                let h = crate::insight::docs::handover(&f, a.to, a.task.as_deref());
                Ok(Answer {
                    text: crate::insight::docs::handover_markdown(&h),
                    data: serde_json::to_value(&h)?,
                })
            })
            .await
        }
        "audit_verify" => audit_verify(b).await,
        _ => Err(ToolError(format!("there is no tool `{name}`"))),
    }
}

// ---- tools ------------------------------------------------------------------

async fn project_status(b: &Backend) -> R {
    let g = b.g().clone();
    let gates = blocking(move || gate::reports(&g)).await?;
    let units = match b {
        Backend::Server(app) => {
            let mut v = Vec::new();
            for h in app.units.values() {
                if let Ok(s) = h.call(Command::Status, Actor::system()).await {
                    v.push(s);
                }
            }
            v
        }
        Backend::Local { state_dir, .. } => {
            let dir = state_dir.clone();
            blocking(move || {
                Ok(crate::delivery::client::Client::try_connect(&dir)
                    .and_then(|c| c.get("/api/v1/rollouts").ok())
                    .and_then(|v| v["units"].as_array().cloned())
                    .unwrap_or_default())
            })
            .await?
        }
    };
    let g = b.g().clone();
    let history = blocking(move || commands::runs::history(&g)).await?;
    let failures: Vec<Value> = history
        .runs
        .values()
        .rev()
        .take(20)
        .filter(|r| r.status == "failed")
        .take(5)
        .map(|r| json!({ "run": r.run, "started": r.started.to_string(), "jobs": r.results.iter().filter(|(_, j)| j.conclusion == "failure").map(|(n, _)| n.clone()).collect::<Vec<_>>() }))
        .collect();
    let spec = load_spec(b);
    let mut text = String::new();
    if let Some(s) = &spec {
        text.push_str(&format!("Project {}.\n", s.project.value));
    }
    for u in &units {
        let rollout = u["rollout"]["phase"]
            .as_str()
            .map(|p| format!(", rollout {p}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "- {} in {}: stable {}{rollout}\n",
            u["service"].as_str().unwrap_or("?"),
            u["env"].as_str().unwrap_or("?"),
            u["stable"]["version"]
                .as_str()
                .or(u["stable"].as_str())
                .unwrap_or("none"),
        ));
    }
    if units.is_empty() {
        text.push_str("The controller is not running (no live rollout data): `lockgate serve --detach` starts it.\n");
    }
    for r in &gates {
        text.push_str(&format!(
            "- gate {}: {} — {}\n",
            r.gate,
            json!(r.status).as_str().unwrap_or(""),
            r.question
        ));
    }
    if !failures.is_empty() {
        text.push_str(&format!("{} recent failed run(s).\n", failures.len()));
    }
    answer(
        text,
        json!({
            "project": spec.as_ref().map(|s| s.project.value.to_string()),
            "environments": spec.as_ref().map(|s| s.environments.names().map(str::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            "services": spec.as_ref().map(|s| s.services.names().map(str::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            "units": units,
            "gates": gates.iter().map(|r| json!({ "gate": r.gate, "environment": r.environment, "status": r.status, "question": r.question })).collect::<Vec<_>>(),
            "recent_failures": failures,
        }),
    )
}

async fn validate_config(b: &Backend) -> R {
    let g = b.g().clone();
    blocking(move || {
        let path = commands::spec_path(&g)?;
        match crate::spec::load(&path, crate::spec::process_vars()) {
            Ok(l) => Ok(Answer {
                text: format!("{} is valid: project `{}`", path.display(), l.spec.project.value),
                data: json!({ "valid": true, "file": path.display().to_string(), "diagnostics": [] }),
            }),
            Err(e) => {
                let msg = format!("{:#}", commands::load_error(e));
                Ok(Answer {
                    text: format!("{} is not valid: {msg}", path.display()),
                    data: json!({ "valid": false, "file": path.display().to_string(), "diagnostics": [msg] }),
                })
            }
        }
    })
    .await
}

/// A path the caller named, kept inside the project.
fn inside(root: &std::path::Path, rel: Option<&str>) -> Result<std::path::PathBuf, ToolError> {
    let Some(rel) = rel.filter(|r| !r.is_empty() && *r != ".") else {
        return Ok(root.to_path_buf());
    };
    let p = std::path::Path::new(rel);
    if p.is_absolute() || p.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err(ToolError(format!(
            "`{}` is outside the project; give a path relative to the project, without `..`",
            crate::diag::sanitize(rel)
        )));
    }
    let full = root.join(p);
    if !full.exists() {
        return Err(ToolError(format!(
            "`{}` does not exist in the project",
            crate::diag::sanitize(rel)
        )));
    }
    Ok(full)
}

async fn init_config(b: &Backend, a: InitArgs) -> R {
    let dir = inside(b.root(), a.dir.as_deref())?;
    blocking(move || {
        let opts = crate::scaffold::InitOptions {
            dir: &dir,
            name: None,
            force: true,
            dry_run: true,
            timezone: crate::scaffold::local_timezone(),
        };
        let report = crate::scaffold::init(&opts).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let exists = dir.join("lockgate.yaml").exists();
        Ok(Answer {
            text: format!(
                "Dry run: lockgate would write {}{}:\n\n{}",
                report.path.display(),
                if exists { " (it exists: shown is what `lockgate init --force` would replace it with)" } else { "" },
                report.content
            ),
            data: json!({ "file": report.path.display().to_string(), "content": report.content, "would_write": !exists, "exists": exists }),
        })
    })
    .await
}

fn explain_rule(a: RuleArgs) -> R {
    let Some(e) = crate::policy::rules::find(&a.rule) else {
        return Err(ToolError(format!(
            "no rule has the id `{}`; scan findings name their rule ids",
            crate::diag::sanitize(&a.rule)
        )));
    };
    answer(
        commands::rules::page(e),
        json!({ "id": e.rule.id, "title": e.rule.title, "severity": e.rule.severity, "frameworks": e.rule.frameworks, "doc": e.doc }),
    )
}

async fn run_pipeline(b: &Backend, id: &Identity, a: RunArgs) -> R {
    if let Some(spec) = load_spec(b) {
        for j in &a.jobs {
            if spec.pipeline.get(j).is_none() {
                let names: Vec<&str> = spec.pipeline.names().collect();
                return Err(ToolError(format!(
                    "no job `{}` in the pipeline; jobs: {}",
                    crate::diag::sanitize(j),
                    names.join(", ")
                )));
            }
        }
    }
    let (g, root, state_dir) = (b.g().clone(), b.root().clone(), b.state_dir().clone());
    let actor = id.actor.clone();
    let jobs = a.jobs.clone();
    let g2 = g.clone();
    let before = blocking(move || Ok(commands::runs::history(&g2)?.runs.keys().max().copied().unwrap_or(0))).await?;
    let pid = blocking(move || crate::server::api::start_pipeline_in(&g, &root, &state_dir, &actor, &jobs)).await?;
    // Wait (bounded) for the run to be registered, to answer with its id.
    let g = b.g().clone();
    let who = id.actor.clone();
    for _ in 0..100 {
        let g = g.clone();
        let me = who.clone();
        let found = blocking(move || {
            Ok(commands::runs::history(&g)?
                .runs
                .values()
                .find(|r| r.run > before && r.trigger == me)
                .map(|r| r.run))
        })
        .await?;
        if let Some(run) = found {
            return answer(
                format!("pipeline run {run} started as {who}; follow it with run_status {{\"run\": {run}}}"),
                json!({ "run": run, "pid": pid }),
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    answer(
        format!(
            "the pipeline was started (process {pid}) but has not registered its run yet; call run_status in a moment"
        ),
        json!({ "run": null, "pid": pid }),
    )
}

async fn run_info(b: &Backend, run: Option<u64>) -> Result<crate::pipeline::history::RunInfo, ToolError> {
    let g = b.g().clone();
    let mut h = blocking(move || commands::runs::history(&g)).await?;
    let n = match run {
        Some(n) => n,
        None => *h
            .runs
            .keys()
            .max()
            .ok_or_else(|| ToolError("no pipeline run yet; start one with run_pipeline".into()))?,
    };
    h.runs.remove(&n).ok_or_else(|| {
        ToolError(format!(
            "no run {n}; project_status or run_status without a run shows the latest"
        ))
    })
}

async fn run_status(b: &Backend, a: RunStatusArgs) -> R {
    let r = run_info(b, a.run).await?;
    let jobs: Vec<String> = r
        .jobs
        .iter()
        .map(|j| {
            format!(
                "{j}: {}",
                r.results
                    .get(j)
                    .map(|i| i.conclusion.as_str())
                    .unwrap_or("not finished")
            )
        })
        .collect();
    answer(
        format!(
            "run {} ({}), triggered by {}: {}",
            r.run,
            r.status,
            r.trigger,
            jobs.join(", ")
        ),
        &r,
    )
}

async fn run_logs(b: &Backend, a: RunLogsArgs) -> R {
    let r = run_info(b, a.run).await?;
    if !r.jobs.contains(&a.job) {
        return Err(ToolError(format!(
            "run {} has no job `{}`; its jobs: {}",
            r.run,
            crate::diag::sanitize(&a.job),
            r.jobs.join(", ")
        )));
    }
    let g = b.g().clone();
    let job = a.job.clone();
    let run = r.run;
    let log = blocking(move || commands::logs::job_log(&g, &r, &job)).await?;
    let text = match log {
        commands::logs::JobLog::Log(b) | commands::logs::JobLog::Cached(Some(b)) => {
            String::from_utf8_lossy(&b).into_owned()
        }
        commands::logs::JobLog::Cached(None) => "(cached; its original log is no longer in the cache)\n".into(),
        commands::logs::JobLog::None(why) => format!("(no log: {why})\n"),
    };
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    let (from, to) = match a.offset {
        Some(o) => (
            o.min(total),
            o.saturating_add(a.tail.unwrap_or(100).min(2000)).min(total),
        ),
        None => (total.saturating_sub(a.tail.unwrap_or(100).min(2000)), total),
    };
    let part = lines[from..to].join("\n");
    answer(
        format!("run {run}, job {}: lines {}–{} of {total}\n{part}", a.job, from + 1, to),
        json!({ "run": run, "job": a.job, "log": part, "lines": total, "from": from, "to": to }),
    )
}

async fn scan(b: &Backend, a: ScanArgs) -> R {
    let target = inside(b.root(), a.path.as_deref())?;
    let g = b.g().clone();
    let skip: Vec<String> = load_spec(b)
        .map(|s| s.policy.skip.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default();
    let frameworks = a
        .frameworks
        .iter()
        .map(|f| crate::policy::rule::FrameworkFilter::parse(f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ToolError(format!("{} ({})", crate::diag::sanitize(&e.message), e.hint)))?;
    blocking(move || {
        let opts = commands::compliance::project_scan_options(&g);
        let mut r = crate::policy::scan(&[target], &opts);
        r.findings.retain(|f| !skip.contains(&f.rule) && f.suppressed.is_none());
        if !frameworks.is_empty() {
            r.findings
                .retain(|f| frameworks.iter().any(|w| w.matches_tags(f.frameworks.iter().map(String::as_str))));
        }
        crate::policy::summarize(&r.findings, &mut r.summary);
        let mut findings = r.findings.clone();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let top: Vec<Value> = findings
            .iter()
            .take(10)
            .map(|f| json!({ "rule": f.rule, "severity": f.severity, "file": f.location.file, "line": f.location.line, "message": f.message }))
            .collect();
        let mut text = crate::policy::output::summary_line(&r.summary);
        for f in findings.iter().take(10) {
            text.push_str(&format!("\n- {} {} {}:{} {}", f.severity.as_str(), f.rule, f.location.file, f.location.line, f.message));
        }
        Ok(Answer {
            text,
            data: json!({ "summary": r.summary, "top": top }),
        })
    })
    .await
}

async fn compliance(b: &Backend, a: ComplianceArgs) -> R {
    let known = crate::policy::compliance::builtin()
        .into_iter()
        .filter_map(|(_, f)| f.ok())
        .any(|f| f.id.eq_ignore_ascii_case(&a.framework));
    if !known {
        let ids: Vec<String> = crate::policy::compliance::builtin()
            .into_iter()
            .filter_map(|(_, f)| f.ok().map(|f| f.id))
            .collect();
        return Err(ToolError(format!(
            "no framework `{}`; built in: {}",
            crate::diag::sanitize(&a.framework),
            ids.join(", ")
        )));
    }
    let (g, root) = (b.g().clone(), b.root().clone());
    let fw = a.framework.clone();
    let r = blocking(move || commands::compliance::evaluate(&g, &fw, &[root])).await?;
    let text = crate::policy::compliance::markdown(&r);
    answer(text, &r)
}

/// The question for the human, from a gate's report.
fn ask_human(r: &crate::gates::eval::GateReport) -> String {
    use crate::gates::eval::GateStatus;
    let options: Vec<String> = r
        .suggestions
        .iter()
        .map(|s| format!("{} (`{}`)", s.text, s.command))
        .collect();
    match r.status {
        GateStatus::Open => String::new(),
        _ => format!(
            "Gate `{}` is {}: {} Options: {}",
            r.gate,
            json!(r.status).as_str().unwrap_or(""),
            r.question,
            if options.is_empty() {
                "none".into()
            } else {
                options.join("; ")
            }
        ),
    }
}

async fn gate_status(b: &Backend, a: GateArgs) -> R {
    let g = b.g().clone();
    let r = blocking(move || gate::report(&g, &a.gate)).await?;
    let mut text = format!("gate {}: {}\n", r.gate, json!(r.status).as_str().unwrap_or(""));
    for i in &r.items {
        text.push_str(&format!(
            "- {} {}: {} [{}]\n",
            json!(i.result).as_str().unwrap_or(""),
            i.id,
            i.observed.join(", "),
            i.expects
        ));
    }
    text.push_str(&r.question);
    let ask = ask_human(&r);
    if !ask.is_empty() {
        text.push_str(&format!("\nAsk your human: {ask}"));
    }
    let mut data = serde_json::to_value(&r).unwrap_or_default();
    data["ask_human"] = json!(ask);
    Ok(Answer { text, data })
}

async fn request_approval(b: &Backend, actor: &Actor, a: RequestApprovalArgs) -> R {
    if a.message.as_ref().is_some_and(|m| m.len() > 4096) {
        return Err(ToolError("the message is longer than 4096 bytes".into()));
    }
    let g = b.g().clone();
    let gate_name = a.gate.clone();
    let r = blocking(move || gate::report(&g, &gate_name)).await?;
    let spec = load_spec(b).ok_or_else(|| ToolError("lockgate.yaml cannot be read".into()))?;
    let roles = r.approvals.as_ref().map(|x| x.roles.clone()).unwrap_or_default();
    let notified: Vec<String> = spec
        .people
        .iter()
        .filter(|(_, p)| roles.is_empty() || p.roles.iter().any(|x| roles.iter().any(|r| *r == x.as_str())))
        .map(|(who, _)| who.to_string())
        .collect();
    let ev = crate::ledger::NewEvent::json(
        actor.clone(),
        "gate.approval_requested",
        format!("gate/{}", r.gate),
        json!({ "gate": r.gate, "run": r.run, "commit": r.commit, "artifact": r.artifact, "message": a.message,
                "approvers": notified, "status": r.status }),
    );
    let b2 = b.clone();
    let seq = blocking(move || b2.record(vec![ev])).await?;
    let event = seq.first().copied().unwrap_or(0);
    // The webhook, if configured: its outcome is recorded (with the host
    // only: the URL may carry a secret) and reported, never fatal.
    let webhook = match spec.notify.webhook.as_ref().map(|w| w.value.to_string()) {
        None => json!(null),
        Some(url) => {
            let body = json!({
                "event": "gate.approval_requested", "project": spec.project.value.to_string(), "gate": r.gate,
                "environment": r.environment, "requested_by": actor.to_string(), "message": a.message,
                "approvers": notified, "artifact": r.artifact, "commit": r.commit, "ledger_event": event,
                "approve_with": format!("lockgate approve {}", r.gate),
            });
            let host = crate::notify::host_of(&url);
            let outcome = tokio::task::spawn_blocking(move || {
                crate::notify::post_json(&url, &body, std::time::Duration::from_secs(5))
            })
            .await
            .unwrap_or_else(|_| Err("the notification task failed".into()));
            let (kind, v) = match &outcome {
                Ok(code) if (200..300).contains(code) => (
                    "notify.delivered",
                    json!({ "host": host, "status": code, "delivered": true }),
                ),
                Ok(code) => (
                    "notify.failed",
                    json!({ "host": host, "status": code, "delivered": false }),
                ),
                Err(e) => ("notify.failed", json!({ "host": host, "error": e, "delivered": false })),
            };
            let rec = crate::ledger::NewEvent::json(
                actor.clone(),
                kind,
                format!("gate/{}", r.gate),
                json!({ "for_event": event, "webhook": v }),
            );
            let b3 = b.clone();
            let _ = blocking(move || b3.record(vec![rec])).await;
            v
        }
    };
    let hook = match webhook["delivered"].as_bool() {
        Some(true) => format!(
            " The webhook at {} was notified.",
            webhook["host"].as_str().unwrap_or("")
        ),
        Some(false) => format!(
            " The webhook at {} could not be notified; tell your human directly.",
            webhook["host"].as_str().unwrap_or("")
        ),
        None => String::new(),
    };
    answer(
        format!(
            "approval of `{}` requested (event {event}); asked: {}.{hook} Tell your human; a person approves with `lockgate approve {}` or in the web UI.",
            r.gate,
            if notified.is_empty() {
                "anyone allowed to approve".into()
            } else {
                notified.join(", ")
            },
            r.gate
        ),
        json!({ "event": event, "gate": r.gate, "notified": notified, "status": r.status, "webhook": webhook }),
    )
}

async fn approve(b: &Backend, id: &Identity, actor: &Actor, a: ApproveArgs) -> R {
    let spec = load_spec(b).ok_or_else(|| ToolError("lockgate.yaml cannot be read".into()))?;
    let env = spec
        .gates
        .get(&a.gate)
        .and_then(|g| g.0.environment.as_ref().map(|e| e.value.to_string()));
    // Through MCP nobody approves production, whatever the token: a person
    // does that in the CLI or the web UI.
    if env.as_deref().is_some_and(|e| super::is_production(&spec, e)) {
        let refusal = crate::ledger::NewEvent::json(
            actor.clone(),
            crate::gates::state::REFUSED,
            format!("gate/{}", a.gate),
            json!({ "action": "approve", "gate": a.gate, "reason": "approvals of production gates are not taken over MCP" }),
        );
        let b2 = b.clone();
        let _ = blocking(move || b2.record(vec![refusal])).await;
        return Err(ToolError(format!(
            "gate `{}` guards production: it is approved by a person (`lockgate approve {}` or the web UI), never over MCP; use request_approval",
            a.gate, a.gate
        )));
    }
    if let Err(why) = crate::server::scope_refusal(id, &a.gate, env.as_deref()) {
        return Err(ToolError(format!("{why}; use request_approval for other gates")));
    }
    let g = b.g().clone();
    let actor = actor.clone();
    let d = blocking(move || gate::approve_as(&g, &actor, &a.gate, Some(a.comment), None, false, None)).await?;
    answer(d.message.clone(), &d)
}

async fn deploy(b: &Backend, id: &Identity, a: DeployArgs) -> R {
    match b {
        Backend::Server(app) => {
            let req = crate::server::api::DeployRequest {
                version: a.version,
                ..Default::default()
            };
            let resp = crate::server::api::deploy(app, id, &a.service, &a.environment, req).await?;
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap_or_default();
            let v: Value = serde_json::from_slice(&body).unwrap_or_default();
            answer(deploy_text(&a.service, &a.environment, &v), v)
        }
        Backend::Local { g, state_dir, .. } => {
            let (g, dir, actor) = (g.clone(), state_dir.clone(), id.actor());
            let (service, env) = (a.service.clone(), a.environment.clone());
            let v = blocking(move || {
                let client = crate::delivery::client::Client::connect(&dir)?;
                let default = gate::ensure_deployable_as(&g, &actor, &env, &mut |_| {})?;
                let Some(version) = a.version.or(default) else {
                    return Err(crate::exit::UserError::usage(
                        "no version to deploy: no pipeline run and no git commit",
                    )
                    .with_hint("pass a version")
                    .into());
                };
                client.post(
                    &format!("/api/v1/rollouts/{service}/{env}/deploy"),
                    &json!({ "version": version, "actor": actor.to_string() }),
                )
            })
            .await?;
            answer(deploy_text(&a.service, &a.environment, &v), v)
        }
    }
}

fn deploy_text(service: &str, env: &str, v: &Value) -> String {
    if v["started"].as_bool() == Some(true) {
        format!(
            "rollout {} of {service} to {env} started; follow it with rollout_status",
            v["rollout"]
        )
    } else {
        v["message"].as_str().unwrap_or("nothing to do").to_string()
    }
}

async fn unit_call(b: &Backend, id: &Identity, service: &str, env: &str, action: &str, full: bool) -> R {
    let v = match b {
        Backend::Server(app) => {
            let resp = if action == "status" {
                let h = app.units.get(&(service.to_string(), env.to_string())).ok_or_else(|| {
                    ToolError(format!(
                        "no service `{}` in environment `{}`",
                        crate::diag::sanitize(service),
                        crate::diag::sanitize(env)
                    ))
                })?;
                return status_answer(
                    h.call(Command::Status, Actor::system())
                        .await
                        .map_err(crate::server::ApiError::from)?,
                );
            } else {
                crate::server::api::rollout_action(app, id, service, env, action, full, None).await?
            };
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap_or_default();
            serde_json::from_slice(&body).unwrap_or_default()
        }
        Backend::Local { state_dir, .. } => {
            let (dir, actor) = (state_dir.clone(), id.actor.clone());
            let (service, env, action) = (service.to_string(), env.to_string(), action.to_string());
            blocking(move || {
                let client = crate::delivery::client::Client::connect(&dir)?;
                if action == "status" {
                    client.get(&format!("/api/v1/rollouts/{service}/{env}"))
                } else {
                    let mut body = json!({ "actor": actor });
                    if action == "promote" {
                        body["full"] = json!(full);
                    }
                    client.post(&format!("/api/v1/rollouts/{service}/{env}/{action}"), &body)
                }
            })
            .await?
        }
    };
    if action == "status" {
        return status_answer(v);
    }
    answer(format!("{action} of {service} in {env}: done"), v)
}

fn status_answer(v: Value) -> R {
    let r = &v["rollout"];
    let text = if r.is_null() {
        format!(
            "{} in {}: stable {}, no rollout running",
            v["service"].as_str().unwrap_or("?"),
            v["env"].as_str().unwrap_or("?"),
            v["stable"]["version"]
                .as_str()
                .or(v["stable"].as_str())
                .unwrap_or("none")
        )
    } else {
        format!(
            "{} in {}: stable {}; rollout {} to {} is {} at step {}, weight {}%",
            v["service"].as_str().unwrap_or("?"),
            v["env"].as_str().unwrap_or("?"),
            v["stable"]["version"]
                .as_str()
                .or(v["stable"].as_str())
                .unwrap_or("none"),
            r["id"],
            r["to"].as_str().or(r["version"].as_str()).unwrap_or("?"),
            r["phase"].as_str().unwrap_or("?"),
            r["step"],
            r["weight"]
        )
    };
    answer(text, v)
}

async fn audit_query(b: &Backend, a: AuditArgs) -> R {
    let g = b.g().clone();
    let q = crate::server::api::AuditQ {
        kind: a.kind,
        actor: a.actor,
        subject: a.subject,
        since: a.since,
        until: None,
        after: a.after,
        limit: Some(a.limit.unwrap_or(50).clamp(1, 200)),
    };
    let v = blocking(move || crate::server::api::audit_page(&g, &q)).await?;
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let mut text = format!("{} event(s)", items.len());
    for e in items.iter().take(50) {
        text.push_str(&format!(
            "\n{} {} {} {} {}",
            e["seq"],
            e["time"].as_str().unwrap_or(""),
            e["actor"].as_str().unwrap_or(""),
            e["kind"].as_str().unwrap_or(""),
            e["subject"].as_str().unwrap_or("")
        ));
    }
    if let Some(n) = v["next"].as_u64() {
        text.push_str(&format!("\nmore: call again with after={n}"));
    }
    answer(text, v)
}

async fn generate_docs(b: &Backend, id: &Identity, a: DocsArgs) -> R {
    let dir = match &a.write_to {
        Some(d) => {
            if !super::can(id, Perm::Operate) {
                return Err(ToolError(format!(
                    "{} ({}) may read the documents but not write them",
                    id.actor, id.role
                )));
            }
            let p = std::path::Path::new(d);
            if d.is_empty() || p.is_absolute() || p.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
                return Err(ToolError(
                    "write_to is a directory inside the project, without `..`".into(),
                ));
            }
            Some(b.root().join(p))
        }
        None => None,
    };
    let g = b.g().clone();
    blocking(move || {
        let f = crate::insight::docs::Facts::gather(&g)?;
        let files = crate::insight::docs::render(&f)?;
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)?;
            for (name, text) in &files {
                std::fs::write(dir.join(name), text)?;
            }
        }
        let mut text = String::new();
        for (name, t) in &files {
            text.push_str(&format!("<!-- {name} -->\n{t}\n"));
        }
        Ok(Answer {
            text,
            data: json!({ "files": files.iter().map(|(n, t)| json!({ "name": n, "content": t })).collect::<Vec<_>>(), "written_to": dir.map(|d| d.display().to_string()) }),
        })
    })
    .await
}

async fn audit_verify(b: &Backend) -> R {
    let g = b.g().clone();
    let r = blocking(move || crate::server::api::verify_view(&g)).await?;
    let text = if r.ok() {
        format!(
            "verified ✓: {} events, hash chain intact; signed checkpoints verified up to {}",
            r.events,
            r.verified_up_to
                .map(|n| n.to_string())
                .unwrap_or_else(|| "none yet".into())
        )
    } else {
        format!(
            "✗ verification failed: {}",
            r.problems.first().map(|p| p.message.clone()).unwrap_or_default()
        )
    };
    let mut v = serde_json::to_value(&r).unwrap_or_default();
    v["ok"] = json!(r.ok());
    answer(text, v)
}

// ---- resources --------------------------------------------------------------

pub fn resources() -> Vec<Resource> {
    vec![
        Resource::new("lockgate://config", "lockgate.yaml")
            .with_description("The project's lockgate.yaml: pipeline, environments, gates, services")
            .with_mime_type("application/yaml"),
        Resource::new("lockgate://audit/checkpoint", "latest signed checkpoint")
            .with_description("The latest signed checkpoint of the audit ledger")
            .with_mime_type("application/json"),
    ]
}

pub fn resource_templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("lockgate://gates/{gate}", "gate")
            .with_description("A gate's checklist, status, question and next actions")
            .with_mime_type("application/json"),
        ResourceTemplate::new("lockgate://runs/{id}/log", "run log")
            .with_description("Every job's log of a pipeline run (secrets masked)")
            .with_mime_type("text/plain"),
    ]
}

pub async fn read_resource(b: &Backend, uri: &str) -> Result<ReadResourceResult, ToolError> {
    let text = if uri == "lockgate://config" {
        let g = b.g().clone();
        blocking(move || Ok(std::fs::read_to_string(commands::spec_path(&g)?)?)).await?
    } else if uri == "lockgate://audit/checkpoint" {
        let g = b.g().clone();
        blocking(move || Ok(serde_json::to_string_pretty(&crate::server::api::checkpoint_view(&g)?)?)).await?
    } else if let Some(gate_name) = uri.strip_prefix("lockgate://gates/") {
        let g = b.g().clone();
        let name = gate_name.to_string();
        let r = blocking(move || gate::report(&g, &name)).await?;
        serde_json::to_string_pretty(&r).unwrap_or_default()
    } else if let Some(id) = uri
        .strip_prefix("lockgate://runs/")
        .and_then(|r| r.strip_suffix("/log"))
    {
        let n: u64 = id
            .parse()
            .map_err(|_| ToolError(format!("`{}` is not a run id", crate::diag::sanitize(id))))?;
        let r = run_info(b, Some(n)).await?;
        let g = b.g().clone();
        blocking(move || {
            let mut out = String::new();
            for j in &r.jobs {
                out.push_str(&format!("==> {j} <==\n"));
                match commands::logs::job_log(&g, &r, j)? {
                    commands::logs::JobLog::Log(b) | commands::logs::JobLog::Cached(Some(b)) => {
                        out.push_str(&String::from_utf8_lossy(&b))
                    }
                    commands::logs::JobLog::Cached(None) => out.push_str("(cached; log no longer in the cache)\n"),
                    commands::logs::JobLog::None(why) => out.push_str(&format!("(no log: {why})\n")),
                }
            }
            Ok(out)
        })
        .await?
    } else {
        return Err(ToolError(format!(
            "no resource `{}`; resources: lockgate://config, lockgate://audit/checkpoint, lockgate://gates/{{gate}}, lockgate://runs/{{id}}/log",
            crate::diag::sanitize(uri)
        )));
    };
    Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri)]))
}

// ---- prompts ----------------------------------------------------------------

pub fn prompts() -> Vec<Prompt> {
    vec![
        Prompt::new(
            "devops-handover",
            Some(
                "Hand the project over to a specialist: infrastructure state, operational context, success criteria, dependencies and risks, from live data",
            ),
            Some(vec![
                PromptArgument::new("to")
                    .with_description("security, performance, compliance or code")
                    .with_required(false),
                PromptArgument::new("task")
                    .with_description("What the specialist should do")
                    .with_required(false),
            ]),
        ),
        Prompt::new(
            "production-readiness-review",
            Some(
                "Review whether the change under review is ready for production: every gate guarding production, its evidence and what is missing",
            ),
            Some(vec![
                PromptArgument::new("environment")
                    .with_description("The environment to review (default: production)")
                    .with_required(false),
            ]),
        ),
    ]
}

pub async fn get_prompt(b: &Backend, name: &str, args: Map<String, Value>) -> Result<GetPromptResult, ToolError> {
    let arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_string);
    let status = project_status(b).await?;
    let g = b.g().clone();
    let gates = blocking(move || gate::reports(&g)).await?;
    let text = match name {
        "devops-handover" => {
            let to = arg("to").unwrap_or_else(|| "code".into());
            if !matches!(to.as_str(), "security" | "performance" | "compliance" | "code") {
                return Err(ToolError(
                    "`to` is one of security, performance, compliance, code".into(),
                ));
            }
            let task = arg("task").unwrap_or_else(|| "continue the work on this project".into());
            let risks: Vec<String> = gates
                .iter()
                .filter(|r| !matches!(r.status, crate::gates::eval::GateStatus::Open))
                .map(|r| {
                    format!(
                        "- gate `{}` is {}: {}",
                        r.gate,
                        json!(r.status).as_str().unwrap_or(""),
                        r.question
                    )
                })
                .collect();
            format!(
                "You are taking over this project as the {to} specialist. Your task: {task}.\n\n\
                 ## Infrastructure state\n{}\n\n\
                 ## Operational context\nEvery change goes through lockgate: run the pipeline (run_pipeline), check the gates (gate_status), \
                 ask humans for approvals (request_approval), deploy with the service's strategy (deploy, rollout_status), \
                 and everything is recorded in the audit ledger (audit_query).\n\n\
                 ## Success criteria\nAll gates guarding the target environment open with their evidence; rollouts complete without \
                 analysis failures; the audit ledger verifies.\n\n\
                 ## Dependencies and integration\nServices: {}. Environments: {}.\n\n\
                 ## Risk factors\n{}\n",
                status.text,
                status.data["services"],
                status.data["environments"],
                if risks.is_empty() {
                    "- none known: every gate is open".into()
                } else {
                    risks.join("\n")
                }
            )
        }
        "production-readiness-review" => {
            let env = arg("environment").unwrap_or_else(|| "production".into());
            let guarding: Vec<&crate::gates::eval::GateReport> = gates
                .iter()
                .filter(|r| r.environment.as_deref() == Some(env.as_str()))
                .collect();
            let mut s = format!(
                "Review whether the change under review is ready for `{env}`. For each gate below, say what is proven, what is missing and what you would ask the team; end with a go / no-go recommendation. You may not approve production gates yourself.\n\n"
            );
            if guarding.is_empty() {
                s.push_str(&format!("No gate guards `{env}`: say so as a risk.\n"));
            }
            for r in guarding {
                s.push_str(&format!(
                    "## Gate {} ({})\n",
                    r.gate,
                    json!(r.status).as_str().unwrap_or("")
                ));
                for i in &r.items {
                    s.push_str(&format!(
                        "- {} {}: {} [{}]\n",
                        json!(i.result).as_str().unwrap_or(""),
                        i.id,
                        i.observed.join(", "),
                        i.expects
                    ));
                }
                s.push_str(&format!("{}\n\n", r.question));
            }
            s
        }
        other => {
            return Err(ToolError(format!(
                "no prompt `{}`; prompts: devops-handover, production-readiness-review",
                crate::diag::sanitize(other)
            )));
        }
    };
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        rmcp::model::Role::User,
        text,
    )]))
}
