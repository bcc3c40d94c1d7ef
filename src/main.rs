use std::process::ExitCode;

use clap::Parser;
use udvalg::cli::{self, Cli, Format};
use udvalg::diagnostics;
use udvalg::render::guard::Guarded;

/// Typst allocates and frees many small objects, and each trim of its memo cache frees them in
/// bulk: with glibc's allocator, malloc and free were about a sixth of a render worker's time.
/// Measured on the synthetic year, mimalloc made full builds about 7% faster and one-thread
/// builds about 13% faster, for about 60 MB more per worker. Guarded: a layout that asks for
/// more memory than its limit is stopped rather than the process aborted (`render::guard`).
#[global_allocator]
static ALLOCATOR: Guarded<mimalloc::MiMalloc> = Guarded(mimalloc::MiMalloc);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.global.format;
    match cli::run(cli) {
        Ok(mut outcome) => {
            outcome.diagnostics = diagnostics::merge_repeats(outcome.diagnostics);
            let code = outcome.exit_code();
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
                    let shown = diagnostics::first_per_file(outcome.diagnostics);
                    diagnostics::emit_to_stderr(&shown);
                    for message in &outcome.messages {
                        println!("{message}");
                    }
                }
            }
            ExitCode::from(code)
        }
        Err(cli::UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
