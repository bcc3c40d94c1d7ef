//! `udvalg archive`: freeze what was built for a meeting; `archive verify` and `archive list`.

use chrono::NaiveDate;

use super::{GlobalArgs, Outcome, UsageError, load_plan, selected_meetings, today};
use crate::archive::{self, ArchiveError, Archived};
use crate::diagnostics::Diagnostic;
use crate::output::OutputDir;
use crate::output::lock::lock_folder;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub action: Option<ArchiveAction>,
    /// Only this meeting; default: every meeting with built papers.
    #[arg(long, value_name = "ID")]
    pub meeting: Option<String>,
    /// The archiving day recorded in the manifest (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveAction {
    /// Re-hash every archived file; report each missing, modified or unknown file.
    Verify,
    /// The archived versions, meeting by meeting.
    List,
}

pub fn run(global: &GlobalArgs, args: &ArchiveArgs) -> Result<Outcome, UsageError> {
    let root = &global.archive;
    let system =
        |e: std::io::Error| UsageError(format!("cannot read the archive {}: {e}", root.display()));
    match args.action {
        Some(ArchiveAction::List) => {
            let mut lines = Vec::new();
            for (meeting, version, manifest) in archive::list(root).map_err(system)? {
                lines.push(match manifest {
                    Ok(m) => format!(
                        "{meeting}  version {version}  archived {}  {} files  udvalg {}",
                        m.archived,
                        m.files.len(),
                        m.udvalg
                    ),
                    Err(e) => format!("{meeting}  version {version}  unreadable manifest: {e}"),
                });
            }
            if lines.is_empty() {
                lines.push(format!("{} holds no archived versions", root.display()));
            }
            Ok(Outcome::ok(vec![], lines))
        }
        Some(ArchiveAction::Verify) => {
            let findings = archive::verify(root).map_err(system)?;
            let mut diagnostics = Vec::new();
            for (what, paths) in [
                ("missing", &findings.missing),
                ("modified", &findings.modified),
                ("not in its manifest", &findings.unknown),
            ] {
                for path in paths {
                    diagnostics.push(Diagnostic::error(format!("{}: {what}", path.display())));
                }
            }
            for problem in &findings.unreadable {
                diagnostics.push(Diagnostic::error(problem.clone()));
            }
            let clean = findings.is_clean();
            Ok(Outcome {
                diagnostics,
                messages: vec![format!(
                    "{}: {} files checked, {}",
                    root.display(),
                    findings.checked,
                    if clean {
                        "all as archived"
                    } else {
                        "problems found"
                    }
                )],
                report: None,
                failed: !clean,
            })
        }
        None => archive_meetings(global, args),
    }
}

fn archive_meetings(global: &GlobalArgs, args: &ArchiveArgs) -> Result<Outcome, UsageError> {
    let (plan, _warnings) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let wanted = selected_meetings(&plan, args.meeting.as_deref())?;
    let out = OutputDir::new(&global.out);
    // Neither a build nor another archive run may change what is archived while it is copied.
    let _output = out
        .root()
        .is_dir()
        .then(|| out.lock())
        .transpose()
        .map_err(|e| UsageError(format!("cannot lock {}: {e}", out.root().display())))?;
    let _archive = lock_folder(&global.archive)
        .map_err(|e| UsageError(format!("cannot lock {}: {e}", global.archive.display())))?;
    let day = today(args.today).to_string();
    let mut lines = Vec::new();
    let mut diagnostics = Vec::new();
    for meeting in wanted {
        match archive::archive_meeting(&out, &global.archive, meeting, &plan.data_hash, &day) {
            Ok(Archived::Added { version, files }) => lines.push(format!(
                "{meeting}: version {version} archived, {files} files in {}",
                global
                    .archive
                    .join(meeting)
                    .join(version.to_string())
                    .display()
            )),
            Ok(Archived::Unchanged { version }) => lines.push(format!(
                "{meeting}: unchanged since version {version}; nothing added"
            )),
            Err(ArchiveError::NothingBuilt) if args.meeting.is_none() => {}
            Err(ArchiveError::NothingBuilt) => diagnostics.push(
                Diagnostic::error(format!("nothing is built for {meeting}"))
                    .with_help(format!("run `udvalg build --meeting {meeting}` first")),
            ),
            Err(ArchiveError::Stale(paths)) => diagnostics.push(
                Diagnostic::error(format!(
                    "{meeting}: {} changed on disk since the build: {}",
                    if paths.len() == 1 {
                        "a paper has"
                    } else {
                        "papers have"
                    },
                    paths.join(", ")
                ))
                .with_help("run `udvalg build` so the archive holds what the plan gives"),
            ),
            Err(ArchiveError::Io(e)) => {
                return Err(UsageError(format!("cannot archive {meeting}: {e}")));
            }
        }
    }
    if lines.is_empty() && diagnostics.is_empty() {
        lines.push(format!(
            "nothing is built in {}; run `udvalg build` first",
            out.root().display()
        ));
    }
    let failed = !diagnostics.is_empty();
    Ok(Outcome {
        diagnostics,
        messages: lines,
        report: None,
        failed,
    })
}
