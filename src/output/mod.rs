//! Writing into the output directory: only inside it, each file atomically (a temporary file
//! beside the target, then a rename), hashed as it is written.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

pub mod record;

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
        let target = self.target(relative)?;
        let sha256 = format!("{:x}", Sha256::digest(bytes));
        if let Ok(existing) = std::fs::read(&target)
            && existing == bytes
        {
            return Ok(Written {
                path: relative.into(),
                size: bytes.len() as u64,
                sha256,
                changed: false,
            });
        }
        let parent = target.parent().unwrap_or(&self.root);
        create_dir_inside(&self.root, parent)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".udvalg-")
            .suffix(".tmp")
            .tempfile_in(parent)?;
        temp.write_all(bytes)?;
        // Temporary files are private; papers are for everyone who may read the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        temp.as_file().sync_all()?;
        temp.persist(&target).map_err(|e| e.error)?;
        Ok(Written {
            path: relative.into(),
            size: bytes.len() as u64,
            sha256,
            changed: true,
        })
    }
}

/// Creates `dir` below `root`, refusing to follow a symbolic link out of it.
fn create_dir_inside(root: &Path, dir: &Path) -> io::Result<()> {
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
        assert!(out.write("a/./b.pdf", b"x").is_ok() || out.target("a/./b.pdf").is_err());
        assert!(!dir.path().join("escape.pdf").exists());
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
