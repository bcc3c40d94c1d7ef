//! One run at a time per folder: an advisory lock on a file in it. A second run waits, saying
//! so, until the first is done; the lock goes with the process, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use super::OutputDir;
use super::journal::Recovered;

/// Kept in the folder it locks.
pub const LOCK_FILE: &str = ".udvalg-lock";

/// Held while a run reads or writes a folder.
#[derive(Debug)]
pub struct FolderLock {
    file: Option<File>,
    dir: PathBuf,
    /// Whether the folder was made for the lock: then a run that wrote nothing removes it again.
    made: bool,
    /// What an earlier, killed run left and this one finished or cleared.
    pub recovered: Recovered,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        drop(self.file.take());
        let only_the_lock = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .all(|e| e.file_name() == LOCK_FILE)
            })
            .unwrap_or(false);
        if self.made && only_the_lock {
            let _ = std::fs::remove_file(self.dir.join(LOCK_FILE));
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Locks `dir` (made if need be), waiting for another run to finish. An error names `dir`.
pub fn lock_folder(dir: &Path) -> io::Result<FolderLock> {
    try_lock_folder(dir).map_err(|e| cannot_lock(dir, e))
}

fn cannot_lock(dir: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot lock {}: {e}", dir.display()))
}

fn try_lock_folder(dir: &Path) -> io::Result<FolderLock> {
    let made = !dir.exists();
    std::fs::create_dir_all(dir)?;
    let path: PathBuf = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another udvalg run on {} to finish …",
                dir.display()
            );
            file.lock()?;
        }
        Err(TryLockError::Error(e)) => return Err(e),
    }
    Ok(FolderLock {
        file: Some(file),
        dir: dir.to_path_buf(),
        made,
        recovered: Recovered::default(),
    })
}

impl OutputDir {
    /// Locks the output directory for this run and finishes what a killed run left in it.
    pub fn lock(&self) -> io::Result<FolderLock> {
        let mut lock = lock_folder(self.root())?;
        lock.recovered = self.recover().map_err(|e| cannot_lock(self.root(), e))?;
        Ok(lock)
    }

    /// [`Self::lock`] for a run that only reads: none when there is no output directory yet.
    pub fn lock_if_present(&self) -> io::Result<Option<FolderLock>> {
        self.root().is_dir().then(|| self.lock()).transpose()
    }
}
