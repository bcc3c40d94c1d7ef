//! A build's files as one batch: each is written into a staging folder as soon as it is there
//! (on writer threads, while the rest is still being made), and all are put in their places
//! only when every one was staged. A batch that is abandoned leaves the output as it was.

use std::path::Path;

use bytes::Bytes;

use super::journal::{JOURNAL_FILE, Journal, Steps};
use super::{OutputDir, RunFailed, Staged, Staging, Written, with_io_threads};
use crate::diagnostics::Diagnostic;
use crate::indexed::in_order;

/// Files written at once: each write waits for the disk (fsync), not the CPU, so there are more
/// writers than cores.
const WRITERS: usize = 16;

/// What [`Batch::stage_while`] staged, and what its producer returned.
pub struct StagedRun<F> {
    pub produced: F,
    pub made: Vec<Result<Staged, Diagnostic>>,
    pub copies: Vec<Result<Staged, Diagnostic>>,
}

/// See the module's documentation.
pub struct Batch<'a> {
    staging: Staging<'a>,
    /// Whether the output directory was made for this batch: then an abandoned batch removes it.
    made_root: bool,
}

impl OutputDir {
    /// A new batch of files for this directory.
    pub fn batch(&self) -> Result<Batch<'_>, Diagnostic> {
        let made_root = !self.root().exists();
        let staging = self
            .staging()
            .map_err(|e| cannot_write(self, ".udvalg-staging", e))?;
        Ok(Batch { staging, made_root })
    }
}

impl Batch<'_> {
    /// Runs `produce`, which hands over the bytes for each of `made` (by its index there) as
    /// they are made, and stages each on the writer threads meanwhile, with each of `copies`
    /// (the bytes of a file read from the plan when it was loaded, and where they go): for
    /// `made` and for `copies`, in their order, each staged file or why it could not be staged.
    pub fn stage_while<F>(
        &self,
        made: &[&str],
        copies: &[(&bytes::Bytes, &str)],
        produce: impl FnOnce(&(dyn Fn(usize, bytes::Bytes) + Sync)) -> F,
    ) -> StagedRun<F> {
        let out = self.staging.out();
        let paths: Vec<&str> = made
            .iter()
            .copied()
            .chain(copies.iter().map(|(_, to)| *to))
            .collect();
        let stage = |(index, bytes): (usize, bytes::Bytes)| {
            let path = paths[index];
            let staged = self.staging.stage(path, &bytes);
            (index, staged.map_err(|e| cannot_write(out, path, e)))
        };
        let (produced, staged) = with_io_threads(WRITERS, stage, |hand| {
            for (index, (bytes, _)) in copies.iter().enumerate() {
                hand((made.len() + index, Bytes::clone(bytes)));
            }
            produce(&|index, bytes| hand((index, bytes)))
        });
        let mut staged: Vec<Result<Staged, Diagnostic>> = in_order(staged, paths.len())
            .into_iter()
            .zip(&paths)
            .map(|(staged, path)| {
                staged.unwrap_or_else(|| {
                    let e = std::io::Error::other("it was not staged");
                    Err(cannot_write(out, path, e))
                })
            })
            .collect();
        let copies = staged.split_off(made.len());
        StagedRun {
            produced,
            made: staged,
            copies,
        }
    }

    /// Stages one more file of the batch, made after the rest (the build record, a manifest).
    pub fn stage(&self, path: &str, bytes: &[u8]) -> Result<Staged, Diagnostic> {
        let out = self.staging.out();
        self.staging
            .stage(path, bytes)
            .map_err(|e| cannot_write(out, path, e))
    }

    /// Puts every staged file in its place and removes `removals` (files udvalg wrote that the
    /// plan no longer makes), all or nothing across a kill: see [`super::journal`].
    pub fn commit(
        self,
        staged: Vec<Staged>,
        removals: Vec<String>,
    ) -> Result<Vec<Written>, RunFailed> {
        let out = self.staging.out();
        let root = out.root();
        // Staged files lie directly in the staging folder, itself directly in the output
        // directory: the journal names both relative to it.
        let name = |path: &Path| -> String {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let staging = name(self.staging.path());
        let mut journal = Journal {
            moves: Vec::new(),
            removals,
            staging: staging.clone(),
        };
        let mut written = Vec::with_capacity(staged.len());
        for file in staged {
            if let Some(temp) = file.temp {
                // From here the journal, not the process, owns the staged file.
                let path = temp
                    .keep()
                    .map_err(|e| cannot_write(out, &file.written.path, e.error))?;
                journal.moves.push((
                    format!("{staging}/{}", name(&path)),
                    file.written.path.clone(),
                ));
            }
            written.push(file.written);
        }
        let json = serde_json::to_vec(&journal)
            .map_err(|e| cannot_write(out, JOURNAL_FILE, std::io::Error::other(e)))?;
        let steps = Steps::new();
        let _kept = self.staging.keep();
        steps.step();
        // Without the journal nothing was put in place: the next run clears the staging folder.
        out.write(JOURNAL_FILE, &json)
            .map_err(|e| cannot_write(out, JOURNAL_FILE, e))?;
        steps.step();
        out.play(&journal, &steps).map_err(|e| RunFailed {
            diagnostics: [Diagnostic::system(format!(
                "cannot put the files in place in {}: {e}; the next udvalg run on this folder \
                 finishes it",
                root.display()
            ))]
            .into_iter()
            .collect(),
            incomplete: true,
        })?;
        Ok(written)
    }

    /// Drops every staged file; the output directory stays as it was (and is removed if the
    /// batch made it).
    pub fn abandon(self) {
        let out = self.staging.out();
        drop(self.staging);
        if self.made_root {
            let _ = std::fs::remove_dir(out.root());
        }
    }
}

pub fn cannot_write(out: &OutputDir, path: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::system(format!(
        "cannot write {}: {e}",
        out.root().join(path).display()
    ))
}
