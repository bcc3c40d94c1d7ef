//! The build stage: render the selected documents that changed, then write them all, or nothing.

use rayon::prelude::*;

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
    /// How many worker processes rendered; 0 if the threads of this one did.
    pub workers: usize,
    /// Laying out and exporting, summed over layouts.
    pub busy: std::time::Duration,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    /// Render every document, even those the build record says are current.
    pub force: bool,
    /// Show a progress bar on the terminal while many documents render.
    pub progress: bool,
    /// The program that renders as `<program> render-worker` (this one): large runs render in
    /// worker processes rather than threads.
    pub workers: Option<std::path::PathBuf>,
}

/// Files written at once: each write waits for the disk (fsync), not the CPU, so there are more
/// writers than cores.
const WRITERS: usize = 16;

/// Fewer documents than this render too fast for a progress bar to help.
const PROGRESS_FROM: usize = 100;

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

    let views: Vec<String> = catalogue.documents.par_iter().map(view_hash).collect();
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
        let renderer = Renderer::new(templates, plan.settings.plan.date.get_ref().0)
            .with_workers(options.workers.clone());
        let docs: Vec<&Document> = stale.iter().map(|(doc, _)| *doc).collect();
        let bar = (options.progress && docs.len() >= PROGRESS_FROM).then(|| {
            let bar = indicatif::ProgressBar::new(docs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} papers, {eta} left")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let tick = || {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        };
        let run = renderer.render_all_with(&docs, &tick);
        report.workers = run.workers;
        report.busy = run.busy;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        for ((doc, view), result) in stale.iter().zip(run.results) {
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

    let write_all = || {
        let pdf_writes: Vec<_> = pdfs
            .par_iter()
            .map(|(doc, _, rendered)| out.write(&doc.path, &rendered.pdf))
            .collect();
        let copy_writes: Vec<_> = copies
            .par_iter()
            .map(|(path, bytes)| out.write(path, bytes))
            .collect();
        (pdf_writes, copy_writes)
    };
    let (pdf_writes, copy_writes) =
        match rayon::ThreadPoolBuilder::new().num_threads(WRITERS).build() {
            Ok(writers) => writers.install(write_all),
            Err(_) => write_all(),
        };
    let mut failed = |path: &str, e: std::io::Error| {
        errors.push(Diagnostic::error(format!(
            "cannot write {}: {e}",
            out.root().join(path).display()
        )));
    };
    for ((doc, view, rendered), result) in pdfs.iter().zip(pdf_writes) {
        match result {
            Ok(written) => {
                record.documents.insert(
                    doc.path.clone(),
                    RecordEntry {
                        kind: doc.kind.name().into(),
                        meeting: doc.meeting.clone(),
                        view: (*view).clone(),
                        templates: rendered.templates.clone(),
                        sha256: written.sha256.clone(),
                        size: written.size,
                        draft: doc.is_draft(),
                    },
                );
                report.written.push(written);
                report.rendered += 1;
            }
            Err(e) => failed(&doc.path, e),
        }
    }
    for ((path, _), result) in copies.iter().zip(copy_writes) {
        match result {
            Ok(written) => report.written.push(written),
            Err(e) => failed(path, e),
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
