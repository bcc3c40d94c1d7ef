//! The build stage: render the selected documents that changed, then write them all, or nothing.

use std::collections::{HashMap, HashSet};

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
    /// With [`BuildOptions::keep_public`]: every paper of the selection that may be published,
    /// as it was laid out (the view of what went out, for a paper that has gone out).
    pub public: Vec<Document>,
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
    /// Keep the public papers in the report (`udvalg publish` makes its pages of them).
    pub keep_public: bool,
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
    let ((mut catalogue, sent, mut record), renderer) = rayon::join(
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
            (catalogue, sent, BuildRecord::load(out))
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
    let is_current = |doc: &Document, view: &str| {
        !options.force && record.is_current(out, doc, view, renderer.templates().hashes())
    };
    // The attachments the build makes come first: the papers that list them print their sizes.
    let first = made_first(
        plan,
        selection,
        out,
        &catalogue,
        &renderer,
        &record,
        &is_current,
    );
    if !first.sizes.is_empty() {
        let size_of = |path: &str| first.sizes.get(path).copied();
        documents::sizes::fill(&mut catalogue.documents, &size_of);
    }
    let views: Vec<String> = catalogue.documents.par_iter().map(view_hash).collect();
    let (current, stale): (Vec<_>, Vec<_>) = catalogue
        .documents
        .iter()
        .zip(&views)
        .partition(|(doc, view)| !first.rendered.contains_key(&doc.path) && is_current(doc, view));
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
        report.public = kept_public(&catalogue, &options);
        return Ok(report);
    }
    for (doc, _) in &current {
        if let Some(entry) = record.documents.get_mut(&doc.path) {
            entry.plan_data.clone_from(&plan.data_hash);
        }
    }

    let mut errors = Diagnostics::default();
    errors.extend(first.errors);
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
    let mut rendered_first = first.rendered;
    let bar = (options.progress && docs.len() >= PROGRESS_FROM).then(|| progress_bar(docs.len()));
    let staged = batch.stage_while(&paths, &copies, |stage| {
        // What was rendered first is staged now; the rest is rendered, each staged when done.
        let mut results: Vec<Option<RenderResult>> = Vec::with_capacity(docs.len());
        let mut later = Vec::new();
        for (index, doc) in docs.iter().enumerate() {
            let result = rendered_first.remove(&doc.path).map(|mut result| {
                if let Ok(rendered) = &mut result {
                    stage(index, std::mem::take(&mut rendered.pdf));
                }
                result
            });
            if result.is_none() {
                later.push(index);
            }
            results.push(result);
        }
        if let Some(bar) = &bar {
            bar.inc((docs.len() - later.len()) as u64);
        }
        let done = |index: usize, result: &mut RenderResult| {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
            if let Ok(rendered) = result {
                // The staged file holds the PDF from now on.
                stage(later[index], std::mem::take(&mut rendered.pdf));
            }
        };
        let later_docs: Vec<&Document> = later.iter().map(|&index| docs[index]).collect();
        let run = (!later_docs.is_empty()).then(|| renderer.render_all_with(&later_docs, &done));
        let (workers, busy) = run
            .as_ref()
            .map_or((0, Default::default()), |r| (r.workers, r.busy));
        for (index, result) in later.iter().zip(run.into_iter().flat_map(|r| r.results)) {
            results[*index] = Some(result);
        }
        (results, workers, busy)
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (results, workers, busy) = staged.produced;
    report.workers = workers.max(first.workers);
    report.busy = busy + first.busy;
    let results = results.into_iter().zip(&docs).map(|(result, doc)| {
        result.unwrap_or_else(|| {
            Err(vec![
                Diagnostic::error("a document was not rendered")
                    .with_help(format!("while rendering {}", doc.path)),
            ])
        })
    });
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
                        pages: rendered.pages,
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
                        pages: 0,
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
                        pages: 0,
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
    report.public = kept_public(&catalogue, &options);
    // Freeing a municipality-year's catalogue takes tens of milliseconds, which a build that
    // ends the process need not wait for. If no thread can be started, it is freed here.
    let _ = std::thread::Builder::new().spawn(move || drop(catalogue));
    Ok(report)
}

fn kept_public(catalogue: &documents::Catalogue, options: &BuildOptions) -> Vec<Document> {
    match options.keep_public {
        true => catalogue
            .documents
            .iter()
            .filter(|d| d.public)
            .cloned()
            .collect(),
        false => Vec::new(),
    }
}

/// The attachments that papers list and that the build makes, rendered before those papers.
#[derive(Default)]
struct MadeFirst {
    /// Each one's size, by its path: as rendered now, or as the record has it.
    sizes: HashMap<String, u64>,
    /// Those of the run that were rendered now, by path, to be staged with the rest.
    rendered: HashMap<String, RenderResult>,
    /// Why one that the run does not write could not be rendered.
    errors: Vec<Diagnostic>,
    workers: usize,
    busy: std::time::Duration,
}

/// Renders the attachments that the run's papers list without a size (see
/// [`documents::sizes`]), unless the record has them current, and gives their sizes.
fn made_first(
    plan: &Plan,
    selection: &Selection,
    out: &OutputDir,
    catalogue: &documents::Catalogue,
    renderer: &Renderer,
    record: &BuildRecord,
    is_current: &dyn Fn(&Document, &str) -> bool,
) -> MadeFirst {
    let mut first = MadeFirst::default();
    let listed = documents::sizes::unsized_attachments(&catalogue.documents);
    if listed.is_empty() {
        return first;
    }
    let mut missing: HashSet<&str> = listed.iter().map(String::as_str).collect();
    let mut of_run: Vec<&Document> = Vec::new();
    for doc in &catalogue.documents {
        if missing.remove(doc.path.as_str()) {
            of_run.push(doc);
        }
    }
    // A build of one kind (`--document agenda`) still lays out what its papers list, to learn
    // the sizes; it does not write them.
    let outside = match missing.is_empty() {
        true => Vec::new(),
        false => attachments_outside(plan, selection, out, &missing),
    };
    let mut stale: Vec<(&Document, bool)> = Vec::new();
    for (doc, written) in of_run
        .into_iter()
        .map(|doc| (doc, true))
        .chain(outside.iter().map(|doc| (doc, false)))
    {
        let entry = record.documents.get(&doc.path);
        match entry.filter(|_| is_current(doc, &view_hash(doc))) {
            Some(entry) => {
                first.sizes.insert(doc.path.clone(), entry.size);
            }
            None => stale.push((doc, written)),
        }
    }
    if stale.is_empty() {
        return first;
    }
    let docs: Vec<&Document> = stale.iter().map(|(doc, _)| *doc).collect();
    let run = renderer.render_all_with(&docs, &|_, _| {});
    first.workers = run.workers;
    first.busy = run.busy;
    for ((doc, written), result) in stale.into_iter().zip(run.results) {
        match &result {
            Ok(rendered) => {
                first
                    .sizes
                    .insert(doc.path.clone(), rendered.pdf.len() as u64);
            }
            Err(diagnostics) if !written => first.errors.extend(diagnostics.iter().cloned()),
            Err(_) => {}
        }
        if written {
            first.rendered.insert(doc.path.clone(), result);
        }
    }
    first
}

/// The attached documents at `paths`, as a build of every kind would make them.
fn attachments_outside(
    plan: &Plan,
    selection: &Selection,
    out: &OutputDir,
    paths: &HashSet<&str>,
) -> Vec<Document> {
    let every_kind = Selection {
        meeting: selection.meeting.clone(),
        kind: None,
    };
    let mut documents = documents::catalogue(plan, &every_kind).documents;
    documents.retain(|doc| paths.contains(doc.path.as_str()));
    // As it went out, where it did.
    let today = plan.settings.plan.date.get_ref().0;
    if let Ok(ledger) = SentLedger::load(out) {
        documents = ledger.apply(documents, today, |_, _| false).documents;
        documents.retain(|doc| paths.contains(doc.path.as_str()));
    }
    documents
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
