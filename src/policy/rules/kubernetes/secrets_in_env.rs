//! # Containers read secrets from files, not environment variables
//!
//! ## What it checks
//! Every container of a workload: no `env` entry may take its value from
//! `valueFrom.secretKeyRef`, and no `envFrom` entry may be a `secretRef`.
//!
//! ## Why it matters
//! Environment variables leak: into crash reports and debug endpoints, to
//! every child process, into `kubectl describe`-style tooling and logs.
//! Secrets mounted as files can be given tight permissions and are updated
//! in place when the Secret changes.
//!
//! ## Example
//! ```yaml
//! env:
//!   - name: DB_PASSWORD
//!     valueFrom:
//!       secretKeyRef:
//!         name: db
//!         key: password
//! ```
//!
//! ## Fix
//! Mount the Secret as a volume (`secret:` volume and a `volumeMount`) and
//! read it from the file.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.4.1
//! - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-033",
    title: "Containers read secrets from files, not environment variables",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.4.1", "nsa-k8s:secrets", "pci-dss:3.5.1", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_35"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        for e in c.body.blocks("env") {
            if let Some(s) = e.body.block("valueFrom").and_then(|v| v.body.block("secretKeyRef")) {
                let var = e.body.get("name").str().unwrap_or("?");
                let secret = s.body.get("name").str().unwrap_or("?");
                return fail(
                    Some(s.span),
                    format!(
                        "container `{}` reads the secret `{secret}` into the environment variable `{var}`",
                        name(c)
                    ),
                );
            }
        }
        for e in c.body.blocks("envFrom") {
            if let Some(s) = e.body.block("secretRef") {
                let secret = s.body.get("name").str().unwrap_or("?");
                return fail(
                    Some(s.span),
                    format!(
                        "container `{}` loads the secret `{secret}` into its environment",
                        name(c)
                    ),
                );
            }
        }
        Outcome::Pass
    })
}
