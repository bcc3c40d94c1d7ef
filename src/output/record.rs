//! What the last builds wrote: per output file, the hash of the view data and templates it was
//! made from. It lets a build skip documents that cannot have changed, and `status` tell a
//! stale paper from a current one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::OutputDir;
use crate::documents::Document;
use crate::hash::sha256_hex;
use crate::plan::Plan;

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
    /// Each plan that an entry was made from (by its `plan_data`): the sha256 of each of its
    /// files, so that `archive` can say which files changed since.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plans: BTreeMap<String, BTreeMap<String, String>>,
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
    /// Its pages, for a rendered document; 0 for another file, and in records written before
    /// it was kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pages: usize,
    pub draft: bool,
    /// Whether the file may be published: it is in its meeting's public set.
    #[serde(default)]
    pub public: bool,
    /// The paper's title, as the public set lists it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The plan (`Plan::data_hash`) the file was made from, or found current against by a
    /// later build; empty in records written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub plan_data: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The sha256 of each of the plan's files, by its path in the plan folder: what
/// `Plan::data_hash` is taken over.
pub fn plan_files(plan: &Plan) -> BTreeMap<String, String> {
    let prefix = format!("{}/", plan.source.display_name().trim_end_matches('/'));
    let files = &plan.files;
    [Some(&files.plan), Some(&files.meetings)]
        .into_iter()
        .chain([files.strategy.as_ref(), files.implementation.as_ref()])
        .flatten()
        .chain(plan.consultations.iter().map(|c| &c.file))
        .chain(plan.action_plans.iter().map(|a| &a.file))
        .chain(plan.key_figures.iter().map(|k| &k.file))
        .chain(plan.edition_contents.iter().map(|e| &e.file))
        .map(|file| {
            let name = file.name.strip_prefix(&prefix).unwrap_or(&file.name);
            (name.to_string(), sha256_hex(file.text.as_bytes()))
        })
        .collect()
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

    /// Keeps the files of `plan` for the entries made from it, and forgets the plans no entry
    /// names any more.
    pub fn remember_plan(&mut self, plan: &Plan) {
        self.plans
            .entry(plan.data_hash.clone())
            .or_insert_with(|| plan_files(plan));
        let named: std::collections::HashSet<&str> = self
            .documents
            .values()
            .map(|e| e.plan_data.as_str())
            .collect();
        self.plans.retain(|hash, _| named.contains(hash.as_str()));
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
