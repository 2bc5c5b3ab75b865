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

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the configuration reference as Markdown instead
    #[arg(long)]
    pub markdown: bool,
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
