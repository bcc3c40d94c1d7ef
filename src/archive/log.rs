//! archive/log.jsonl: one line per version, in the order they were archived, each naming the
//! sha256 of its manifest and of the line before it, and signed when the archive has a key.
//! The file is only ever appended to.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::keys::{self, SecretKey};
use crate::hash::sha256_hex;

pub const LOG: &str = "log.jsonl";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The entry's place in the log, from 1.
    pub seq: u64,
    pub meeting: String,
    pub version: u32,
    pub archived: String,
    pub files: usize,
    /// sha256 of the version's manifest.json.
    pub manifest: String,
    /// sha256 of the line before (without its newline); none for the first.
    pub previous: Option<String>,
    /// The public key (hex) whose secret signed the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Ed25519 signature (hex) over the entry without this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl LogEntry {
    /// The bytes a signature is taken over: the entry as a line, without its signature.
    pub fn signed_message(&self) -> Vec<u8> {
        let unsigned = LogEntry {
            signature: None,
            ..self.clone()
        };
        serde_json::to_vec(&unsigned).expect("an entry is plain data")
    }

    /// Signs the entry with `key`, naming its public half.
    pub fn sign(&mut self, key: &SecretKey) {
        self.key = Some(keys::public_hex(&key.verifying_key()));
        self.signature = None;
        self.signature = Some(keys::sign(key, &self.signed_message()));
    }

    /// Whether the entry's signature is its key's over the entry; `None` when unsigned.
    pub fn signature_holds(&self) -> Option<bool> {
        let signature = self.signature.as_ref()?;
        Some(match &self.key {
            Some(key) => keys::signature_holds(key, signature, &self.signed_message()),
            None => false,
        })
    }

    /// The line the log holds, without its newline.
    pub fn line(&self) -> String {
        serde_json::to_string(self).expect("an entry is plain data")
    }
}

/// A line of the log as read: its number (from 1), its text, and the entry or why it is none.
pub struct LogLine {
    pub number: usize,
    pub text: String,
    pub entry: Result<LogEntry, String>,
}

impl LogLine {
    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }
}

/// The log as its file holds it: every complete line, and whether the file ends in the middle
/// of a line (a write that was cut short).
pub struct Log {
    pub lines: Vec<LogLine>,
    pub torn_tail: Option<String>,
}

impl Log {
    pub fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let (complete, torn) = match text.rfind('\n') {
            Some(end) => (&text[..end + 1], &text[end + 1..]),
            None => ("", &text[..]),
        };
        let lines = complete
            .lines()
            .enumerate()
            .map(|(i, line)| LogLine {
                number: i + 1,
                text: line.to_string(),
                entry: parse_line(line),
            })
            .collect();
        Log {
            lines,
            torn_tail: (!torn.is_empty()).then(|| torn.to_string()),
        }
    }

    /// The log in `root`; an empty one when there is none.
    pub fn read(root: &Path) -> io::Result<Self> {
        let path = root.join(LOG);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() || !meta.is_file() => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a file", path.display()),
            )),
            Ok(_) => Ok(Self::parse(&std::fs::read(&path)?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Log {
                lines: Vec::new(),
                torn_tail: None,
            }),
            Err(e) => Err(e),
        }
    }

    /// The hash the next entry names as its previous one.
    pub fn head(&self) -> Option<String> {
        self.lines.last().map(LogLine::sha256)
    }

    /// The archiving day of the last entry.
    pub fn newest_day(&self) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .find_map(|l| l.entry.as_ref().ok())
            .map(|e| e.archived.as_str())
    }

    /// The key (hex) of the newest signed entry.
    pub fn signing_key(&self) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .filter_map(|l| l.entry.as_ref().ok())
            .find(|e| e.signature.is_some())
            .and_then(|e| e.key.as_deref())
    }
}

/// An entry, which must be written exactly as udvalg writes it: any edit shows.
fn parse_line(line: &str) -> Result<LogEntry, String> {
    let entry: LogEntry =
        serde_json::from_str(line).map_err(|e| format!("not a log entry: {e}"))?;
    if entry.line() != line {
        return Err("not written as udvalg writes its entries (edited?)".into());
    }
    Ok(entry)
}

/// Appends `line` and a newline to the log in one write, and flushes it to the disk.
pub fn append(root: &Path, line: &str) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(LOG))?;
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_all()?;
    super::sync_dir(root)
}

/// Cuts a torn last line off the log (a write cut short by a crash), when the run that wrote
/// it left `pending` saying what it was writing.
pub fn cut_torn_tail(root: &Path, pending: &str) -> io::Result<bool> {
    let path = root.join(LOG);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete == bytes.len() || !pending.as_bytes().starts_with(&bytes[complete..]) {
        return Ok(false);
    }
    let file = std::fs::OpenOptions::new().write(true).open(&path)?;
    file.set_len(complete as u64)?;
    file.sync_all()?;
    Ok(true)
}
