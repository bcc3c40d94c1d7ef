//! The append-only archive of what was sent: archive/<meeting>/<version>/ holds a meeting's
//! papers, copied attachments and the consultation packages sent after it, as built, with
//! manifest.json; archive/log.jsonl chains every version, in the order they were archived.
//! A version is never changed or removed; archiving an unchanged build adds nothing; `verify`
//! re-hashes everything and checks every manifest against its folder, the chain and the log.
//!
//! A run holds the output folder's lock and the archive's. It first finishes or clears what a
//! stopped run left, and verifies the archive: nothing is added to an archive that does not
//! verify. A version is copied into a staging folder, each file hashed as it is copied and
//! compared with the build record; the copy is verified; then a pending note names the log
//! entry to come, the folder is renamed into place and the entry appended. A run stopped
//! anywhere leaves the archive as it was, or a pending note the next run finishes.

pub mod bagit;
pub mod keys;
pub mod log;
pub mod manifest;
pub mod verify;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use self::keys::SecretKey;
use self::log::{Log, LogEntry};
pub use self::manifest::{ArchiveManifest, ArchivedFile, MANIFEST, read_manifest};
pub use self::verify::{Checks, Findings, Problem, verify};
use crate::hash::{Hasher, hash_of, sha256_hex};
use crate::output::OutputDir;
use crate::output::journal::{STAGING_PREFIX, TEMP_PREFIX, TEMP_SUFFIX};
use crate::output::record::{BuildRecord, RecordEntry, plan_files};
use crate::plan::Plan;

/// Kept in the archive while a version is being put in place: the log entry to come.
pub const PENDING: &str = ".udvalg-pending.json";

/// What a consultation's package is called in a version.
const PACKAGE_MANIFEST_KIND: &str = "consultation-manifest";
const PACKAGE_ZIP_KIND: &str = "consultation-package";

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
    /// Files that are not on disk as the build record says they were written.
    Stale(Vec<String>),
    /// The plan has changed since the papers were built: what changed.
    PlanChanged(Vec<String>),
    /// A consultation package that is not as `consult` wrote it: what is wrong.
    Package(String, Vec<String>),
    /// The archive does not verify; nothing is added to it.
    Unverified(Vec<Problem>),
    /// The log is signed with this key (hex), and the run has no key or another one.
    Key {
        archive: String,
        given: Option<String>,
    },
    /// The archiving day is before the newest entry's: the log's days never go back.
    DayBefore {
        day: String,
        newest: String,
    },
    Io(io::Error),
}

impl From<io::Error> for ArchiveError {
    fn from(e: io::Error) -> Self {
        ArchiveError::Io(e)
    }
}

/// A run that archives, holding the output folder's lock and the archive's.
pub struct Archiver<'a> {
    out: &'a OutputDir,
    root: &'a Path,
    plan: &'a Plan,
    archived: String,
    key: Option<&'a SecretKey>,
}

impl<'a> Archiver<'a> {
    /// Opens the archive in `root` for a run (both locks held): finishes or clears what a
    /// stopped run left, then verifies the archive and checks that `key` is the log's. What was
    /// finished or cleared, as lines to print.
    pub fn open(
        out: &'a OutputDir,
        root: &'a Path,
        plan: &'a Plan,
        archived: String,
        key: Option<&'a SecretKey>,
    ) -> Result<(Self, Vec<String>), ArchiveError> {
        let recovered = recover(root)?;
        let findings = verify(root, Checks::default())?;
        if !findings.is_clean() {
            return Err(ArchiveError::Unverified(findings.problems));
        }
        let log = Log::read(root)?;
        let given = key.map(|k| keys::public_hex(&k.verifying_key()));
        if let Some(archive) = log.signing_key()
            && given.as_deref() != Some(archive)
        {
            return Err(ArchiveError::Key {
                archive: archive.to_string(),
                given,
            });
        }
        if let Some(newest) = log.newest_day()
            && archived.as_str() < newest
        {
            return Err(ArchiveError::DayBefore {
                day: archived,
                newest: newest.to_string(),
            });
        }
        Ok((
            Self {
                out,
                root,
                plan,
                archived,
                key,
            },
            recovered,
        ))
    }

    /// Archives what was built for `meeting` (the papers and copied files the build record
    /// lists, and the packages of the consultations sent after it), if they are all on disk as
    /// written and the plan is the one they were built from.
    pub fn archive_meeting(&self, meeting: &str) -> Result<Archived, ArchiveError> {
        let record = BuildRecord::load(self.out);
        let entries: Vec<(&String, &RecordEntry)> = record
            .documents
            .iter()
            .filter(|(_, e)| e.meeting.as_deref() == Some(meeting))
            .collect();
        let packages = self.packages(meeting);
        if entries.is_empty() && packages.is_empty() {
            return Err(ArchiveError::NothingBuilt);
        }
        let built: BTreeSet<&str> = entries
            .iter()
            .map(|(_, e)| e.plan_data.as_str())
            .filter(|hash| *hash != self.plan.data_hash)
            .collect();
        if !built.is_empty() {
            return Err(ArchiveError::PlanChanged(plan_changes(
                &record, &built, self.plan,
            )));
        }
        let swapped = self.attachments_changed(meeting, &record);
        if !swapped.is_empty() {
            return Err(ArchiveError::PlanChanged(swapped));
        }

        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(self.root)?;
        let prefix = format!("{meeting}/");
        let mut files = Vec::new();
        let mut stale = Vec::new();
        for (path, entry) in &entries {
            let relative = path.strip_prefix(&prefix).unwrap_or(path);
            let copied = match manifest::path_problem(relative) {
                None => copy_hashing(&self.out.target(path)?, &staging.path().join(relative))?,
                Some(problem) => Err(problem.to_string()),
            };
            step();
            match copied {
                Ok((size, sha256)) if size == entry.size && sha256 == entry.sha256 => {
                    files.push(ArchivedFile {
                        path: relative.to_string(),
                        kind: entry.kind.clone(),
                        size,
                        sha256,
                    })
                }
                _ => stale.push(path.to_string()),
            }
        }
        if !stale.is_empty() {
            return Err(ArchiveError::Stale(stale));
        }
        for (id, folder) in &packages {
            self.copy_package(id, folder, staging.path(), &mut files)
                .map_err(|problems| ArchiveError::Package(id.clone(), problems))?;
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));

        let log = Log::read(self.root)?;
        let newest = log
            .lines
            .iter()
            .filter_map(|l| l.entry.as_ref().ok())
            .filter(|e| e.meeting == meeting)
            .map(|e| e.version)
            .max();
        let meeting_dir = self.root.join(meeting);
        let previous = match newest {
            Some(version) => {
                let read = read_manifest(&meeting_dir.join(version.to_string()))?;
                if read.manifest.files == files {
                    return Ok(Archived::Unchanged { version });
                }
                Some(read.sha256)
            }
            None => None,
        };
        let version = newest.map_or(1, |v| v + 1);
        // The template files the papers were rendered from, all together.
        let mut templates = BTreeMap::new();
        for (_, entry) in &entries {
            templates.extend(entry.templates.clone());
        }
        let settings = &self.plan.settings;
        let (committee, meeting_date, send_out) = match self.plan.meeting(meeting) {
            Some(m) => (
                self.plan.body_name(m),
                m.date.get_ref().0.to_string(),
                self.plan.send_out_date(m).to_string(),
            ),
            None => (
                settings.committee.name.clone(),
                String::new(),
                String::new(),
            ),
        };
        let manifest = ArchiveManifest {
            meeting: meeting.to_string(),
            version,
            archived: self.archived.clone(),
            udvalg: env!("CARGO_PKG_VERSION").to_string(),
            municipality: settings.municipality.name.clone(),
            committee,
            meeting_date,
            send_out,
            plan_data: self.plan.data_hash.clone(),
            plan_files: plan_files(self.plan),
            templates: hash_of(&templates),
            previous,
            files,
        };
        let json = manifest.to_json();
        write_synced(&staging.path().join(MANIFEST), &json)?;
        step();
        // What goes in place is what verify will find: the copy is read back and checked.
        let problems = verify::check_contents(staging.path(), &manifest)?;
        if !problems.is_empty() {
            return Err(io::Error::other(format!(
                "the copy of {meeting} does not verify: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
            .into());
        }
        sync_tree(staging.path())?;
        step();

        let mut entry = LogEntry {
            seq: log.lines.len() as u64 + 1,
            meeting: meeting.to_string(),
            version,
            archived: self.archived.clone(),
            files: manifest.files.len(),
            manifest: sha256_hex(&json),
            previous: log.head(),
            key: None,
            signature: None,
        };
        if let Some(key) = self.key {
            entry.sign(key);
        }
        let line = entry.line();
        let staged = staging.keep();
        let pending = Pending {
            line: line.clone(),
            staging: file_name(&staged),
            target: format!("{meeting}/{version}"),
        };
        pending.write(self.root)?;
        step();
        put_in_place(self.root, &staged, &meeting_dir, version)?;
        step();
        log::append(self.root, &line)?;
        step();
        Pending::remove(self.root)?;
        step();
        Ok(Archived::Added {
            version,
            files: manifest.files.len(),
        })
    }

    /// The files the meeting attaches from the plan folder that are not as the build copied
    /// them: each as it is named in the plan folder.
    fn attachments_changed(&self, meeting: &str, record: &BuildRecord) -> Vec<String> {
        let selection = crate::documents::Selection {
            meeting: Some(meeting.to_string()),
            kind: None,
        };
        let catalogue = crate::documents::catalogue(self.plan, &selection);
        let mut changed = Vec::new();
        // The bytes the plan's loading read: what a build now would copy.
        for file in catalogue.files.iter().filter(|f| f.meeting == meeting) {
            match record.documents.get(&file.path) {
                Some(entry) if entry.sha256 == sha256_hex(&file.bytes) => {}
                Some(_) => changed.push(format!("{} changed", file.from)),
                None => changed.push(format!("{} is attached but was not built", file.from)),
            }
        }
        changed
    }

    /// The consultations sent after `meeting` (it approved sending them) whose package is in
    /// the output folder: (id, folder relative to the output folder).
    fn packages(&self, meeting: &str) -> Vec<(String, String)> {
        self.plan
            .consultations
            .iter()
            .filter(|c| c.data.after_meeting.get_ref() == meeting)
            .map(|c| (c.id.clone(), crate::documents::consultation::folder(c)))
            .filter(|(_, folder)| {
                self.out
                    .target(&format!("{folder}/{MANIFEST}"))
                    .is_ok_and(|p| p.exists())
            })
            .collect()
    }

    /// Copies a consultation package into the staging folder, checking each file against the
    /// package's manifest and the zip's entries against both.
    fn copy_package(
        &self,
        id: &str,
        folder: &str,
        staging: &Path,
        files: &mut Vec<ArchivedFile>,
    ) -> Result<(), Vec<String>> {
        let shown = self.out.root().join(folder).display().to_string();
        let io = |e: io::Error| vec![format!("{shown}: {e}")];
        let target = |name: &str| self.out.target(&format!("{folder}/{name}")).map_err(io);
        let mut problems = Vec::new();
        // The manifest and the zip are read whole: the zip is checked from the same bytes.
        let mut copy_whole = |name: &str, kind: &str| -> Result<Vec<u8>, Vec<String>> {
            let bytes = manifest::read_regular(&target(name)?).map_err(io)?;
            write_synced(&staging.join(folder).join(name), &bytes).map_err(io)?;
            step();
            files.push(ArchivedFile {
                path: format!("{folder}/{name}"),
                kind: kind.to_string(),
                size: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            });
            Ok(bytes)
        };
        let manifest_bytes = copy_whole(MANIFEST, PACKAGE_MANIFEST_KIND)?;
        let zip_name = format!("hoeringspakke-{id}.zip");
        let zip = copy_whole(&zip_name, PACKAGE_ZIP_KIND)?;
        let package: PackageManifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| vec![format!("{shown}/{MANIFEST} cannot be read: {e}")])?;
        let mut expected: BTreeMap<String, String> = BTreeMap::new();
        for file in &package.files {
            if manifest::path_problem(&file.name).is_some() || file.name.contains('/') {
                problems.push(format!("{shown}/{MANIFEST} names {}", file.name));
                continue;
            }
            let copied = copy_hashing(&target(&file.name)?, &staging.join(folder).join(&file.name))
                .map_err(io)?;
            step();
            match copied {
                Ok((size, sha256)) if size == file.size && sha256 == file.sha256 => {
                    files.push(ArchivedFile {
                        path: format!("{folder}/{}", file.name),
                        kind: file.kind.clone(),
                        size,
                        sha256: sha256.clone(),
                    });
                    expected.insert(file.name.clone(), sha256);
                }
                Ok(_) => problems.push(format!("{shown}/{}: not as its manifest says", file.name)),
                Err(e) => problems.push(format!("{shown}/{}: {e}", file.name)),
            }
        }
        expected.insert(MANIFEST.to_string(), sha256_hex(&manifest_bytes));
        match zip_entries(&zip) {
            Ok(entries) if entries == expected => {}
            Ok(_) => problems.push(format!(
                "{shown}/{zip_name}: its entries are not the package's files"
            )),
            Err(e) => problems.push(format!("{shown}/{zip_name}: {e}")),
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// What the archive reads of a package's manifest.json.
#[derive(Deserialize)]
struct PackageManifest {
    files: Vec<PackageFile>,
}

#[derive(Deserialize)]
struct PackageFile {
    name: String,
    kind: String,
    size: u64,
    sha256: String,
}

/// Each entry of a zip by name, with the sha256 of its bytes.
fn zip_entries(bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut archive =
        zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| format!("not a zip: {e}"))?;
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = file.name().map_err(|e| e.to_string())?.to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).map_err(|e| e.to_string())?;
        if entries.insert(name.clone(), sha256_hex(&content)).is_some() {
            return Err(format!("{name} is in it twice"));
        }
    }
    Ok(entries)
}

/// What changed in the plan since the papers were built from `built` (plan hashes).
fn plan_changes(record: &BuildRecord, built: &BTreeSet<&str>, plan: &Plan) -> Vec<String> {
    let now = plan_files(plan);
    let mut changes = BTreeSet::new();
    for hash in built {
        let Some(then) = record.plans.get(*hash) else {
            changes.insert(
                "the build record does not say which plan the papers were built from (an earlier \
                 udvalg wrote it)"
                    .to_string(),
            );
            continue;
        };
        for (file, sha) in then {
            match now.get(file) {
                Some(s) if s == sha => {}
                Some(_) => {
                    changes.insert(format!("{file} changed"));
                }
                None => {
                    changes.insert(format!("{file} removed"));
                }
            }
        }
        for file in now.keys().filter(|f| !then.contains_key(*f)) {
            changes.insert(format!("{file} added"));
        }
    }
    if changes.is_empty() {
        changes.insert("the plan's data changed".to_string());
    }
    changes.into_iter().collect()
}

/// Copies `from` (not through a link) to the new file `to`, hashing the bytes as they are
/// copied, and flushes the copy to the disk: the size and sha256 of what was copied, or why
/// `from` could not be read (the error is the copy's own).
fn copy_hashing(from: &Path, to: &Path) -> io::Result<Result<(u64, String), String>> {
    let source = match std::fs::symlink_metadata(from) {
        Ok(meta) if meta.file_type().is_symlink() => return Ok(Err("a link".into())),
        Ok(meta) if !meta.is_file() => return Ok(Err("not a file".into())),
        Ok(_) => std::fs::File::open(from),
        Err(e) => Err(e),
    };
    let mut source = match source {
        Ok(file) => file,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut target = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let mut hasher = Hasher::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Ok(Err(e.to_string())),
        };
        hasher.update(&buffer[..n]);
        target.write_all(&buffer[..n])?;
        size += n as u64;
    }
    target.sync_all()?;
    Ok(Ok((size, hasher.finish())))
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a folder's entries to the disk.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Flushes every folder below `dir`, and `dir` itself.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Renames the staged version folder to `meeting_dir/version` (made if need be); never over
/// anything.
fn put_in_place(root: &Path, staged: &Path, meeting_dir: &Path, version: u32) -> io::Result<()> {
    if !meeting_dir.is_dir() {
        std::fs::create_dir(meeting_dir)?;
        sync_dir(root)?;
    }
    let target = meeting_dir.join(version.to_string());
    if std::fs::symlink_metadata(&target).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; the archive never overwrites", target.display()),
        ));
    }
    // A rename is atomic: the version appears whole or not at all.
    std::fs::rename(staged, &target)?;
    sync_dir(meeting_dir)?;
    sync_dir(root)
}

/// What a run that was stopped after its version was ready had yet to do.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pending {
    /// The log line to append.
    pub line: String,
    /// The staging folder, directly in the archive.
    pub staging: String,
    /// `<meeting>/<version>`, where the staging folder goes.
    pub target: String,
}

impl Pending {
    pub(crate) fn read(root: &Path) -> io::Result<Self> {
        let bytes = manifest::read_regular(&root.join(PENDING))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} cannot be read: {e}", root.join(PENDING).display()),
            )
        })
    }

    /// Written whole or not at all: a temporary file, then a rename.
    fn write(&self, root: &Path) -> io::Result<()> {
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(root)?;
        temp.write_all(&serde_json::to_vec(self).map_err(io::Error::other)?)?;
        temp.as_file().sync_all()?;
        temp.persist(root.join(PENDING)).map_err(|e| e.error)?;
        sync_dir(root)
    }

    fn remove(root: &Path) -> io::Result<()> {
        std::fs::remove_file(root.join(PENDING))?;
        sync_dir(root)
    }
}

/// Whether a name in the archive is what a stopped run left: a staging folder or a temporary
/// file.
pub(crate) fn is_leftover(name: &str) -> bool {
    name.starts_with(STAGING_PREFIX)
        || (name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX))
}

/// A version folder's number: 1, 2, ... written plainly.
pub(crate) fn version_number(name: &str) -> Option<u32> {
    let number: u32 = name.parse().ok()?;
    (number > 0 && number.to_string() == name).then_some(number)
}

/// Finishes a version a stopped run had ready (its pending note), and removes the staging
/// folders, temporary files and empty meeting folders stopped runs left. Run holding the
/// archive's lock. What it did, as lines to print.
pub fn recover(root: &Path) -> io::Result<Vec<String>> {
    let mut done = Vec::new();
    if !root.is_dir() {
        return Ok(done);
    }
    if std::fs::symlink_metadata(root.join(PENDING)).is_ok() {
        let pending = Pending::read(root)?;
        if let Some(line) = finish(root, &pending)? {
            done.push(line);
        }
        Pending::remove(root)?;
    }
    let mut removed = 0;
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if is_leftover(&name) {
            if kind.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            } else {
                std::fs::remove_file(entry.path())?;
            }
            removed += 1;
        } else if kind.is_dir() && !name.starts_with('.') {
            // Staging folders of earlier udvalg versions, which staged inside the meeting's
            // folder, and a meeting folder made for a version that never came.
            for inner in std::fs::read_dir(entry.path())? {
                let inner = inner?;
                let inner_name = inner.file_name().to_string_lossy().into_owned();
                if inner.file_type()?.is_dir() && is_leftover(&inner_name) {
                    std::fs::remove_dir_all(inner.path())?;
                    removed += 1;
                }
            }
            if std::fs::read_dir(entry.path())?.next().is_none() {
                std::fs::remove_dir(entry.path())?;
            }
        }
    }
    if removed > 0 {
        sync_dir(root)?;
        done.push(format!(
            "removed {removed} staging {} left by a stopped archive run",
            if removed == 1 { "folder" } else { "folders" }
        ));
    }
    Ok(done)
}

/// Puts a pending version in place and appends its log entry, unless that was done.
fn finish(root: &Path, pending: &Pending) -> io::Result<Option<String>> {
    let invalid = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: {what}; the archive is left as it is",
                root.join(PENDING).display()
            ),
        )
    };
    let entry: LogEntry =
        serde_json::from_str(&pending.line).map_err(|_| invalid("it names no log entry"))?;
    if !is_leftover(&pending.staging)
        || pending.staging.contains('/')
        || manifest::path_problem(&entry.meeting).is_some()
        || entry.meeting.contains('/')
        || entry.meeting.starts_with('.')
        || pending.target != format!("{}/{}", entry.meeting, entry.version)
    {
        return Err(invalid("it names places outside the archive"));
    }
    log::cut_torn_tail(root, &pending.line)?;
    let log = Log::read(root)?;
    if log.lines.last().is_some_and(|l| l.text == pending.line) {
        return Ok(None);
    }
    let meeting_dir = root.join(&entry.meeting);
    let target = meeting_dir.join(entry.version.to_string());
    let staging = root.join(&pending.staging);
    if std::fs::symlink_metadata(&target).is_err() && staging.is_dir() {
        put_in_place(root, &staging, &meeting_dir, entry.version)?;
    }
    let in_place = read_manifest(&target).is_ok_and(|m| m.sha256 == entry.manifest);
    if !in_place || log.head() != entry.previous || entry.seq != log.lines.len() as u64 + 1 {
        return Err(invalid(
            "its version is not in place as it says, or the log has moved on",
        ));
    }
    log::append(root, &pending.line)?;
    Ok(Some(format!(
        "finished archiving {} version {}, which a stopped run had ready",
        entry.meeting, entry.version
    )))
}

/// A version as `list` shows it.
pub struct Listed {
    pub meeting: String,
    pub version: u32,
    pub manifest: Result<ArchiveManifest, String>,
    /// Whether its log entry is signed (and the signature holds).
    pub signed: bool,
    pub logged: bool,
}

/// Every version folder in the archive, meeting by meeting, and what stopped runs left.
pub fn list(root: &Path) -> io::Result<(Vec<Listed>, Vec<PathBuf>)> {
    let log = Log::read(root).unwrap_or(Log {
        lines: Vec::new(),
        torn_tail: None,
    });
    let entries: BTreeMap<(String, u32), &LogEntry> = log
        .lines
        .iter()
        .filter_map(|l| l.entry.as_ref().ok())
        .map(|e| ((e.meeting.clone(), e.version), e))
        .collect();
    let mut listed = Vec::new();
    let mut leftovers = Vec::new();
    let mut names: Vec<(String, PathBuf)> = match std::fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    names.sort();
    for (name, path) in names {
        if is_leftover(&name) || name == PENDING {
            leftovers.push(path);
            continue;
        }
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        let mut versions: Vec<(u32, PathBuf)> = Vec::new();
        for inner in std::fs::read_dir(&path)? {
            let inner = inner?;
            let inner_name = inner.file_name().to_string_lossy().into_owned();
            if is_leftover(&inner_name) {
                leftovers.push(inner.path());
            } else if let Some(v) = version_number(&inner_name) {
                versions.push((v, inner.path()));
            }
        }
        versions.sort();
        for (version, dir) in versions {
            let entry = entries.get(&(name.clone(), version));
            listed.push(Listed {
                meeting: name.clone(),
                version,
                manifest: read_manifest(&dir)
                    .map(|m| m.manifest)
                    .map_err(|e| e.to_string()),
                signed: entry.is_some_and(|e| e.signature_holds() == Some(true)),
                logged: entry.is_some(),
            });
        }
    }
    Ok((listed, leftovers))
}

/// Test hook for the fault-injection tests: with `UDVALG_ARCHIVE_CRASH_AFTER=n`, `archive`
/// aborts the process (as a kill would, running no destructors) after its n-th step of writing:
/// each file copied, the manifest written, the copy verified, the pending note written, the
/// folder renamed, the log entry appended, the note removed, meeting after meeting. With
/// `UDVALG_ARCHIVE_STEP_MS=n` each step takes n ms more, so that a test can run a build beside a
/// slow archive.
fn step() {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HOOKS: OnceLock<(Option<usize>, Option<u64>)> = OnceLock::new();
    static DONE: AtomicUsize = AtomicUsize::new(0);
    let number = |name: &str| std::env::var(name).ok()?.parse().ok();
    let (crash_after, pause) = *HOOKS.get_or_init(|| {
        (
            number("UDVALG_ARCHIVE_CRASH_AFTER").map(|n: u64| n as usize),
            number("UDVALG_ARCHIVE_STEP_MS"),
        )
    });
    if crash_after == Some(DONE.fetch_add(1, Ordering::SeqCst)) {
        std::process::abort();
    }
    if let Some(ms) = pause {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
