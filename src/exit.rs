//! The published exit codes and the error type that carries one.
//!
//! Every command returns `Result<Exit, anyhow::Error>`. An error whose chain
//! contains a [`UserError`] exits with that error's code and prints its
//! message and hint; any other error is an internal failure (exit 1).

use std::fmt;

/// Exit statuses published in the README and in `lockgate --help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0 — success; a gate is open.
    Ok,
    /// 1 — failed: findings, a failed run or rollout, a tampered ledger.
    Failed,
    /// 2 — usage or configuration error.
    Usage,
    /// 3 — a gate failed.
    GateFailed,
    /// 4 — blocked: waiting for approval, or inside a freeze window.
    Blocked,
    /// 5 — a lock is held by someone else, or a conflicting change exists.
    Conflict,
    /// 130 — interrupted (Ctrl-C).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::GateFailed => 3,
            Exit::Blocked => 4,
            Exit::Conflict => 5,
            Exit::Interrupted => 130,
        }
    }

    /// The exit status a code stands for (unknown codes are failures).
    pub fn from_code(code: i32) -> Exit {
        match code {
            0 => Exit::Ok,
            2 => Exit::Usage,
            3 => Exit::GateFailed,
            4 => Exit::Blocked,
            5 => Exit::Conflict,
            130 => Exit::Interrupted,
            _ => Exit::Failed,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// The exit-code table shown in `lockgate --help` and the README (a test
/// keeps the README in step).
#[macro_export]
macro_rules! exit_code_table {
    () => {
        "Exit codes:
  0    ok (a gate is open)
  1    failed: findings, failed run or rollout, ledger verification failed
  2    usage or configuration error
  3    gate failed
  4    blocked: waiting for approval or inside a freeze window
  5    lock held or conflicting change
  130  interrupted"
    };
}

pub const EXIT_CODE_TABLE: &str = exit_code_table!();

/// An error caused by the user's input or environment, with a hint that
/// says what to do. Its `Display` is the message only.
#[derive(Debug)]
pub struct UserError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        UserError {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Errors that were already reported to the user in full (e.g. rendered
/// diagnostics); the top level only turns them into an exit code.
#[derive(Debug)]
pub struct Reported(pub Exit);

impl fmt::Display for Reported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reported (exit {})", self.0.code())
    }
}

impl std::error::Error for Reported {}

/// True when `err` (or its cause chain) is a closed pipe on stdout: we stop
/// quietly instead of crashing, like other Unix tools.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
