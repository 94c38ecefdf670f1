//! The `reclab` binary: with no subcommand it opens the desktop lab; subcommands are the
//! headless command line.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // Printed once, with its causes, and nothing else.
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
