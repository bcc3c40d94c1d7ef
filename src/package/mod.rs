//! The consultation package: the papers sent to the consultees, a manifest of their hashes,
//! and one deterministic zip that holds them all.

use std::io::Write;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::Document;
use crate::documents::consultation::{folder, package, summary_document};
use crate::hash::sha256_hex;
use crate::output::{OutputDir, RunFailed, Written};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::render::{Renderer, Templates};

/// Each file of the package with its size and hash, and what it was made from.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub consultation: String,
    pub title: String,
    pub sent: String,
    pub deadline: String,
    /// sha256 over the plan's files: the data the papers were made from.
    pub plan_data: String,
    pub templates: String,
    pub udvalg: String,
    pub files: Vec<ManifestEntry>,
}

#[derive(Debug, Serialize)]
pub struct ManifestEntry {
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug)]
pub struct PackageReport {
    pub written: Vec<Written>,
    pub pages: usize,
    pub zip: String,
    pub warnings: Vec<Diagnostic>,
}

/// Renders and writes output/consultations/ID/: the letters, the consultee list, the draft,
/// the summary, manifest.json and høringspakke-ID.zip. If any paper fails, nothing is written.
pub fn consult(
    plan: &Plan,
    templates: Templates,
    consultation: &Consultation,
    out: &OutputDir,
) -> Result<PackageReport, RunFailed> {
    let _lock = out.lock().map_err(|e| Diagnostic::system(e.to_string()))?;
    let templates_hash = templates.hash();
    let folder = folder(consultation);
    let sent_papers = package(plan, consultation);
    // The summary is dated as where it is attached: the day that meeting's agenda goes out.
    let summary_day = crate::plan::summary_meetings(plan, &consultation.id)
        .first()
        .map_or(plan.settings.plan.date.get_ref().0, |m| {
            plan.send_out_date(m)
        });
    let summary = summary_document(
        plan,
        consultation,
        None,
        format!("{folder}/hoeringsnotat.pdf"),
        summary_day,
    );
    let mut all: Vec<&Document> = sent_papers.iter().collect();
    all.push(&summary);

    let renderer = Renderer::new(templates, plan.settings.plan.date.get_ref().0).for_plan(plan);
    let mut errors = Diagnostics::default();
    let mut warnings = Vec::new();
    let mut pages = 0;
    let mut pdfs: Vec<(&Document, bytes::Bytes)> = Vec::with_capacity(all.len());
    for (doc, result) in all.iter().zip(renderer.render_all(&all)) {
        match result {
            Ok(rendered) => {
                pages += rendered.pages;
                warnings.extend(rendered.warnings);
                pdfs.push((doc, rendered.pdf));
            }
            Err(diagnostics) => errors.extend(diagnostics),
        }
    }
    if errors.has_errors() {
        return Err(errors.into());
    }

    let data = &consultation.data;
    let file_name = |doc: &Document| doc.path.rsplit('/').next().unwrap_or(&doc.path).to_string();
    let sent = &pdfs[..sent_papers.len()];
    let mut manifest = Manifest {
        consultation: consultation.id.clone(),
        title: data.title.clone(),
        sent: data.sent.get_ref().to_string(),
        deadline: data.deadline.get_ref().to_string(),
        plan_data: plan.data_hash.clone(),
        templates: templates_hash,
        udvalg: env!("CARGO_PKG_VERSION").to_string(),
        files: sent
            .iter()
            .map(|(doc, pdf)| ManifestEntry {
                name: file_name(doc),
                kind: doc.kind.name().to_string(),
                size: pdf.len() as u64,
                sha256: sha256_hex(pdf),
            })
            .collect(),
    };
    manifest.files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).expect("a manifest is plain data");
    manifest_json.push(b'\n');

    let mut entries: Vec<(String, &[u8])> = sent
        .iter()
        .map(|(doc, pdf)| (file_name(doc), &pdf[..]))
        .collect();
    entries.push(("manifest.json".into(), &manifest_json));
    let zip = zip_bytes(&entries, data.sent.get_ref().0).map_err(|e| {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error(format!("cannot make the zip: {e}")));
        d
    })?;
    let zip_name = format!("{folder}/hoeringspakke-{}.zip", consultation.id);

    let mut files: Vec<(String, &[u8])> = pdfs
        .iter()
        .map(|(doc, pdf)| (doc.path.clone(), &pdf[..]))
        .collect();
    files.push((format!("{folder}/manifest.json"), &manifest_json));
    files.push((zip_name.clone(), &zip));

    // All of the package or none of it, as the build writes its papers.
    let batch = out.batch()?;
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        match batch.stage(&path, bytes) {
            Ok(file) => staged.push(file),
            Err(e) => errors.push(e),
        }
    }
    if errors.has_errors() {
        batch.abandon();
        return Err(errors.into());
    }
    let mut written = batch.commit(staged, Vec::new())?;
    written.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(PackageReport {
        written,
        pages,
        zip: zip_name,
        warnings,
    })
}

/// A zip that depends only on its entries: sorted names, one fixed timestamp (the given day at
/// noon, so no time zone can move it to another date), fixed permissions.
pub fn zip_bytes(entries: &[(String, &[u8])], day: NaiveDate) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(day.year().clamp(1980, 2107)).unwrap_or(1980),
        day.month() as u8,
        day.day() as u8,
        12,
        0,
        0,
    )?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut sorted: Vec<&(String, &[u8])> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in sorted {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zips_depend_only_on_their_entries() {
        let day = NaiveDate::from_ymd_opt(2022, 11, 9).unwrap();
        let a = zip_bytes(&[("b.txt".into(), b"2"), ("a.txt".into(), b"1")], day).unwrap();
        let b = zip_bytes(&[("a.txt".into(), b"1"), ("b.txt".into(), b"2")], day).unwrap();
        assert_eq!(a, b);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        assert_eq!(archive.file_names().collect::<Vec<_>>().len(), 2);
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.name().unwrap(), "a.txt");
        let stamp = first.last_modified().unwrap();
        assert_eq!((stamp.year(), stamp.month(), stamp.day()), (2022, 11, 9));
    }
}
