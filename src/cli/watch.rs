//! `udvalg watch`: rebuild what changed on every save of the plan or the templates. Bad input is
//! shown and the last good papers stay; the watch goes on until it is stopped.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::build::{Attempt, attempt};
use super::{GlobalArgs, Outcome, UsageError, resolve_plan, template_dir};
use crate::build::BuildReport;
use crate::diagnostics::{self, Diagnostic};
use crate::documents::Selection;
use crate::output::OutputDir;
use crate::plan::PlanSource;

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Also write the public website after each rebuild, as `udvalg publish` does.
    #[arg(long)]
    pub publish: bool,
    /// Where the website is written with --publish; default: site/ in the output directory.
    #[arg(long, value_name = "DIR", requires = "publish")]
    pub site: Option<PathBuf>,
}

/// Saves come in bursts (an editor writes a temporary file, then renames it).
const QUIET_PERIOD: Duration = Duration::from_millis(200);

pub fn run(global: &GlobalArgs, args: &WatchArgs) -> Result<Outcome, UsageError> {
    let source = resolve_plan(global)?;
    let PlanSource::Dir(plan_dir) = &source else {
        return Err(UsageError(
            "watch needs a plan folder to watch; give one with --plan, or copy the built-in plan with `cp -r` from plans/"
                .into(),
        ));
    };
    let out = OutputDir::new(&global.out);
    let out_root = absolute(out.root());
    let mut watched = vec![plan_dir.clone()];
    if let Some(dir) = template_dir(global) {
        watched.push(dir);
    }
    let (tx, rx) = mpsc::channel();
    let mut folders = Folders::watch(&watched, tx)?;
    println!(
        "watching {}; papers go to {}; stop with Ctrl-C",
        watched
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
        out.root().display()
    );
    let site = args
        .publish
        .then(|| args.site.clone().unwrap_or_else(|| global.out.join("site")));
    loop {
        rebuild(global, &source, &out, site.as_deref());
        // Wait for a change that is not one of our own writes, then for the burst to end. A
        // folder replaced (moved away and back, a branch switched, a sync tool) is watched
        // anew: the old watch follows the folder that went away.
        loop {
            match rx.recv_timeout(LOOK_AGAIN) {
                Ok(Ok(event)) if is_edit(&event, &out_root) => break,
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if folders.replaced() {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(UsageError("the file watcher stopped".into()));
                }
            }
        }
        while rx.recv_timeout(QUIET_PERIOD).is_ok() {}
        folders.replaced();
    }
}

/// How often the watched folders are looked at, to see whether one was replaced.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

type Events = mpsc::Sender<notify::Result<notify::Event>>;

/// The watched folders, each as the file it was when its watch began.
struct Folders {
    watcher: notify::RecommendedWatcher,
    folders: Vec<(PathBuf, Option<FileId>)>,
}

impl Folders {
    fn watch(dirs: &[PathBuf], events: Events) -> Result<Self, UsageError> {
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = events.send(event);
        })
        .map_err(|e| UsageError(format!("cannot watch files: {e}")))?;
        for dir in dirs {
            watcher
                .watch(dir, RecursiveMode::Recursive)
                .map_err(|e| UsageError(format!("cannot watch {}: {e}", dir.display())))?;
        }
        let folders = dirs.iter().map(|d| (d.clone(), file_id(d))).collect();
        Ok(Self { watcher, folders })
    }

    /// Whether a folder is no longer the one watched; if so, the folders there now are
    /// watched, and the terminal is told.
    fn replaced(&mut self) -> bool {
        let mut replaced = false;
        for (dir, watched) in &mut self.folders {
            let now = file_id(dir);
            if now == *watched {
                continue;
            }
            replaced = true;
            let _ = self.watcher.unwatch(dir);
            *watched = now;
            if now.is_none() {
                println!("{} is gone; watching for it to come back", dir.display());
            } else if self.watcher.watch(dir, RecursiveMode::Recursive).is_ok() {
                println!("{} was replaced; watching it again", dir.display());
            } else {
                // Not watchable yet (being written): looked at again in a second.
                *watched = None;
            }
        }
        replaced
    }
}

/// A folder's device and inode: the same path may name another folder after a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(FileId(meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|_| FileId(0, 0))
}

/// A file was written, created or removed outside the output folder. Reads are events too
/// (inotify reports them), and the build reads the plan: they must not start a new round.
fn is_edit(event: &notify::Event, out_root: &Path) -> bool {
    use notify::EventKind;
    matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) && event
        .paths
        .iter()
        .any(|p| !absolute(p).starts_with(out_root))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// One round: load, check and build what changed (and publish it, with a site); print what
/// happened.
fn rebuild(global: &GlobalArgs, source: &PlanSource, out: &OutputDir, site: Option<&Path>) {
    let started = Instant::now();
    let attempt = attempt(
        global,
        source,
        &Selection::default(),
        out,
        false,
        false,
        true,
        site,
    );
    // A round that publishes says what it did to the website after what it built.
    let (attempt, site_line) = match attempt {
        Ok(Attempt::Published(shown, Ok(report))) => {
            let line = format!(
                "the website: {} files, {} written, {} removed",
                report.files,
                report.written.len(),
                report.removed.len()
            );
            (Ok(Attempt::Built(shown, Ok(report.build))), Some(line))
        }
        Ok(Attempt::Published(shown, Err(failed))) => {
            (Ok(Attempt::Built(shown, Err(failed))), None)
        }
        other => (other, None),
    };
    let (shown, line) = match attempt {
        // Only a selected meeting the plan lacks is a usage error, and the watch selects none.
        Err(UsageError(message)) => (vec![Diagnostic::error(message)], "nothing was built".into()),
        Ok(Attempt::PlanInvalid(shown)) => (
            shown,
            "the plan has errors; the papers in the output folder are the last good ones".into(),
        ),
        Ok(Attempt::TemplatesUnreadable(shown)) => (
            shown,
            "the templates cannot be read; nothing was written".into(),
        ),
        Ok(Attempt::Built(mut shown, Err(failed))) => {
            let line = if failed.incomplete {
                "not every file could be put in place; the next round finishes the job"
            } else {
                "a paper could not be made; nothing was written, the last good papers stay"
            };
            shown.extend(failed.diagnostics.into_sorted());
            (shown, line.into())
        }
        Ok(Attempt::Published(..)) => unreachable!("turned into a build above"),
        Ok(Attempt::Built(mut shown, Ok(report))) => {
            let mut line = rebuilt(&report, started);
            if let Some(site) = &site_line {
                line.push('\n');
                line.push_str(site);
            }
            for extra in super::build::housekeeping(&report) {
                line.push('\n');
                line.push_str(&extra);
            }
            shown.extend(report.warnings);
            (shown, line)
        }
    };
    diagnostics::emit_to_stderr(&diagnostics::first_per_file(diagnostics::merge_repeats(
        shown,
    )));
    println!("{line}");
    // While it waits for the next change; a short rebuild does not trim as it renders.
    crate::render::trim_memo_cache();
}

/// What a round rebuilt: how many papers, and which changed on disk.
fn rebuilt(report: &BuildReport, started: Instant) -> String {
    let changed: Vec<&str> = report
        .written
        .iter()
        .filter(|w| w.changed)
        .map(|w| w.path.as_str())
        .collect();
    let mut line = format!(
        "rebuilt {} of {} papers in {:.2} s",
        report.rendered,
        report.written.len(),
        started.elapsed().as_secs_f64()
    );
    for path in changed.iter().take(12) {
        line.push_str(&format!("\n  {path}"));
    }
    if changed.len() > 12 {
        line.push_str(&format!("\n  and {} more", changed.len() - 12));
    }
    line
}
