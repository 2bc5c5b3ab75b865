//! lockgate's own metrics in the Prometheus exposition format.

use std::time::Duration;

use super::Ctx;

#[derive(Default)]
pub struct Metrics {}

impl Metrics {
    pub fn http(&self, _method: &str, _route: &str, _status: u16, _d: Duration) {}
    pub fn denied(&self, _reason: &str) {}
    pub fn ledger_append(&self, _d: Duration) {}
    pub fn render(&self, _app: &Ctx) -> anyhow::Result<String> {
        Ok(String::new())
    }
}
