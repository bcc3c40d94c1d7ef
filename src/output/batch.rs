//! A build's files as one batch: each is written into a staging folder as soon as it is there
//! (on writer threads, while the rest is still being made), and all are put in their places
//! only when every one was staged. A batch that is abandoned leaves the output as it was.

use bytes::Bytes;

use super::{OutputDir, Staged, Staging, Written, with_io_threads};
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

    /// Puts every staged file in its place, with the outcome of each in their order.
    pub fn commit(self, staged: Vec<Staged>) -> Vec<Result<Written, Diagnostic>> {
        let out = self.staging.out();
        let paths: Vec<String> = staged.iter().map(|s| s.written.path.clone()).collect();
        out.persist_all(staged)
            .into_iter()
            .zip(paths)
            .map(|(persisted, path)| persisted.map_err(|e| cannot_write(out, &path, e)))
            .collect()
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
    Diagnostic::error(format!(
        "cannot write {}: {e}",
        out.root().join(path).display()
    ))
}
