//! `udvalg build`: write the selected documents under the output directory.

use std::time::Instant;

use super::{GlobalArgs, Outcome, UsageError, resolve_plan, resolve_templates, selected_meetings};
use crate::build::{self, BuildOptions, BuildReport};
use crate::diagnostics::Diagnostic;
use crate::documents::{DocumentKind, Selection};
use crate::output::{OutputDir, RunFailed};
use crate::plan::{self, PlanSource};

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
    let selection = Selection {
        meeting: args.meeting.clone(),
        kind: args.document,
    };
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let out = OutputDir::new(&global.out);
    let (mut diagnostics, mut report) = match attempt(
        global, &source, &selection, &out, args.force, progress, false, None,
    )? {
        Attempt::PlanInvalid(diagnostics) | Attempt::TemplatesUnreadable(diagnostics) => {
            return Ok(Outcome::failed(diagnostics));
        }
        Attempt::Built(diagnostics, Err(failed)) => {
            return Ok(Outcome::write_failed(diagnostics, failed, out.root()));
        }
        Attempt::Built(diagnostics, Ok(report)) => (diagnostics, report),
        Attempt::Published(..) => unreachable!("a build publishes nothing"),
    };
    diagnostics.extend(std::mem::take(&mut report.warnings));
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
    messages.extend(housekeeping(&report));
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

/// What a build did besides writing papers: files removed, a killed run's work finished.
pub(super) fn housekeeping(report: &BuildReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(files) = report.recovered.finished {
        lines.push(format!(
            "finished putting in place the {files} files of a run that was stopped"
        ));
    }
    if report.recovered.removed > 0 {
        lines.push(format!(
            "removed {} staging folders and temporary files of stopped runs",
            report.recovered.removed
        ));
    }
    if !report.removed.is_empty() {
        lines.push(format!(
            "removed {} files the plan no longer makes:",
            report.removed.len()
        ));
        lines.extend(report.removed.iter().map(|path| format!("  {path}")));
    }
    lines
}

/// How far a build from the command line (`build`, or a round of `watch`) got.
pub(super) enum Attempt {
    /// The plan's errors (and warnings): nothing was rendered.
    PlanInvalid(Vec<Diagnostic>),
    /// The plan's warnings and why the templates cannot be read: nothing was rendered.
    TemplatesUnreadable(Vec<Diagnostic>),
    /// The plan's warnings, and the build's report or errors.
    Built(Vec<Diagnostic>, Result<BuildReport, RunFailed>),
    /// The same for a build followed by the website (`watch --publish`).
    Published(
        Vec<Diagnostic>,
        Result<crate::publish::PublishReport, RunFailed>,
    ),
}

/// Loads the plan and the templates (read while the plan loads) and builds `selection` into
/// `out`, rendering large runs in worker processes of this program, then the website into
/// `site` if one is given. A meeting selected that the plan does not have is a usage error.
#[allow(
    clippy::too_many_arguments,
    reason = "the command line's choices, passed as they are by build and watch"
)]
pub(super) fn attempt(
    global: &GlobalArgs,
    source: &PlanSource,
    selection: &Selection,
    out: &OutputDir,
    force: bool,
    progress: bool,
    isolated: bool,
    site: Option<&std::path::Path>,
) -> Result<Attempt, UsageError> {
    let (loaded, templates) =
        rayon::join(|| plan::load_valid(source), || resolve_templates(global));
    let (plan, warnings) = match loaded {
        Ok(ok) => ok,
        Err(diagnostics) => return Ok(Attempt::PlanInvalid(diagnostics.into_sorted())),
    };
    selected_meetings(&plan, selection.meeting.as_deref())?;
    let mut diagnostics = warnings.into_sorted();
    let templates = match templates {
        Ok(templates) => templates,
        Err(unreadable) => {
            diagnostics.push(unreadable);
            return Ok(Attempt::TemplatesUnreadable(diagnostics));
        }
    };
    let options = BuildOptions {
        force,
        progress,
        workers: std::env::current_exe().ok(),
        isolated,
        keep_public: false,
    };
    if let Some(site) = site {
        let published = crate::publish::publish(&plan, templates, out, site, options);
        return Ok(Attempt::Published(diagnostics, published));
    }
    let built = build::build(&plan, templates, selection, out, options);
    Ok(Attempt::Built(diagnostics, built))
}
