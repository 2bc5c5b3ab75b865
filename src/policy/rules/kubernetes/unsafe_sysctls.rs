//! # Pods set only safe sysctls
//!
//! ## What it checks
//! The names in the pod's `securityContext.sysctls` must be in the safe set
//! of the baseline Pod Security Standard: `kernel.shm_rmid_forced`,
//! `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
//! `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
//! `net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`,
//! `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
//! `net.ipv4.tcp_keepalive_probes`.
//!
//! ## Why it matters
//! Sysctls outside the namespaced safe set change kernel settings shared
//! with every other pod on the node, or open ways to exhaust or attack it.
//!
//! ## Example
//! ```yaml
//! spec:
//!   securityContext:
//!     sysctls:
//!       - name: kernel.msgmax
//!         value: "65536"
//! ```
//!
//! ## Fix
//! Remove the sysctl; tune the node itself (and isolate such workloads on
//! dedicated nodes) if it is truly needed.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Sysctls)
//! - https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-018",
    title: "Pods set only safe sysctls",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &["pss:baseline", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["AVD-KSV-0026"],
    check,
};

const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(sc) = pod_spec(r).and_then(|s| s.block("securityContext")) else {
        return Outcome::Pass;
    };
    for s in sc.body.blocks("sysctls") {
        let g = s.body.get("name");
        if let Some(n) = g.str()
            && !SAFE.contains(&n)
        {
            return fail(g.span(), format!("pod sets the unsafe sysctl `{n}`"));
        }
    }
    Outcome::Pass
}
