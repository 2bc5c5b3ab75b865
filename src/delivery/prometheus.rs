//! Instant queries against the Prometheus HTTP API (`/api/v1/query`).

use std::time::Duration;

use serde_json::Value;

use super::target::http_get;

/// Runs `query` on the server at `base` (`http://host:port[/prefix]`).
/// `Ok(None)` when the query returned no sample.
pub async fn query(base: &str, query: &str) -> Result<Option<f64>, String> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{base}` is not an http:// URL"))?;
    let (authority, prefix) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    if authority.contains('@') {
        // Never echo credentials into errors, logs or the ledger.
        return Err("the Prometheus URL carries credentials, which are not supported".to_string());
    }
    let host = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = tokio::net::lookup_host(&host)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("cannot resolve `{authority}`"))?;
    let prefix = prefix.trim_end_matches('/');
    let path = if prefix.is_empty() {
        format!("/api/v1/query?query={}", encode(query))
    } else {
        format!("/{prefix}/api/v1/query?query={}", encode(query))
    };
    let r = http_get(addr, &path, Duration::from_secs(10))
        .await
        .map_err(|e| format!("Prometheus at {base}: {e}"))?;
    let v: Value = serde_json::from_str(r.body.trim())
        .map_err(|_| format!("Prometheus at {base} answered {} without JSON", r.status))?;
    parse(&v)
}

/// The single value of an instant-query answer.
pub fn parse(v: &Value) -> Result<Option<f64>, String> {
    if v.get("status").and_then(Value::as_str) != Some("success") {
        let msg = v.get("error").and_then(Value::as_str).unwrap_or("unknown error");
        return Err(format!("Prometheus: {msg}"));
    }
    let data = &v["data"];
    let sample = match data.get("resultType").and_then(Value::as_str) {
        Some("scalar") => Some(&data["result"]),
        Some("vector") => {
            let items = data["result"].as_array().map(Vec::as_slice).unwrap_or_default();
            if items.len() > 1 {
                return Err(format!(
                    "the query returned {} series; aggregate it to one (e.g. with sum(...))",
                    items.len()
                ));
            }
            items.first().map(|i| &i["value"])
        }
        Some(other) => {
            return Err(format!(
                "the query returned a {other}; write one that returns a single number"
            ));
        }
        None => return Err("Prometheus answered without a result type".into()),
    };
    match sample.and_then(|s| s.get(1)).and_then(Value::as_str) {
        None => Ok(None),
        Some(s) => match s.parse::<f64>() {
            Ok(n) if n.is_nan() => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(format!("`{s}` is not a number")),
        },
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_vectors_scalars_and_errors() {
        let v =
            json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.0,"0.25"]}]}});
        assert_eq!(parse(&v), Ok(Some(0.25)));
        let v = json!({"status":"success","data":{"resultType":"vector","result":[]}});
        assert_eq!(parse(&v), Ok(None));
        let v = json!({"status":"success","data":{"resultType":"scalar","result":[1.0,"3"]}});
        assert_eq!(parse(&v), Ok(Some(3.0)));
        let v = json!({"status":"error","error":"parse error"});
        assert!(parse(&v).unwrap_err().contains("parse error"));
        assert_eq!(encode("a b{c=\"d\"}"), "a%20b%7Bc%3D%22d%22%7D");
    }
}
