//! # Cloud DNS zones do not sign with RSASHA1
//!
//! ## What it checks
//! The `dnssec_config.default_key_specs` blocks of a
//! `google_dns_managed_zone`: none may use `algorithm = "rsasha1"`, for
//! either the key-signing or the zone-signing key. A value known only at
//! apply time is not reported.
//!
//! ## Why it matters
//! RSASHA1 relies on SHA-1, for which practical chosen-prefix collisions
//! exist; signatures made with it give weak assurance and some validating
//! resolvers no longer accept them. Zones should sign with RSASHA256,
//! RSASHA512 or ECDSA.
//!
//! ## Example
//! ```hcl
//! dnssec_config {
//!   state = "on"
//!   default_key_specs {
//!     algorithm  = "rsasha1"
//!     key_length = 2048
//!     key_type   = "keySigning"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Use `algorithm = "rsasha256"` (or `ecdsap256sha256`).
//!
//! ## References
//! - https://cloud.google.com/dns/docs/dnssec-advanced
//! - CIS Google Cloud Platform Foundation Benchmark 3.4 and 3.5

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::sub;

pub static RULE: Rule = Rule {
    id: "LG-GCP-046",
    title: "Cloud DNS zones do not sign with RSASHA1",
    severity: Severity::Medium,
    resources: &["google_dns_managed_zone"],
    frameworks: &["cis-gcp:3.4", "cis-gcp:3.5", "pci-dss:4.2.1", "soc2:CC6.7"],
    equivalent: &["CKV_GCP_17", "google-dns-no-rsa-sha1"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(cfg) = sub(&r.body, &["dnssec_config"]) else {
        return Outcome::Pass;
    };
    let mut unknown = false;
    for b in cfg.blocks("default_key_specs") {
        let g = b.body.get("algorithm");
        match g.str() {
            Some(a) if a.eq_ignore_ascii_case("rsasha1") => {
                let kind = b.body.get("key_type").str().unwrap_or("signing").to_string();
                return fail(
                    g.span(),
                    format!("the {kind} key uses RSASHA1: its SHA-1 signatures are weak"),
                );
            }
            Some(_) => {}
            None => unknown |= g.is_unknown(),
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
