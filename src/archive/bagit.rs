//! `archive export --bagit DIR`: the archive, or one meeting of it, as a BagIt bag (RFC 8493)
//! for a records archive: bagit.txt, bag-info.txt (who sent it, which meetings, when they were
//! archived), manifest-sha256.txt, tagmanifest-sha256.txt, and under data/ every version folder
//! as archived with the whole log. Only an archive that verifies is exported, and every file is
//! hashed as it is copied and compared with its manifest.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use super::log::{LOG, Log, LogEntry};
use super::manifest::{ArchiveManifest, MANIFEST, read_regular};
use super::{Checks, Problem, copy_hashing, sync_tree, verify, write_synced};
use crate::hash::sha256_hex;

/// What was exported.
#[derive(Debug)]
pub struct Exported {
    pub versions: usize,
    /// Payload files and their bytes, as Payload-Oxum counts them.
    pub files: usize,
    pub bytes: u64,
}

#[derive(Debug)]
pub enum ExportError {
    /// The archive does not verify: nothing is exported.
    Unverified(Vec<Problem>),
    /// No version of this meeting is archived; the meetings that are.
    NoSuchMeeting(String, Vec<String>),
    Empty,
    Exists(PathBuf),
    Io(io::Error),
}

impl From<io::Error> for ExportError {
    fn from(e: io::Error) -> Self {
        ExportError::Io(e)
    }
}

/// Writes the bag to `dest`, which must not exist: assembled beside it and renamed into place.
pub fn export(
    root: &Path,
    dest: &Path,
    meeting: Option<&str>,
    bagging_date: &str,
) -> Result<Exported, ExportError> {
    let findings = verify(root, Checks::default())?;
    if !findings.is_clean() {
        return Err(ExportError::Unverified(findings.problems));
    }
    let log = Log::read(root)?;
    let entries: Vec<&LogEntry> = log
        .lines
        .iter()
        .filter_map(|l| l.entry.as_ref().ok())
        .collect();
    let selected: Vec<&LogEntry> = entries
        .iter()
        .copied()
        .filter(|e| meeting.is_none_or(|m| e.meeting == m))
        .collect();
    if selected.is_empty() {
        return Err(match meeting {
            Some(m) => ExportError::NoSuchMeeting(
                m.to_string(),
                entries
                    .iter()
                    .map(|e| e.meeting.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            ),
            None => ExportError::Empty,
        });
    }
    if std::fs::symlink_metadata(dest).is_ok() {
        return Err(ExportError::Exists(dest.to_path_buf()));
    }
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let bag = tempfile::Builder::new()
        .prefix(".udvalg-bag-")
        .tempdir_in(&parent)?;
    let data = bag.path().join("data");

    // (path in the bag, sha256, size) of every payload file.
    let mut payload: Vec<(String, String, u64)> = Vec::new();
    let mut manifests: Vec<ArchiveManifest> = Vec::new();
    for entry in &selected {
        let folder = format!("{}/{}", entry.meeting, entry.version);
        let dir = root.join(&folder);
        let bytes = read_regular(&dir.join(MANIFEST))?;
        let manifest = ArchiveManifest::from_json(&bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if sha256_hex(&bytes) != entry.manifest {
            return Err(changed(&dir.join(MANIFEST)));
        }
        write_synced(&data.join(&folder).join(MANIFEST), &bytes)?;
        payload.push((
            format!("data/{folder}/{MANIFEST}"),
            entry.manifest.clone(),
            bytes.len() as u64,
        ));
        for file in &manifest.files {
            let from = dir.join(&file.path);
            match copy_hashing(&from, &data.join(&folder).join(&file.path))? {
                Ok((size, sha256)) if size == file.size && sha256 == file.sha256 => {
                    payload.push((format!("data/{folder}/{}", file.path), sha256, size));
                }
                _ => return Err(changed(&from)),
            }
        }
        manifests.push(manifest);
    }
    let log_bytes = read_regular(&root.join(LOG))?;
    write_synced(&data.join(LOG), &log_bytes)?;
    payload.push((
        format!("data/{LOG}"),
        sha256_hex(&log_bytes),
        log_bytes.len() as u64,
    ));
    payload.sort();

    let exported = Exported {
        versions: selected.len(),
        files: payload.len(),
        bytes: payload.iter().map(|(_, _, size)| size).sum(),
    };
    let tags = [
        (
            "bagit.txt",
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string(),
        ),
        (
            "bag-info.txt",
            bag_info(&manifests, &exported, bagging_date, log.head()),
        ),
        (
            "manifest-sha256.txt",
            payload
                .iter()
                .map(|(path, sha256, _)| format!("{sha256}  {}\n", encode_path(path)))
                .collect(),
        ),
    ];
    let mut tag_manifest = String::new();
    for (name, text) in &tags {
        write_synced(&bag.path().join(name), text.as_bytes())?;
        tag_manifest.push_str(&format!("{}  {name}\n", sha256_hex(text.as_bytes())));
    }
    write_synced(
        &bag.path().join("tagmanifest-sha256.txt"),
        tag_manifest.as_bytes(),
    )?;
    sync_tree(bag.path())?;
    let made = bag.keep();
    if let Err(e) = std::fs::rename(&made, dest) {
        let _ = std::fs::remove_dir_all(&made);
        return Err(e.into());
    }
    super::sync_dir(&parent)?;
    Ok(exported)
}

fn changed(path: &Path) -> ExportError {
    ExportError::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} changed while it was exported; nothing was exported",
            path.display()
        ),
    ))
}

/// Who sent the papers, which meetings they are of, and when they were archived.
fn bag_info(
    manifests: &[ArchiveManifest],
    exported: &Exported,
    bagging_date: &str,
    head: Option<String>,
) -> String {
    let distinct = |f: &dyn Fn(&ArchiveManifest) -> String| -> Vec<String> {
        manifests
            .iter()
            .map(f)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let municipalities = distinct(&|m| m.municipality.clone());
    let committees = distinct(&|m| m.committee.clone());
    let meetings = distinct(&|m| {
        format!(
            "{} (meeting {}, agenda sent {})",
            m.meeting, m.meeting_date, m.send_out
        )
    });
    let archived = distinct(&|m| m.archived.clone());
    let meeting_dates = distinct(&|m| m.meeting_date.clone());
    let mut lines: Vec<(&str, String)> = Vec::new();
    for m in &municipalities {
        lines.push(("Source-Organization", m.clone()));
    }
    lines.push((
        "External-Description",
        format!(
            "Meeting papers as sent by {} of {}, archived by udvalg: {} versions of {} meetings, \
             with the archive's log",
            committees.join(", "),
            municipalities.join(", "),
            manifests.len(),
            meetings.len()
        ),
    ));
    lines.push(("Bagging-Date", bagging_date.to_string()));
    for c in &committees {
        lines.push(("Committee", c.clone()));
    }
    for m in &meetings {
        lines.push(("Meeting", m.clone()));
    }
    if let (Some(first), Some(last)) = (meeting_dates.first(), meeting_dates.last()) {
        lines.push(("Meeting-Dates", format!("{first} to {last}")));
    }
    if let (Some(first), Some(last)) = (archived.first(), archived.last()) {
        lines.push(("Archived-Dates", format!("{first} to {last}")));
    }
    if let Some(head) = head {
        lines.push(("Archive-Log-Head-Sha256", head));
    }
    lines.push((
        "Bag-Software-Agent",
        format!("udvalg {}", env!("CARGO_PKG_VERSION")),
    ));
    lines.push((
        "Payload-Oxum",
        format!("{}.{}", exported.bytes, exported.files),
    ));
    lines
        .into_iter()
        .map(|(label, value)| format!("{label}: {}\n", one_line(&value)))
        .collect()
}

fn one_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// A path as a BagIt manifest writes it: `%`, CR and LF percent-encoded (RFC 8493, 2.1.3).
fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_are_percent_encoded() {
        assert_eq!(encode_path("data/a%b\nc\rd.pdf"), "data/a%25b%0Ac%0Dd.pdf");
    }
}
