//! Every scanner path from arbitrary text: HCL parsing and evaluation
//! (variables, locals, count/for_each, dynamic blocks, functions, a local
//! module), YAML manifests and workflows, Dockerfiles, and every rule. It
//! must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockgate::policy::{ScanOptions, rules, scan_sources};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The input is both a root module and a module it calls.
    let root = format!("{text}\nmodule \"m\" {{\n  source = \"./m\"\n  x = local.a\n}}\n");
    let opts = ScanOptions {
        threads: 1,
        ..ScanOptions::default()
    };
    let _ = scan_sources(&[("main.tf", &root), ("m/main.tf", text)], &opts, rules::all());
    let _ = scan_sources(
        &[("k8s.yaml", text), (".github/workflows/ci.yml", text), ("Dockerfile", text)],
        &opts,
        rules::all(),
    );
});
