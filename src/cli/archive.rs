//! `udvalg archive`: freeze what was built for a meeting; `archive verify`, `archive list`,
//! `archive key new` and `archive export --bagit`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{GlobalArgs, Outcome, UsageError, load_plan, selected_meetings, today};
use crate::archive::bagit::{self, ExportError};
use crate::archive::{self, ArchiveError, Archived, Archiver, keys};
use crate::diagnostics::Diagnostic;
use crate::output::OutputDir;
use crate::output::lock::{LOCK_FILE, lock_folder};

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
    /// Sign each new log entry with this secret key (made by `udvalg archive key new`).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveAction {
    /// Re-hash every archived file, check every manifest against its folder, the meeting's
    /// previous version and the log, and the log's chain; report each problem with its path.
    Verify(VerifyArgs),
    /// The archived versions, meeting by meeting: day, file count, signed or not.
    List,
    /// The archive's signing key.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Write the archive, or one meeting of it, as a BagIt bag (RFC 8493).
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The archive's public key (FILE.pub of `archive key new FILE`): every log entry from the
    /// first one signed with it on must be signed with it.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// A log head (sha256) written down earlier: the log must still hold that entry.
    #[arg(long, value_name = "SHA256")]
    pub head: Option<String>,
    /// Only this meeting's versions, with the whole log (a bag of one meeting holds no others).
    #[arg(long, value_name = "ID")]
    pub meeting: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyAction {
    /// Make an Ed25519 key pair: the secret key in FILE (readable by you only), the public key
    /// in FILE.pub. Keep FILE away from the archive.
    New {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The bag's folder, which must not exist.
    #[arg(long, value_name = "DIR")]
    pub bagit: PathBuf,
    /// Only this meeting's versions; default: every meeting.
    #[arg(long, value_name = "ID")]
    pub meeting: Option<String>,
    /// The bagging day in bag-info.txt (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

pub fn run(global: &GlobalArgs, args: &ArchiveArgs) -> Result<Outcome, UsageError> {
    let root = &global.archive;
    let system =
        |e: std::io::Error| UsageError(format!("cannot read the archive {}: {e}", root.display()));
    match &args.action {
        Some(ArchiveAction::List) => {
            let _lock = lock_if_possible(root);
            let (listed, leftovers) = archive::list(root).map_err(system)?;
            let mut lines = Vec::new();
            for v in listed {
                let (meeting, version) = (&v.meeting, v.version);
                let signed = match (v.logged, v.signed) {
                    (false, _) => "not in the log",
                    (true, true) => "signed",
                    (true, false) => "unsigned",
                };
                lines.push(match v.manifest {
                    Ok(m) => format!(
                        "{meeting}  version {version}  archived {}  {} files  {signed}  udvalg {}",
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
            for path in leftovers {
                lines.push(format!(
                    "{}: left by a stopped archive run; the next `udvalg archive` finishes or \
                     removes it",
                    path.display()
                ));
            }
            Ok(Outcome::ok(vec![], lines))
        }
        Some(ArchiveAction::Verify(verify)) => run_verify(root, verify).map_err(system),
        Some(ArchiveAction::Key {
            action: KeyAction::New { file },
        }) => new_key(root, file),
        Some(ArchiveAction::Export(export)) => run_export(root, export),
        None => archive_meetings(global, args),
    }
}

/// The archive's lock, shared, for a run that only reads: it waits for an archive run to end,
/// and creates nothing (a copy of the archive, a bag's payload, a read-only disk stay as they
/// are: without a lock file there is no run to wait for).
fn lock_if_possible(root: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(root.join(LOCK_FILE)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => Some(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another udvalg run on {} to finish …",
                root.display()
            );
            file.lock_shared().ok().map(|()| file)
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

fn run_verify(root: &Path, args: &VerifyArgs) -> std::io::Result<Outcome> {
    let public = match &args.public_key {
        Some(path) => match keys::load_public(path) {
            Ok(key) => Some(key),
            Err(e) => return Ok(Outcome::failed(vec![Diagnostic::error(e)])),
        },
        None => None,
    };
    let _lock = lock_if_possible(root);
    let findings = archive::verify(
        root,
        archive::Checks {
            public_key: public.as_ref(),
            head: args.head.as_deref(),
            meeting: args.meeting.as_deref(),
        },
    )?;
    let diagnostics: Vec<Diagnostic> = findings
        .problems
        .iter()
        .map(|p| Diagnostic::error(p.to_string()))
        .collect();
    let clean = findings.is_clean();
    let mut messages = vec![format!(
        "{}: {} files checked, {}",
        root.display(),
        findings.checked,
        if clean {
            "all as archived"
        } else {
            "problems found"
        }
    )];
    messages.push(format!(
        "{} versions, {} log entries, {} signed{}",
        findings.versions,
        findings.entries,
        findings.signed,
        match &public {
            Some(key) => format!(" with the key {}", keys::public_hex(key)),
            None if findings.signed > 0 => {
                " (by the key each names; give --public-key to check it is yours)".to_string()
            }
            None => String::new(),
        }
    ));
    if public.is_some() && findings.unsigned_before_signing > 0 {
        messages.push(format!(
            "{} entries before the first signed one are unsigned; the signed entries vouch for \
             them through the chain",
            findings.unsigned_before_signing
        ));
    }
    if let Some(head) = &findings.head {
        messages.push(format!(
            "log head {head}: keep it elsewhere (with the minutes, in an e-mail) and check later \
             with --head"
        ));
    }
    if findings.head_found == Some(true) {
        messages.push("the log holds the given head".to_string());
    }
    Ok(Outcome {
        diagnostics,
        messages,
        report: None,
        failed: !clean,
    })
}

fn new_key(root: &Path, file: &Path) -> Result<Outcome, UsageError> {
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let (Ok(parent), Ok(root)) = (parent.canonicalize(), root.canonicalize())
        && parent.starts_with(&root)
    {
        return Err(UsageError(format!(
            "{} is inside the archive {}: a secret key kept with what it signs proves nothing; \
             keep it elsewhere",
            file.display(),
            root.display()
        )));
    }
    let public = keys::new_key(file)
        .map_err(|e| UsageError(format!("cannot make the key {}: {e}", file.display())))?;
    Ok(Outcome::ok(
        vec![],
        vec![
            format!(
                "secret key written to {} (readable by you only): pass it as `udvalg archive \
                 --key {}`, and keep it off the archive's disk",
                file.display(),
                file.display()
            ),
            format!(
                "public key written to {}: {public}; give it to whoever verifies \
                 (`udvalg archive verify --public-key {}`)",
                keys::public_path(file).display(),
                keys::public_path(file).display()
            ),
        ],
    ))
}

fn run_export(root: &Path, args: &ExportArgs) -> Result<Outcome, UsageError> {
    let _lock = lock_if_possible(root);
    let day = today(args.today).to_string();
    match bagit::export(root, &args.bagit, args.meeting.as_deref(), &day) {
        Ok(exported) => Ok(Outcome::ok(
            vec![],
            vec![format!(
                "{}: a BagIt bag of {} versions, {} files, {} bytes",
                args.bagit.display(),
                exported.versions,
                exported.files,
                exported.bytes
            )],
        )),
        Err(ExportError::Unverified(problems)) => {
            let mut diagnostics: Vec<Diagnostic> = problems
                .iter()
                .map(|p| Diagnostic::error(p.to_string()))
                .collect();
            diagnostics.push(
                Diagnostic::error(format!(
                    "{} does not verify; nothing was exported",
                    root.display()
                ))
                .with_help("`udvalg archive verify` lists the problems"),
            );
            Ok(Outcome::failed(diagnostics))
        }
        Err(ExportError::NoSuchMeeting(meeting, archived)) => Ok(Outcome::failed(vec![
            Diagnostic::error(format!("{meeting} has no archived version")).with_help(
                if archived.is_empty() {
                    "the archive holds no versions".to_string()
                } else {
                    format!("archived: {}", archived.join(", "))
                },
            ),
        ])),
        Err(ExportError::Empty) => Ok(Outcome::failed(vec![Diagnostic::error(format!(
            "{} holds no archived versions; nothing was exported",
            root.display()
        ))])),
        Err(ExportError::Exists(dir)) => Err(UsageError(format!(
            "{} exists; a bag is written to a new folder",
            dir.display()
        ))),
        Err(ExportError::Io(e)) => Err(UsageError(format!(
            "cannot export {} to {}: {e}",
            root.display(),
            args.bagit.display()
        ))),
    }
}

fn archive_meetings(global: &GlobalArgs, args: &ArchiveArgs) -> Result<Outcome, UsageError> {
    let (plan, _warnings) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let wanted = selected_meetings(&plan, args.meeting.as_deref())?;
    let key = match &args.key {
        Some(path) => match keys::load_secret(path) {
            Ok(key) => Some(key),
            Err(e) => return Err(UsageError(e)),
        },
        None => None,
    };
    let out = OutputDir::new(&global.out);
    // Neither a build nor another archive run may change what is archived while it is copied.
    let _output = out
        .lock_if_present()
        .map_err(|e| UsageError(e.to_string()))?;
    let _archive = lock_folder(&global.archive).map_err(|e| UsageError(e.to_string()))?;
    let day = today(args.today).to_string();
    let root = &global.archive;
    let (archiver, mut lines) = match Archiver::open(&out, root, &plan, day, key.as_ref()) {
        Ok(opened) => opened,
        Err(ArchiveError::Unverified(problems)) => {
            let mut diagnostics: Vec<Diagnostic> = problems
                .iter()
                .map(|p| Diagnostic::error(p.to_string()))
                .collect();
            diagnostics.push(
                Diagnostic::error(format!(
                    "{} does not verify; nothing was added to it",
                    root.display()
                ))
                .with_help(
                    "the archive is append-only: restore what was changed from a copy, or \
                     start a new archive with --archive DIR",
                ),
            );
            return Ok(Outcome::failed(diagnostics));
        }
        Err(ArchiveError::Key { archive, given }) => {
            return Ok(Outcome::failed(vec![
                Diagnostic::error(match given {
                    None => format!(
                        "the log of {} is signed with the key {archive}: every new entry must be",
                        root.display()
                    ),
                    Some(given) => format!(
                        "the log of {} is signed with the key {archive}, not with {given}",
                        root.display()
                    ),
                })
                .with_help("pass that key's secret file with --key FILE"),
            ]));
        }
        Err(ArchiveError::DayBefore { day, newest }) => {
            return Ok(Outcome::failed(vec![
                Diagnostic::error(format!(
                    "the archiving day {day} is before the newest entry of the log of {} \
                     ({newest}): the log's days never go back",
                    root.display()
                ))
                .with_help("leave out --today, or give a day on or after that"),
            ]));
        }
        Err(ArchiveError::Io(e)) => {
            return Err(UsageError(format!(
                "cannot archive to {}: {e}",
                root.display()
            )));
        }
        Err(other) => {
            return Err(UsageError(format!(
                "cannot open the archive {}: {other:?}",
                root.display()
            )));
        }
    };
    let mut diagnostics = Vec::new();
    for meeting in wanted {
        match archiver.archive_meeting(meeting) {
            Ok(Archived::Added { version, files }) => lines.push(format!(
                "{meeting}: version {version} archived, {files} files in {}{}",
                root.join(meeting).join(version.to_string()).display(),
                if key.is_some() { ", signed" } else { "" }
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
            Err(ArchiveError::PlanChanged(changes)) => diagnostics.push(
                Diagnostic::error(format!(
                    "{meeting}: the plan has changed since its papers were built ({}); nothing \
                     was archived for it",
                    changes.join("; ")
                ))
                .with_help(format!(
                    "run `udvalg build --meeting {meeting}`, so that what is archived is what \
                     this plan gives"
                )),
            ),
            Err(ArchiveError::Package(id, problems)) => diagnostics.push(
                Diagnostic::error(format!(
                    "{meeting}: the package of consultation {id} is not as `udvalg consult` \
                     wrote it: {}",
                    problems.join("; ")
                ))
                .with_help(format!("run `udvalg consult {id}`")),
            ),
            Err(ArchiveError::Io(e)) => {
                return Err(UsageError(format!("cannot archive {meeting}: {e}")));
            }
            Err(other) => {
                return Err(UsageError(format!("cannot archive {meeting}: {other:?}")));
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
