//! The build stage: render the selected documents that changed, then write them all, or nothing.

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document, Selection};
use crate::output::record::{BuildRecord, RecordEntry, view_hash};
use crate::output::sent::{Correction, SentLedger};
use crate::output::{OutputDir, Staged, Written};
use crate::plan::Plan;
use crate::render::{RenderResult, Rendered, Renderer, Templates};

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
    /// Papers that went out and that the plan has changed since: the corrected editions
    /// written beside them.
    pub corrections: Vec<Correction>,
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
    // Fonts are parsed while the catalogue is made, as the renderer will most likely be needed;
    // a build with nothing to lay out has spent a few milliseconds of another core on it.
    let today = plan.settings.plan.date.get_ref().0;
    let ((catalogue, sent, mut record, views), renderer) = rayon::join(
        || {
            let mut catalogue = documents::catalogue(plan, selection);
            // What went out stays as it went out; the ledger's papers replace the plan's.
            let sent = SentLedger::load(out).map(|ledger| {
                let documents = std::mem::take(&mut catalogue.documents);
                let applied = ledger.apply(documents, today, |kind, meeting| {
                    selection.wants(kind, meeting)
                });
                catalogue.documents = applied.documents;
                let changed = (applied.ledger != ledger).then_some(applied.ledger);
                (changed, applied.corrections)
            });
            let views: Vec<String> = catalogue.documents.par_iter().map(view_hash).collect();
            (catalogue, sent, BuildRecord::load(out), views)
        },
        || Renderer::new(templates, today).with_workers(options.workers.clone()),
    );
    let (current, stale): (Vec<_>, Vec<_>) =
        catalogue
            .documents
            .iter()
            .zip(&views)
            .partition(|(doc, view)| {
                !options.force && record.is_current(out, doc, view, renderer.templates().hashes())
            });

    let mut errors = Diagnostics::default();
    let (ledger, corrections) = sent.map_err(|e| {
        errors.push(Diagnostic::error(e));
        std::mem::take(&mut errors)
    })?;
    let mut report = BuildReport {
        unchanged: current.len(),
        warnings: crate::output::sent::warnings(plan, &corrections),
        corrections,
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

    if stale.is_empty() && catalogue.files.is_empty() {
        if let Some(ledger) = &ledger {
            ledger.save(out).map_err(|e| {
                errors.push(cannot_save_ledger(e));
                std::mem::take(&mut errors)
            })?;
        }
        return Ok(report);
    }
    let batch = out.batch().map_err(|e| {
        errors.push(e);
        std::mem::take(&mut errors)
    })?;
    // Render these, each PDF staged as soon as it is rendered, and the attachments beside them;
    // then commit them all, or none.
    let docs: Vec<&Document> = stale.iter().map(|(doc, _)| *doc).collect();
    let paths: Vec<&str> = docs.iter().map(|doc| doc.path.as_str()).collect();
    let copies: Vec<(&bytes::Bytes, &str)> = catalogue
        .files
        .iter()
        .map(|f| (&f.bytes, f.path.as_str()))
        .collect();
    let renderer = (!docs.is_empty()).then_some(renderer);
    let bar = (options.progress && docs.len() >= PROGRESS_FROM).then(|| progress_bar(docs.len()));
    let staged = batch.stage_while(&paths, &copies, |stage| {
        let done = |index: usize, result: &mut RenderResult| {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            if let Ok(rendered) = result {
                // The staged file holds the PDF from now on.
                stage(index, std::mem::take(&mut rendered.pdf));
            }
        };
        renderer.as_ref().map(|r| r.render_all_with(&docs, &done))
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let results = match staged.produced {
        Some(run) => {
            report.workers = run.workers;
            report.busy = run.busy;
            run.results
        }
        None => Vec::new(),
    };
    let mut rendered_docs: Vec<(&Document, &String, Rendered)> = Vec::with_capacity(docs.len());
    let mut to_commit: Vec<Staged> = Vec::with_capacity(paths.len() + copies.len());
    for (((doc, view), result), staged) in stale.iter().zip(results).zip(staged.made) {
        match (result, staged) {
            (Ok(mut rendered), Ok(staged)) => {
                report.pages += rendered.pages;
                report.warnings.append(&mut rendered.warnings);
                rendered_docs.push((doc, view, rendered));
                to_commit.push(staged);
            }
            (Ok(_), Err(e)) => errors.push(e),
            (Err(diagnostics), _) => errors.extend(diagnostics),
        }
    }
    for copy in staged.copies {
        match copy {
            Ok(staged) => to_commit.push(staged),
            Err(e) => errors.push(e),
        }
    }
    if errors.has_errors() {
        batch.abandon();
        return Err(errors);
    }

    // Every file is on the disk by now: putting each in its place is a rename.
    let wrote_pdfs = !rendered_docs.is_empty();
    let mut committed = batch.commit(to_commit).into_iter();
    for ((doc, view, rendered), persisted) in rendered_docs.into_iter().zip(&mut committed) {
        match persisted {
            Ok(written) => {
                record.documents.insert(
                    doc.path.clone(),
                    RecordEntry {
                        kind: doc.kind.name().into(),
                        meeting: doc.meeting.clone(),
                        view: view.clone(),
                        templates: rendered.templates,
                        sha256: written.sha256.clone(),
                        size: written.size,
                        draft: doc.is_draft(),
                    },
                );
                report.written.push(written);
                report.rendered += 1;
            }
            Err(e) => errors.push(e),
        }
    }
    for persisted in committed {
        match persisted {
            Ok(written) => report.written.push(written),
            Err(e) => errors.push(e),
        }
    }
    if wrote_pdfs && let Err(e) = record.save(out) {
        errors.push(Diagnostic::error(format!(
            "cannot write the build record: {e}"
        )));
    }
    if let Some(ledger) = &ledger
        && let Err(e) = ledger.save(out)
    {
        errors.push(cannot_save_ledger(e));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    report.written.sort_by(|a, b| a.path.cmp(&b.path));
    // Freeing a municipality-year's catalogue takes tens of milliseconds, which a build that
    // ends the process need not wait for. If no thread can be started, it is freed here.
    let _ = std::thread::Builder::new().spawn(move || drop(catalogue));
    Ok(report)
}

fn cannot_save_ledger(e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!(
        "cannot write the list of papers that went out ({}): {e}",
        crate::output::sent::SENT_FILE
    ))
}

fn progress_bar(papers: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(papers as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} papers, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
