//! `udvalg publish`: the committee's public website, made from the public set only. The build
//! runs first, so that every public paper is current; then each page is made from the views of
//! the papers that may be published (see [`site`]), the public PDFs are copied beside the pages,
//! and the site folder is brought to exactly those files: a file whose bytes are unchanged is
//! not rewritten, a file the site no longer has is removed, all in one commit.

mod feeds;
pub mod html;
pub mod markup;
mod oparl;
mod papers;
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
    let sent = sent_packages(plan, out);
    let files = site::site(plan, &public, &record, &sent, &pages)?;
    let mut report = write_site(out, &OutputDir::new(site_dir), &files)?;
    report.build = build_report;
    Ok(report)
}

/// What `udvalg consult` sent of each consultation that has gone out, as its package in `out`
/// holds it: the letters, the consultee list and the draft, each only if its bytes are those
/// the package's manifest lists (a package made before a change of the plan is not shown as
/// if it were the plan's).
fn sent_packages(plan: &Plan, out: &OutputDir) -> Vec<site::SentFile> {
    let today = plan.settings.plan.date.get_ref().0;
    let mut sent = Vec::new();
    for consultation in plan
        .consultations
        .iter()
        .filter(|c| c.data.sent.get_ref().0 <= today)
    {
        let folder = crate::documents::consultation::folder(consultation);
        let Some(manifest) = std::fs::read(out.root().join(&folder).join("manifest.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        else {
            continue;
        };
        let listed: BTreeMap<&str, &str> = manifest["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| Some((f["name"].as_str()?, f["sha256"].as_str()?)))
            .collect();
        for paper in crate::documents::consultation::package(plan, consultation) {
            let name = paper.path.rsplit('/').next().unwrap_or(&paper.path);
            let Ok(bytes) = std::fs::read(out.root().join(&paper.path)) else {
                continue;
            };
            if listed.get(name) == Some(&sha256_hex(&bytes).as_str()) {
                // A letter is named by whom it is to; the consultation's page says what about.
                let to = paper
                    .title
                    .strip_prefix(&format!("{} – ", consultation.data.title))
                    .filter(|_| paper.kind == crate::documents::DocumentKind::ConsultationLetter);
                let title =
                    to.map_or_else(|| paper.title.clone(), |to| format!("Høringsbrev til {to}"));
                sent.push(site::SentFile {
                    consultation: consultation.id.clone(),
                    path: paper.path.clone(),
                    title,
                    size: bytes.len() as u64,
                });
            }
        }
    }
    sent
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
