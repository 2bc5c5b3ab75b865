//! Who may use the server: API tokens and web users, each with a role.
//!
//! Identities are a projection of the ledger (`identity.*` events), so
//! every grant and revocation is on the audit trail and takes effect on the
//! server's next request. A token is stored only as its SHA-256 (the token
//! itself is 256 random bits, shown once); a web password only as an
//! Argon2id hash, kept *off* the ledger in `.lockgate/passwords.json`
//! (mode 0600) because an audit export is handed to people who must not
//! get offline guesses at passwords.
//!
//! An [`Identity`] is what authentication yields, whatever the mechanism:
//! an OIDC provider would add one more way to produce it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::exit::UserError;
use crate::ledger::projection::Projection;
use crate::ledger::{Actor, Event, NewEvent};

pub const TOKEN_CREATED: &str = "identity.token_created";
pub const TOKEN_REVOKED: &str = "identity.token_revoked";
pub const USER_SET: &str = "identity.user_set";
pub const USER_REMOVED: &str = "identity.user_removed";

/// What an identity may do on the server.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything: status, gates, rollouts, runs, audit, compliance.
    Viewer,
    /// A viewer who also deploys, promotes, aborts, rolls back and runs pipelines.
    Operator,
    /// A viewer who also approves, rejects and attests gates (optionally only some).
    Approver,
    /// Everything, including tokens and stopping the server.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Identity {
    /// The actor recorded in the ledger, e.g. `user:alice@example.com`.
    pub actor: String,
    pub role: Role,
    /// Environments an approver may decide for (empty: all).
    pub environments: Vec<String>,
    /// Gates an approver may decide on (empty: all).
    pub gates: Vec<String>,
    /// How the caller signed in: `token`, `session` or `local`.
    pub via: String,
    /// The token's id, when signed in with a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Identity {
    pub fn actor(&self) -> Actor {
        Actor::parse(&self.actor)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TokenInfo {
    pub id: String,
    pub actor: String,
    pub role: Role,
    pub environments: Vec<String>,
    pub gates: Vec<String>,
    pub created: String,
    pub created_by: String,
    /// RFC 3339; absent: never expires.
    pub expires: Option<String>,
    pub revoked: bool,
    #[serde(skip)]
    #[schemars(skip)]
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UserInfo {
    pub name: String,
    pub actor: String,
    pub role: Role,
    pub environments: Vec<String>,
    pub gates: Vec<String>,
}

/// The identities as the ledger says they are.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    pub tokens: BTreeMap<String, TokenInfo>,
    pub users: BTreeMap<String, UserInfo>,
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn role(v: &serde_json::Value) -> Role {
    serde_json::from_value(v.clone()).unwrap_or(Role::Viewer)
}

impl Projection for Identities {
    fn apply(&mut self, e: &Event) {
        let p = &e.body.payload;
        match e.body.kind.as_str() {
            TOKEN_CREATED => {
                let id = p["id"].as_str().unwrap_or_default().to_string();
                self.tokens.insert(
                    id.clone(),
                    TokenInfo {
                        id,
                        actor: p["actor"].as_str().unwrap_or_default().to_string(),
                        role: role(&p["role"]),
                        environments: strings(&p["environments"]),
                        gates: strings(&p["gates"]),
                        created: e.body.time.to_string(),
                        created_by: e.body.actor.to_string(),
                        expires: p["expires"].as_str().map(str::to_string),
                        revoked: false,
                        sha256: p["sha256"].as_str().unwrap_or_default().to_string(),
                    },
                );
            }
            TOKEN_REVOKED => {
                if let Some(t) = p["id"].as_str().and_then(|id| self.tokens.get_mut(id)) {
                    t.revoked = true;
                }
            }
            USER_SET => {
                let name = p["name"].as_str().unwrap_or_default().to_string();
                self.users.insert(
                    name.clone(),
                    UserInfo {
                        actor: p["actor"].as_str().unwrap_or_default().to_string(),
                        name,
                        role: role(&p["role"]),
                        environments: strings(&p["environments"]),
                        gates: strings(&p["gates"]),
                    },
                );
            }
            USER_REMOVED => {
                if let Some(n) = p["name"].as_str() {
                    self.users.remove(n);
                }
            }
            _ => {}
        }
    }
}

/// Why a credential was not accepted (recorded; never shown in detail to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Unknown,
    Revoked,
    Expired,
}

impl Rejected {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejected::Unknown => "unknown token",
            Rejected::Revoked => "revoked token",
            Rejected::Expired => "expired token",
        }
    }
}

/// Tokens look like `lg_<id>_<secret>`: the id finds the record, the
/// whole token's SHA-256 must match it.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("lg_")?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 12 && secret.len() == 64 && id.bytes().chain(secret.bytes()).all(|b| b.is_ascii_hexdigit()))
        .then_some((id, secret))
}

pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// Equal-length comparison that does not stop at the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Identities {
    /// The identity a bearer token stands for, at `now`.
    pub fn by_token(&self, token: &str, now: jiff::Timestamp) -> Result<Identity, Rejected> {
        let (id, _) = parse_token(token).ok_or(Rejected::Unknown)?;
        let t = self.tokens.get(id).ok_or(Rejected::Unknown)?;
        if !constant_time_eq(sha256_hex(token).as_bytes(), t.sha256.as_bytes()) {
            return Err(Rejected::Unknown);
        }
        if t.revoked {
            return Err(Rejected::Revoked);
        }
        if let Some(exp) = &t.expires
            && exp.parse::<jiff::Timestamp>().is_ok_and(|e| e <= now)
        {
            return Err(Rejected::Expired);
        }
        Ok(Identity {
            actor: t.actor.clone(),
            role: t.role,
            environments: t.environments.clone(),
            gates: t.gates.clone(),
            via: "token".into(),
            token: Some(t.id.clone()),
        })
    }

    /// Whose token this is (its secret matches), revoked or expired or not.
    pub fn token_owner(&self, token: &str) -> Option<String> {
        let (id, _) = parse_token(token)?;
        let t = self.tokens.get(id)?;
        constant_time_eq(sha256_hex(token).as_bytes(), t.sha256.as_bytes()).then(|| t.actor.clone())
    }

    /// The identity of a web user (as the ledger says now).
    pub fn by_user(&self, name: &str) -> Option<Identity> {
        let u = self.users.get(name)?;
        Some(Identity {
            actor: u.actor.clone(),
            role: u.role,
            environments: u.environments.clone(),
            gates: u.gates.clone(),
            via: "session".into(),
            token: None,
        })
    }
}

pub fn random_hex(bytes: usize) -> Result<String> {
    let mut raw = vec![0u8; bytes];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(hex::encode(raw))
}

/// A new token: its secret text (shown once) and the event that records it.
pub struct NewToken {
    pub token: String,
    pub info: TokenInfo,
    pub event: NewEvent,
}

/// The actor a `--name` stands for: `agent:x` and `user:x` are kept, a
/// bare name is a user.
pub fn actor_of(name: &str, agent: bool) -> Result<String> {
    let name = name.trim();
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 128
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+'))
    };
    let (kind, id) = match name.split_once(':') {
        Some((k @ ("user" | "agent" | "token"), id)) => (k, id),
        Some(_) => ("", ""),
        None if agent => ("agent", name),
        None => ("user", name),
    };
    if !valid(id) {
        return Err(UserError::usage(format!("`{name}` is not a valid identity name"))
            .with_hint("use an email or a name of letters, digits, `.`, `_`, `-`, `@`, `+` (at most 128), optionally prefixed user: or agent:")
            .into());
    }
    Ok(format!("{kind}:{id}"))
}

pub fn new_token(
    actor: &str,
    role: Role,
    environments: Vec<String>,
    gates: Vec<String>,
    expires: Option<jiff::Timestamp>,
    by: &Actor,
) -> Result<NewToken> {
    let id = random_hex(6)?;
    let token = format!("lg_{id}_{}", random_hex(32)?);
    let sha256 = sha256_hex(&token);
    let info = TokenInfo {
        id: id.clone(),
        actor: actor.to_string(),
        role,
        environments: environments.clone(),
        gates: gates.clone(),
        created: crate::ledger::now().to_string(),
        created_by: by.to_string(),
        expires: expires.map(|e| e.to_string()),
        revoked: false,
        sha256: sha256.clone(),
    };
    let event = NewEvent::json(
        by.clone(),
        TOKEN_CREATED,
        format!("token/{id}"),
        json!({ "id": id, "actor": actor, "role": role, "environments": environments, "gates": gates,
                "expires": info.expires, "sha256": sha256 }),
    );
    Ok(NewToken { token, info, event })
}

pub fn revoke_event(id: &str, by: &Actor) -> NewEvent {
    NewEvent::json(by.clone(), TOKEN_REVOKED, format!("token/{id}"), json!({ "id": id }))
}

pub fn user_event(u: &UserInfo, by: &Actor) -> NewEvent {
    NewEvent::json(
        by.clone(),
        USER_SET,
        format!("user/{}", u.name),
        json!({ "name": u.name, "actor": u.actor, "role": u.role, "environments": u.environments, "gates": u.gates }),
    )
}

pub fn user_removed_event(name: &str, by: &Actor) -> NewEvent {
    NewEvent::json(
        by.clone(),
        USER_REMOVED,
        format!("user/{name}"),
        json!({ "name": name }),
    )
}

/// Parses `90d`, `12h`, `30m` or `never` into an expiry time from `now`.
pub fn parse_expiry(s: &str, now: jiff::Timestamp) -> Result<Option<jiff::Timestamp>> {
    if s == "never" {
        return Ok(None);
    }
    let bad = || {
        anyhow::Error::from(
            UserError::usage(format!("`{s}` is not an expiry"))
                .with_hint("use a duration like 90d, 12h or 30m, or `never`"),
        )
    };
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "d" => n.checked_mul(86_400),
        "h" => n.checked_mul(3_600),
        "m" => n.checked_mul(60),
        _ => None,
    }
    .filter(|s| *s > 0 && *s <= 10 * 365 * 86_400)
    .ok_or_else(bad)?;
    Ok(Some(now + jiff::SignedDuration::from_secs(secs)))
}

// ---- passwords --------------------------------------------------------------

pub fn passwords_path(state_dir: &Path) -> PathBuf {
    state_dir.join("passwords.json")
}

/// Argon2id hashes by user name.
pub fn read_passwords(state_dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(passwords_path(state_dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub fn write_passwords(state_dir: &Path, map: &BTreeMap<String, String>) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::create_dir_all(state_dir)?;
    let tmp = state_dir.join("passwords.json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(serde_json::to_string_pretty(map)?.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, passwords_path(state_dir))?;
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::{PasswordHasher as _, SaltString};
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let salt = SaltString::encode_b64(&raw).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))?
        .to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A dummy verification, so an unknown user costs as much time as a known one.
pub fn burn_password_check(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash_password("lockgate-dummy").unwrap_or_default());
    let _ = verify_password(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_and_match_only_their_hash() {
        let by = Actor::user("admin");
        let t = new_token("user:a", Role::Viewer, vec![], vec![], None, &by).unwrap();
        assert!(parse_token(&t.token).is_some());
        let mut ids = Identities::default();
        ids.tokens.insert(t.info.id.clone(), t.info.clone());
        let now = crate::ledger::now();
        assert_eq!(ids.by_token(&t.token, now).unwrap().actor, "user:a");
        // Same id, other secret.
        let forged = format!("lg_{}_{}", t.info.id, "0".repeat(64));
        assert_eq!(ids.by_token(&forged, now).unwrap_err(), Rejected::Unknown);
        assert_eq!(ids.by_token("garbage", now).unwrap_err(), Rejected::Unknown);
        ids.tokens.get_mut(&t.info.id).unwrap().revoked = true;
        assert_eq!(ids.by_token(&t.token, now).unwrap_err(), Rejected::Revoked);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let by = Actor::user("admin");
        let now = crate::ledger::now();
        let t = new_token("user:a", Role::Admin, vec![], vec![], Some(now), &by).unwrap();
        let mut ids = Identities::default();
        ids.tokens.insert(t.info.id.clone(), t.info);
        assert_eq!(ids.by_token(&t.token, now).unwrap_err(), Rejected::Expired);
    }

    #[test]
    fn expiry_and_names_parse() {
        let now = crate::ledger::now();
        assert!(parse_expiry("never", now).unwrap().is_none());
        assert_eq!(
            parse_expiry("2d", now).unwrap().unwrap(),
            now + jiff::SignedDuration::from_hours(48)
        );
        for bad in ["", "d", "0d", "5y", "-1d", "99999999999999999999d"] {
            assert!(parse_expiry(bad, now).is_err(), "{bad}");
        }
        assert_eq!(actor_of("alice@example.com", false).unwrap(), "user:alice@example.com");
        assert_eq!(actor_of("claude", true).unwrap(), "agent:claude");
        assert_eq!(actor_of("agent:x", false).unwrap(), "agent:x");
        assert!(actor_of("system:lockgate", false).is_err());
        assert!(actor_of("a b", false).is_err());
    }

    proptest::proptest! {
        /// The parsers of what callers send never panic, and what they
        /// accept is well-formed.
        #[test]
        fn credential_parsers_never_panic(s in ".{0,200}") {
            let now = crate::ledger::now();
            if let Ok(Some(t)) = parse_expiry(&s, now) {
                proptest::prop_assert!(t > now);
            }
            if let Ok(a) = actor_of(&s, false) {
                proptest::prop_assert!(a.starts_with("user:") || a.starts_with("agent:") || a.starts_with("token:"));
                proptest::prop_assert!(!a.contains(char::is_whitespace));
            }
            if let Some((id, secret)) = parse_token(&s) {
                proptest::prop_assert_eq!((id.len(), secret.len()), (12, 64));
            }
            let ids = Identities::default();
            proptest::prop_assert!(ids.by_token(&s, now).is_err());
            proptest::prop_assert!(ids.token_owner(&s).is_none());
        }

        #[test]
        fn redirects_after_sign_in_stay_on_this_site(s in "(/[\t\n]?)?.{0,300}") {
            let n = crate::server::ui::safe_next(Some(&s));
            proptest::prop_assert!(n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'));
            // What a browser does to it (drops tabs and newlines) must stay local too.
            let seen: String = n.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            proptest::prop_assert!(!seen.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic()));
        }

        #[test]
        fn cookie_headers_never_panic(s in "[ -~]{0,300}") {
            let mut h = axum::http::HeaderMap::new();
            if let Ok(v) = axum::http::HeaderValue::from_str(&s) {
                h.insert(axum::http::header::COOKIE, v);
            }
            let _ = crate::server::cookie(&h, "lockgate_session");
        }
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
