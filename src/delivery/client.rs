//! The CLI's side of the controller API: finds `lockgate serve` through
//! `.lockgate/serve.json` and speaks plain HTTP/1.1 to it on loopback.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use super::serve::{Endpoint, read_endpoint};
use crate::exit::{Exit, UserError};

pub struct Client {
    pub endpoint: Endpoint,
}

fn not_running() -> anyhow::Error {
    UserError::usage("the lockgate controller is not running for this project")
        .with_hint("start it with `lockgate serve --detach` (or `lockgate serve` in another terminal)")
        .into()
}

impl Client {
    /// Connects to the project's controller, or says how to start it.
    pub fn connect(state_dir: &Path) -> Result<Client> {
        let endpoint = read_endpoint(state_dir).ok_or_else(not_running)?;
        let c = Client { endpoint };
        // A stale file from a killed controller: nobody listens.
        if TcpStream::connect_timeout(&c.endpoint.api, Duration::from_secs(2)).is_err() {
            return Err(not_running());
        }
        Ok(c)
    }

    /// The controller, if one is running.
    pub fn try_connect(state_dir: &Path) -> Option<Client> {
        Client::connect(state_dir).ok()
    }

    pub fn get(&self, path: &str) -> Result<Value> {
        self.request("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.request("POST", path, Some(body))
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let mut s =
            TcpStream::connect_timeout(&self.endpoint.api, Duration::from_secs(5)).map_err(|_| not_running())?;
        s.set_read_timeout(Some(Duration::from_secs(120)))?;
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            self.endpoint.api,
            self.endpoint.token,
            payload.len()
        );
        s.write_all(req.as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status: u16 = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
        let v: Value = serde_json::from_str(body.trim()).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(v);
        }
        let exit = match v["exit"].as_u64() {
            Some(2) => Exit::Usage,
            Some(3) => Exit::GateFailed,
            Some(4) => Exit::Blocked,
            Some(5) => Exit::Conflict,
            _ => Exit::Failed,
        };
        let msg = v["error"]
            .as_str()
            .map_or_else(|| format!("the controller answered {status}"), str::to_string);
        let mut e = UserError::new(exit, msg);
        if let Some(h) = v["hint"].as_str().filter(|h| !h.is_empty()) {
            e = e.with_hint(h);
        }
        Err(e.into())
    }
}
