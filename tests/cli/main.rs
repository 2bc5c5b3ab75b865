//! Integration tests: they drive the real `lockgate` binary in temporary
//! directories. One test binary (this file's modules) keeps link time low.

mod audit;
mod delivery;
mod docs;
mod gates;
mod general;
mod init;
mod mcp;
mod merkle_vectors;
mod metrics;
mod monitoring;
mod pipeline;
mod scan;
mod scan_eval;
mod scan_kinds;
mod scan_props;
mod schema;
mod server;
mod server_browser;
mod server_metrics;
mod validate;

use std::path::Path;

/// `lockgate` run in `dir` with a clean, colour-free, UTC environment.
pub fn lockgate(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("lockgate").expect("binary built");
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env_remove("LOCKGATE_CONFIG")
        .env_remove("CLICOLOR_FORCE");
    c
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that no Rust panic or backtrace reached the user.
pub fn assert_no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic in stderr:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "backtrace hint in stderr:\n{err}");
}

/// `git` as dev@example.com in `dir`; fails the test when git does.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.email=dev@example.com", "-c", "user.name=dev"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
