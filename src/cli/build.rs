//! `udvalg build`: write the selected documents under the output directory.

use std::time::Instant;

use super::{GlobalArgs, Outcome, UsageError, resolve_plan, resolve_templates, selected_meetings};
use crate::build::{self, BuildOptions};
use crate::documents::{DocumentKind, Selection};
use crate::output::OutputDir;
use crate::plan;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Only the documents of this meeting (its id in meetings.toml).
    #[arg(long, value_name = "ID")]
    pub meeting: Option<String>,
    /// Only documents of this kind.
    #[arg(long, value_enum, value_name = "KIND")]
    pub document: Option<DocumentKind>,
    /// Render every document, also those that are already current.
    #[arg(long)]
    pub force: bool,
    /// Also print the time spent laying out and exporting (for the benchmark).
    #[arg(long, hide = true)]
    pub timings: bool,
}

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<Outcome, UsageError> {
    let started = Instant::now();
    let source = resolve_plan(global)?;
    // The templates (and their fonts) are read and hashed while the plan loads.
    let (loaded, templates) =
        rayon::join(|| plan::load_valid(&source), || resolve_templates(global));
    let (plan, warnings) = match loaded {
        Ok(ok) => ok,
        Err(diagnostics) => return Ok(Outcome::failed(diagnostics.into_sorted())),
    };
    selected_meetings(&plan, args.meeting.as_deref())?;
    let templates = match templates {
        Ok(t) => t,
        Err(d) => return Ok(Outcome::failed(vec![d])),
    };
    let selection = Selection {
        meeting: args.meeting.clone(),
        kind: args.document,
    };
    let out = OutputDir::new(&global.out);
    let mut diagnostics = warnings.into_sorted();
    let options = BuildOptions {
        force: args.force,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        workers: std::env::current_exe().ok(),
    };
    match build::build(&plan, templates, &selection, &out, options) {
        Ok(report) => {
            diagnostics.extend(report.warnings);
            let changed = report.written.iter().filter(|w| w.changed).count();
            let processes = match report.workers {
                0 => String::new(),
                n => format!(" in {n} processes"),
            };
            let mut messages = vec![format!(
                "{} files in {}: {} rendered ({} pages){processes}, {} unchanged, {} changed on disk; {:.2} s",
                report.written.len(),
                out.root().display(),
                report.rendered,
                report.pages,
                report.unchanged,
                changed,
                started.elapsed().as_secs_f64()
            )];
            if args.timings {
                let cores = rayon::current_num_threads();
                messages.push(format!(
                    "compile and export: {:.2} s in all, {:.2} s per core ({cores} cores)",
                    report.busy.as_secs_f64(),
                    report.busy.as_secs_f64() / cores as f64
                ));
            }
            Ok(Outcome::ok(diagnostics, messages))
        }
        Err(errors) => {
            diagnostics.extend(errors.into_sorted());
            Ok(Outcome::nothing_written(diagnostics, out.root()))
        }
    }
}
