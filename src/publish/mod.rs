//! `udvalg publish`: the committee's public website, made from the public set only. The build
//! runs first, so that every public paper is current; then each page is made from the views of
//! the papers that may be published (see [`site`]), the public PDFs are copied beside the pages,
//! and the site folder is brought to exactly those files: a file whose bytes are unchanged is
//! not rewritten, a file the site no longer has is removed, all in one commit.

pub mod html;
pub mod markup;
mod oparl;
mod search;
pub mod serve;
mod site;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::build::{BuildOptions, BuildReport, build};
use crate::diagnostics::Diagnostic;
use crate::documents::Selection;
use crate::hash::sha256_hex;
use crate::output::record::BuildRecord;
use crate::output::{OutputDir, RunFailed};
use crate::plan::Plan;
use crate::render::Templates;
pub use site::SiteFile;

/// What the site folder holds, as the last publish wrote it: each file's sha256.
const SITE_RECORD: &str = ".udvalg-site.json";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteRecord {
    files: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct PublishReport {
    pub build: BuildReport,
    /// The site's files.
    pub files: usize,
    /// Of those, the ones written now (new or changed).
    pub written: Vec<String>,
    /// Files of the last publish that the site no longer has, now removed.
    pub removed: Vec<String>,
}

/// Builds the plan into `out`, then writes its website into `site`.
pub fn publish(
    plan: &Plan,
    templates: Templates,
    out: &OutputDir,
    site_dir: &Path,
    options: BuildOptions,
) -> Result<PublishReport, RunFailed> {
    let pages = html::Pages::new(&templates)?;
    let options = BuildOptions {
        keep_public: true,
        ..options
    };
    let mut build_report = build(plan, templates, &Selection::default(), out, options)?;
    let public = std::mem::take(&mut build_report.public);
    let record = BuildRecord::load(out);
    let files = site::site(plan, &public, &record, &pages)?;
    let mut report = write_site(out, &OutputDir::new(site_dir), &files)?;
    report.build = build_report;
    Ok(report)
}

/// Brings `site` to exactly `files`: writes those whose bytes differ from what is there and
/// removes what the last publish wrote that is no longer in it, in one commit.
fn write_site(
    out: &OutputDir,
    site: &OutputDir,
    files: &[SiteFile],
) -> Result<PublishReport, RunFailed> {
    let _lock = site.lock().map_err(|e| Diagnostic::system(e.to_string()))?;
    let before: SiteRecord = std::fs::read(site.root().join(SITE_RECORD))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let batch = site.batch()?;
    let mut record = SiteRecord::default();
    let mut report = PublishReport {
        files: files.len(),
        ..PublishReport::default()
    };
    let mut staged = Vec::new();
    for file in files {
        let bytes = match file {
            SiteFile::Made { bytes, .. } => std::borrow::Cow::Borrowed(bytes.as_slice()),
            SiteFile::Copied { from, .. } => {
                let path = out.root().join(from);
                std::borrow::Cow::Owned(std::fs::read(&path).map_err(|e| {
                    Diagnostic::system(format!("cannot read {}: {e}", path.display()))
                })?)
            }
        };
        let sha = sha256_hex(&bytes);
        let current = before.files.get(file.path()) == Some(&sha)
            && std::fs::read(site.root().join(file.path()))
                .is_ok_and(|on_disk| sha256_hex(&on_disk) == sha);
        if !current {
            staged.push(batch.stage(file.path(), &bytes)?);
            report.written.push(file.path().to_string());
        }
        record.files.insert(file.path().to_string(), sha);
    }
    // A file this site wrote and that it no longer has goes, unless someone changed it since.
    for (path, sha) in &before.files {
        if record.files.contains_key(path) {
            continue;
        }
        let unchanged =
            std::fs::read(site.root().join(path)).is_ok_and(|on_disk| sha256_hex(&on_disk) == *sha);
        if unchanged {
            report.removed.push(path.clone());
        }
    }
    let json = serde_json::to_vec_pretty(&record)
        .map_err(|e| Diagnostic::system(format!("cannot write the site's record: {e}")))?;
    if !report.written.is_empty() || !report.removed.is_empty() || before.files.is_empty() {
        staged.push(batch.stage(SITE_RECORD, &json)?);
        batch.commit(staged, report.removed.clone())?;
    } else {
        batch.abandon();
    }
    Ok(report)
}
