//! The public set: per meeting, and for the papers outside any meeting, a manifest of the files
//! that may be published (`<meeting>/offentlig.json`, `offentlig.json`), made from the build
//! record, so that a web upload takes exactly those files and nothing else. A members' agenda
//! with closed items, the full minutes, a closed item's attachments and an attachment kept from
//! publication are never in it (the catalogue decides; see `Document::public`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::BuildRecord;

/// A public set's file name, in a meeting's folder or at the top of the output directory.
pub const PUBLIC_SET: &str = "offentlig.json";

/// What the record calls a public set's own file.
pub const PUBLIC_SET_KIND: &str = "public-set";

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PublicSet<'a> {
    /// The meeting, or none for the papers outside any meeting.
    pub meeting: Option<&'a str>,
    pub files: Vec<PublicFile<'a>>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PublicFile<'a> {
    /// Relative to the output directory.
    pub path: &'a str,
    pub kind: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub title: &'a str,
    pub size: u64,
    pub sha256: &'a str,
}

/// Where the public set of `meeting` is written.
pub fn public_set_path(meeting: Option<&str>) -> String {
    match meeting {
        Some(id) => format!("{id}/{PUBLIC_SET}"),
        None => PUBLIC_SET.to_string(),
    }
}

/// Every public set the record gives, by where it is written, as the bytes of its file: one
/// for each meeting that has a file in the record, and one for the papers outside meetings.
pub fn public_sets(record: &BuildRecord) -> BTreeMap<String, Vec<u8>> {
    let mut sets: BTreeMap<Option<&str>, Vec<PublicFile>> = BTreeMap::new();
    for (path, entry) in &record.documents {
        if entry.kind == PUBLIC_SET_KIND {
            continue;
        }
        let files = sets.entry(entry.meeting.as_deref()).or_default();
        if entry.public {
            files.push(PublicFile {
                path,
                kind: &entry.kind,
                title: &entry.title,
                size: entry.size,
                sha256: &entry.sha256,
            });
        }
    }
    sets.into_iter()
        .map(|(meeting, files)| {
            let set = PublicSet { meeting, files };
            let mut json = serde_json::to_vec_pretty(&set).unwrap_or_default();
            json.push(b'\n');
            (public_set_path(meeting), json)
        })
        .collect()
}
