//! The Model Context Protocol server: AI coding agents operate lockgate
//! through the same gates, roles and ledger as people.
//!
//! Two transports share one handler ([`Lockgate`]): stdio (`lockgate
//! mcp`, launched by an editor; acts as `agent:NAME` with the operator
//! role, or as the identity of `LOCKGATE_TOKEN`) and streamable HTTP at
//! `/mcp` under `lockgate serve` (the identity of the bearer token, checked
//! by the server's guard).
//!
//! Safety: every tool call is a `mcp.tool_called` ledger event with the
//! identity and the arguments (secrets redacted); destructive tools need
//! the environment named; calls are rate limited per identity; failures
//! are tool results with a message a model can act on. There is no
//! approve tool for an agent unless an administrator granted it an
//! approver token, and the gate engine refuses any agent approving a gate
//! that guards a production environment.

pub mod tools;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData, GetPromptRequestParams,
    GetPromptResponse, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};

use crate::cli::GlobalArgs;
use crate::ledger::NewEvent;
use crate::server::identity::{Identity, Role};

/// Where the tools' effects go: straight to the engines and the local
/// controller (stdio), or through the running server (HTTP).
#[derive(Clone)]
pub enum Backend {
    Local {
        g: GlobalArgs,
        root: PathBuf,
        state_dir: PathBuf,
    },
    Server(crate::server::App),
}

impl Backend {
    pub fn g(&self) -> &GlobalArgs {
        match self {
            Backend::Local { g, .. } => g,
            Backend::Server(app) => &app.g,
        }
    }

    pub fn root(&self) -> &PathBuf {
        match self {
            Backend::Local { root, .. } => root,
            Backend::Server(app) => &app.root,
        }
    }

    pub fn state_dir(&self) -> &PathBuf {
        match self {
            Backend::Local { state_dir, .. } => state_dir,
            Backend::Server(app) => &app.state_dir,
        }
    }

    /// Appends events (through the server's writer when there is one).
    pub fn record(&self, events: Vec<NewEvent>) -> anyhow::Result<Vec<u64>> {
        match self {
            Backend::Server(app) => app.record(events),
            Backend::Local { g, .. } => {
                let mut l = crate::commands::open_ledger(g)?;
                Ok(l.append_batch(events, true)?.iter().map(|e| e.seq()).collect())
            }
        }
    }
}

/// Calls per identity per minute.
const RATE_LIMIT: usize = 120;
/// Largest accepted arguments object (serialized).
pub const MAX_ARGUMENTS: usize = 64 * 1024;

/// The MCP handler.
#[derive(Clone)]
pub struct Lockgate {
    pub backend: Backend,
    /// The stdio identity; over HTTP it comes with each request.
    pub fixed: Option<Identity>,
    calls: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

impl Lockgate {
    pub fn new(backend: Backend, fixed: Option<Identity>) -> Self {
        Self::with_limits(backend, fixed, Arc::default())
    }

    /// Sessions of one server share the rate limits: reconnecting does not
    /// reset them.
    pub fn with_limits(
        backend: Backend,
        fixed: Option<Identity>,
        calls: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    ) -> Self {
        Lockgate { backend, fixed, calls }
    }

    fn identity(&self, ctx: &RequestContext<RoleServer>) -> Result<Identity, ErrorData> {
        if let Some(i) = &self.fixed {
            return Ok(i.clone());
        }
        ctx.extensions
            .get::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Identity>())
            .cloned()
            .ok_or_else(|| ErrorData::invalid_request("not signed in: send `Authorization: Bearer <token>`", None))
    }

    fn rate_limited(&self, who: &str) -> bool {
        let mut m = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let v = m.entry(who.to_string()).or_default();
        v.retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        if v.len() >= RATE_LIMIT {
            return true;
        }
        v.push(now);
        false
    }
}

/// What a tool answers: a text for people and models, and the same as JSON.
pub struct Answer {
    pub text: String,
    pub data: Value,
}

/// A tool failure with what to do about it.
#[derive(Debug)]
pub struct ToolError(pub String);

impl From<anyhow::Error> for ToolError {
    fn from(e: anyhow::Error) -> Self {
        if let Some(u) = e.chain().find_map(|c| c.downcast_ref::<crate::exit::UserError>()) {
            return ToolError(match &u.hint {
                Some(h) => format!("{} (what to do: {h})", u.message),
                None => u.message.clone(),
            });
        }
        eprintln!("lockgate mcp: internal error: {e:#}");
        ToolError("internal error in lockgate; the server's log has the details".into())
    }
}

impl From<crate::server::ApiError> for ToolError {
    fn from(e: crate::server::ApiError) -> Self {
        ToolError(match e.hint {
            Some(h) => format!("{} (what to do: {h})", e.message),
            None => e.message,
        })
    }
}

/// Secrets never reach the ledger: values of secret-looking keys are
/// replaced, long strings cut.
pub fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let lk = k.to_ascii_lowercase();
                    let secret = ["secret", "token", "password", "passwd", "key", "credential", "auth"]
                        .iter()
                        .any(|s| lk.contains(s));
                    (k.clone(), if secret { json!("***") } else { redact(v) })
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().take(50).map(redact).collect()),
        Value::String(s) if s.len() > 512 => {
            let cut: String = s.chars().take(512).collect();
            json!(format!("{cut}… ({} bytes)", s.len()))
        }
        other => other.clone(),
    }
}

impl ServerHandler for Lockgate {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        );
        info.server_info.name = "lockgate".into();
        info.server_info.version = env!("CARGO_PKG_VERSION").into();
        info.instructions = Some(
            "lockgate takes a change from commit to production through quality gates, progressive delivery and a \
             tamper-evident audit ledger. Start with `project_status`. Before deploying to a guarded environment, \
             call `gate_status`: when a gate waits on a human, put its `ask_human` question to your human and call \
             `request_approval`; never try to get around a gate. Destructive tools need the environment named."
                .into(),
        );
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let id = self.identity(&ctx)?;
        Ok(ListToolsResult::with_all_items(tools::list(&self.backend, &id)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let id = self.identity(&ctx)?;
        let name = request.name.to_string();
        let args: Map<String, Value> = request.arguments.clone().unwrap_or_default();
        let size = serde_json::to_string(&args).map(|s| s.len()).unwrap_or(0);
        let result = if !tools::known(&name) {
            Err(ToolError(format!(
                "there is no tool `{}`; list the tools to see what lockgate offers",
                crate::diag::sanitize(&name.chars().take(64).collect::<String>())
            )))
        } else if size > MAX_ARGUMENTS {
            Err(ToolError(format!(
                "the arguments are {size} bytes; lockgate accepts at most {MAX_ARGUMENTS}"
            )))
        } else if self.rate_limited(&id.actor) {
            Err(ToolError(format!(
                "rate limited: at most {RATE_LIMIT} calls a minute per identity; wait a minute and go on"
            )))
        } else {
            tools::call(&self.backend, &id, &name, Value::Object(args.clone())).await
        };
        let logged = if size > MAX_ARGUMENTS {
            json!({ "bytes": size })
        } else {
            redact(&Value::Object(args))
        };
        let outcome = match &result {
            Ok(_) => json!({ "outcome": "ok" }),
            Err(e) => json!({ "outcome": "error", "error": e.0 }),
        };
        let b = self.backend.clone();
        let actor = id.actor();
        let tool = name.clone();
        let _ = tokio::task::spawn_blocking(move || {
            b.record(vec![NewEvent::json(
                actor,
                "mcp.tool_called",
                format!("mcp/{tool}"),
                json!({ "tool": tool, "arguments": logged, "result": outcome }),
            )])
        })
        .await;
        Ok(match result {
            Ok(a) => {
                let mut r = CallToolResult::success(vec![ContentBlock::text(a.text)]);
                r.structured_content = Some(if a.data.is_object() {
                    a.data
                } else {
                    json!({ "result": a.data })
                });
                r.into()
            }
            Err(e) => CallToolResult::error(vec![ContentBlock::text(e.0)]).into(),
        })
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(tools::resources()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(tools::resource_templates()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let _ = self.identity(&ctx)?;
        tools::read_resource(&self.backend, &request.uri)
            .await
            .map(Into::into)
            .map_err(|e| ErrorData::resource_not_found(e.0, None))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(tools::prompts()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let _ = self.identity(&ctx)?;
        tools::get_prompt(&self.backend, &request.name, request.arguments.unwrap_or_default())
            .await
            .map(Into::into)
            .map_err(|e| ErrorData::invalid_params(e.0, None))
    }
}

/// `lockgate mcp`: serves one agent over stdin/stdout until it hangs up.
pub fn run_stdio(g: GlobalArgs, root: PathBuf, state_dir: PathBuf, identity: Identity) -> anyhow::Result<()> {
    use rmcp::ServiceExt as _;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let handler = Lockgate::new(Backend::Local { g, root, state_dir }, Some(identity));
        let service = handler
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| anyhow::anyhow!("the MCP session did not start: {e}"))?;
        let _ = service.waiting().await;
        Ok::<_, anyhow::Error>(())
    })?;
    rt.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// The streamable HTTP service mounted at `/mcp` under `lockgate serve`.
pub fn http_service(
    app: crate::server::App,
) -> rmcp::transport::streamable_http_server::StreamableHttpService<
    Lockgate,
    rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
> {
    use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
    // The server's guard has authenticated the caller already; Host checks
    // would only get in the way of a TLS deployment under its own name.
    // Browsers are refused outright: any request carrying an Origin header
    // gets 403 (agents do not send one), so no web page can drive /mcp.
    let config = StreamableHttpServerConfig::default()
        .disable_allowed_hosts()
        .enforce_origin_validation();
    // Sessions end when the server stops, so graceful shutdown need not wait for them.
    let cancel = config.cancellation_token.clone();
    let mut stopped = app.stop.subscribe();
    tokio::spawn(async move {
        let _ = stopped.wait_for(|v| *v).await;
        cancel.cancel();
    });
    let calls: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
    StreamableHttpService::new(
        move || Ok(Lockgate::with_limits(Backend::Server(app.clone()), None, calls.clone())),
        Arc::default(),
        config,
    )
}

/// Whether an environment counts as production: named so, or the end of
/// a promotion chain (no environment is promoted from it).
pub fn is_production(spec: &crate::spec::Spec, env: &str) -> bool {
    if matches!(env, "production" | "prod") {
        return true;
    }
    spec.environments.get(env).is_some()
        && !spec
            .environments
            .iter()
            .any(|(_, e)| e.promote_from.as_ref().is_some_and(|p| p.value == env))
}

/// The role an identity has (for listing tools).
pub fn can(id: &Identity, perm: crate::server::Perm) -> bool {
    crate::server::allows(id.role, perm)
}

pub fn role_of(id: &Identity) -> Role {
    id.role
}
