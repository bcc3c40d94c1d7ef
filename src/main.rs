use std::process::ExitCode;

use clap::Parser;
use udvalg::cli::{self, Cli, Format};
use udvalg::diagnostics;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.global.format;
    match cli::run(cli) {
        Ok(mut outcome) => {
            outcome.diagnostics = diagnostics::merge_repeats(outcome.diagnostics);
            if let Some(report) = &outcome.report {
                print!("{report}");
            }
            match format {
                // A command's own report has standard output; its diagnostics go to stderr.
                Format::Json if outcome.report.is_some() => {
                    eprintln!("{}", diagnostics::to_json(&outcome.diagnostics))
                }
                Format::Json => println!("{}", diagnostics::to_json(&outcome.diagnostics)),
                Format::Human => {
                    diagnostics::emit_to_stderr(&outcome.diagnostics);
                    for message in &outcome.messages {
                        println!("{message}");
                    }
                }
            }
            if outcome.failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(cli::UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
