//! The build stage: render the selected documents that changed, then write them all, or nothing.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document, Selection};
use crate::output::record::{BuildRecord, RecordEntry, view_hash};
use crate::output::{OutputDir, Staged, Staging, Written};
use crate::plan::Plan;
use crate::render::{RenderResult, RenderRun, Rendered, Renderer, Templates};

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
    let cannot_write = |path: &str, e: std::io::Error| {
        Diagnostic::error(format!(
            "cannot write {}: {e}",
            out.root().join(path).display()
        ))
    };
    let writers = rayon::ThreadPoolBuilder::new().num_threads(WRITERS).build();
    let output_existed = out.root().exists();
    // Each PDF is written to a staging folder as soon as it is rendered, while the rest render,
    // and only put in its place once every document has rendered.
    let mut pdfs: Vec<(&Document, &String, Rendered)> = Vec::with_capacity(stale.len());
    let mut staged_pdfs: Vec<Staged> = Vec::with_capacity(stale.len());
    let staging = match stale.is_empty() {
        true => None,
        false => match out.staging() {
            Ok(staging) => Some(staging),
            Err(e) => {
                errors.push(cannot_write(".udvalg-staging", e));
                return Err(errors);
            }
        },
    };
    if let Some(staging) = &staging {
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
        let staged: Vec<Mutex<Option<std::io::Result<Staged>>>> =
            docs.iter().map(|_| Mutex::new(None)).collect();
        let run = match &writers {
            Ok(writers) => writers.in_place_scope(|scope| {
                render_and_stage(scope, &renderer, &docs, staging, &staged, bar.as_ref())
            }),
            Err(_) => rayon::in_place_scope(|scope| {
                render_and_stage(scope, &renderer, &docs, staging, &staged, bar.as_ref())
            }),
        };
        report.workers = run.workers;
        report.busy = run.busy;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        for (((doc, view), result), slot) in stale.iter().zip(run.results).zip(staged) {
            match result {
                Ok(mut rendered) => {
                    report.pages += rendered.pages;
                    report.warnings.append(&mut rendered.warnings);
                    // The staged file holds the PDF now.
                    rendered.pdf = Vec::new();
                    match slot.into_inner().ok().flatten() {
                        Some(Ok(staged)) => {
                            pdfs.push((doc, view, rendered));
                            staged_pdfs.push(staged);
                        }
                        Some(Err(e)) => errors.push(cannot_write(&doc.path, e)),
                        None => errors.push(cannot_write(
                            &doc.path,
                            std::io::Error::other("it was not staged"),
                        )),
                    }
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
        drop(staging);
        if !output_existed {
            // Made for the staging folder: a failed build leaves no trace.
            let _ = std::fs::remove_dir(out.root());
        }
        return Err(errors);
    }

    let write_all = || {
        let pdf_writes: Vec<_> = staged_pdfs
            .into_par_iter()
            .map(|staged| out.persist(staged))
            .collect();
        let copy_writes: Vec<_> = copies
            .par_iter()
            .map(|(path, bytes)| out.write(path, bytes))
            .collect();
        (pdf_writes, copy_writes)
    };
    let (pdf_writes, copy_writes) = match &writers {
        Ok(writers) => writers.install(write_all),
        Err(_) => write_all(),
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
            Err(e) => errors.push(cannot_write(&doc.path, e)),
        }
    }
    for ((path, _), result) in copies.iter().zip(copy_writes) {
        match result {
            Ok(written) => report.written.push(written),
            Err(e) => errors.push(cannot_write(path, e)),
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

/// Renders `docs`, and stages each PDF from `scope`'s threads as soon as it is rendered, into
/// its document's slot of `staged`.
fn render_and_stage<'s>(
    scope: &rayon::Scope<'s>,
    renderer: &Renderer,
    docs: &'s [&'s Document],
    staging: &'s Staging<'s>,
    staged: &'s [Mutex<Option<std::io::Result<Staged>>>],
    bar: Option<&indicatif::ProgressBar>,
) -> RenderRun {
    let done = |index: usize, result: &RenderResult| {
        if let Some(bar) = bar {
            bar.inc(1);
        }
        if let Ok(rendered) = result {
            let (path, pdf, slot) = (&docs[index].path, rendered.pdf.clone(), &staged[index]);
            scope.spawn(move |_| {
                let result = staging.stage(path, &pdf);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(result);
                }
            });
        }
    };
    renderer.render_all_with(docs, &done)
}
