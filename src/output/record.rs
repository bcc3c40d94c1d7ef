//! What the last builds wrote: per output file, the hash of the view data and templates it was
//! made from. It lets a build skip documents that cannot have changed, and `status` tell a
//! stale paper from a current one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::OutputDir;
use crate::documents::Document;
use crate::hash::sha256_hex;

/// Kept in the output directory, beside what it describes.
pub const RECORD_FILE: &str = ".udvalg-build.json";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRecord {
    /// The udvalg version that wrote the files; another version renders afresh.
    pub udvalg: String,
    /// Every file udvalg wrote and that is still as written: the papers and the copied files.
    pub documents: BTreeMap<String, RecordEntry>,
    /// What the last build that wrote anything removed, as the plan no longer made it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Set when the record was written by another version: nothing in it is current, but it
    /// still says which files udvalg wrote.
    #[serde(skip)]
    pub other_version: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordEntry {
    pub kind: String,
    pub meeting: Option<String>,
    /// sha256 of the JSON view the template read.
    pub view: String,
    /// sha256 of each template file the document read (and of the fonts), by path.
    pub templates: BTreeMap<String, String>,
    /// sha256 and size of the file as written.
    pub sha256: String,
    pub size: u64,
    pub draft: bool,
    /// Whether the file may be published: it is in its meeting's public set.
    #[serde(default)]
    pub public: bool,
    /// The paper's title, as the public set lists it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
}

/// sha256 of a document's view, as the template reads it.
pub fn view_hash(document: &Document) -> String {
    sha256_hex(document.json())
}

impl BuildRecord {
    /// The record in `out`, or an empty one when there is none or it cannot be read.
    pub fn load(out: &OutputDir) -> Self {
        let current = env!("CARGO_PKG_VERSION");
        let mut record = out
            .target(RECORD_FILE)
            .ok()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice::<BuildRecord>(&bytes).ok())
            .unwrap_or_default();
        record.other_version = record.udvalg != current;
        record.udvalg = current.into();
        record
    }

    /// The record as its file holds it.
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut json = serde_json::to_vec_pretty(self)?;
        json.push(b'\n');
        Ok(json)
    }

    /// Whether `document` is on disk exactly as it would be rendered now.
    pub fn is_current(
        &self,
        out: &OutputDir,
        document: &Document,
        view: &str,
        templates: &BTreeMap<String, String>,
    ) -> bool {
        let Some(entry) = self.documents.get(&document.path) else {
            return false;
        };
        !self.other_version
            && entry.view == view
            && templates_unchanged(entry, templates)
            && file_matches(out, &document.path, entry)
    }
}

/// Every template file the document read still has the hash it had then.
pub fn templates_unchanged(entry: &RecordEntry, templates: &BTreeMap<String, String>) -> bool {
    !entry.templates.is_empty()
        && entry
            .templates
            .iter()
            .all(|(path, hash)| templates.get(path) == Some(hash))
}

/// The file on disk still has the bytes that were recorded.
pub fn file_matches(out: &OutputDir, path: &str, entry: &RecordEntry) -> bool {
    let Ok(target) = out.target(path) else {
        return false;
    };
    match std::fs::metadata(&target) {
        Ok(meta) if meta.len() == entry.size => std::fs::read(&target)
            .map(|bytes| sha256_hex(&bytes) == entry.sha256)
            .unwrap_or(false),
        _ => false,
    }
}
