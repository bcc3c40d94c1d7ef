//! All or nothing, across a kill: a batch's files are staged first; then one journal naming
//! every move and removal is written (atomically), the moves and removals are done, and the
//! journal is removed. A run killed before the journal is in place leaves the old set and a
//! staging folder; one killed after leaves a journal. The next run on the folder removes the
//! staging folder in the first case and finishes the journal in the second, so the folder then
//! holds the whole old set or the whole new set.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::OutputDir;

/// Kept in the output directory while a batch is being put in place.
pub const JOURNAL_FILE: &str = ".udvalg-journal.json";

/// Names of what udvalg keeps in the output directory for itself, which no plan can name
/// (plan data never makes a name that starts with a dot).
pub const STAGING_PREFIX: &str = ".udvalg-staging-";
pub const TEMP_PREFIX: &str = ".udvalg-";
pub const TEMP_SUFFIX: &str = ".tmp";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// Each staged file and where it goes, both relative to the output directory.
    pub moves: Vec<(String, String)>,
    /// Files to remove, relative to the output directory.
    pub removals: Vec<String>,
    /// The staging folder, removed once the moves are done.
    pub staging: String,
}

/// What [`OutputDir::recover`] found of an earlier run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// A batch that a killed run had started to put in place, now finished: its file count.
    pub finished: Option<usize>,
    /// Staging folders and temporary files of killed runs, removed.
    pub removed: usize,
}

/// Test hook for the fault-injection tests: with `UDVALG_CRASH_AFTER=n`, a commit aborts the
/// process (as a kill would, running no destructors) after its n-th step: step 0 is every file
/// staged, step 1 the journal written, then each move and removal, then the journal removed.
fn crash_point() -> Option<usize> {
    std::env::var("UDVALG_CRASH_AFTER").ok()?.parse().ok()
}

pub(super) struct Steps {
    crash_after: Option<usize>,
    done: std::sync::atomic::AtomicUsize,
}

impl Steps {
    pub(super) fn new() -> Self {
        Self {
            crash_after: crash_point(),
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Counts a step done; aborts here if the test hook says so.
    pub(super) fn step(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.crash_after == Some(done) {
            std::process::abort();
        }
    }
}

impl OutputDir {
    /// Finishes or clears what an earlier run left: completes a journal, then removes the
    /// staging folders and temporary files of killed runs. Call it holding the folder's lock,
    /// before reading or writing anything else in it.
    pub fn recover(&self) -> io::Result<Recovered> {
        let mut recovered = Recovered::default();
        if !self.root().is_dir() {
            return Ok(recovered);
        }
        let journal_path = self.root().join(JOURNAL_FILE);
        match std::fs::read(&journal_path) {
            Ok(bytes) => {
                let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the journal {} cannot be read: {e}", journal_path.display()),
                    )
                })?;
                self.play(
                    &journal,
                    &Steps {
                        crash_after: None,
                        done: 0.into(),
                    },
                )?;
                recovered.finished = Some(journal.moves.len() + journal.removals.len());
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        recovered.removed = remove_leftovers(self.root())?;
        Ok(recovered)
    }

    /// Does what `journal` says; every step may already have been done by a run that was killed.
    pub(super) fn play(&self, journal: &Journal, steps: &Steps) -> io::Result<()> {
        for (staged, target) in &journal.moves {
            let from = self.target(staged)?;
            let to = self.target(target)?;
            match std::fs::symlink_metadata(&from) {
                Ok(_) => {
                    super::create_dir_inside(self.root(), to.parent().unwrap_or(self.root()))?;
                    std::fs::rename(&from, &to)?;
                }
                // Moved before the kill.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            steps.step();
        }
        for removal in &journal.removals {
            let path = self.target(removal)?;
            match std::fs::remove_file(&path) {
                Ok(()) => remove_empty_parents(self.root(), &path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            steps.step();
        }
        match std::fs::remove_file(self.root().join(JOURNAL_FILE)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        steps.step();
        if let Ok(staging) = self.target(&journal.staging) {
            let _ = std::fs::remove_dir_all(staging);
        }
        Ok(())
    }
}

/// Removes staging folders and temporary files of earlier runs below `dir`; their count.
fn remove_leftovers(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() && name.starts_with(STAGING_PREFIX) {
            std::fs::remove_dir_all(entry.path())?;
            removed += 1;
        } else if kind.is_file() && name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        } else if kind.is_dir() {
            removed += remove_leftovers(&entry.path())?;
        }
    }
    Ok(removed)
}

/// Removes the folders a removal left empty, up to the output directory itself.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
