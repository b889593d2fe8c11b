//! The `recovery-desk` command line: one module per subcommand.

pub mod import;
pub mod migrate;
pub mod run_daily;
pub mod serve;
pub mod user;
pub mod verify;

use clap::{Parser, Subcommand};

use crate::config::DatabaseArgs;

/// Recovery Desk: debt recovery for assistants, managers and field collectors.
#[derive(Parser, Debug)]
#[command(name = "recovery-desk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API under /api/v1 and the web app, applying migrations first.
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Import a creditor's placement file through an import profile.
    Import(import::ImportArgs),
    /// Check every ledger invariant; exit 1 naming the accounts that fail.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Evaluate plans, instalments and promises for every day not yet evaluated.
    RunDaily(run_daily::RunDailyArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
}

/// Runs the parsed command, returning the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Migrate { database } => migrate::run(&database),
        Command::Import(args) => import::run(args),
        Command::User { command } => user::run(command),
        Command::Verify { database } => verify::run(&database),
        Command::RunDaily(args) => run_daily::run(args),
    }
}
