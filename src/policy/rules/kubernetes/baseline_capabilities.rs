//! # Containers add no capabilities beyond the baseline set
//!
//! ## What it checks
//! Every container of a workload: each entry of
//! `securityContext.capabilities.add` must be one of the default set the
//! baseline Pod Security Standard allows: AUDIT_WRITE, CHOWN, DAC_OVERRIDE,
//! FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP,
//! SETUID, SYS_CHROOT (with or without the `CAP_` prefix).
//!
//! ## Why it matters
//! Capabilities such as SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN or
//! DAC_READ_SEARCH each give a process enough of root's power to leave the
//! container or take over the node. The baseline Pod Security Standard
//! rejects pods that add any of them.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       capabilities:
//!         add: ["SYS_ADMIN"]
//! ```
//!
//! ## Fix
//! Remove the capability from `capabilities.add`; find the narrower
//! mechanism the process needs (a device plugin, a sidecar, a node agent
//! managed outside the workload).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Capabilities)
//! - CIS Kubernetes Benchmark 5.2.9

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, added_caps, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-012",
    title: "Containers add no capabilities beyond the baseline set",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "pss:baseline",
        "cis-k8s:5.2.9",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["AVD-KSV-0022"],
    check,
};

/// What the baseline Pod Security Standard lets a container add.
const DEFAULT_SET: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let (caps, span) = added_caps(c);
        let bad = caps.iter().find(|cap| {
            let bare = cap.trim().trim_start_matches("CAP_").trim_start_matches("cap_");
            !DEFAULT_SET.iter().any(|d| d.eq_ignore_ascii_case(bare))
        });
        match bad {
            Some(cap) => fail(
                span,
                format!(
                    "container `{}` adds the capability `{cap}`, outside the baseline set",
                    name(c)
                ),
            ),
            None => Outcome::Pass,
        }
    })
}
