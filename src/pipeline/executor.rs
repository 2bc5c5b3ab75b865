//! Where a job's script runs. The scheduler only sees [`Executor`]: the local
//! executor runs processes here; a container (Docker Engine API) or
//! Kubernetes Job executor implements the same three operations — start,
//! stream merged output, wait — plus termination of everything the job started.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// What to run for one attempt of a job.
#[derive(Clone, Debug)]
pub struct JobCommand {
    pub job: String,
    /// The shell script (`run:`).
    pub script: String,
    pub workdir: PathBuf,
    /// Added to (and overriding) the environment lockgate runs in.
    pub env: Vec<(String, String)>,
}

/// How a job's process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Stops a running job and everything it started. `graceful` asks first
/// (SIGTERM); otherwise it kills (SIGKILL). Safe to call more than once and
/// from any thread.
#[derive(Clone)]
pub struct Terminator(Arc<dyn Fn(bool) + Send + Sync>);

impl Terminator {
    pub fn new(f: impl Fn(bool) + Send + Sync + 'static) -> Self {
        Terminator(Arc::new(f))
    }

    pub fn terminate(&self, graceful: bool) {
        (self.0)(graceful)
    }
}

/// A started job.
pub trait Process: Send {
    /// Streams the job's output (stdout and stderr merged, in the order
    /// written) to `on_output` until the job ends, in the calling thread;
    /// then stops whatever the job left behind and returns how it ended.
    fn run(&mut self, on_output: &mut dyn FnMut(&[u8])) -> io::Result<Outcome>;
    fn terminator(&self) -> Terminator;
}

pub trait Executor: Send + Sync {
    fn name(&self) -> &'static str;
    fn start(&self, cmd: &JobCommand) -> io::Result<Box<dyn Process>>;
}

/// Runs jobs as local processes, each in its own process group so that a
/// timeout or Ctrl-C stops grandchildren too.
#[derive(Default)]
pub struct Local {
    /// Programs already found on PATH (the search is the expensive part of
    /// starting a tiny process; make keeps no such cache, so it pays it every time).
    resolved: std::sync::Mutex<std::collections::HashMap<String, PathBuf>>,
}

impl Local {
    fn program(&self, name: &str, env_path: Option<&str>) -> PathBuf {
        if name.contains('/') {
            return PathBuf::from(name);
        }
        let key = format!("{}\0{name}", env_path.unwrap_or(""));
        if let Ok(cache) = self.resolved.lock()
            && let Some(p) = cache.get(&key)
        {
            return p.clone();
        }
        let path = env_path
            .map(str::to_string)
            .or_else(|| std::env::var("PATH").ok())
            .unwrap_or_default();
        let found = path
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| Path::new(d).join(name))
            .find(|p| is_executable(p));
        match found {
            Some(p) => {
                if let Ok(mut cache) = self.resolved.lock() {
                    cache.insert(key, p.clone());
                }
                p
            }
            // Let spawn fail (and fall back to the shell) as it would have.
            None => PathBuf::from(name),
        }
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A script of one plain command (letters, digits, `-_./=:,+@%`) runs
/// without a shell, as make does; anything else goes to `sh -e -c`.
fn direct_argv(script: &str) -> Option<Vec<&str>> {
    let t = script.trim();
    if t.is_empty() || t.contains('\n') {
        return None;
    }
    let plain = t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " -_./=:,+@%".contains(c));
    let argv: Vec<&str> = t.split_whitespace().collect();
    // `FOO=bar cmd` is an assignment and `exit 2` a builtin: only a shell understands them.
    (plain && !argv[0].contains('=') && !SHELL_BUILTINS.contains(&argv[0])).then_some(argv)
}

/// Commands that only exist inside a shell (POSIX special and regular builtins, common extensions).
const SHELL_BUILTINS: &[&str] = &[
    ".", ":", "alias", "bg", "break", "cd", "command", "continue", "declare", "eval", "exec", "exit", "export", "fc",
    "fg", "getopts", "hash", "jobs", "let", "local", "popd", "pushd", "read", "readonly", "return", "set", "shift",
    "source", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
];

struct LocalProcess {
    child: std::process::Child,
    output: Option<io::PipeReader>,
    pgid: i32,
}

fn kill_group(pgid: i32, graceful: bool) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    let sig = if graceful { Signal::SIGTERM } else { Signal::SIGKILL };
    // ESRCH (the group is gone) is the normal case after a clean exit.
    let _ = killpg(Pid::from_raw(pgid), sig);
}

impl Executor for Local {
    fn name(&self) -> &'static str {
        "local"
    }

    fn start(&self, cmd: &JobCommand) -> io::Result<Box<dyn Process>> {
        use std::os::unix::process::CommandExt as _;
        let mut c = match direct_argv(&cmd.script) {
            Some(argv) => {
                let env_path = cmd.env.iter().rev().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str());
                let mut c = Command::new(self.program(argv[0], env_path));
                c.args(&argv[1..]);
                c
            }
            None => {
                let mut c = Command::new("sh");
                c.arg("-e").arg("-c").arg(&cmd.script);
                c
            }
        };
        let (reader, writer) = io::pipe()?;
        c.current_dir(&cmd.workdir)
            .envs(cmd.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .process_group(0);
        let child = match c.spawn() {
            // Not found as a program: let the shell say so (exit 127), as it would have.
            Err(e) if e.kind() == io::ErrorKind::NotFound && direct_argv(&cmd.script).is_some() => {
                let (reader2, writer2) = io::pipe()?;
                let mut sh = Command::new("sh");
                sh.arg("-e")
                    .arg("-c")
                    .arg(&cmd.script)
                    .current_dir(&cmd.workdir)
                    .envs(cmd.env.iter().map(|(k, v)| (k, v)))
                    .stdin(Stdio::null())
                    .stdout(writer2.try_clone()?)
                    .stderr(writer2)
                    .process_group(0);
                let child = sh.spawn()?;
                drop(sh);
                drop(c);
                let pgid = child.id() as i32;
                return Ok(Box::new(LocalProcess {
                    child,
                    output: Some(reader2),
                    pgid,
                }));
            }
            other => other?,
        };
        // Drop our copies of the write end: EOF then means the job is done.
        drop(c);
        let pgid = child.id() as i32;
        Ok(Box::new(LocalProcess {
            child,
            output: Some(reader),
            pgid,
        }))
    }
}

impl Process for LocalProcess {
    fn run(&mut self, on_output: &mut dyn FnMut(&[u8])) -> io::Result<Outcome> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd as _;
        use std::os::unix::process::ExitStatusExt as _;
        let mut status = None;
        if let Some(mut out) = self.output.take() {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                // Wake on output, or every 50 ms to see whether the main
                // process has exited while something it started still holds
                // the pipe open.
                let ready = {
                    let mut fds = [PollFd::new(out.as_fd(), PollFlags::POLLIN)];
                    poll(&mut fds, PollTimeout::from(50u16)).map_err(io::Error::from)?
                };
                if ready == 0 {
                    if status.is_none()
                        && let Some(s) = self.child.try_wait()?
                    {
                        status = Some(s);
                        // Jobs may not leave processes behind (as on CI runners).
                        kill_group(self.pgid, false);
                    }
                    continue;
                }
                match out.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => on_output(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        let status = match status {
            Some(s) => s,
            None => self.child.wait()?,
        };
        kill_group(self.pgid, false);
        Ok(Outcome {
            code: status.code(),
            signal: status.signal(),
        })
    }

    fn terminator(&self) -> Terminator {
        let pgid = self.pgid;
        Terminator::new(move |graceful| kill_group(pgid, graceful))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_commands_skip_the_shell() {
        assert_eq!(direct_argv("true"), Some(vec!["true"]));
        assert_eq!(
            direct_argv("cargo build --release"),
            Some(vec!["cargo", "build", "--release"])
        );
        assert_eq!(direct_argv("echo $HOME"), None);
        assert_eq!(direct_argv("a && b"), None);
        assert_eq!(direct_argv("FOO=1 make"), None);
        assert_eq!(direct_argv("exit 2"), None);
        assert_eq!(direct_argv("make\nmake test"), None);
    }

    fn run(script: &str) -> (Outcome, String) {
        let mut p = Local::default()
            .start(&JobCommand {
                job: "t".into(),
                script: script.into(),
                workdir: std::env::temp_dir(),
                env: vec![("LG_TEST".into(), "42".into())],
            })
            .unwrap();
        let mut out = Vec::new();
        let o = p.run(&mut |b| out.extend_from_slice(b)).unwrap();
        (o, String::from_utf8(out).unwrap())
    }

    #[test]
    fn merges_output_and_reports_exit_codes() {
        let (o, out) = run("echo out; echo err >&2; echo $LG_TEST; exit 3");
        assert_eq!(o.code, Some(3));
        assert_eq!(out, "out\nerr\n42\n");
        let (o, _) = run("true");
        assert!(o.success());
    }

    #[test]
    fn leftover_background_processes_are_stopped() {
        let (o, out) = run("sleep 300 & echo $!");
        assert!(o.success());
        let pid: i32 = out.trim().parse().unwrap();
        // The orphan was sent SIGKILL with its group; the kernel takes a
        // moment to act on it, and it may linger as a zombie, so wait (bounded)
        // for it to stop running.
        let running = || {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            state.split(' ').nth(2).is_some_and(|s| s != "Z" && s != "X")
        };
        let mut tries = 0;
        while running() && tries < 500 {
            std::thread::sleep(std::time::Duration::from_millis(10));
            tries += 1;
        }
        assert!(!running(), "background process {pid} survived its job");
    }
}
