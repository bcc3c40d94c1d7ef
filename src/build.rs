//! The build stage: render the selected documents that changed, then write them all, or nothing.

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, CopiedFile, Document, Selection};
use crate::output::record::{BuildRecord, RecordEntry, view_hash};
use crate::output::{OutputDir, Staged, Staging, Written, in_order, with_io_threads};
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
    // Fonts are parsed while the catalogue is made, as the renderer will most likely be needed;
    // a build with nothing to lay out has spent a few milliseconds of another core on it.
    let ((catalogue, mut record, views), renderer) = rayon::join(
        || {
            let catalogue = documents::catalogue(plan, selection);
            let views: Vec<String> = catalogue.documents.par_iter().map(view_hash).collect();
            (catalogue, BuildRecord::load(out), views)
        },
        || {
            Renderer::new(templates, plan.settings.plan.date.get_ref().0)
                .with_workers(options.workers.clone())
        },
    );
    let (current, stale): (Vec<_>, Vec<_>) =
        catalogue
            .documents
            .iter()
            .zip(&views)
            .partition(|(doc, view)| {
                !options.force && record.is_current(out, doc, view, renderer.templates().hashes())
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
    let output_existed = out.root().exists();
    if stale.is_empty() && catalogue.files.is_empty() {
        return Ok(report);
    }
    // Each PDF is written to a staging folder as soon as it is rendered, while the rest render,
    // and the attachments beside them; all are put in their place once every document has
    // rendered.
    let staging = match out.staging() {
        Ok(staging) => staging,
        Err(e) => {
            errors.push(cannot_write(out, ".udvalg-staging", e));
            return Err(errors);
        }
    };
    let docs: Vec<&Document> = stale.iter().map(|(doc, _)| *doc).collect();
    let renderer = (!docs.is_empty()).then_some(renderer);
    let bar = (options.progress && docs.len() >= PROGRESS_FROM).then(|| progress_bar(docs.len()));
    let (run, mut staged) = render_and_stage(
        renderer.as_ref(),
        &docs,
        &catalogue.files,
        &staging,
        bar.as_ref(),
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let copies = staged.split_off(docs.len());
    let mut pdfs: Vec<(&Document, &String, Rendered, Staged)> = Vec::with_capacity(docs.len());
    if let Some(run) = run {
        report.workers = run.workers;
        report.busy = run.busy;
        for (((doc, view), result), staged) in stale.iter().zip(run.results).zip(staged) {
            match (result, staged) {
                (Ok(mut rendered), Ok(staged)) => {
                    report.pages += rendered.pages;
                    report.warnings.append(&mut rendered.warnings);
                    pdfs.push((doc, view, rendered, staged));
                }
                (Ok(_), Err(e)) => errors.push(e),
                (Err(diagnostics), _) => errors.extend(diagnostics),
            }
        }
    }
    let mut attachments = Vec::with_capacity(copies.len());
    for staged in copies {
        match staged {
            Ok(staged) => attachments.push(staged),
            Err(e) => errors.push(e),
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

    // Every file is on the disk by now: putting each in its place is a rename.
    let wrote_pdfs = !pdfs.is_empty();
    let (pdfs, staged): (Vec<_>, Vec<_>) = pdfs
        .into_iter()
        .map(|(doc, view, rendered, staged)| ((doc, view, rendered), staged))
        .unzip();
    for ((doc, view, rendered), persisted) in pdfs.into_iter().zip(out.persist_all(staged)) {
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
            Err(e) => errors.push(cannot_write(out, &doc.path, e)),
        }
    }
    let paths: Vec<String> = attachments.iter().map(|s| s.written.path.clone()).collect();
    for (path, persisted) in paths.iter().zip(out.persist_all(attachments)) {
        match persisted {
            Ok(written) => report.written.push(written),
            Err(e) => errors.push(cannot_write(out, path, e)),
        }
    }
    if wrote_pdfs && let Err(e) = record.save(out) {
        errors.push(Diagnostic::error(format!(
            "cannot write the build record: {e}"
        )));
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

/// Renders `docs` (if there is a renderer) and stages `files`, each PDF as soon as it is
/// rendered, on threads that write while the rest render: the run, and what was staged for each
/// document, then for each file.
fn render_and_stage(
    renderer: Option<&Renderer>,
    docs: &[&Document],
    files: &[CopiedFile],
    staging: &Staging,
    bar: Option<&indicatif::ProgressBar>,
) -> (Option<RenderRun>, Vec<Result<Staged, Diagnostic>>) {
    let out = staging.out();
    let stage = |item: ToStage| match item {
        ToStage::Pdf(index, pdf) => {
            let path = &docs[index].path;
            let staged = staging.stage(path, &pdf);
            (index, staged.map_err(|e| cannot_write(out, path, e)))
        }
        ToStage::Attachment(index) => {
            let file = &files[index];
            let staged = std::fs::read(&file.from)
                .map_err(|e| {
                    Diagnostic::error(format!(
                        "cannot read the attachment {}: {e}",
                        file.from.display()
                    ))
                })
                .and_then(|bytes| {
                    staging
                        .stage(&file.path, &bytes)
                        .map_err(|e| cannot_write(out, &file.path, e))
                });
            (docs.len() + index, staged)
        }
    };
    let (run, staged) = with_io_threads(WRITERS, stage, |hand| {
        (0..files.len()).for_each(|index| hand(ToStage::Attachment(index)));
        let done = |index: usize, result: &mut RenderResult| {
            if let Some(bar) = bar {
                bar.inc(1);
            }
            if let Ok(rendered) = result {
                // The staged file holds the PDF from now on.
                hand(ToStage::Pdf(index, std::mem::take(&mut rendered.pdf)));
            }
        };
        renderer.map(|renderer| renderer.render_all_with(docs, &done))
    });
    let paths = docs
        .iter()
        .map(|doc| &doc.path)
        .chain(files.iter().map(|f| &f.path));
    let staged = in_order(staged, docs.len() + files.len())
        .into_iter()
        .zip(paths)
        .map(|(staged, path)| {
            staged.unwrap_or_else(|| {
                let e = std::io::Error::other("it was not staged");
                Err(cannot_write(out, path, e))
            })
        })
        .collect();
    (run, staged)
}

fn progress_bar(papers: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(papers as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} papers, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// What the writing threads stage: a rendered document's PDF, or the catalogue's attachment.
enum ToStage {
    Pdf(usize, bytes::Bytes),
    Attachment(usize),
}

fn cannot_write(out: &OutputDir, path: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!(
        "cannot write {}: {e}",
        out.root().join(path).display()
    ))
}
