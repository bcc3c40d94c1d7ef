//! The plan's folder, opened once, and its files read from it without following a link
//! anywhere below it: every plan file and every attached file is a file of the plan folder
//! itself, and what was checked is what was read.
//!
//! How: on Unix, each component of a path is opened with `openat` relative to the folder
//! opened for the component before it (rustix), with `O_NOFOLLOW` (and `O_DIRECTORY` for the
//! folders on the way), starting from the plan folder opened once. A link anywhere in the path
//! makes that open fail, and since each step holds the folder it opens from, no component can
//! be swapped for a link between a check and the open: there is no separate check. The file's
//! bytes are then read from that one handle.
//!
//! Why this and not another way: `cap-std` keeps a path inside a folder but follows links that
//! stay inside it (a plan must hold its files itself, not links to them); Linux's `openat2`
//! with `RESOLVE_NO_SYMLINKS` does the walk in one call but needs Linux 5.6 and is refused by
//! some container sandboxes, so a fallback like this one would be needed anyway; std's
//! `custom_flags(O_NOFOLLOW)` guards only the last component, and checking the folders above
//! with `symlink_metadata` before opening leaves a window in which one can be replaced by a
//! link. rustix is already in the build (tempfile uses it).
//!
//! The plan folder itself is what the user named (`--plan`), so a link there is followed:
//! only what lies below it is the plan's.
//!
//! Elsewhere than Unix the same walk is made with `symlink_metadata` on each component before
//! the open, which refuses links but cannot close that window.

use std::io::{self, Read};
use std::path::Path;

/// Why a file of the plan was not read.
#[derive(Debug)]
pub enum OpenProblem {
    NotFound,
    /// `at` (the path up to and including the component, `/`-separated) is a link.
    Link {
        at: String,
    },
    /// `at` is not a folder, but the path goes on below it.
    NotAFolder {
        at: String,
    },
    /// The path names a folder, a device or a pipe rather than a file.
    NotAFile,
    /// The file has more bytes than the limit given.
    TooLarge {
        size: u64,
    },
    Io(io::Error),
}

/// See the module's documentation.
pub struct Folder {
    /// `None` when the folder does not exist: then no file of it does.
    #[cfg(unix)]
    root: Option<std::os::fd::OwnedFd>,
    #[cfg(not(unix))]
    root: Option<std::path::PathBuf>,
}

impl Folder {
    /// Opens the plan folder at `dir` (following a link there: it is the user's choice).
    pub fn open(dir: &Path) -> io::Result<Self> {
        #[cfg(unix)]
        let opened = {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            rustix::fs::open(dir, flags, Mode::empty())
                .map_err(io::Error::from)
                .map(Some)
        };
        #[cfg(not(unix))]
        let opened = match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(Some(dir.to_path_buf())),
            Ok(_) => Err(io::Error::from(io::ErrorKind::NotADirectory)),
            Err(e) => Err(e),
        };
        match opened {
            Ok(root) => Ok(Self { root }),
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound) => Ok(Self { root: None }),
            Err(e) => Err(e),
        }
    }

    /// The bytes of the file at `path` (its components, each a plain name), if it has at most
    /// `limit` bytes.
    pub fn read(&self, path: &[&str], limit: u64) -> Result<Vec<u8>, OpenProblem> {
        let (file, size) = self.open_file(path)?;
        if size > limit {
            return Err(OpenProblem::TooLarge { size });
        }
        // The file may grow between the size and the read: read one byte more than allowed.
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(OpenProblem::Io)?;
        if bytes.len() as u64 > limit {
            return Err(OpenProblem::TooLarge {
                size: bytes.len() as u64,
            });
        }
        Ok(bytes)
    }

    /// The names of the entries of the folder at `path`, in no particular order.
    pub fn list(&self, path: &[&str]) -> Result<Vec<String>, OpenProblem> {
        imp::list(self, path)
    }

    fn open_file(&self, path: &[&str]) -> Result<(std::fs::File, u64), OpenProblem> {
        imp::open_file(self, path)
    }
}

/// `path`'s first `n` components, as the problem names them.
fn prefix(path: &[&str], n: usize) -> String {
    path[..n].join("/")
}

#[cfg(unix)]
mod imp {
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    use rustix::io::Errno;

    use super::{Folder, OpenProblem, prefix};

    /// Why opening `name` in `dir` (the path's component `n`, counted from 1) failed, as the
    /// problem to report: the open itself refused the link, this only names the reason.
    fn problem(dir: BorrowedFd, name: &str, path: &[&str], n: usize, e: Errno) -> OpenProblem {
        match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => OpenProblem::NotFound,
            Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
                FileType::Symlink => OpenProblem::Link {
                    at: prefix(path, n),
                },
                FileType::Directory => OpenProblem::Io(e.into()),
                _ if n < path.len() => OpenProblem::NotAFolder {
                    at: prefix(path, n),
                },
                _ => OpenProblem::NotAFile,
            },
            Err(_) => OpenProblem::Io(e.into()),
        }
    }

    /// The folder holding the file `path` (its components but the last), each component
    /// opened from the one before, none a link; `None` for the plan folder itself.
    fn open_parent(root: &OwnedFd, path: &[&str]) -> Result<Option<OwnedFd>, OpenProblem> {
        open_folders(root, path, path.len().saturating_sub(1))
    }

    /// The folder of `path`'s first `depth` components, each opened from the one before, none
    /// a link; `None` for the plan folder itself.
    fn open_folders(
        root: &OwnedFd,
        path: &[&str],
        depth: usize,
    ) -> Result<Option<OwnedFd>, OpenProblem> {
        let mut current: Option<OwnedFd> = None;
        for (i, name) in path[..depth].iter().enumerate() {
            let dir = current.as_ref().map_or(root.as_fd(), |fd| fd.as_fd());
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let next = rustix::fs::openat(dir, *name, flags, Mode::empty())
                .map_err(|e| problem(dir, name, path, i + 1, e))?;
            current = Some(next);
        }
        Ok(current)
    }

    pub(super) fn open_file(
        folder: &Folder,
        path: &[&str],
    ) -> Result<(std::fs::File, u64), OpenProblem> {
        let (Some(root), Some(name)) = (&folder.root, path.last()) else {
            return Err(OpenProblem::NotFound);
        };
        let parent = open_parent(root, path)?;
        let dir = parent.as_ref().map_or(root.as_fd(), |fd| fd.as_fd());
        // NONBLOCK: opening a pipe for reading would otherwise wait for a writer; NOCTTY: a
        // terminal device does not become the process's terminal. Neither changes a file.
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
        let fd = rustix::fs::openat(dir, *name, flags, Mode::empty())
            .map_err(|e| problem(dir, name, path, path.len(), e))?;
        let stat = rustix::fs::fstat(&fd).map_err(|e| OpenProblem::Io(e.into()))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(OpenProblem::NotAFile);
        }
        Ok((std::fs::File::from(fd), stat.st_size as u64))
    }

    pub(super) fn list(folder: &Folder, path: &[&str]) -> Result<Vec<String>, OpenProblem> {
        let Some(root) = &folder.root else {
            return Err(OpenProblem::NotFound);
        };
        let dir = match open_folders(root, path, path.len())? {
            Some(fd) => fd,
            None => rustix::fs::openat(
                root,
                ".",
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| OpenProblem::Io(e.into()))?,
        };
        let mut names = Vec::new();
        for entry in rustix::fs::Dir::new(dir).map_err(|e| OpenProblem::Io(e.into()))? {
            let entry = entry.map_err(|e| OpenProblem::Io(e.into()))?;
            let Ok(name) = entry.file_name().to_str() else {
                continue;
            };
            if name != "." && name != ".." {
                names.push(name.to_string());
            }
        }
        Ok(names)
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{Folder, OpenProblem, prefix};

    /// Each component's own metadata, links not followed, before the path is opened.
    fn walk(folder: &Folder, path: &[&str]) -> Result<std::path::PathBuf, OpenProblem> {
        let Some(root) = &folder.root else {
            return Err(OpenProblem::NotFound);
        };
        let mut at = root.clone();
        for (i, name) in path.iter().enumerate() {
            at.push(name);
            let meta = std::fs::symlink_metadata(&at).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => OpenProblem::NotFound,
                _ => OpenProblem::Io(e),
            })?;
            if meta.file_type().is_symlink() {
                return Err(OpenProblem::Link {
                    at: prefix(path, i + 1),
                });
            }
            if i + 1 < path.len() && !meta.is_dir() {
                return Err(OpenProblem::NotAFolder {
                    at: prefix(path, i + 1),
                });
            }
        }
        Ok(at)
    }

    pub(super) fn open_file(
        folder: &Folder,
        path: &[&str],
    ) -> Result<(std::fs::File, u64), OpenProblem> {
        let at = walk(folder, path)?;
        let file = std::fs::File::open(&at).map_err(OpenProblem::Io)?;
        let meta = file.metadata().map_err(OpenProblem::Io)?;
        if !meta.is_file() {
            return Err(OpenProblem::NotAFile);
        }
        Ok((file, meta.len()))
    }

    pub(super) fn list(folder: &Folder, path: &[&str]) -> Result<Vec<String>, OpenProblem> {
        let at = walk(folder, path)?;
        let entries = std::fs::read_dir(at).map_err(OpenProblem::Io)?;
        Ok(entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn plan() -> (tempfile::TempDir, Folder) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("plan/bilag")).unwrap();
        std::fs::write(dir.path().join("plan/bilag/notat.pdf"), b"notat").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"secret").unwrap();
        let folder = Folder::open(&dir.path().join("plan")).unwrap();
        (dir, folder)
    }

    #[test]
    fn reads_a_file_of_the_folder() {
        let (_dir, folder) = plan();
        assert_eq!(folder.read(&["bilag", "notat.pdf"], 100).unwrap(), b"notat");
        assert!(matches!(
            folder.read(&["bilag", "nope.pdf"], 100),
            Err(OpenProblem::NotFound)
        ));
        assert!(matches!(
            folder.read(&["bilag"], 100),
            Err(OpenProblem::NotAFile)
        ));
        assert!(matches!(
            folder.read(&["bilag", "notat.pdf", "x"], 100),
            Err(OpenProblem::NotAFolder { at }) if at == "bilag/notat.pdf"
        ));
    }

    #[test]
    fn refuses_a_link_anywhere_in_the_path() {
        let (dir, folder) = plan();
        let plan = dir.path().join("plan");
        symlink(dir.path(), plan.join("linked")).unwrap();
        symlink(dir.path().join("outside.txt"), plan.join("bilag/link.pdf")).unwrap();
        match folder.read(&["linked", "outside.txt"], 100) {
            Err(OpenProblem::Link { at }) => assert_eq!(at, "linked"),
            other => panic!("{other:?}"),
        }
        match folder.read(&["bilag", "link.pdf"], 100) {
            Err(OpenProblem::Link { at }) => assert_eq!(at, "bilag/link.pdf"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            folder.list(&["linked"]),
            Err(OpenProblem::Link { .. })
        ));
    }

    #[test]
    fn follows_a_link_to_the_plan_folder_itself() {
        let (dir, _) = plan();
        symlink(dir.path().join("plan"), dir.path().join("via-link")).unwrap();
        let folder = Folder::open(&dir.path().join("via-link")).unwrap();
        assert_eq!(folder.read(&["bilag", "notat.pdf"], 100).unwrap(), b"notat");
    }

    #[test]
    fn refuses_a_file_over_the_limit() {
        let (_dir, folder) = plan();
        assert!(matches!(
            folder.read(&["bilag", "notat.pdf"], 4),
            Err(OpenProblem::TooLarge { size: 5 })
        ));
        assert!(folder.read(&["bilag", "notat.pdf"], 5).is_ok());
    }

    #[test]
    fn lists_a_folder_and_a_missing_one() {
        let (dir, folder) = plan();
        assert_eq!(folder.list(&["bilag"]).unwrap(), vec!["notat.pdf"]);
        let mut top = folder.list(&[]).unwrap();
        top.sort();
        assert_eq!(top, vec!["bilag"]);
        assert!(matches!(folder.list(&["nope"]), Err(OpenProblem::NotFound)));
        let missing = Folder::open(&dir.path().join("no-plan")).unwrap();
        assert!(matches!(
            missing.read(&["plan.toml"], 100),
            Err(OpenProblem::NotFound)
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn does_not_wait_on_a_pipe() {
        let (dir, folder) = plan();
        let fifo = dir.path().join("plan/bilag/pipe.pdf");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        assert!(matches!(
            folder.read(&["bilag", "pipe.pdf"], 100),
            Err(OpenProblem::NotAFile)
        ));
    }

    /// A limit as large as a u64 holds reads the file (it overflowed: found by
    /// tests/structured_plans.rs with `max_attachment_mb = 17592186044416`).
    #[test]
    fn the_largest_limit_reads_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"%PDF").unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        assert_eq!(
            folder.read(&["a.pdf"], u64::MAX).ok(),
            Some(b"%PDF".to_vec())
        );
        assert!(matches!(
            folder.read(&["a.pdf"], 3),
            Err(OpenProblem::TooLarge { size: 4 })
        ));
    }
}
