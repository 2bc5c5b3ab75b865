//! Command-line arguments (clap). One `Args` struct per subcommand; the
//! work is done in `commands/<name>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Take a change from commit to production through quality gates, progressive delivery and a tamper-evident audit ledger.";

const AFTER_HELP: &str = concat!(
    "Examples:
  lockgate demo                    see the whole flow on a bundled example
  lockgate init                    write a starter lockgate.yaml for this repository
  lockgate validate                check lockgate.yaml (exit 2 with file:line:col when invalid)
  lockgate serve --detach          start the controller (services, proxies, rollouts)
  lockgate deploy web --env staging --version v2 --wait
  lockgate schema > lockgate.schema.json

Environment:
  LOCKGATE_CONFIG   path of lockgate.yaml (same as -f)
  NO_COLOR          disable colours (same as --color never)

",
    crate::exit_code_table!()
);

#[derive(Debug, Parser)]
#[command(
    name = "lockgate",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Path of lockgate.yaml [default: found by walking up from the current directory]
    #[arg(
        short = 'f',
        long = "config",
        global = true,
        env = "LOCKGATE_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// When to use colours (NO_COLOR is honoured in `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// More output (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Ledger store URL [default: sqlite:.lockgate/ledger.db beside lockgate.yaml]
    #[arg(long, global = true, env = "LOCKGATE_STORE", value_name = "URL")]
    pub store: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter lockgate.yaml for the repository in DIR
    #[command(after_help = "\
Examples:
  lockgate init                    detect this repository and write lockgate.yaml
  lockgate init ../service --force overwrite an existing lockgate.yaml
  lockgate init --dry-run          print the file instead of writing it
  lockgate init --json             report what was detected as JSON")]
    Init(InitArgs),

    /// Check lockgate.yaml: syntax, types, references, cycles
    #[command(after_help = "\
Examples:
  lockgate validate                       validate ./lockgate.yaml (or the nearest parent's)
  lockgate validate deploy/lockgate.yaml  validate another file
  lockgate validate --json                diagnostics as JSON (file, line, column, message, hint)

Exits 0 when valid, 2 when not.")]
    Validate(ValidateArgs),

    /// Scan Terraform, Kubernetes manifests, Dockerfiles and CI workflows for security and compliance problems
    #[command(after_help = "\
Examples:
  lockgate scan                                  scan the current directory, table output
  lockgate scan infra/ --format sarif -o scan.sarif
  lockgate scan --fail-on high                   exit 1 when a high or critical finding exists
  lockgate scan --framework pci-dss              only rules mapped to PCI DSS
  lockgate scan --framework pss:baseline         Pod Security Standards, Baseline level only
  lockgate scan --framework pss:restricted       Restricted level (includes Baseline)
  lockgate scan --var-file prod.tfvars --var env=prod
  lockgate scan --write-baseline .lockgate-baseline.json   accept today's findings
  lockgate scan --baseline .lockgate-baseline.json         report only new findings
  helm template chart/ | lockgate scan -                    rendered Kubernetes manifests on stdin
  lockgate scan --rego policies/tags.rego                  add a custom policy in Rego

Suppress in code:  # lockgate:ignore LG-AWS-001 reason=\"public website\" until=2027-01-01
(#checkov:skip=, #tfsec:ignore: and #trivy:ignore: work for rules that list the id as equivalent.)

Exits 0 when no finding reaches --fail-on (default: any finding fails), 1 when one does, 2 on bad usage.")]
    Scan(Box<ScanArgs>),

    /// List the scanner's rules, or explain one
    #[command(subcommand)]
    Rules(RulesCommand),

    /// Compliance reports per framework (CIS, PCI DSS, HIPAA, SOC 2, SOX, GDPR)
    #[command(subcommand)]
    Compliance(ComplianceCommand),

    /// Print the JSON Schema of lockgate.yaml (for editor completion)
    #[command(after_help = "\
Examples:
  lockgate schema > lockgate.schema.json
  lockgate schema --markdown > configuration.md
  # then, in lockgate.yaml:  # yaml-language-server: $schema=./lockgate.schema.json")]
    Schema(SchemaArgs),

    /// Run the guided demo on a bundled example project (needs nothing installed)
    #[command(after_help = "\
Examples:
  lockgate demo                 explain the bundled example project
  lockgate demo --keep demo/    also write the example project to demo/ to explore it
  lockgate demo --json          the same explanation as JSON")]
    Demo(DemoArgs),

    /// Run the pipeline (all jobs, or JOB... with what they need)
    #[command(after_help = "\
Examples:
  lockgate run                       every job, as a graph, cached by inputs
  lockgate run test                  `test` and the jobs it needs
  lockgate run -j 4 --keep-going     four at a time; keep running independent jobs after a failure
  lockgate run --no-cache --progress plain

Exits 0 when every job succeeded (or failed with allow_failure), 1 when one failed, 130 on Ctrl-C.")]
    Run(RunArgs),

    /// List pipeline runs
    #[command(after_help = "\
Examples:
  lockgate runs
  lockgate runs -n 5 --json")]
    Runs {
        /// Show the newest N runs
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },

    /// Show a run's logs (secrets masked)
    #[command(after_help = "\
Examples:
  lockgate logs                 every job of the latest run
  lockgate logs 42 test         job `test` of run 42
  lockgate logs last build")]
    Logs {
        /// Run id, or `last` [default: last]
        run: Option<String>,
        /// Only this job
        job: Option<String>,
    },

    /// Show the evidence of a run (test results, coverage, findings), or inspect a report file
    #[command(after_help = "\
Examples:
  lockgate evidence                          evidence of the latest run
  lockgate evidence 42 --json
  lockgate evidence --file target/nextest/ci/junit.xml --kind junit   check a report file")]
    Evidence(EvidenceArgs),

    /// Quality gates: list them, see a checklist, record an evaluation
    #[command(subcommand)]
    Gate(GateCommand),

    /// Approve the change under review at a gate (never your own change)
    #[command(after_help = "\
Examples:
  lockgate approve pipeline-and-deployment --comment \"reviewed the canary plan\"
  lockgate approve production-readiness --artifact sha256:… --comment ok   refuse if the artifact changed
  lockgate approve pipeline-and-deployment --break-glass --reason \"SEV1 hotfix\"

Exits 0 when recorded; 4 when refused (segregation of duties, role); 5 when the approval conflicts (twice, superseded artifact).")]
    Approve {
        gate: String,
        #[arg(long)]
        comment: Option<String>,
        /// The artifact digest you reviewed; refused if the change under review has another
        #[arg(long, value_name = "DIGEST")]
        artifact: Option<String>,
        /// Emergency override (allowed roles only; flagged in every report)
        #[arg(long, requires = "reason")]
        break_glass: bool,
        /// Why the override is needed
        #[arg(long)]
        reason: Option<String>,
    },

    /// Reject the change under review at a gate (a comment is required)
    #[command(after_help = "\
Examples:
  lockgate reject pipeline-and-deployment --comment \"coverage dropped in the payment module\"")]
    Reject {
        gate: String,
        #[arg(long)]
        comment: String,
    },

    /// Sign a checklist item that a person attests (e.g. a DR drill, a change ticket)
    #[command(after_help = "\
Examples:
  lockgate attest design change-approval --link https://tickets.example/CHG-1234
  lockgate attest production-readiness runbooks --link docs/runbooks.md --comment \"updated for v2\"")]
    Attest {
        gate: String,
        item: String,
        #[arg(long)]
        link: Option<String>,
        #[arg(long)]
        comment: Option<String>,
    },

    /// Promote the change under review to an environment (through its gates), or move a
    /// service's rollout past its current step
    #[command(after_help = "\
Examples:
  lockgate promote staging              the change under review goes to staging, if its gates are open
  lockgate promote production --json
  lockgate promote web                  the rollout of service `web` leaves its pause / current step
  lockgate promote web --env prod --full   skip every remaining step and analysis

Exits 0 when promoted, 3 when a gate failed, 4 when waiting (approval, evidence, freeze window).")]
    Promote {
        /// An environment, or a service with a rollout under way
        #[arg(value_name = "ENV|SERVICE")]
        target: String,
        /// The service's environment (when TARGET is a service deployed to several)
        #[arg(long)]
        env: Option<String>,
        /// Skip all remaining steps of the rollout
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },

    /// Run the controller: supervises services, hosts their proxies, drives rollouts
    #[command(after_help = "\
Examples:
  lockgate serve                 in the foreground (Ctrl-C stops it and its services)
  lockgate serve --detach        in the background; log in .lockgate/serve.log
  lockgate stop                  stop a detached controller and its services

A controller killed hard (SIGKILL, power loss) re-adopts its running instances and resumes
or rolls back its rollouts when started again.")]
    Serve {
        /// Run in the background and return once the controller answers
        #[arg(long)]
        detach: bool,
        /// Address of the controller's API and web UI
        #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
        listen: std::net::SocketAddr,
        /// TLS certificate chain (PEM); with --tls-key, serve HTTPS
        #[arg(long, value_name = "FILE", requires = "tls_key", env = "LOCKGATE_TLS_CERT")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM)
        #[arg(long, value_name = "FILE", requires = "tls_cert", env = "LOCKGATE_TLS_KEY")]
        tls_key: Option<PathBuf>,
        /// Allow a non-loopback --listen without TLS (only behind a proxy that terminates TLS)
        #[arg(long)]
        insecure: bool,
        /// Access log on stderr: none, or one JSON object per request
        #[arg(long, value_enum, default_value_t = LogFormat::None, value_name = "FORMAT")]
        log_format: LogFormat,
    },

    /// Stop the project's controller and every service it runs
    Stop,

    /// Delivery performance from the ledger: the four DORA keys and success metrics
    #[command(after_help = "\
Examples:
  lockgate metrics                         production, the last 30 days, against the 30 before
  lockgate metrics --env staging --since 90d
  lockgate metrics --json

Definitions: docs/metrics.md. Bands: DORA's published thresholds (see the docs for the year).")]
    Metrics(MetricsArgs),

    /// Incidents, so change failure rate and time to restore use real outages
    #[command(subcommand)]
    Incident(IncidentCommand),

    /// Monitoring artifacts: Prometheus rules, an Alertmanager route, a Grafana dashboard
    #[command(subcommand)]
    Monitoring(MonitoringCommand),

    /// Write the infrastructure and deployment documents (Markdown with Mermaid diagrams)
    #[command(after_help = "\
Examples:
  lockgate docs --out plan                 writes plan/infrastructure.md and plan/deployment.md
  lockgate docs --out plan --check         exit 1 when the checked-in documents are stale (for CI)")]
    Docs(DocsArgs),

    /// A handover document for a specialist, from live data (Markdown or JSON)
    #[command(after_help = "\
Examples:
  lockgate handover --to security --task \"review the production IAM changes\"
  lockgate handover --to performance --json")]
    Handover(HandoverArgs),

    /// Serve the Model Context Protocol on stdin/stdout for an AI coding agent
    #[command(after_help = "\
Examples (an editor's MCP configuration runs this):
  lockgate mcp --agent claude              as agent:claude with the operator role
  LOCKGATE_TOKEN=lg_… lockgate mcp         as the token's identity and role

The agent can inspect, run pipelines, ask for approvals and deploy through the gates; every
tool call is a ledger event (`lockgate audit log --actor agent:claude`). It cannot approve a
gate unless an administrator gave it an approver token, and never one guarding production.
Over HTTP, `lockgate serve` offers the same at /mcp (Authorization: Bearer <agent token>).")]
    Mcp {
        /// The agent's name; recorded as agent:NAME
        #[arg(long, default_value = "mcp")]
        agent: String,
    },

    /// API tokens for the server: create (shown once), list, revoke
    #[command(subcommand)]
    Token(TokenCommand),

    /// Web UI users (password sign-in): add, list, remove
    #[command(subcommand)]
    User(UserCommand),

    /// Roll out a version of a service to an environment, if the environment's gates are open
    #[command(
        after_help = "\
Examples:
  lockgate deploy web --env staging --version v2
  lockgate deploy web --env production --wait      follow the rollout until it ends
  lockgate deploy web --env dev --version v3 --set ERROR_RATE=0.3

The version defaults to the change under review (its commit). Exits 0 when started (with
--wait: completed), 1 when the rollout was aborted, 3/4 when a gate is not open, 5 when
another rollout of the service is under way.",
        disable_version_flag = true
    )]
    Deploy {
        service: String,
        #[arg(long)]
        env: Option<String>,
        #[arg(long)]
        version: Option<String>,
        /// A variable for this version's instances (recorded with the rollout, so a rollback
        /// restores the configuration with the code; never pass secrets here)
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Follow the rollout until it completes, aborts or pauses
        #[arg(long)]
        wait: bool,
        #[arg(long)]
        json: bool,
    },

    /// Rollouts: status, and the actions an on-call engineer takes
    #[command(subcommand)]
    Rollout(RolloutCommand),

    /// Abort a service's rollout: all traffic back to stable at once, new version stopped
    #[command(after_help = ROLLOUT_EXAMPLES)]
    Abort(RolloutTarget),
    /// Pause a service's rollout where it is
    #[command(after_help = ROLLOUT_EXAMPLES)]
    Pause(RolloutTarget),
    /// Resume a paused rollout
    #[command(after_help = ROLLOUT_EXAMPLES)]
    Resume(RolloutTarget),
    /// Start an aborted rollout again from its first step
    #[command(after_help = ROLLOUT_EXAMPLES)]
    Retry(RolloutTarget),
    /// Return a service to its previous version (instantly while that version is still warm)
    #[command(after_help = ROLLOUT_EXAMPLES)]
    Rollback(RolloutTarget),

    #[command(hide = true, name = "demo-service", disable_version_flag = true)]
    DemoService(DemoServiceArgs),

    /// Manage the job cache
    #[command(subcommand)]
    Cache(CacheCommand),

    /// The audit ledger: notes, log, proofs, verification, export
    #[command(subcommand)]
    Audit(AuditCommand),

    /// Print a shell completion script
    #[command(after_help = "\
Examples:
  lockgate completions bash > /etc/bash_completion.d/lockgate
  lockgate completions zsh > \"${fpath[1]}/_lockgate\"
  lockgate completions fish > ~/.config/fish/completions/lockgate.fish")]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Repository directory
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing lockgate.yaml
    #[arg(long)]
    pub force: bool,
    /// Print the generated file to stdout instead of writing it
    #[arg(long)]
    pub dry_run: bool,
    /// Project name [default: the directory name]
    #[arg(long)]
    pub name: Option<String>,
    /// Report what was detected and written as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// File to validate [default: -f, or lockgate.yaml found from the current directory]
    pub file: Option<PathBuf>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// Findings grouped by file with the source line (default on a terminal)
    Table,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning)
    Sarif,
    /// JUnit XML (one test case per finding)
    Junit,
    /// GitHub Actions workflow annotations
    Github,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (`-`: YAML manifests on standard input)
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Write the report to FILE (the summary still goes to stderr)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 only when a finding at or above SEVERITY exists (critical, high, medium, low, info)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Exit 0 even when findings exist: a pipeline gate on the report decides
    #[arg(long, conflicts_with = "fail_on")]
    pub exit_zero: bool,
    /// Only rules mapped to FRAMEWORK (cis, cis-aws, pci-dss, hipaa, soc2, sox, gdpr, pss, pss:baseline, pss:restricted)
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,
    /// Only these rule ids (comma-separated)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Skip these rule ids (comma-separated)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// Do not scan paths matching GLOB (repeatable; .gitignore is honoured too)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Terraform variable values from FILE (like terraform -var-file)
    #[arg(long, value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// A Terraform variable value, NAME=VALUE (like terraform -var)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Report only findings not in the baseline FILE
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to FILE as the accepted baseline
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Also list suppressed findings in the table
    #[arg(long)]
    pub show_suppressed: bool,
    /// Skip files larger than BYTES (default 4 MiB)
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Worker threads (default: one per core)
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// A custom policy in Rego (repeatable; lockgate.yaml's `policy.rego` globs add more)
    #[arg(long, value_name = "FILE")]
    pub rego: Vec<PathBuf>,
    /// Ignore the `policy:` section of lockgate.yaml
    #[arg(long)]
    pub no_project: bool,
    /// Filled from lockgate.yaml's `policy.frameworks`.
    #[arg(skip)]
    pub frameworks_from_project: Vec<String>,
    /// Filled from lockgate.yaml's `policy.toolchain`.
    #[arg(skip)]
    pub toolchain: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules
    #[command(after_help = "\
Examples:
  lockgate rules list
  lockgate rules list --framework hipaa
  lockgate rules list --framework pss:restricted   Pod Security Standards Restricted (with Baseline)
  lockgate rules list --json")]
    List {
        /// Only rules mapped to FRAMEWORK (a framework id, cis, or a level: pss:baseline, pss:restricted)
        #[arg(long, value_name = "FRAMEWORK")]
        framework: Option<String>,
        /// Only rules of PROVIDER (aws, azure, gcp, kubernetes, docker, ci, packages, secrets)
        #[arg(long, value_name = "PROVIDER")]
        provider: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a rule's documentation
    #[command(after_help = "\
Examples:
  lockgate rules explain LG-AWS-001
  lockgate rules explain lg-aws-001 --json")]
    Explain {
        /// The rule id
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Write the rule reference pages (docs/rules/) for the documentation
    #[command(hide = true)]
    Docs {
        /// The folder to write into
        #[arg(default_value = "docs/rules")]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ComplianceFormat {
    Md,
    Html,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ComplianceCommand {
    /// Each control of a framework as passing, failing or not evidenced
    #[command(after_help = "\
Examples:
  lockgate compliance report --framework soc2                 Markdown on stdout
  lockgate compliance report --framework pci-dss --format html -o pci.html infra/
  lockgate compliance report --framework my-controls.yaml     your own framework file
  lockgate compliance report --framework hipaa --fail-under 80

Evidence: the scanner's findings on PATH (default .) for the rules mapped to
each control, and this project's process evidence: the audit ledger verifies,
approvals with segregation of duties, gated deployments, the scan and tests
in the pipeline.")]
    Report {
        /// A built-in framework id (`lockgate compliance list`) or a framework file
        #[arg(long, value_name = "FRAMEWORK")]
        framework: String,
        #[arg(long, value_enum, default_value_t = ComplianceFormat::Md)]
        format: ComplianceFormat,
        /// Write the report to FILE
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Exit 1 when fewer than PERCENT of the controls pass
        #[arg(long, value_name = "PERCENT")]
        fail_under: Option<f64>,
        /// Files or directories to scan
        #[arg(value_name = "PATH", default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// The built-in frameworks
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the configuration reference as Markdown instead
    #[arg(long, conflicts_with = "openapi")]
    pub markdown: bool,
    /// Print the server's OpenAPI 3.1 document instead
    #[arg(long)]
    pub openapi: bool,
    /// Write to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Write the demo project to DIR and keep it for exploring afterwards
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Print the explanation as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Record an operator's annotation (e.g. "maintenance window started")
    #[command(after_help = "\
Examples:
  lockgate audit note \"maintenance window started\"
  lockgate audit note \"DB failover drill\" --subject env/production")]
    Note {
        /// The annotation
        message: String,
        /// What it is about, e.g. `env/production` or `service/api`
        #[arg(long, default_value = "project")]
        subject: String,
    },

    /// List events, newest last
    #[command(after_help = "\
Examples:
  lockgate audit log                         every event
  lockgate audit log --since 7d --kind gate.*  gate events of the last week
  lockgate audit log --actor agent:claude    what an AI agent did
  lockgate audit log --json | jq .           as JSON")]
    Log(AuditLogArgs),

    /// Show one event in full, with its hash and inclusion proof status
    #[command(after_help = "\
Examples:
  lockgate audit show 42
  lockgate audit show 42 --json")]
    Show {
        /// Sequence number (1 is the first event)
        seq: u64,
        #[arg(long)]
        json: bool,
    },

    /// Recompute every hash and check every signed checkpoint (exit 1 on tampering)
    #[command(after_help = "\
Examples:
  lockgate audit verify                                 against the key pinned when the ledger was created
  lockgate audit verify --pubkey auditor/ledger.pub     against a key you keep yourself
  lockgate audit verify --bundle export/ --pubkey ledger.pub   an exported bundle, offline")]
    Verify {
        /// Verifier key file to trust (from `lockgate audit pubkey`) [default: .lockgate/ledger.pub]
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
        /// Verify an exported bundle directory instead of the store
        #[arg(long, value_name = "DIR")]
        bundle: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },

    /// Inclusion proof of an event as JSON (RFC 6962)
    #[command(after_help = "\
Examples:
  lockgate audit proof 42               proof against the latest signed checkpoint
  lockgate audit proof 42 --size 100    proof in the tree of the first 100 events")]
    Proof {
        seq: u64,
        /// Tree size [default: the latest signed checkpoint's]
        #[arg(long)]
        size: Option<u64>,
    },

    /// Consistency proof between two tree sizes as JSON (RFC 6962)
    #[command(after_help = "\
Examples:
  lockgate audit consistency 100 250")]
    Consistency {
        from: u64,
        /// [default: the latest signed checkpoint's size]
        to: Option<u64>,
    },

    /// Print the latest signed checkpoint (signing a new one if events are uncovered)
    #[command(after_help = "\
Examples:
  lockgate audit checkpoint > checkpoint.txt")]
    Checkpoint,

    /// Print the ledger's public verifier key (give it to auditors)
    #[command(after_help = "\
Examples:
  lockgate audit pubkey > ledger.pub")]
    Pubkey,

    /// Export events, checkpoints and the public key for offline verification
    #[command(after_help = "\
Examples:
  lockgate audit export --out audit-2026-q4
  lockgate audit verify --bundle audit-2026-q4 --pubkey ledger.pub")]
    Export {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },

    /// Erase personal data held off-log for an event (GDPR Art. 17); the log still verifies
    #[command(after_help = "\
Examples:
  lockgate audit erase 42 email --reason \"erasure request #123\"")]
    Erase {
        seq: u64,
        /// Name of the private field
        field: String,
        #[arg(long)]
        reason: String,
    },

    /// Append synthetic events quickly (benchmarks and crash tests)
    #[command(hide = true)]
    BenchAppend {
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// Events per append request
        #[arg(long, default_value_t = 1)]
        batch: usize,
        /// Concurrent appending threads (sharing one group-commit writer)
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Print each acknowledged (durable) sequence number
        #[arg(long)]
        print_acks: bool,
    },
}

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// Only events at or after: a time (2026-11-01, 2026-11-01T08:00:00Z) or an age (7d, 2h)
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this time or age
    #[arg(long)]
    pub until: Option<String>,
    /// Only this kind; `gate.*` for a family
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this actor, e.g. `user:alice@example.com` or `agent:claude`
    #[arg(long)]
    pub actor: Option<String>,
    /// Only this subject (and what is below it: `run/42` includes `run/42/job/build`)
    #[arg(long)]
    pub subject: Option<String>,
    /// At most N events (the newest N)
    #[arg(long, short = 'n')]
    pub limit: Option<usize>,
    /// Counts per kind and actor instead of events
    #[arg(long)]
    pub summary: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProgressMode {
    /// Spinners in a terminal, plain lines otherwise
    Auto,
    /// Spinners
    Tty,
    /// Plain lines prefixed with the job's name
    Plain,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Jobs to run (with the jobs they need) [default: all]
    pub jobs: Vec<String>,
    /// Jobs run at once [default: number of cores]
    #[arg(short = 'j', long)]
    pub jobs_parallel: Option<usize>,
    /// Run every job even when a cached result exists
    #[arg(long)]
    pub no_cache: bool,
    /// After a failure, keep running jobs that do not depend on it
    #[arg(long)]
    pub keep_going: bool,
    /// How to show progress
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Print the run's result as JSON at the end (progress goes to stderr)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Run id, or `last` [default: last]
    pub run: Option<String>,
    /// Parse this report file instead and print its facts
    #[arg(long, value_name = "FILE", requires = "kind")]
    pub file: Option<PathBuf>,
    /// Kind of --file: junit, coverage (LCOV or Cobertura) or sarif
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Delete cached results (unused for --older-than, or all)
    #[command(after_help = "\
Examples:
  lockgate cache prune --older-than 7d
  lockgate cache prune --all")]
    Prune {
        /// Delete entries not used for this long
        #[arg(long, value_name = "DURATION", conflicts_with = "all")]
        older_than: Option<String>,
        /// Delete everything
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// Every gate with its status
    #[command(after_help = "\
Examples:
  lockgate gate list
  lockgate gate list --json")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// A gate's checklist with evidence values, and what it is waiting on (exit 0 open, 3 failed, 4 waiting)
    #[command(after_help = "\
Examples:
  lockgate gate status pipeline-and-deployment
  lockgate gate status production-readiness --json")]
    Status {
        gate: String,
        #[arg(long)]
        json: bool,
    },
    /// Evaluate a gate and record the result in the ledger (exit 0 open, 3 failed, 4 waiting)
    #[command(after_help = "\
Examples:
  lockgate gate evaluate pipeline-and-deployment")]
    Evaluate {
        gate: String,
        #[arg(long)]
        json: bool,
    },
}

const ROLLOUT_EXAMPLES: &str = "\
Examples:
  lockgate abort web --env production        all traffic back to stable now
  lockgate pause web                         (the service's only environment)
  lockgate resume web
  lockgate retry web --env staging           start an aborted rollout again
  lockgate rollback web --env production     instant while the old version is warm

Exit 0 when done, 2 when there is nothing to act on or the controller is not running.";

#[derive(Debug, Args, Clone)]
pub struct RolloutTarget {
    pub service: String,
    /// The environment (needed when the service is deployed to several)
    #[arg(long)]
    pub env: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Step, weights, instances and analysis values against their thresholds
    #[command(after_help = "\
Examples:
  lockgate rollout status
  lockgate rollout status web --env staging --watch
  lockgate rollout status web --json")]
    Status {
        service: Option<String>,
        #[arg(long)]
        env: Option<String>,
        /// Redraw until interrupted
        #[arg(long)]
        watch: bool,
        #[arg(long)]
        json: bool,
    },
    /// Same as `lockgate promote SERVICE`
    Promote {
        #[command(flatten)]
        target: RolloutTarget,
        #[arg(long)]
        full: bool,
    },
    /// Same as `lockgate abort`
    Abort(RolloutTarget),
    /// Same as `lockgate pause`
    Pause(RolloutTarget),
    /// Same as `lockgate resume`
    Resume(RolloutTarget),
    /// Same as `lockgate retry`
    Retry(RolloutTarget),
    /// Same as `lockgate rollback`
    Rollback(RolloutTarget),
}

/// A tiny HTTP service for demos and tests: its version and faults are flags.
#[derive(Debug, Args, Clone)]
pub struct DemoServiceArgs {
    #[arg(long, env = "PORT")]
    pub port: u16,
    #[arg(long, env = "VERSION", default_value = "v1")]
    pub version: String,
    /// Share of requests answered with 500, e.g. 0.3
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Added to every answer, e.g. 20ms
    #[arg(long, default_value = "0s", value_parser = crate::spec::Duration::parse)]
    pub latency: crate::spec::Duration,
    /// Exit with this code right after starting (a crash-looping version)
    #[arg(long)]
    pub crash: Option<i32>,
    /// Answer /healthz with 503 (a version that never becomes healthy)
    #[arg(long)]
    pub unhealthy: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    None,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once and stored only as a hash
    #[command(after_help = "\
Examples:
  lockgate token create --name ci@example.com --role operator
  lockgate token create --name bob@example.com --role approver --env production --expires 30d
  lockgate token create --name claude --agent --role viewer
  lockgate token create --name alice@example.com --role admin --json")]
    Create {
        /// Whose token: an email or name (a user), or with --agent an agent's name
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: crate::server::identity::Role,
        /// The token belongs to an AI agent (recorded as agent:NAME)
        #[arg(long)]
        agent: bool,
        /// An approver may decide only for these environments (repeatable)
        #[arg(long = "env", value_name = "ENV")]
        environments: Vec<String>,
        /// An approver may decide only on these gates (repeatable)
        #[arg(long = "gate", value_name = "GATE")]
        gates: Vec<String>,
        /// Lifetime: 90d, 12h, 30m, or never
        #[arg(long, default_value = "90d")]
        expires: String,
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never their secrets)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token; the server refuses it from its next request on
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add or update a web user; the password is read from standard input or prompted for
    #[command(after_help = "\
Examples:
  lockgate user add alice@example.com --role approver --env production
  echo \"$PW\" | lockgate user add bob@example.com --role operator --password-stdin")]
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: crate::server::identity::Role,
        /// An approver may decide only for these environments (repeatable)
        #[arg(long = "env", value_name = "ENV")]
        environments: Vec<String>,
        /// An approver may decide only on these gates (repeatable)
        #[arg(long = "gate", value_name = "GATE")]
        gates: Vec<String>,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// List web users
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a web user; their sessions end at once
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The environment whose deployments count (default: production, or the last environment)
    #[arg(long)]
    pub env: Option<String>,
    /// The period: an age like 30d (compared with the period before it)
    #[arg(long, default_value = "30d")]
    pub since: String,
    /// Only this service
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident (a production failure)
    Open {
        #[arg(long)]
        service: String,
        #[arg(long)]
        env: String,
        /// The version that caused it (counts against that deployment)
        #[arg(long, value_name = "VERSION")]
        caused_by: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Resolve an open incident (by id, or the open one of a service in an environment)
    Resolve {
        id: Option<String>,
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        env: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List incidents
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MonitoringCommand {
    /// Write Prometheus recording and alerting rules, an Alertmanager route and a Grafana dashboard
    Export {
        /// Directory to write into (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Directory to write infrastructure.md and deployment.md into
    #[arg(long, value_name = "DIR", default_value = "plan")]
    pub out: PathBuf,
    /// Do not write: exit 1 when the files there differ from what would be written
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// Who takes over
    #[arg(long, value_enum)]
    pub to: HandoverTo,
    /// What they should do
    #[arg(long)]
    pub task: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HandoverTo {
    Security,
    Performance,
    Compliance,
    Code,
}
