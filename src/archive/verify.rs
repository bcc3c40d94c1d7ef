//! `archive verify`: every file against its manifest, every manifest against its folder, the
//! meeting's previous manifest and the log, the log's chain and signatures, and nothing in the
//! archive that is not part of it. Each problem is named with its path.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::keys::{self, PublicKey};
use super::log::{LOG, Log};
use super::manifest::{
    ArchiveManifest, MANIFEST, ReadManifest, list_problems, path_problem, read_manifest,
};
use super::{PENDING, Pending, is_leftover, version_number};
use crate::hash::Hasher;
use crate::output::lock::LOCK_FILE;

/// One thing wrong, at its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.what)
    }
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Findings {
    pub problems: Vec<Problem>,
    /// Files re-hashed against their manifests.
    pub checked: usize,
    pub versions: usize,
    /// Log entries, and how many of them are signed (with the given key, when one is given).
    pub entries: usize,
    pub signed: usize,
    /// Unsigned entries before the first one signed with the given key: the signed entries
    /// vouch for them through the chain.
    pub unsigned_before_signing: usize,
    /// sha256 of the log's last line: write it down elsewhere to catch a cut-off tail later.
    pub head: Option<String>,
    /// `--head` was given and the log holds an entry with that hash.
    pub head_found: Option<bool>,
}

impl Findings {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, path: impl Into<PathBuf>, what: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            what: what.into(),
        });
    }
}

/// A version folder as found.
struct Version {
    dir: PathBuf,
    manifest: Option<ReadManifest>,
}

/// What `verify` checks beyond the archive itself.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checks<'a> {
    /// Every log entry from the first one signed with this key on must be signed with it.
    pub public_key: Option<&'a PublicKey>,
    /// The log must hold an entry of this hash (a head written down earlier).
    pub head: Option<&'a str>,
    /// Only this meeting's versions (the whole log is still checked): for a bag of one meeting.
    pub meeting: Option<&'a str>,
}

/// Verifies the archive in `root`.
pub fn verify(root: &Path, checks: Checks) -> io::Result<Findings> {
    let Checks {
        public_key,
        head,
        meeting,
    } = checks;
    let mut findings = Findings::default();
    let pending = read_pending(root, &mut findings);
    let mut versions: BTreeMap<(String, u32), Version> = BTreeMap::new();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => sorted(entries)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    for (name, path) in entries {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            findings.problem(&path, "a link; the archive holds no links");
        } else if name == LOG || name == LOCK_FILE {
            if !meta.is_file() {
                findings.problem(&path, "not a file");
            }
        } else if name == PENDING {
        } else if is_leftover(&name) {
            findings.problem(
                &path,
                "left by an archive run that was stopped; the next `udvalg archive` removes it",
            );
        } else if meta.is_dir() && !name.starts_with('.') {
            if meeting.is_none_or(|m| m == name) {
                meeting_folder(&path, &name, &mut versions, &mut findings)?;
            }
        } else {
            findings.problem(
                &path,
                "not part of the archive (files belong in version folders)",
            );
        }
    }

    for ((meeting, number), version) in &mut versions {
        check_version(meeting, *number, version, &mut findings)?;
    }
    check_previous(&versions, &mut findings);
    check_log(
        root,
        &versions,
        pending.as_ref(),
        Checks {
            public_key,
            head,
            meeting,
        },
        &mut findings,
    )?;
    findings.versions = versions.len();
    Ok(findings)
}

fn read_pending(root: &Path, findings: &mut Findings) -> Option<Pending> {
    let path = root.join(PENDING);
    std::fs::symlink_metadata(&path).ok()?;
    findings.problem(
        &path,
        "an archive run was stopped before it finished; the next `udvalg archive` finishes it",
    );
    Pending::read(root).ok()
}

fn sorted(entries: std::fs::ReadDir) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            entry.path(),
        ));
    }
    out.sort();
    Ok(out)
}

fn meeting_folder(
    dir: &Path,
    meeting: &str,
    versions: &mut BTreeMap<(String, u32), Version>,
    findings: &mut Findings,
) -> io::Result<()> {
    let entries = sorted(std::fs::read_dir(dir)?)?;
    if entries.is_empty() {
        findings.problem(dir, "a meeting folder without versions");
    }
    for (name, path) in entries {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            findings.problem(&path, "a link; the archive holds no links");
        } else if is_leftover(&name) {
            findings.problem(
                &path,
                "left by an archive run that was stopped; the next `udvalg archive` removes it",
            );
        } else if let (Some(number), true) = (version_number(&name), meta.is_dir()) {
            versions.insert(
                (meeting.to_string(), number),
                Version {
                    dir: path,
                    manifest: None,
                },
            );
        } else {
            findings.problem(
                &path,
                "not a version folder (a meeting folder holds only folders 1, 2, ...)",
            );
        }
    }
    Ok(())
}

/// The version's manifest against its folder's name, and every file against the manifest.
fn check_version(
    meeting: &str,
    number: u32,
    version: &mut Version,
    findings: &mut Findings,
) -> io::Result<()> {
    let dir = version.dir.clone();
    let read = match read_manifest(&dir) {
        Ok(read) => read,
        Err(e) => {
            let what = match e.kind() {
                io::ErrorKind::NotFound => "missing: every version has a manifest".to_string(),
                _ => format!("cannot be read: {e}"),
            };
            findings.problem(dir.join(MANIFEST), what);
            return Ok(());
        }
    };
    let manifest = &read.manifest;
    if manifest.meeting != meeting {
        findings.problem(
            &dir,
            format!(
                "the manifest is of meeting {}, not of {meeting}: copied in from elsewhere?",
                manifest.meeting
            ),
        );
    }
    if manifest.version != number {
        findings.problem(
            &dir,
            format!(
                "the manifest is of version {}, not {number}: renamed?",
                manifest.version
            ),
        );
    }
    check_contents_into(&dir, manifest, findings)?;
    version.manifest = Some(read);
    Ok(())
}

/// The files of a version folder against its manifest: the staging folder of a new version is
/// checked with this before it goes in place.
pub(super) fn check_contents(dir: &Path, manifest: &ArchiveManifest) -> io::Result<Vec<Problem>> {
    let mut findings = Findings::default();
    check_contents_into(dir, manifest, &mut findings)?;
    Ok(findings.problems)
}

fn check_contents_into(
    dir: &Path,
    manifest: &ArchiveManifest,
    findings: &mut Findings,
) -> io::Result<()> {
    for (path, what) in list_problems(manifest) {
        findings.problem(dir.join(&path), what);
    }
    let mut known: BTreeSet<PathBuf> = BTreeSet::from([dir.join(MANIFEST)]);
    // A path that may not be followed is not; one listed twice is checked as listed.
    for file in manifest
        .files
        .iter()
        .filter(|f| path_problem(&f.path).is_none())
    {
        let path = dir.join(&file.path);
        known.insert(path.clone());
        findings.checked += 1;
        match hash_regular(dir, &file.path) {
            Ok(Some((size, sha256))) if size == file.size && sha256 == file.sha256 => {}
            Ok(Some(_)) => findings.problem(&path, "modified"),
            Ok(None) => findings.problem(&path, "missing"),
            Err(what) => findings.problem(&path, what),
        }
    }
    let mut present = Vec::new();
    walk(dir, &mut present, findings)?;
    for path in present.into_iter().filter(|p| !known.contains(p)) {
        findings.problem(path, "not in its manifest");
    }
    Ok(())
}

/// The size and sha256 of `dir/relative`, read through no link; `None` if it is not there.
fn hash_regular(dir: &Path, relative: &str) -> Result<Option<(u64, String)>, String> {
    let mut path = dir.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{}a link; the archive holds no links",
                    if i + 1 < parts.len() {
                        "in a folder that is "
                    } else {
                        ""
                    }
                ));
            }
            Ok(meta) if i + 1 < parts.len() && !meta.is_dir() => return Ok(None),
            Ok(meta) if i + 1 == parts.len() && !meta.is_file() => {
                return Err("not a file".into());
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot be read: {e}")),
        }
    }
    let mut file = std::fs::File::open(&path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut hasher = Hasher::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("cannot be read: {e}"))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok(Some((size, hasher.finish())))
}

/// Every file below `dir`, not following links (a link is a problem of its own).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, findings: &mut Findings) -> io::Result<()> {
    for (_, path) in sorted(std::fs::read_dir(dir)?)? {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            // Named once: as a listed file it was reported already.
            if !findings.problems.iter().any(|p| p.path == path) {
                findings.problem(&path, "a link; the archive holds no links");
            }
        } else if meta.is_dir() {
            walk(&path, out, findings)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Each version names its meeting's previous manifest; versions are numbered from 1 without
/// gaps.
fn check_previous(versions: &BTreeMap<(String, u32), Version>, findings: &mut Findings) {
    for ((meeting, number), version) in versions {
        let Some(read) = &version.manifest else {
            continue;
        };
        let before = number
            .checked_sub(1)
            .filter(|n| *n > 0)
            .map(|n| versions.get(&(meeting.clone(), n)));
        match (before, &read.manifest.previous) {
            (None, None) => {}
            (None, Some(_)) => findings.problem(
                version.dir.join(MANIFEST),
                "version 1 names a previous version",
            ),
            (Some(None), _) => findings.problem(
                version.dir.with_file_name((number - 1).to_string()),
                format!("missing: version {number} follows it"),
            ),
            (Some(Some(previous)), named) => {
                let actual = previous.manifest.as_ref().map(|m| &m.sha256);
                if named.as_ref() != actual {
                    findings.problem(
                        version.dir.join(MANIFEST),
                        format!(
                            "does not name the manifest of version {} as its previous one",
                            number - 1
                        ),
                    );
                }
            }
        }
    }
}

/// The log's chain and signatures, and the log against the version folders.
fn check_log(
    root: &Path,
    versions: &BTreeMap<(String, u32), Version>,
    pending: Option<&Pending>,
    checks: Checks,
    findings: &mut Findings,
) -> io::Result<()> {
    let Checks {
        public_key,
        head,
        meeting,
    } = checks;
    let log_path = root.join(LOG);
    let log = match Log::read(root) {
        Ok(log) => log,
        Err(e) => {
            findings.problem(&log_path, format!("cannot be read: {e}"));
            Log {
                lines: Vec::new(),
                torn_tail: None,
            }
        }
    };
    if log.lines.is_empty() && !versions.is_empty() && log_path.exists() {
        findings.problem(&log_path, "holds no entry, but the archive holds versions");
    } else if !log_path.exists() && !versions.is_empty() {
        findings.problem(
            &log_path,
            match pending {
                Some(_) => "not yet written: the archive run of the first version was stopped",
                None => "missing: the archive holds versions",
            },
        );
    }
    if log.torn_tail.is_some() {
        findings.problem(
            &log_path,
            "ends in the middle of an entry (a write cut short)",
        );
    }
    let at = |number: usize| format!("line {number}: ");
    let wanted_key = public_key.map(keys::public_hex);
    let mut previous_line: Option<String> = None;
    let mut logged: BTreeMap<(String, u32), (usize, String)> = BTreeMap::new();
    let mut count: BTreeMap<&str, u32> = BTreeMap::new();
    let mut signing_began = false;
    let mut previous_day: Option<String> = None;
    for line in &log.lines {
        findings.entries += 1;
        let entry = match &line.entry {
            Ok(entry) => entry,
            Err(e) => {
                findings.problem(&log_path, format!("{}{e}", at(line.number)));
                previous_line = Some(line.sha256());
                continue;
            }
        };
        if entry.seq != line.number as u64 {
            findings.problem(
                &log_path,
                format!(
                    "{}the entry says it is number {}: entries were removed or reordered",
                    at(line.number),
                    entry.seq
                ),
            );
        }
        if entry.previous != previous_line {
            findings.problem(
                &log_path,
                format!(
                    "{}does not name the line before it: the log was changed before this line",
                    at(line.number)
                ),
            );
        }
        previous_line = Some(line.sha256());
        if let Some(before) = &previous_day
            && entry.archived < *before
        {
            findings.problem(
                &log_path,
                format!(
                    "{}archived on {}, before the entry before it ({before}): the log's days \
                     never go back",
                    at(line.number),
                    entry.archived
                ),
            );
        }
        previous_day = Some(entry.archived.clone());
        match entry.signature_holds() {
            Some(false) => findings.problem(
                &log_path,
                format!(
                    "{}the signature does not hold: the entry was changed after it was signed",
                    at(line.number)
                ),
            ),
            Some(true) if wanted_key.is_none() => findings.signed += 1,
            _ => {}
        }
        if let Some(wanted) = &wanted_key {
            let by_wanted =
                entry.key.as_ref() == Some(wanted) && entry.signature_holds() == Some(true);
            signing_began |= by_wanted;
            if by_wanted {
                findings.signed += 1;
            } else if signing_began {
                findings.problem(
                    &log_path,
                    format!(
                        "{}not signed with the given public key, though entries before it are",
                        at(line.number)
                    ),
                );
            } else {
                findings.unsigned_before_signing += 1;
            }
        }
        let n = count.entry(entry.meeting.as_str()).or_default();
        *n += 1;
        if entry.version != *n {
            findings.problem(
                &log_path,
                format!(
                    "{}version {} of {} out of order: the log's {} entry for it should be version {}",
                    at(line.number),
                    entry.version,
                    entry.meeting,
                    ordinal(*n),
                    *n
                ),
            );
        }
        let key = (entry.meeting.clone(), entry.version);
        if let Some((first, _)) = logged.get(&key) {
            findings.problem(
                &log_path,
                format!(
                    "{}version {} of {} is logged twice (first on line {first})",
                    at(line.number),
                    entry.version,
                    entry.meeting
                ),
            );
            continue;
        }
        logged.insert(key.clone(), (line.number, entry.manifest.clone()));
        let dir = root.join(&entry.meeting).join(entry.version.to_string());
        match versions.get(&key) {
            None if meeting.is_some_and(|m| m != entry.meeting) => {}
            None => findings.problem(
                &dir,
                format!("missing: the log holds it (line {})", line.number),
            ),
            Some(version) => {
                if let Some(read) = &version.manifest {
                    if read.sha256 != entry.manifest {
                        findings.problem(
                            dir.join(MANIFEST),
                            format!(
                                "not the manifest the log holds (line {}): changed after it was \
                                 archived",
                                line.number
                            ),
                        );
                    } else if read.manifest.archived != entry.archived
                        || read.manifest.files.len() != entry.files
                    {
                        findings.problem(
                            &log_path,
                            format!(
                                "{}the entry's day or file count is not its manifest's",
                                at(line.number)
                            ),
                        );
                    }
                }
            }
        }
    }
    if let Some(wanted) = &wanted_key
        && !signing_began
        && findings.entries > 0
    {
        findings.problem(
            &log_path,
            format!("no entry is signed with the public key {wanted}"),
        );
    }
    for (key, version) in versions {
        if logged.contains_key(key) {
            continue;
        }
        let stopped = pending.is_some_and(|p| p.target == format!("{}/{}", key.0, key.1));
        findings.problem(
            &version.dir,
            if stopped {
                "not yet in the log: its archive run was stopped; the next `udvalg archive` \
                 finishes it"
            } else {
                "not in the log: added, copied in or renamed after the log was written"
            },
        );
    }
    findings.head = log.head();
    if let Some(head) = head {
        let found = log.lines.iter().any(|l| l.sha256() == head);
        findings.head_found = Some(found);
        if !found {
            findings.problem(
                &log_path,
                format!("holds no entry whose sha256 is {head}: entries were removed or changed"),
            );
        }
    }
    Ok(())
}

fn ordinal(n: u32) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}
