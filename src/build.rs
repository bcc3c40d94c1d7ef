//! The build stage: render the selected documents that changed, then write them all, or nothing.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document, Selection};
use crate::output::record::{BuildRecord, RecordEntry, view_hash};
use crate::output::{OutputDir, Written};
use crate::plan::Plan;
use crate::render::{Renderer, Templates};

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every file of the selection, rendered now or already current.
    pub written: Vec<Written>,
    pub rendered: usize,
    /// Documents whose view and templates were unchanged since they were written.
    pub unchanged: usize,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct BuildOptions {
    /// Render every document, even those the build record says are current.
    pub force: bool,
}

/// Renders what `selection` wants from a valid plan and writes it under `out`. If any document
/// fails, nothing is written, so the output directory keeps its last good papers.
pub fn build(
    plan: &Plan,
    templates: Templates,
    selection: &Selection,
    out: &OutputDir,
    options: BuildOptions,
) -> Result<BuildReport, Diagnostics> {
    let catalogue = documents::catalogue(plan, selection);
    let template_hashes = templates.hashes().clone();
    let mut record = BuildRecord::load(out);

    let views: Vec<String> = catalogue.documents.iter().map(view_hash).collect();
    let (current, stale): (Vec<_>, Vec<_>) =
        catalogue
            .documents
            .iter()
            .zip(&views)
            .partition(|(doc, view)| {
                !options.force && record.is_current(out, doc, view, &template_hashes)
            });

    let mut report = BuildReport {
        unchanged: current.len(),
        ..BuildReport::default()
    };
    for (doc, _) in &current {
        let entry = &record.documents[&doc.path];
        report.written.push(Written {
            path: doc.path.clone(),
            size: entry.size,
            sha256: entry.sha256.clone(),
            changed: false,
        });
    }

    let mut errors = Diagnostics::default();
    let mut pdfs: Vec<(&Document, &String, crate::render::Rendered)> =
        Vec::with_capacity(stale.len());
    if !stale.is_empty() {
        // Fonts and templates are only set up when something has to be laid out.
        let renderer = Renderer::new(templates, plan.settings.plan.date.get_ref().0);
        let docs: Vec<&Document> = stale.iter().map(|(doc, _)| *doc).collect();
        for ((doc, view), result) in stale.iter().zip(renderer.render_all(&docs)) {
            match result {
                Ok(mut rendered) => {
                    report.pages += rendered.pages;
                    report.warnings.append(&mut rendered.warnings);
                    pdfs.push((doc, view, rendered));
                }
                Err(diagnostics) => errors.extend(diagnostics),
            }
        }
    }
    let mut copies = Vec::with_capacity(catalogue.files.len());
    for file in &catalogue.files {
        match std::fs::read(&file.from) {
            Ok(bytes) => copies.push((file.path.as_str(), bytes)),
            Err(e) => errors.push(Diagnostic::error(format!(
                "cannot read the attachment {}: {e}",
                file.from.display()
            ))),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }

    let mut write = |path: &str, bytes: &[u8]| match out.write(path, bytes) {
        Ok(written) => Some(written),
        Err(e) => {
            errors.push(Diagnostic::error(format!(
                "cannot write {}: {e}",
                out.root().join(path).display()
            )));
            None
        }
    };
    for (doc, view, rendered) in &pdfs {
        if let Some(written) = write(&doc.path, &rendered.pdf) {
            record.documents.insert(
                doc.path.clone(),
                RecordEntry {
                    kind: doc.kind.name().into(),
                    meeting: doc.meeting.clone(),
                    view: (*view).clone(),
                    templates: rendered.templates.clone(),
                    sha256: written.sha256.clone(),
                    size: written.size,
                    draft: doc.view["meta"]["draft"].as_bool().unwrap_or(false),
                },
            );
            report.written.push(written);
            report.rendered += 1;
        }
    }
    for (path, bytes) in &copies {
        if let Some(written) = write(path, bytes) {
            report.written.push(written);
        }
    }
    if !pdfs.is_empty()
        && let Err(e) = record.save(out)
    {
        errors.push(Diagnostic::error(format!(
            "cannot write the build record: {e}"
        )));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    report.written.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}
