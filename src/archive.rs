//! The append-only archive of what was sent: archive/<meeting>/<version>/ holds a meeting's
//! papers as built, with manifest.json. A version is never changed or removed; archiving an
//! unchanged build adds nothing; `verify` re-hashes everything.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::hash::{hash_of, sha256_hex};
use crate::output::OutputDir;
use crate::output::record::{BuildRecord, file_matches};

pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ArchiveManifest {
    pub meeting: String,
    pub version: u32,
    /// The day it was archived (`--today`, else the real date).
    pub archived: String,
    pub udvalg: String,
    /// sha256 over the plan's files.
    pub plan_data: String,
    /// sha256 over the template files the papers were rendered with.
    pub templates: String,
    pub files: Vec<ArchivedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ArchivedFile {
    /// Relative to the version's folder, as in output/<meeting>/.
    pub path: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug)]
pub enum Archived {
    /// A new version with this many files.
    Added { version: u32, files: usize },
    /// The newest version already holds exactly these files.
    Unchanged { version: u32 },
}

/// Why a meeting cannot be archived: a problem for the user to fix, not a system error.
#[derive(Debug)]
pub enum ArchiveError {
    NothingBuilt,
    Stale(Vec<String>),
    Io(io::Error),
}

impl From<io::Error> for ArchiveError {
    fn from(e: io::Error) -> Self {
        ArchiveError::Io(e)
    }
}

/// Archives the papers of `meeting` that the build record lists, if they are all on disk as
/// built. The new version is assembled in a temporary folder and renamed into place.
pub fn archive_meeting(
    out: &OutputDir,
    root: &Path,
    meeting: &str,
    plan_data: &str,
    archived: &str,
) -> Result<Archived, ArchiveError> {
    let record = BuildRecord::load(out);
    let prefix = format!("{meeting}/");
    let entries: Vec<(&String, _)> = record
        .documents
        .iter()
        .filter(|(_, e)| e.meeting.as_deref() == Some(meeting))
        .collect();
    if entries.is_empty() {
        return Err(ArchiveError::NothingBuilt);
    }
    let stale: Vec<String> = entries
        .iter()
        .filter(|(path, entry)| !file_matches(out, path, entry))
        .map(|(path, _)| path.to_string())
        .collect();
    if !stale.is_empty() {
        return Err(ArchiveError::Stale(stale));
    }
    // The template files the papers were rendered from, all together.
    let mut read = std::collections::BTreeMap::new();
    for (_, entry) in &entries {
        read.extend(entry.templates.clone());
    }
    let templates = hash_of(&read);
    let files: Vec<ArchivedFile> = entries
        .iter()
        .map(|(path, entry)| ArchivedFile {
            path: path.strip_prefix(&prefix).unwrap_or(path).to_string(),
            kind: entry.kind.clone(),
            size: entry.size,
            sha256: entry.sha256.clone(),
        })
        .collect();

    let meeting_dir = root.join(meeting);
    let versions = versions(&meeting_dir)?;
    if let Some(&newest) = versions.last() {
        let manifest = read_manifest(&meeting_dir.join(newest.to_string()))?;
        if manifest.files == files {
            return Ok(Archived::Unchanged { version: newest });
        }
    }
    let version = versions.last().map_or(1, |v| v + 1);
    let manifest = ArchiveManifest {
        meeting: meeting.to_string(),
        version,
        archived: archived.to_string(),
        udvalg: env!("CARGO_PKG_VERSION").to_string(),
        plan_data: plan_data.to_string(),
        templates,
        files,
    };

    std::fs::create_dir_all(&meeting_dir)?;
    let staging = tempfile::Builder::new()
        .prefix(".udvalg-")
        .tempdir_in(&meeting_dir)?;
    for (path, _) in &entries {
        let relative = path.strip_prefix(&prefix).unwrap_or(path);
        let to = staging.path().join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let bytes = std::fs::read(out.target(path)?)?;
        std::fs::write(&to, bytes)?;
    }
    let mut json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    json.push(b'\n');
    std::fs::write(staging.path().join(MANIFEST), json)?;
    let target = meeting_dir.join(version.to_string());
    if target.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; the archive never overwrites", target.display()),
        )
        .into());
    }
    // A rename is atomic: the version appears whole or not at all.
    std::fs::rename(staging.keep(), &target)?;
    Ok(Archived::Added {
        version,
        files: manifest.files.len(),
    })
}

/// The version numbers under a meeting's folder, ascending.
pub fn versions(meeting_dir: &Path) -> io::Result<Vec<u32>> {
    let mut versions: Vec<u32> = match std::fs::read_dir(meeting_dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    versions.sort_unstable();
    Ok(versions)
}

pub fn read_manifest(version_dir: &Path) -> io::Result<ArchiveManifest> {
    let bytes = std::fs::read(version_dir.join(MANIFEST))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", version_dir.join(MANIFEST).display()),
        )
    })
}

/// Every archived version: (meeting, version, manifest or the reason it cannot be read).
pub fn list(root: &Path) -> io::Result<Vec<(String, u32, io::Result<ArchiveManifest>)>> {
    let mut meetings: Vec<String> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(|e| {
                let e = e.ok()?;
                e.file_type().ok()?.is_dir().then_some(())?;
                e.file_name().into_string().ok()
            })
            .filter(|name| !name.starts_with('.'))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    meetings.sort();
    let mut out = Vec::new();
    for meeting in meetings {
        for version in versions(&root.join(&meeting))? {
            let manifest = read_manifest(&root.join(&meeting).join(version.to_string()));
            out.push((meeting.clone(), version, manifest));
        }
    }
    Ok(out)
}

/// What `verify` found wrong, each with its path under the archive.
#[derive(Debug, Default)]
pub struct Findings {
    pub missing: Vec<PathBuf>,
    pub modified: Vec<PathBuf>,
    pub unknown: Vec<PathBuf>,
    pub unreadable: Vec<String>,
    pub checked: usize,
}

impl Findings {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty()
            && self.modified.is_empty()
            && self.unknown.is_empty()
            && self.unreadable.is_empty()
    }
}

/// Re-hashes every archived file against its manifest.
pub fn verify(root: &Path) -> io::Result<Findings> {
    let mut findings = Findings::default();
    for (meeting, version, manifest) in list(root)? {
        let dir = root.join(&meeting).join(version.to_string());
        let manifest = match manifest {
            Ok(m) => m,
            Err(e) => {
                findings.unreadable.push(e.to_string());
                continue;
            }
        };
        let mut known: BTreeSet<PathBuf> = BTreeSet::from([dir.join(MANIFEST)]);
        for file in &manifest.files {
            let path = dir.join(&file.path);
            known.insert(path.clone());
            findings.checked += 1;
            match std::fs::read(&path) {
                Ok(bytes)
                    if bytes.len() as u64 == file.size && sha256_hex(&bytes) == file.sha256 => {}
                Ok(_) => findings.modified.push(path),
                Err(_) => findings.missing.push(path),
            }
        }
        let mut present = Vec::new();
        walk(&dir, &mut present)?;
        findings
            .unknown
            .extend(present.into_iter().filter(|p| !known.contains(p)));
    }
    Ok(findings)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if std::fs::symlink_metadata(&path)?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
