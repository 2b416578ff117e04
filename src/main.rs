//! The `earful` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use earful::cli::{Cli, Command};
use earful::error::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Mine(args) => earful::app::mine_command(&args),
        Command::Sample(args) => match earful::app::sample(&args) {
            Ok(()) => Exit::Success,
            Err(e) => {
                eprintln!("earful: error: {e}");
                e.exit()
            }
        },
    };
    ExitCode::from(exit as u8)
}
