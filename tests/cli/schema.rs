//! `lockgate schema` prints the JSON Schema generated from the spec types;
//! the copy checked in under docs/ must be current.

use super::{lockgate, stdout};

const CHECKED_IN: &str = include_str!("../../docs/lockgate.schema.json");

#[test]
fn checked_in_schema_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out) == CHECKED_IN,
        "docs/lockgate.schema.json is stale: run `cargo run -- schema -o docs/lockgate.schema.json`"
    );
}

#[test]
fn schema_accepts_the_demo_and_rejects_unknown_keys() {
    let schema: serde_json::Value = serde_json::from_str(CHECKED_IN).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let demo: serde_json::Value = serde_saphyr::from_str(include_str!("../../assets/demo/lockgate.yaml")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&demo)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut bad = demo.clone();
    bad["pipeline"]["build"]["neds"] = serde_json::json!(["x"]);
    assert!(
        !validator.is_valid(&bad),
        "unknown job key must be rejected by the schema"
    );
    let mut bad = demo;
    bad["services"]["web"]["strategy"] = serde_json::json!({ "canary": { "steps": [10], "interval": "5 minutes" } });
    assert!(
        !validator.is_valid(&bad),
        "a malformed duration must be rejected by the schema"
    );
}

#[test]
fn schema_writes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    lockgate(dir.path()).args(["schema", "-o", "s.json"]).assert().code(0);
    assert_eq!(std::fs::read_to_string(dir.path().join("s.json")).unwrap(), CHECKED_IN);
}

#[test]
fn checked_in_configuration_reference_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).args(["schema", "--markdown"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out) == include_str!("../../docs/configuration.md"),
        "docs/configuration.md is stale: run `cargo run -- schema --markdown -o docs/configuration.md`"
    );
}

#[test]
fn checked_in_openapi_document_is_current_and_describes_every_api_route() {
    let dir = tempfile::tempdir().unwrap();
    let out = lockgate(dir.path()).args(["schema", "--openapi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let checked_in = include_str!("../../docs/openapi.json");
    assert!(
        stdout(&out) == checked_in,
        "docs/openapi.json is stale: run `cargo run -- schema --openapi -o docs/openapi.json`"
    );
    let doc: serde_json::Value = serde_json::from_str(checked_in).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for d in lockgate::server::api::ROUTES.iter().filter(|d| d.api) {
        let op = &doc["paths"][d.path][d.method.to_lowercase()];
        assert!(op.is_object(), "{} {} is not in the document", d.method, d.path);
        assert!(op["responses"].is_object() && op["operationId"].is_string());
    }
    // Every $ref resolves inside the document.
    let text = checked_in;
    for r in text.split("\"$ref\": \"").skip(1) {
        let target = r.split('"').next().unwrap();
        let mut node = &doc;
        for part in target.strip_prefix("#/").expect("local refs only").split('/') {
            node = &node[part];
        }
        assert!(node.is_object(), "unresolved {target}");
    }
}
