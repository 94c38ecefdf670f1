//! The `reclab` binary: with no subcommand it opens the desktop lab; subcommands are the
//! headless command line.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // The error and its causes, each once (`{:#}` joins the chain with ": ").
            eprintln!("error: {err:#}");
            if let Some(hint) = cli::hint(&err) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(1)
        }
    }
}
