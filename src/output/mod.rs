//! Writing into the output directory: only inside it, each file atomically (a temporary file
//! beside the target, then a rename), hashed as it is written; a build's files as one batch.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};

mod batch;
mod io_threads;
pub mod journal;
pub mod lock;
pub mod public;
pub mod record;
pub mod sent;

pub use batch::{Batch, StagedRun, cannot_write};
pub use io_threads::with_io_threads;

/// Why a run that writes stopped, and whether anything of it reached the folder.
#[derive(Debug)]
pub struct RunFailed {
    pub diagnostics: Diagnostics,
    /// Some files were put in place before the failure; the next run on the folder finishes
    /// the rest (see [`journal`]). Otherwise nothing was written.
    pub incomplete: bool,
}

impl From<Diagnostics> for RunFailed {
    fn from(diagnostics: Diagnostics) -> Self {
        Self {
            diagnostics,
            incomplete: false,
        }
    }
}

impl From<Diagnostic> for RunFailed {
    fn from(diagnostic: Diagnostic) -> Self {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(diagnostic);
        diagnostics.into()
    }
}

/// A file that was written, with what a manifest needs.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// False when the file already held exactly these bytes and was left alone.
    pub changed: bool,
}

/// The directory every write of a run goes to.
pub struct OutputDir {
    root: PathBuf,
}

impl OutputDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The target of a relative path, refusing any path that could leave the directory.
    pub fn target(&self, relative: &str) -> io::Result<PathBuf> {
        let rel = Path::new(relative);
        let inside =
            !relative.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "refusing to write `{relative}`: it is not a path inside the output directory"
                ),
            ));
        }
        Ok(self.root.join(rel))
    }

    /// Writes `bytes` to `relative` atomically; a reader sees the old file or the new one.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> io::Result<Written> {
        let staged = self.stage_in(None, relative, bytes)?;
        self.persist(staged)
    }

    /// A hidden folder in the output directory to write a build's files into, before any of
    /// them is put in its place; if the build fails, dropping it removes them all.
    pub fn staging(&self) -> io::Result<Staging<'_>> {
        create_dir_inside(&self.root, &self.root)?;
        let dir = tempfile::Builder::new()
            .prefix(journal::STAGING_PREFIX)
            .tempdir_in(&self.root)?;
        Ok(Staging { out: self, dir })
    }

    /// Puts a staged file in its place (the rename is atomic).
    pub fn persist(&self, staged: Staged) -> io::Result<Written> {
        if let Some(temp) = staged.temp {
            create_dir_inside(&self.root, staged.target.parent().unwrap_or(&self.root))?;
            temp.persist(&staged.target).map_err(|e| e.error)?;
        }
        Ok(staged.written)
    }

    /// Writes `bytes`, meant for `relative`, to a new file in `dir` (by default, the target's
    /// own folder) and flushes it to the disk; nothing is written if the target already holds
    /// exactly these bytes.
    fn stage_in(&self, dir: Option<&Path>, relative: &str, bytes: &[u8]) -> io::Result<Staged> {
        let target = self.target(relative)?;
        let mut written = Written {
            path: relative.into(),
            size: bytes.len() as u64,
            sha256: crate::hash::sha256_hex(bytes),
            changed: false,
        };
        if let Ok(existing) = std::fs::read(&target)
            && existing == bytes
        {
            return Ok(Staged {
                written,
                target,
                temp: None,
            });
        }
        let dir = dir.unwrap_or(target.parent().unwrap_or(&self.root));
        create_dir_inside(&self.root, dir)?;
        let mut temp = tempfile::Builder::new()
            .prefix(journal::TEMP_PREFIX)
            .suffix(journal::TEMP_SUFFIX)
            .tempfile_in(dir)?;
        temp.write_all(bytes)?;
        // Temporary files are private; papers are for everyone who may read the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        temp.as_file().sync_all()?;
        written.changed = true;
        Ok(Staged {
            written,
            target,
            temp: Some(temp.into_temp_path()),
        })
    }
}

/// See [`OutputDir::staging`].
pub struct Staging<'a> {
    out: &'a OutputDir,
    dir: tempfile::TempDir,
}

impl<'a> Staging<'a> {
    /// The output directory the staged files are for.
    pub fn out(&self) -> &'a OutputDir {
        self.out
    }

    /// Writes `bytes`, meant for `relative`, into the staging folder (see [`OutputDir::persist`]).
    pub fn stage(&self, relative: &str, bytes: &[u8]) -> io::Result<Staged> {
        self.out.stage_in(Some(self.dir.path()), relative, bytes)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Keeps the folder when this is dropped: a journal now says what becomes of it.
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }
}

/// A file written but not yet in its place; `temp` is `None` if its place already holds it.
pub struct Staged {
    pub written: Written,
    target: PathBuf,
    temp: Option<tempfile::TempPath>,
}

/// Creates `dir` below `root`, refusing to follow a symbolic link out of it.
pub(crate) fn create_dir_inside(root: &Path, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(root)?;
    let mut current = root.to_path_buf();
    for component in dir.strip_prefix(root).unwrap_or(Path::new("")).components() {
        current.push(component);
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "refusing to write through the symbolic link {}",
                        current.display()
                    ),
                ));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} is a file, not a folder", current.display()),
                ));
            }
            Err(_) => match std::fs::create_dir(&current) {
                // Papers are written in parallel: another one may have made the folder just now.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && current.is_dir() => {}
                other => other?,
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::new(dir.path().join("out"));
        assert!(out.write("../escape.pdf", b"x").is_err());
        assert!(out.write("/etc/escape.pdf", b"x").is_err());
        // `.` stays where it is: the file lands inside.
        out.write("a/./b.pdf", b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("out/a/b.pdf")).unwrap(), b"x");
        assert!(out.write("", b"x").is_err());
        assert!(out.write("a/../../escape.pdf", b"x").is_err());
        assert!(!dir.path().join("escape.pdf").exists());
    }

    #[test]
    fn staged_files_appear_only_when_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::new(dir.path());
        out.write("m/kept.pdf", b"old").unwrap();
        let staging = out.staging().unwrap();
        let changed = staging.stage("m/kept.pdf", b"new").unwrap();
        let same = staging.stage("m/kept.pdf", b"old").unwrap();
        let added = staging.stage("n/added.pdf", b"added").unwrap();
        assert!(changed.written.changed && added.written.changed && !same.written.changed);
        assert_eq!(
            std::fs::read(dir.path().join("m/kept.pdf")).unwrap(),
            b"old"
        );
        assert!(!dir.path().join("n").exists());

        out.persist(added).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("n/added.pdf")).unwrap(),
            b"added"
        );
        // Dropped unpersisted (a failed build): the staged bytes go, the old file stays.
        drop((changed, same, staging));
        assert_eq!(
            std::fs::read(dir.path().join("m/kept.pdf")).unwrap(),
            b"old"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn rewriting_the_same_bytes_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::new(dir.path());
        let first = out.write("m/a.pdf", b"%PDF").unwrap();
        assert!(first.changed);
        let second = out.write("m/a.pdf", b"%PDF").unwrap();
        assert!(!second.changed);
        assert_eq!(first.sha256, second.sha256);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("m")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}
