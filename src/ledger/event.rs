//! Events: what every state change is recorded as.
//!
//! An event's *entry* — the bytes the Merkle tree commits to — is the
//! canonical JSON of its body:
//!
//! ```json
//! {"actor":{"id":"alice@example.com","kind":"user"},"kind":"audit.note","payload":{"message":"…"},
//!  "prev":"<hex leaf hash of the previous event>","seq":1,"subject":"project/shop",
//!  "time":"2026-11-22T17:50:07.123456Z","v":1}
//! ```
//!
//! Canonical JSON here means: UTF-8, object keys sorted by their bytes, no
//! whitespace, strings and numbers as `serde_json` writes them (shortest
//! round-trip floats, integers without exponent). The stored bytes are
//! authoritative: readers never re-encode them to check a hash.
//!
//! Schema evolution: `v` is the payload version of the kind; payload structs
//! give new fields `#[serde(default)]`, so every old event still reads.

use std::fmt;

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::merkle::Hash;

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A person (from `LOCKGATE_USER`, git config, or a login).
    User,
    /// An API token.
    Token,
    /// An AI agent (MCP client).
    Agent,
    /// lockgate itself (the controller, a scheduled job).
    System,
}

impl Actor {
    pub fn user(id: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::User,
            id: id.into(),
        }
    }

    pub fn system() -> Self {
        Actor {
            kind: ActorKind::System,
            id: "lockgate".into(),
        }
    }

    /// Parses `user:alice`, `token:ci`, `agent:claude`, `system:lockgate`;
    /// a bare name is a user.
    pub fn parse(s: &str) -> Self {
        let (kind, id) = match s.split_once(':') {
            Some(("user", id)) => (ActorKind::User, id),
            Some(("token", id)) => (ActorKind::Token, id),
            Some(("agent", id)) => (ActorKind::Agent, id),
            Some(("system", id)) => (ActorKind::System, id),
            _ => (ActorKind::User, s),
        };
        Actor {
            kind,
            id: id.to_string(),
        }
    }

    /// The local identity: `LOCKGATE_USER`, else git's `user.email`, else the
    /// login name.
    pub fn local() -> Self {
        if let Ok(u) = std::env::var("LOCKGATE_USER")
            && !u.trim().is_empty()
        {
            return Actor::parse(u.trim());
        }
        if let Ok(out) = std::process::Command::new("git")
            .args(["config", "user.email"])
            .output()
            && out.status.success()
        {
            let email = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !email.is_empty() {
                return Actor::user(email);
            }
        }
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Actor::user(login)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = match self.kind {
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::Agent => "agent",
            ActorKind::System => "system",
        };
        write!(f, "{k}:{}", self.id)
    }
}

/// The body of an event: exactly what is hashed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub seq: u64,
    pub time: jiff::Timestamp,
    pub actor: Actor,
    pub kind: String,
    pub v: u32,
    pub subject: String,
    pub payload: Value,
    /// Hex of the previous event's leaf hash (all zeros for the first).
    pub prev: String,
}

/// A recorded event: its body, the canonical bytes and their leaf hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub body: Body,
    pub entry: Vec<u8>,
    pub hash: Hash,
}

impl Event {
    pub fn seq(&self) -> u64 {
        self.body.seq
    }

    /// The payload as a typed value (old versions read through serde defaults).
    pub fn payload_as<P: Payload>(&self) -> Result<P, serde_json::Error> {
        serde_json::from_value(self.body.payload.clone())
    }
}

/// An event to append; the ledger assigns `seq`, `time` and `prev`.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub actor: Actor,
    pub kind: String,
    pub v: u32,
    pub subject: String,
    pub payload: Value,
    /// Personal data kept *off* the log: the payload commits to a salted
    /// hash of each value, so it can be erased later (GDPR Art. 17) without
    /// breaking verification.
    pub private: Vec<(String, String)>,
}

impl NewEvent {
    pub fn new<P: Payload>(actor: Actor, subject: impl Into<String>, payload: &P) -> Self {
        NewEvent {
            actor,
            kind: P::KIND.to_string(),
            v: P::VERSION,
            subject: subject.into(),
            payload: serde_json::to_value(payload).unwrap_or(Value::Null),
            private: Vec::new(),
        }
    }

    /// An event whose payload is built as JSON rather than a typed struct
    /// (payload version 1).
    pub fn json(actor: Actor, kind: &str, subject: impl Into<String>, payload: Value) -> Self {
        NewEvent {
            actor,
            kind: kind.to_string(),
            v: 1,
            subject: subject.into(),
            payload,
            private: Vec::new(),
        }
    }

    pub fn with_private(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.private.push((name.into(), value.into()));
        self
    }
}

/// A typed event payload: one struct per kind.
pub trait Payload: Serialize + DeserializeOwned {
    /// Dotted kind name, e.g. `audit.note`.
    const KIND: &'static str;
    /// Payload version; bump when a field's meaning changes (adding an
    /// optional field does not need a bump).
    const VERSION: u32 = 1;
}

/// `audit.note`: an operator's annotation, e.g. "maintenance window started".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub message: String,
}

impl Payload for Note {
    const KIND: &'static str = "audit.note";
}

/// `ledger.created`: the first event of every ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub origin: String,
    /// The verifier key the log was created with (for reference only:
    /// verification uses a key the verifier pins, never this one).
    pub key: String,
    #[serde(default)]
    pub lockgate_version: String,
}

impl Payload for Created {
    const KIND: &'static str = "ledger.created";
}

/// `audit.erased`: personal data of an earlier event was erased off-log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Erased {
    pub seq: u64,
    pub field: String,
    pub reason: String,
}

impl Payload for Erased {
    const KIND: &'static str = "audit.erased";
}

/// Every event kind lockgate writes, with a one-line meaning (for docs and
/// `lockgate audit log --kind` completion).
pub const KINDS: &[(&str, &str)] = &[
    (Created::KIND, "the ledger was created"),
    (Note::KIND, "an operator's annotation"),
    (Erased::KIND, "personal data of an earlier event was erased (GDPR)"),
];

/// Serializes `v` as canonical JSON (sorted keys, no whitespace).
pub fn canonical_json(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Writing a string to a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, k);
                out.push(b':');
                write_canonical(&map[*k], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// Replaces every occurrence of a secret in the strings of `v` by `***`.
pub fn scrub(v: &mut Value, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    match v {
        Value::String(s) => {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "***");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| scrub(i, secrets)),
        Value::Object(map) => map.values_mut().for_each(|i| scrub(i, secrets)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, 2.5, "x"], "y": null}, "é": true, "A": "\u{1}"});
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            r#"{"A":"\u0001","a":{"y":null,"z":[1,2.5,"x"]},"b":1,"é":true}"#
        );
    }

    #[test]
    fn old_payloads_still_read_after_a_field_is_added() {
        // An `ledger.created` written before `lockgate_version` existed.
        let old = json!({"origin": "lockgate/shop", "key": "k"});
        let c: Created = serde_json::from_value(old).unwrap();
        assert_eq!(c.lockgate_version, "");
    }

    #[test]
    fn secrets_are_scrubbed_everywhere_in_a_payload() {
        let mut v = json!({"log": "token=hunter2!", "nested": ["hunter2", {"x": "ahunter2b"}], "n": 1});
        scrub(&mut v, &["hunter2".into()]);
        assert_eq!(
            v,
            json!({"log": "token=***!", "nested": ["***", {"x": "a***b"}], "n": 1})
        );
    }

    #[test]
    fn actors_parse_and_print() {
        assert_eq!(Actor::parse("agent:claude").to_string(), "agent:claude");
        assert_eq!(Actor::parse("alice").to_string(), "user:alice");
        assert_eq!(Actor::parse("token:ci-bot").kind, ActorKind::Token);
    }
}
