//! The `earful` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use earful::cli::{Cli, Command};
use earful::error::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Mine(args) => earful::app::mine(&args).map(|summary| {
            if !args.quiet {
                eprintln!("{summary}");
            }
        }),
        Command::Sample(args) => earful::app::sample(&args),
    };
    match result {
        Ok(()) => ExitCode::from(Exit::Success as u8),
        Err(e) => {
            eprintln!("earful: error: {e}");
            ExitCode::from(e.exit() as u8)
        }
    }
}
