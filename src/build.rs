//! The build stage: render every selected document, then write them all, or nothing.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Selection};
use crate::output::{OutputDir, Written};
use crate::plan::Plan;
use crate::render::Renderer;

#[derive(Debug, Default)]
pub struct BuildReport {
    pub written: Vec<Written>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Renders what `selection` wants from a valid plan and writes it under `out`. If any document
/// fails, nothing is written, so the output directory keeps its last good papers.
pub fn build(
    plan: &Plan,
    renderer: &Renderer,
    selection: &Selection,
    out: &OutputDir,
) -> Result<BuildReport, Diagnostics> {
    let catalogue = documents::catalogue(plan, selection);
    let results = renderer.render_all(&catalogue.documents);

    let mut report = BuildReport::default();
    let mut errors = Diagnostics::default();
    let mut pdfs = Vec::with_capacity(results.len());
    for (document, result) in catalogue.documents.iter().zip(results) {
        match result {
            Ok(rendered) => {
                report.pages += rendered.pages;
                report.warnings.extend(rendered.warnings);
                pdfs.push((document.path.as_str(), rendered.pdf));
            }
            Err(diagnostics) => errors.extend(diagnostics),
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
    for (path, bytes) in pdfs
        .iter()
        .map(|(p, b)| (*p, b))
        .chain(copies.iter().map(|(p, b)| (*p, b)))
    {
        match out.write(path, bytes) {
            Ok(written) => report.written.push(written),
            Err(e) => errors.push(Diagnostic::error(format!(
                "cannot write {}: {e}",
                out.root().join(path).display()
            ))),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(report)
}
