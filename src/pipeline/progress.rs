//! Showing a run: live spinners in a terminal (indicatif), or plain lines
//! prefixed with the job's name when output is not a terminal or with
//! `--progress plain`. Status lines are the same in both.

use std::collections::HashMap;
use std::io::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::run::{JobResult, Status, Ui};

/// The one-line status of a finished job.
pub fn status_line(r: &JobResult, color: bool) -> String {
    let (style, mark, what) = match (r.outcome, r.conclusion, r.cached) {
        (_, _, true) => (AnsiColor::Cyan.on_default(), "↺", "cached".to_string()),
        (Status::Success, _, _) => (AnsiColor::Green.on_default(), "✓", String::new()),
        (Status::Failure, Status::Success, _) => (AnsiColor::Yellow.on_default(), "!", "failed (allowed)".to_string()),
        (Status::Failure, _, _) => (AnsiColor::Red.on_default().bold(), "✗", "failed".to_string()),
        (Status::Cancelled, _, _) => (AnsiColor::Yellow.on_default(), "⊘", "cancelled".to_string()),
        (Status::Skipped, _, _) => (Style::new().dimmed(), "–", "skipped".to_string()),
    };
    let mut line = format!("{style}{mark}{style:#} {}", r.job);
    if !what.is_empty() {
        line.push_str(&format!(" {style}{what}{style:#}"));
    }
    if let Some(reason) = &r.reason
        && !r.cached
    {
        line.push_str(&format!(": {reason}"));
    }
    if r.attempts > 0 {
        let secs = r.duration_ms as f64 / 1000.0;
        let dim = Style::new().dimmed();
        line.push_str(&format!(" {dim}{secs:.1}s{dim:#}"));
        if r.attempts > 1 {
            line.push_str(&format!(" {dim}(attempt {}){dim:#}", r.attempts));
        }
    }
    if color {
        line
    } else {
        anstream::adapter::strip_str(&line).to_string()
    }
}

/// Plain, line-prefixed streaming to stdout.
pub struct Plain {
    color: bool,
    partial: HashMap<String, Vec<u8>>,
    quiet: bool,
}

impl Plain {
    pub fn new(color: bool, quiet: bool) -> Self {
        Plain {
            color,
            partial: HashMap::new(),
            quiet,
        }
    }

    fn print(&self, line: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    fn emit_line(&self, job: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let text = crate::diag::sanitize(text.trim_end_matches(['\n', '\r']));
        let dim = Style::new().dimmed();
        let prefix = if self.color {
            format!("{dim}[{job}]{dim:#}")
        } else {
            format!("[{job}]")
        };
        self.print(&format!("{prefix} {text}"));
    }
}

impl Ui for Plain {
    fn run_started(&mut self, run: u64, jobs: usize) {
        if !self.quiet {
            self.print(&format!("run {run}: {jobs} job(s)"));
        }
    }

    fn job_started(&mut self, job: &str, attempt: u32) {
        if !self.quiet {
            let extra = if attempt > 1 {
                format!(" (attempt {attempt})")
            } else {
                String::new()
            };
            self.print(&format!("▶ {job}{extra}"));
        }
    }

    fn job_output(&mut self, job: &str, bytes: &[u8]) {
        if self.quiet {
            return;
        }
        let buf = self.partial.entry(job.to_string()).or_default();
        buf.extend_from_slice(bytes);
        let mut lines = Vec::new();
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            lines.push(buf.drain(..=pos).collect::<Vec<u8>>());
        }
        // Very long lines without a newline are shown in pieces.
        if buf.len() > 64 * 1024 {
            lines.push(std::mem::take(buf));
        }
        for l in lines {
            self.emit_line(job, &l);
        }
    }

    fn job_finished(&mut self, r: &JobResult) {
        if let Some(rest) = self.partial.remove(&r.job)
            && !rest.is_empty()
            && !self.quiet
        {
            self.emit_line(&r.job, &rest);
        }
        if !self.quiet || r.conclusion == Status::Failure {
            self.print(&status_line(r, self.color));
        }
    }

    fn note(&mut self, message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "note: {}", crate::diag::sanitize(message));
    }
}

/// Live spinners on stderr for a terminal.
pub struct Tty {
    multi: MultiProgress,
    bars: HashMap<String, ProgressBar>,
    color: bool,
}

impl Tty {
    pub fn new(color: bool) -> Self {
        Tty {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: HashMap::new(),
            color,
        }
    }

    /// Prints a whole line above the spinners (hiding them meanwhile).
    fn line(&self, text: &str) {
        self.multi.suspend(|| {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        });
    }
}

impl Ui for Tty {
    fn run_started(&mut self, run: u64, jobs: usize) {
        self.line(&format!("run {run}: {jobs} job(s)"));
    }

    fn job_started(&mut self, job: &str, attempt: u32) {
        let style = ProgressStyle::with_template("{spinner} {prefix} {elapsed:.dim} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let pb = self.multi.add(
            ProgressBar::new_spinner()
                .with_style(style)
                .with_prefix(job.to_string()),
        );
        if attempt > 1 {
            pb.set_message(format!("(attempt {attempt})"));
        }
        pb.enable_steady_tick(Duration::from_millis(100));
        self.bars.insert(job.to_string(), pb);
    }

    fn job_output(&mut self, job: &str, bytes: &[u8]) {
        if let Some(pb) = self.bars.get(job) {
            let text = String::from_utf8_lossy(bytes);
            if let Some(last) = text.lines().rev().find(|l| !l.trim().is_empty()) {
                let last: String = crate::diag::sanitize(last).chars().take(60).collect();
                pb.set_message(last);
            }
        }
    }

    fn job_finished(&mut self, r: &JobResult) {
        if let Some(pb) = self.bars.remove(&r.job) {
            pb.finish_and_clear();
            self.multi.remove(&pb);
        }
        self.line(&status_line(r, self.color));
    }

    fn note(&mut self, message: &str) {
        self.line(&format!("note: {}", crate::diag::sanitize(message)));
    }
}
