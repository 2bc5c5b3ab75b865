//! # Pods do not mount the container runtime socket
//!
//! ## What it checks
//! Workloads with a `hostPath` volume whose path is a container runtime's
//! API socket: `/var/run/docker.sock`, `/run/docker.sock`,
//! `/run/containerd/containerd.sock`, `/var/run/containerd/containerd.sock`,
//! `/var/run/crio/crio.sock`, `/run/crio/crio.sock`, or a directory holding
//! one (`/var/run`, `/run`, `/run/containerd`, …).
//!
//! ## Why it matters
//! Whoever talks to the runtime socket can start a privileged container
//! with the host's root filesystem mounted: it is root on the node, and the
//! rest of the cluster is usually a short step away. Read-only mounts do not
//! help; the socket is an API, not a file.
//!
//! ## Example
//! ```yaml
//! volumes:
//!   - name: docker
//!     hostPath:
//!       path: /var/run/docker.sock
//! ```
//!
//! ## Fix
//! Remove the volume. Build images with a rootless builder (BuildKit
//! rootless, Kaniko, Buildah); give monitoring agents the narrow API they
//! need instead of the runtime socket.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_27 matches only the exact path `/var/run/docker.sock`.
//! This rule also catches containerd's and CRI-O's sockets and the
//! directories holding them. On kubernetes-goat it fails one more workload
//! than Checkov: `health-check-deployment`, which mounts
//! `/run/containerd/containerd.sock` (the scenario's point).
//!
//! ## References
//! - CIS Docker Benchmark 5.31
//! - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-021",
    title: "Pods do not mount the container runtime socket",
    severity: Severity::Critical,
    resources: WORKLOADS,
    frameworks: &[
        "cis-docker:5.31",
        "pss:baseline",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_27", "AVD-KSV-0006"],
    check,
};

const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    for v in spec.blocks("volumes") {
        let g = v.body.get("hostPath.path");
        let Some(path) = g.str() else { continue };
        let p = path.trim_end_matches('/');
        let hit = SOCKETS
            .iter()
            .find(|s| **s == p || (!p.is_empty() && s.starts_with(&format!("{p}/"))));
        if let Some(sock) = hit {
            return fail(
                g.span(),
                format!("volume mounts the container runtime socket `{sock}` from the host"),
            );
        }
    }
    Outcome::Pass
}
