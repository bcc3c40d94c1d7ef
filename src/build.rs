//! The build stage: render the selected documents that changed, then write them all, or nothing.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{self, Document, DocumentKind, Selection};
use crate::output::journal::Recovered;
use crate::output::public::{PUBLIC_SET_KIND, public_sets};
use crate::output::record::{BuildRecord, RECORD_FILE, RecordEntry, file_matches, view_hash};
use crate::output::sent::{Correction, SENT_FILE, SentLedger};
use crate::output::{OutputDir, RunFailed, Staged, Written};
use crate::plan::Plan;
use crate::render::{RenderResult, Renderer, Templates};

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every file of the selection, rendered now or already current.
    pub written: Vec<Written>,
    pub rendered: usize,
    /// Documents whose view and templates were unchanged since they were written.
    pub unchanged: usize,
    /// Files udvalg wrote before that the plan no longer makes, now removed.
    pub removed: Vec<String>,
    pub pages: usize,
    /// How many worker processes rendered; 0 if the threads of this one did.
    pub workers: usize,
    /// Laying out and exporting, summed over layouts.
    pub busy: std::time::Duration,
    pub warnings: Vec<Diagnostic>,
    /// Papers that went out and that the plan has changed since: the corrected editions
    /// written beside them.
    pub corrections: Vec<Correction>,
    /// What a killed run had left in the output directory, finished or cleared first.
    pub recovered: Recovered,
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
    /// Render every layout in a worker process (`watch`: a layout stopped at its limit must
    /// not stay behind in the process that goes on watching).
    pub isolated: bool,
}

/// Fewer documents than this render too fast for a progress bar to help.
const PROGRESS_FROM: usize = 100;

/// What the record calls a file kept with the plan and copied as it is.
const COPIED_FILE: &str = "file";

/// Renders what `selection` wants from a valid plan and writes it under `out`, holding the
/// folder's lock. If any document fails, nothing is written, so the output directory keeps its
/// last good papers; otherwise the folder holds exactly what the selection makes, and files
/// udvalg made before that the plan no longer makes are removed.
pub fn build(
    plan: &Plan,
    templates: Templates,
    selection: &Selection,
    out: &OutputDir,
    options: BuildOptions,
) -> Result<BuildReport, RunFailed> {
    let lock = out.lock().map_err(|e| Diagnostic::system(e.to_string()))?;
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
                let changed = applied.changed.then_some(applied.ledger);
                (changed, applied.corrections)
            });
            let views: Vec<String> = catalogue.documents.par_iter().map(view_hash).collect();
            (catalogue, sent, BuildRecord::load(out), views)
        },
        || {
            let renderer = Renderer::new(templates, today)
                .with_workers(options.workers.clone())
                .for_plan(plan);
            if options.isolated {
                renderer.isolated()
            } else {
                renderer
            }
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
    let (ledger, corrections) = sent.map_err(Diagnostic::system)?;
    let mut report = BuildReport {
        unchanged: current.len(),
        warnings: crate::output::sent::warnings(plan, &corrections),
        corrections,
        recovered: lock.recovered.clone(),
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
    let (gone, forgotten) =
        no_longer_made(&record, &catalogue, selection, out, &mut report.warnings);
    // A paper found current is what this plan makes: the record says so, with the plan's hash.
    let restamped = current
        .iter()
        .filter(|(doc, _)| record.documents[&doc.path].plan_data != plan.data_hash)
        .count();
    if stale.is_empty()
        && catalogue.files.is_empty()
        && gone.is_empty()
        && forgotten.is_empty()
        && ledger.is_none()
        && restamped == 0
    {
        return Ok(report);
    }
    for (doc, _) in &current {
        if let Some(entry) = record.documents.get_mut(&doc.path) {
            entry.plan_data.clone_from(&plan.data_hash);
        }
    }

    let mut errors = Diagnostics::default();
    let batch = out.batch()?;
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
    let mut to_commit: Vec<Staged> = Vec::with_capacity(paths.len() + copies.len() + 2);
    for (((doc, view), result), staged) in stale.iter().zip(results).zip(staged.made) {
        match (result, staged) {
            (Ok(mut rendered), Ok(staged)) => {
                report.pages += rendered.pages;
                report.warnings.append(&mut rendered.warnings);
                record.documents.insert(
                    doc.path.clone(),
                    RecordEntry {
                        kind: doc.kind.name().into(),
                        meeting: doc.meeting.clone(),
                        view: (*view).clone(),
                        templates: rendered.templates,
                        sha256: staged.written.sha256.clone(),
                        size: staged.written.size,
                        draft: doc.is_draft(),
                        public: doc.public,
                        title: doc.title.clone(),
                        plan_data: plan.data_hash.clone(),
                    },
                );
                report.rendered += 1;
                to_commit.push(staged);
            }
            (Ok(_), Err(e)) => errors.push(e),
            (Err(diagnostics), _) => errors.extend(diagnostics),
        }
    }
    for (copy, file) in staged.copies.into_iter().zip(&catalogue.files) {
        match copy {
            Ok(staged) => {
                record.documents.insert(
                    file.path.clone(),
                    RecordEntry {
                        kind: COPIED_FILE.into(),
                        meeting: Some(file.meeting.clone()),
                        view: staged.written.sha256.clone(),
                        templates: Default::default(),
                        sha256: staged.written.sha256.clone(),
                        size: staged.written.size,
                        draft: false,
                        public: file.public,
                        title: String::new(),
                        plan_data: plan.data_hash.clone(),
                    },
                );
                to_commit.push(staged);
            }
            Err(e) => errors.push(e),
        }
    }
    for path in gone.iter().chain(&forgotten) {
        record.documents.remove(path);
    }
    let mut gone = gone;
    let mut bookkeeping = Vec::new();
    // The public sets follow the record: a meeting's set goes with its last file.
    let sets = public_sets(&record);
    let old_sets: Vec<String> = record
        .documents
        .iter()
        .filter(|(path, entry)| entry.kind == PUBLIC_SET_KIND && !sets.contains_key(*path))
        .map(|(path, _)| path.clone())
        .collect();
    for path in old_sets {
        record.documents.remove(&path);
        gone.push(path);
    }
    for (path, json) in &sets {
        match batch.stage(path, json) {
            Ok(staged) => {
                record.documents.insert(
                    path.clone(),
                    RecordEntry {
                        kind: PUBLIC_SET_KIND.into(),
                        meeting: path.split_once('/').map(|(meeting, _)| meeting.to_string()),
                        view: staged.written.sha256.clone(),
                        templates: Default::default(),
                        sha256: staged.written.sha256.clone(),
                        size: staged.written.size,
                        draft: false,
                        public: false,
                        title: String::new(),
                        plan_data: plan.data_hash.clone(),
                    },
                );
                bookkeeping.push(staged);
            }
            Err(e) => errors.push(e),
        }
    }
    record.removed.clone_from(&gone);
    record.remember_plan(plan);
    // The record and the ledger go in place with the papers they describe.
    let mut own = Vec::new();
    match record.to_json() {
        Ok(json) => own.push((RECORD_FILE, json)),
        Err(e) => errors.push(Diagnostic::system(format!(
            "cannot write the build record: {e}"
        ))),
    }
    if let Some(ledger) = &ledger {
        match ledger.to_json() {
            Ok(json) => own.push((SENT_FILE, json)),
            Err(e) => errors.push(Diagnostic::system(format!(
                "cannot write the list of papers that went out: {e}"
            ))),
        }
    }
    for (path, json) in own {
        match batch.stage(path, &json) {
            Ok(staged) => bookkeeping.push(staged),
            Err(e) => errors.push(e),
        }
    }
    if errors.has_errors() {
        batch.abandon();
        return Err(errors.into());
    }

    // Every file is on the disk by now: putting each in its place is a rename.
    let papers = to_commit.len();
    to_commit.extend(bookkeeping);
    let mut written = batch.commit(to_commit, gone.clone())?;
    written.truncate(papers);
    report.written.extend(written);
    report.removed = gone;
    report.written.sort_by(|a, b| a.path.cmp(&b.path));
    // Freeing a municipality-year's catalogue takes tens of milliseconds, which a build that
    // ends the process need not wait for. If no thread can be started, it is freed here.
    let _ = std::thread::Builder::new().spawn(move || drop(catalogue));
    Ok(report)
}

/// The files the record says udvalg wrote, in the selection's reach, that this build no longer
/// makes: those to remove, and those to forget. A file changed on disk since it was written is
/// not udvalg's to remove: it is left, with a warning, and forgotten.
fn no_longer_made(
    record: &BuildRecord,
    catalogue: &documents::Catalogue,
    selection: &Selection,
    out: &OutputDir,
    warnings: &mut Vec<Diagnostic>,
) -> (Vec<String>, Vec<String>) {
    let made: HashSet<&str> = catalogue
        .documents
        .iter()
        .map(|d| d.path.as_str())
        .chain(catalogue.files.iter().map(|f| f.path.as_str()))
        .collect();
    let in_reach = |entry: &RecordEntry| match DocumentKind::from_name(&entry.kind) {
        Some(kind) => selection.wants(kind, entry.meeting.as_deref()),
        // A copied file goes with every kind of its meeting's papers.
        None => selection.kind.is_none() && selection.wants_meeting(entry.meeting.as_deref()),
    };
    let (mut gone, mut forgotten) = (Vec::new(), Vec::new());
    for (path, entry) in &record.documents {
        // The public sets are made from the record once it is settled.
        if made.contains(path.as_str()) || !in_reach(entry) || entry.kind == PUBLIC_SET_KIND {
            continue;
        }
        if file_matches(out, path, entry) {
            gone.push(path.clone());
            continue;
        }
        if out.target(path).is_ok_and(|p| p.exists()) {
            warnings.push(Diagnostic::warning(format!(
                "{} is no longer made by the plan, but it was changed after udvalg wrote it; \
                 it is left as it is",
                out.root().join(path).display()
            )));
        }
        forgotten.push(path.clone());
    }
    (gone, forgotten)
}

fn progress_bar(papers: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(papers as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} papers, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
