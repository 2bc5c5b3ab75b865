//! The OpenAPI 3.1 document of the API, generated from the route table
//! (so a route cannot be served without being described) and the request
//! types. Checked in as `docs/openapi.json`; a test keeps it current.

use serde_json::{Map, Value, json};

use super::api::{ROUTES, Req, Resp};

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required })
}

/// Response schemas: what every answer of that kind is sure to hold.
fn response_schemas() -> Map<String, Value> {
    let s = |t: &str| json!({ "type": t });
    let nullable = |t: &str| json!({ "type": [t, "null"] });
    let list = |items: Value| json!({ "type": "array", "items": items });
    let gate = obj(
        json!({
            "gate": s("string"), "title": s("string"), "status": { "enum": ["open", "failed", "waiting", "blocked"] },
            "environment": nullable("string"), "question": s("string"),
            "items": list(obj(json!({ "id": s("string"), "result": s("string") }), &["id", "result"])),
            "suggestions": list(obj(json!({ "command": s("string"), "text": s("string") }), &["command", "text"])),
        }),
        &["gate", "status", "question", "items", "suggestions"],
    );
    let run = obj(
        json!({ "run": s("integer"), "started": s("string"), "trigger": s("string"), "status": s("string"),
                "jobs": list(s("string")), "commit": nullable("string"), "artifact": nullable("string") }),
        &["run", "started", "trigger", "status", "jobs"],
    );
    let event = obj(
        json!({ "seq": s("integer"), "time": s("string"), "actor": s("string"), "kind": s("string"),
                "subject": s("string"), "payload": {}, "hash": s("string") }),
        &["seq", "time", "actor", "kind", "subject", "payload", "hash"],
    );
    let unit = obj(
        json!({ "service": s("string"), "env": s("string") }),
        &["service", "env"],
    );
    let token_info = obj(
        json!({ "id": s("string"), "actor": s("string"), "role": { "enum": ["viewer", "operator", "approver", "admin"] },
                "environments": list(s("string")), "gates": list(s("string")), "created": s("string"),
                "created_by": s("string"), "expires": nullable("string"), "revoked": s("boolean") }),
        &["id", "actor", "role", "revoked"],
    );
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put(
        "Error",
        obj(
            json!({ "error": s("string"), "code": s("string"), "hint": nullable("string"), "exit": s("integer") }),
            &["error", "code", "exit"],
        ),
    );
    put("Object", s("object"));
    put("Health", obj(json!({ "status": s("string") }), &["status"]));
    put(
        "Project",
        obj(
            json!({ "project": nullable("string"), "environments": list(s("string")), "services": list(s("string")),
                    "units": list(s("object")), "gates": list(s("object")) }),
            &["environments", "services", "units", "gates"],
        ),
    );
    put(
        "RunPage",
        obj(
            json!({ "items": list(run.clone()), "total": s("integer"), "next_offset": nullable("integer") }),
            &["items", "total"],
        ),
    );
    put("Run", run);
    put(
        "Evidence",
        obj(
            json!({ "run": s("integer"), "evidence": list(s("object")) }),
            &["run", "evidence"],
        ),
    );
    put("GateList", obj(json!({ "items": list(gate.clone()) }), &["items"]));
    put("Gate", gate);
    put("RolloutList", obj(json!({ "units": list(unit.clone()) }), &["units"]));
    put("Unit", unit);
    put(
        "Scan",
        obj(
            json!({ "findings": list(s("object")), "summary": s("object") }),
            &["findings", "summary"],
        ),
    );
    put("Compliance", s("object"));
    put(
        "AuditPage",
        obj(
            json!({ "items": list(event.clone()), "next": nullable("integer") }),
            &["items"],
        ),
    );
    put("AuditEvent", event);
    put(
        "Proof",
        obj(
            json!({ "seq": s("integer"), "tree_size": s("integer"), "root": s("string"), "proof": list(s("string")), "checkpoint": s("string") }),
            &["seq", "tree_size", "root", "proof"],
        ),
    );
    put(
        "Checkpoint",
        obj(
            json!({ "size": s("integer"), "root": nullable("string"), "note": nullable("string"), "events": s("integer") }),
            &["size", "events"],
        ),
    );
    put(
        "Verification",
        obj(
            json!({ "ok": s("boolean"), "events": s("integer"), "checkpoints": s("integer"), "verified_up_to": nullable("integer"), "problems": list(s("object")) }),
            &["ok", "events", "problems"],
        ),
    );
    put(
        "Accepted",
        obj(json!({ "accepted": s("boolean"), "pid": s("integer") }), &["accepted"]),
    );
    put(
        "Promoted",
        obj(
            json!({ "environment": s("string"), "event": s("integer"), "run": s("integer"), "artifact": nullable("string"), "break_glass": s("boolean") }),
            &["environment", "event", "run"],
        ),
    );
    put(
        "Decision",
        obj(
            json!({ "event": s("integer"), "message": s("string"), "gate": {} }),
            &["event", "message"],
        ),
    );
    put(
        "AlertmanagerWebhook",
        obj(
            json!({ "alerts": list(obj(json!({ "status": { "enum": ["firing", "resolved"] }, "labels": { "type": "object", "additionalProperties": s("string") }, "annotations": { "type": "object", "additionalProperties": s("string") } }), &[])) }),
            &[],
        ),
    );
    put(
        "IncidentResult",
        obj(
            json!({ "opened": s("integer"), "resolved": s("integer"), "ignored": list(s("object")), "events": list(s("integer")) }),
            &["opened", "resolved", "ignored", "events"],
        ),
    );
    put(
        "TokenList",
        obj(json!({ "items": list(token_info.clone()) }), &["items"]),
    );
    put(
        "NewToken",
        obj(json!({ "token": s("string"), "info": token_info }), &["token", "info"]),
    );
    m
}

fn request_schemas(m: &mut Map<String, Value>) {
    use schemars::generate::SchemaSettings;
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "#/components/schemas/".into())
        .into_generator();
    let mut add = |name: &str, schema: schemars::Schema| {
        m.insert(name.to_string(), schema.to_value());
    };
    add("RunRequest", generator.root_schema_for::<super::api::RunRequest>());
    add(
        "DeployRequest",
        generator.root_schema_for::<super::api::DeployRequest>(),
    );
    add(
        "PromoteRequest",
        generator.root_schema_for::<super::api::PromoteRequest>(),
    );
    add(
        "ApproveRequest",
        generator.root_schema_for::<super::api::ApproveRequest>(),
    );
    add(
        "RejectRequest",
        generator.root_schema_for::<super::api::RejectRequest>(),
    );
    add(
        "AttestRequest",
        generator.root_schema_for::<super::api::AttestRequest>(),
    );
    add("TokenRequest", generator.root_schema_for::<super::api::TokenRequest>());
    add("Identity", generator.root_schema_for::<super::identity::Identity>());
    for (k, v) in generator.take_definitions(true) {
        m.insert(k, v);
    }
    // A root schema carries `$schema` and `title`; components do not need them.
    for v in m.values_mut() {
        if let Some(o) = v.as_object_mut() {
            o.remove("$schema");
        }
    }
}

const ERRORS: &[(&str, &str)] = &[
    ("400", "Bad request: the message says what is wrong"),
    ("401", "Not signed in, or the token is unknown, revoked or expired"),
    ("403", "The caller's role does not allow this, or a gate blocks it"),
    ("404", "No such resource"),
    ("405", "The route does not answer this method"),
    ("409", "Conflict: another change is under way"),
    ("413", "Request body too large"),
    ("422", "The engine refused: the message says why"),
    ("500", "Internal error (details in the server log)"),
    ("503", "Timed out or stopping"),
];

/// The shared error answers, `components.responses.E<code>`.
fn error_components() -> Map<String, Value> {
    ERRORS
        .iter()
        .map(|(code, text)| {
            (
                format!("E{code}"),
                json!({ "description": text, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
            )
        })
        .collect()
}

fn error_responses(perm: super::Perm) -> Map<String, Value> {
    ERRORS
        .iter()
        .filter(|(code, _)| perm != super::Perm::Public || !matches!(*code, "401" | "403"))
        .map(|(code, _)| {
            (
                code.to_string(),
                json!({ "$ref": format!("#/components/responses/E{code}") }),
            )
        })
        .collect()
}

/// The OpenAPI document as pretty JSON with a final newline.
pub fn document() -> String {
    let mut paths: Map<String, Value> = Map::new();
    for d in ROUTES.iter().filter(|d| d.api) {
        let mut params = Vec::new();
        for seg in d.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let t = if matches!(name, "run" | "seq") {
                    "integer"
                } else {
                    "string"
                };
                params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": t, "minimum": if t == "integer" { json!(0) } else { Value::Null } } }));
            }
        }
        for p in &mut params {
            if p["schema"]["minimum"].is_null() {
                p["schema"].as_object_mut().map(|o| o.remove("minimum"));
            }
        }
        for (name, t, desc) in d.query {
            params.push(
                json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": t } }),
            );
        }
        let (code, content) = match d.resp {
            Resp::Json(schema) => (
                if d.method == "POST" && d.path == "/api/v1/tokens" {
                    "201"
                } else if d.method == "POST" && d.path == "/api/v1/runs" {
                    "202"
                } else {
                    "200"
                },
                json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }),
            ),
            Resp::Text => ("200", json!({ "text/plain": { "schema": { "type": "string" } } })),
            Resp::Html => ("200", json!({ "text/html": { "schema": { "type": "string" } } })),
            Resp::TextOrEvents => (
                "200",
                json!({ "text/plain": { "schema": { "type": "string" } }, "text/event-stream": { "schema": sse_event() } }),
            ),
            Resp::Events => ("200", json!({ "text/event-stream": { "schema": sse_event() } })),
            Resp::Tar => (
                "200",
                json!({ "application/x-tar": { "schema": { "type": "string", "format": "binary" } } }),
            ),
            Resp::Metrics => ("200", json!({ "text/plain": { "schema": { "type": "string" } } })),
            Resp::Redirect => ("303", json!({})),
        };
        let mut responses = error_responses(d.perm);
        responses.insert(code.into(), json!({ "description": "Success", "content": content }));
        if d.path == "/readyz" {
            responses.insert(
                "503".into(),
                json!({ "description": "Not ready", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } }),
            );
        }
        let mut op = json!({
            "operationId": operation_id(d.method, d.path),
            "summary": d.summary,
            "tags": [d.tag],
            "parameters": params,
            "responses": responses,
            "x-lockgate-permission": d.perm,
        });
        if d.perm == super::Perm::Public {
            op["security"] = json!([]);
        }
        if let Req::Json(schema) = d.body {
            op["requestBody"] = json!({ "required": false, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
        }
        let entry = paths.entry(d.path.to_string()).or_insert_with(|| json!({}));
        entry[d.method.to_lowercase()] = op;
    }
    let mut schemas = response_schemas();
    request_schemas(&mut schemas);
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "lockgate API",
            "version": "1",
            "description": "The HTTP API of `lockgate serve`. Authenticate with `Authorization: Bearer <token>` (`lockgate token create`). Every route's required permission is in `x-lockgate-permission`: read (viewer and up), operate (operator, admin), approve (approver within its scope, admin), admin. Errors share one shape (`Error`).",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from `lockgate token create`" } },
            "schemas": schemas,
            "responses": error_components(),
        },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// One server-sent event, as clients see it.
fn sse_event() -> Value {
    json!({ "type": "object", "properties": { "event": { "type": "string" }, "data": { "type": "string" }, "id": { "type": "string" } }, "required": ["data"] })
}

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for seg in path.trim_start_matches("/api/v1").split('/').filter(|s| !s.is_empty()) {
        let seg = seg.trim_start_matches('{').trim_end_matches('}');
        let mut c = seg.chars();
        if let Some(f) = c.next() {
            id.push(f.to_ascii_uppercase());
            id.extend(c.map(|c| if c == '.' || c == '-' { '_' } else { c }));
        }
    }
    id
}
