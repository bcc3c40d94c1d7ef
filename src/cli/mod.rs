//! The command line: global options and one module per subcommand.

mod archive;
mod build;
mod calendar;
mod check;
mod consult;
mod publish;
mod status;
mod tools;
mod watch;
mod worker;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::Diagnostic;
use crate::plan::PlanSource;
use crate::render::Templates;

#[derive(Debug, Parser)]
#[command(
    name = "udvalg",
    version,
    about = "Meeting papers for a Danish municipal committee, from its plan as data",
    long_about = "udvalg turns a committee's plan (TOML files: meetings, agenda items, strategy, \
                  implementation plan) into the papers each meeting needs, as PDFs.\n\n\
                  Without --plan it uses the one plan under ./plans, or the built-in plan for \
                  Ballerup Kommune's Udsattestrategi 2022-2029."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The plan directory (holds plan.toml and meetings.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub plan: Option<PathBuf>,
    /// Where documents are written.
    #[arg(long, global = true, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Where `udvalg archive` keeps what was sent.
    #[arg(long, global = true, value_name = "DIR", default_value = "archive")]
    pub archive: PathBuf,
    /// Template directory; default ./templates if present, else the built-in templates.
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// How many documents to render at once; default: all cores.
    #[arg(long, global = true, value_name = "N")]
    pub jobs: Option<usize>,
    /// How problems are printed.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// file:line:col with the source line, for people.
    Human,
    /// A JSON array, for tools.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the plan and the templates; report every problem at file:line:col.
    Check(check::CheckArgs),
    /// Write the PDFs of the plan under the output directory.
    Build(build::BuildArgs),
    /// Write a consultation's package: a letter per consultee, the consultee list, the draft,
    /// the summary of responses, manifest.json and a zip of what is sent.
    Consult(consult::ConsultArgs),
    /// What is due, ready and late on a day, meeting by meeting; consultations and milestones.
    Status(status::StatusArgs),
    /// Meetings, deadlines, consultations and milestones; `--ics` for Outlook or Google.
    Calendar(calendar::CalendarArgs),
    /// Freeze what was built for a meeting under the archive; `verify` and `list` it.
    Archive(archive::ArchiveArgs),
    /// Rebuild what changed on every save of the plan or the templates, until stopped.
    Watch(watch::WatchArgs),
    /// Build, then write the committee's public website (pages, the public PDFs, feeds) from
    /// the papers that may be published.
    Publish(publish::PublishArgs),
    /// Write each document's view and template (for the benchmark's typst CLI run).
    #[command(hide = true)]
    Views(tools::ViewsArgs),
    /// Render the layouts sent on standard input (started by `build` itself).
    #[command(hide = true)]
    RenderWorker,
}

/// How a run ended, for `main` to print and turn into an exit code.
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    /// What the command has to say on success (already formatted lines).
    pub messages: Vec<String>,
    /// What the command produces on standard output (a table, JSON, iCalendar), printed as it
    /// is in every format.
    pub report: Option<String>,
    pub failed: bool,
}

impl Outcome {
    /// A run that did its work; `diagnostics` are warnings.
    pub fn ok(diagnostics: Vec<Diagnostic>, messages: Vec<String>) -> Self {
        Self {
            diagnostics,
            messages,
            report: None,
            failed: false,
        }
    }

    /// A run whose product is what it prints: a table, JSON, iCalendar.
    pub fn report(diagnostics: Vec<Diagnostic>, report: String) -> Self {
        Self {
            diagnostics,
            messages: vec![],
            report: Some(report),
            failed: false,
        }
    }

    /// A run that failed before writing anything to `out`.
    pub fn nothing_written(diagnostics: Vec<Diagnostic>, out: &Path) -> Self {
        Self {
            diagnostics,
            messages: vec![format!("nothing was written to {}", out.display())],
            report: None,
            failed: true,
        }
    }

    /// A run that failed while putting its files in place: some are, the next run does the rest.
    pub fn incomplete(diagnostics: Vec<Diagnostic>, out: &Path) -> Self {
        Self {
            diagnostics,
            messages: vec![format!(
                "not every file could be put in place in {}; the next udvalg run on it finishes the job",
                out.display()
            )],
            report: None,
            failed: true,
        }
    }

    /// A run that stopped after writing, as `failed` says.
    pub fn write_failed(
        mut diagnostics: Vec<Diagnostic>,
        failed: crate::output::RunFailed,
        out: &Path,
    ) -> Self {
        diagnostics.extend(failed.diagnostics.into_sorted());
        if failed.incomplete {
            Self::incomplete(diagnostics, out)
        } else {
            Self::nothing_written(diagnostics, out)
        }
    }

    /// Exit code 2 for a problem of the system (a folder that cannot be written), 1 for one in
    /// the plan or the templates.
    pub fn exit_code(&self) -> u8 {
        match (self.failed, self.diagnostics.iter().any(|d| d.system)) {
            (false, _) => 0,
            (true, true) => 2,
            (true, false) => 1,
        }
    }

    /// A run stopped by problems in the plan or the templates.
    pub fn failed(diagnostics: Vec<Diagnostic>) -> Self {
        Self {
            diagnostics,
            messages: vec![],
            report: None,
            failed: true,
        }
    }
}

/// A problem with the invocation or the system, not with the plan: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

pub fn run(cli: Cli) -> Result<Outcome, UsageError> {
    if let Command::RenderWorker = cli.command {
        return worker::run();
    }
    // Typst lays out recursively; rayon's default 2 MB stacks overflow on long agendas.
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(crate::render::RENDER_STACK_BYTES);
    if let Some(jobs) = cli.global.jobs {
        pool = pool.num_threads(jobs.max(1));
    }
    // Only fails if a pool was already built, which cannot happen before this point.
    let _ = pool.build_global();
    match &cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Build(args) => build::run(&cli.global, args),
        Command::Consult(args) => consult::run(&cli.global, args),
        Command::Status(args) => status::run(&cli.global, args),
        Command::Calendar(args) => calendar::run(&cli.global, args),
        Command::Archive(args) => archive::run(&cli.global, args),
        Command::Watch(args) => watch::run(&cli.global, args),
        Command::Publish(args) => publish::run(&cli.global, args),
        Command::Views(args) => tools::views(&cli.global, args),
        Command::RenderWorker => worker::run(),
    }
}

/// Loads and validates the plan; a plan with errors ends the run with them.
#[allow(
    clippy::type_complexity,
    reason = "a plan, or the outcome that ends the run"
)]
pub fn load_plan(
    global: &GlobalArgs,
) -> Result<Result<(crate::plan::Plan, Vec<Diagnostic>), Outcome>, UsageError> {
    let source = resolve_plan(global)?;
    Ok(match crate::plan::load_valid(&source) {
        Ok((plan, warnings)) => Ok((plan, warnings.into_sorted())),
        Err(diagnostics) => Err(Outcome::failed(diagnostics.into_sorted())),
    })
}

/// The meetings `--meeting` selects: the one named, which must exist, or all of them.
pub fn selected_meetings<'a>(
    plan: &'a crate::plan::Plan,
    wanted: Option<&str>,
) -> Result<Vec<&'a str>, UsageError> {
    let ids: Vec<&str> = plan
        .meetings
        .iter()
        .map(|m| m.id.get_ref().as_str())
        .collect();
    match wanted {
        None => Ok(ids),
        Some(id) if plan.meeting(id).is_some() => {
            Ok(ids.into_iter().filter(|m| *m == id).collect())
        }
        Some(id) => Err(UsageError(format!(
            "there is no meeting `{id}` in the plan; the meetings are: {}",
            ids.join(", ")
        ))),
    }
}

/// `--today`, else the real date: the one place the clock is read.
pub fn today(given: Option<chrono::NaiveDate>) -> chrono::NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// `--plan`, else the one plan under ./plans, else the built-in plan.
pub fn resolve_plan(global: &GlobalArgs) -> Result<PlanSource, UsageError> {
    if let Some(dir) = &global.plan {
        if !dir.is_dir() {
            return Err(UsageError(format!(
                "the plan directory {} does not exist",
                dir.display()
            )));
        }
        return Ok(PlanSource::Dir(dir.clone()));
    }
    let plans = Path::new("plans");
    let Ok(entries) = std::fs::read_dir(plans) else {
        return Ok(PlanSource::Embedded);
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("plan.toml").is_file())
        .collect();
    found.sort();
    match found.len() {
        0 => Ok(PlanSource::Embedded),
        1 => Ok(PlanSource::Dir(found.remove(0))),
        _ => Err(UsageError(format!(
            "there are several plans under plans/; choose one with --plan: {}",
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `--templates`, else ./templates when it has the templates, else the built-in ones.
pub fn resolve_templates(global: &GlobalArgs) -> Result<Templates, Diagnostic> {
    match template_dir(global) {
        Some(dir) => Templates::from_dir(&dir),
        None => Ok(Templates::embedded()),
    }
}

/// The folder the templates are read from: `--templates`, else ./templates when it has the
/// templates; none for the built-in ones.
pub fn template_dir(global: &GlobalArgs) -> Option<PathBuf> {
    match &global.templates {
        Some(dir) => Some(dir.clone()),
        None if Path::new("templates/agenda.typ").is_file() => Some(PathBuf::from("templates")),
        None => None,
    }
}
