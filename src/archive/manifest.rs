//! A version's manifest.json: what the version holds and what it was made from, and the hash of
//! the meeting's previous manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use crate::hash::sha256_hex;

pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ArchiveManifest {
    pub meeting: String,
    pub version: u32,
    /// The day it was archived (`--today`, else the real date).
    pub archived: String,
    pub udvalg: String,
    /// Who sent the papers: the municipality, and the body that meets.
    pub municipality: String,
    pub committee: String,
    /// The meeting's day, and the day its agenda goes to the members by the plan's calendar
    /// rules (the day the papers speak from).
    pub meeting_date: String,
    pub send_out: String,
    /// sha256 over the plan's files when the papers were built (`Plan::data_hash`).
    pub plan_data: String,
    /// The sha256 of each plan file then, by its path in the plan folder: `sha256sum` of the
    /// plan's files gives them.
    pub plan_files: BTreeMap<String, String>,
    /// sha256 over the template files the papers were rendered with.
    pub templates: String,
    /// The sha256 of the manifest.json of the meeting's previous version; none for version 1.
    pub previous: Option<String>,
    pub files: Vec<ArchivedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ArchivedFile {
    /// Relative to the version's folder: as in output/<meeting>/, and a consultation package
    /// under consultations/<id>/.
    pub path: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

impl ArchiveManifest {
    /// The manifest as its file holds it.
    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("a manifest is plain data");
        json.push(b'\n');
        json
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("not a manifest: {e}"))
    }
}

/// A manifest read from a version folder: the manifest, and the sha256 of its bytes.
pub struct ReadManifest {
    pub manifest: ArchiveManifest,
    pub sha256: String,
}

/// Reads `dir/manifest.json`, refusing a link.
pub fn read_manifest(dir: &Path) -> io::Result<ReadManifest> {
    let path = dir.join(MANIFEST);
    let bytes = read_regular(&path)?;
    let manifest = ArchiveManifest::from_json(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })?;
    Ok(ReadManifest {
        manifest,
        sha256: sha256_hex(&bytes),
    })
}

/// The bytes of a regular file; a link or a folder is an error.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is a link", path.display()),
        ));
    }
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a file", path.display()),
        ));
    }
    std::fs::read(path)
}

/// Why a manifest's path may not be followed: it must name a file inside the version folder,
/// plainly (no `..`, `.`, absolute path or empty part), and not the manifest itself.
pub fn path_problem(path: &str) -> Option<&'static str> {
    let p = Path::new(path);
    if path.is_empty() {
        return Some("an empty path");
    }
    if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') {
        return Some("an absolute path");
    }
    if path.contains('\\') || path.contains('\0') {
        return Some("a path with a backslash or a zero byte");
    }
    if path.split('/').any(|part| part == "..") {
        return Some("a path that leaves the version folder (`..`)");
    }
    if path.split('/').any(|part| part.is_empty() || part == ".")
        || !p.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return Some("a path with an empty or `.` part");
    }
    if path == MANIFEST {
        return Some("the manifest itself");
    }
    None
}

/// Every problem with a manifest's list of files: paths that may not be followed, and paths
/// listed more than once. Each with the path.
pub fn list_problems(manifest: &ArchiveManifest) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for file in &manifest.files {
        if let Some(problem) = path_problem(&file.path) {
            problems.push((
                file.path.clone(),
                format!("the manifest names {problem}; it is not followed"),
            ));
        } else if !seen.insert(file.path.as_str()) {
            problems.push((
                file.path.clone(),
                "listed more than once in the manifest".to_string(),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_are_followed() {
        for bad in [
            "",
            "/etc/passwd",
            "../x.pdf",
            "a/../../x.pdf",
            "a//b.pdf",
            "./a.pdf",
            "a/./b.pdf",
            "manifest.json",
            "a\\..\\b",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "a.pdf",
            "bilag/a.pdf",
            "consultations/h/manifest.json",
            "..a.pdf",
        ] {
            assert_eq!(path_problem(good), None, "{good}");
        }
    }
}
