//! Rendering in process: one Typst World per layout over fonts, library and template sources
//! that are loaded once and shared; layouts compile in parallel. An agenda is laid out once and
//! its items' PDFs are cut from its pages.

mod excerpt;
mod templates;
mod workers;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use typst::diag::{FileError, FileResult, Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use excerpt::cut_item;
use serde::{Deserialize, Serialize};
use templates::file_id;
pub use templates::{FONTS_KEY, Templates, hash_of};
pub use workers::serve as serve_worker;

use crate::diagnostics::{Diagnostic, Severity};
use crate::documents::Document;

/// Typst's memo cache is trimmed each time every thread has laid out this many documents (a
/// trim takes milliseconds): more is faster (more reuse between papers), fewer keeps memory
/// lower.
const LAYOUTS_PER_TRIM: usize = 6;
/// A trim drops what the last this many periods did not use (parsed templates stay).
const CACHE_AGE: usize = 2;
/// A run of fewer layouts than this keeps its memo cache whole while it renders: a trim takes a
/// few milliseconds and stops every other thread meanwhile, and the cache of a few dozen layouts
/// is small. (On the built-in plan, 12 runs each: the full build at 1.09x its own compile and
/// export time instead of 1.12x, for 25 MB more.) `watch` trims between runs instead.
const TRIM_FROM: usize = 100;

/// Fewer layouts than this are done sooner by threads than by worker processes, each of which
/// starts with an empty memo cache (the built-in plan has about 40).
const WORKERS_FROM: usize = 100;

/// Drops from Typst's memo cache what the last `CACHE_AGE` trims did not see used: as a long run
/// renders, and between runs in a process that renders again and again (`watch`).
pub fn trim_memo_cache() {
    typst::comemo::evict(CACHE_AGE);
}

/// What every document of a run shares.
pub struct Renderer {
    library: LazyHash<Library>,
    fonts: FontStore,
    templates: Templates,
    view_id: FileId,
    /// The day Typst's `datetime.today()` answers: the plan's date, never the clock.
    today: NaiveDate,
    /// The program to run as `<program> render-worker` for rendering in processes.
    workers: Option<PathBuf>,
}

/// A rendered PDF, or why it could not be.
pub type RenderResult = Result<Rendered, Vec<Diagnostic>>;

/// Called with each document's index in the run and its result, as soon as it is rendered; it
/// may take the PDF (to write it), and the run keeps the rest.
pub type Done<'a> = &'a (dyn Fn(usize, &mut RenderResult) + Sync);

/// The results of rendering a run's documents, in their order.
pub struct RenderRun<R = RenderResult> {
    pub results: Vec<R>,
    /// How many worker processes rendered them; 0 if this process's threads did.
    pub workers: usize,
    /// The time spent laying out and exporting, summed over layouts: the work that is shared
    /// out among the cores.
    pub busy: Duration,
}

/// A rendered PDF.
#[derive(Debug)]
pub struct Rendered {
    /// Shared, so that a PDF from a worker stays in the message it came in until it is written.
    pub pdf: bytes::Bytes,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    /// The template files (and the fonts) the document read, with their hashes.
    pub templates: BTreeMap<String, String>,
}

impl Renderer {
    pub fn new(templates: Templates, today: NaiveDate) -> Self {
        let mut fonts = FontStore::new();
        for data in templates.fonts() {
            for font in Font::iter(data.clone()) {
                let info = font.info().clone();
                fonts.push((font, info));
            }
        }
        fonts.extend(typst_kit::fonts::embedded());
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            templates,
            view_id: file_id("view.json").expect("a constant, valid path"),
            today,
            workers: None,
        }
    }

    /// Renders large runs in worker processes, one per thread, each started as
    /// `<program> render-worker`: threads of one process contend for Typst's shared memo
    /// cache, processes do not. Without workers (or if they cannot start), threads render.
    pub fn with_workers(mut self, program: Option<PathBuf>) -> Self {
        self.workers = program;
        self
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Renders documents on all threads of the current rayon pool, or in as many worker
    /// processes (see [`Self::with_workers`]); results keep their order. Typst's memo cache is
    /// trimmed as the run goes, or a municipality-year of papers would keep every layout it
    /// ever made.
    pub fn render_all(&self, documents: &[&Document]) -> Vec<RenderResult> {
        self.render_all_with(documents, &|_, _| {}).results
    }

    /// As [`Self::render_all`], handing each document's result to `done` as soon as it is
    /// there, with the document's index (for a progress bar, and to write it while the rest
    /// render).
    pub fn render_all_with(&self, documents: &[&Document], done: Done) -> RenderRun {
        let threads = rayon::current_num_threads();
        let (queue, runs) = schedule(documents);
        let runs = largest_first(&queue, &runs);
        let in_workers = match &self.workers {
            Some(program) if threads > 1 && queue.len() >= WORKERS_FROM => {
                workers::render(self, program, threads, (&queue, &runs), done)
            }
            _ => None,
        };
        let run =
            in_workers.unwrap_or_else(|| self.render_in_threads(threads, (&queue, &runs), done));
        // Layouts a stopped worker had queued, or that no worker took, have no result.
        let missing = match run.workers {
            0 => "a document was not rendered",
            _ => "not rendered: a render worker stopped",
        };
        let results = crate::output::in_order(run.results, documents.len())
            .into_iter()
            .zip(documents)
            .map(|(result, document)| {
                result.unwrap_or_else(|| Err(not_rendered(&document.path, missing)))
            })
            .collect();
        RenderRun {
            results,
            workers: run.workers,
            busy: run.busy,
        }
    }

    /// Renders with this process's threads, each taking the next layout from one queue: the
    /// results by the index of their document in the run.
    fn render_in_threads(
        &self,
        threads: usize,
        (queue, runs): (&[LayoutJob], &[Range<usize>]),
        done: Done,
    ) -> RenderRun<(usize, RenderResult)> {
        let order: Vec<&LayoutJob> = runs.iter().flat_map(|run| &queue[run.clone()]).collect();
        let trims = queue.len() >= TRIM_FROM;
        let next = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        let rendered: Vec<(Vec<(usize, RenderResult)>, Duration)> = (0..threads)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| {
                let mut mine = Vec::new();
                let mut busy = Duration::ZERO;
                while let Some(job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (results, took) = self.render_timed(job);
                    busy += took;
                    job.finish(results, done, &mut mine);
                    let finished = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    if trims && finished.is_multiple_of(threads * LAYOUTS_PER_TRIM) {
                        trim_memo_cache();
                    }
                }
                (mine, busy)
            })
            .collect();
        let busy = rendered.iter().map(|(_, busy)| *busy).sum();
        RenderRun {
            results: rendered.into_iter().flat_map(|(mine, _)| mine).collect(),
            workers: 0,
            busy,
        }
    }

    /// [`Self::render_layout`], and how long it took.
    fn render_timed(&self, job: &LayoutJob) -> (Vec<RenderResult>, Duration) {
        let started = Instant::now();
        let results = self.render_layout(job);
        (results, started.elapsed())
    }

    /// Lays out a job's document once and exports each of its outputs from it: the document
    /// itself, or pages cut from it. Its errors and warnings come with the first output only.
    fn render_layout(&self, job: &LayoutJob) -> Vec<RenderResult> {
        let reported_once = |first: Vec<Diagnostic>| {
            std::iter::once(first)
                .chain(std::iter::repeat(Vec::new()))
                .take(job.outputs.len())
        };
        let Some(main) = file_id(&job.template).filter(|_| self.templates.has(&job.template))
        else {
            let missing = Diagnostic::error(format!(
                "there is no template {}/{} for {}",
                self.templates.display_root(),
                job.template,
                job.path
            ));
            return reported_once(vec![missing]).map(Err).collect();
        };
        let world = DocumentWorld {
            renderer: self,
            main,
            view: Bytes::new(job.view.clone()),
            read: Mutex::new(HashSet::new()),
        };
        let compiled = typst::compile::<PagedDocument>(&world);
        let mut warnings = self.convert(&world, &job.path, &compiled.warnings);
        warnings.retain(|w| !w.message.contains("font"));
        let paged = match compiled.output {
            Ok(paged) => paged,
            Err(errors) => {
                let errors = self.convert(&world, &job.path, errors.as_slice());
                return reported_once(errors).map(Err).collect();
            }
        };
        let templates = self.templates_read(&world);
        job.outputs
            .iter()
            .zip(reported_once(warnings))
            .map(|(output, warnings)| {
                let cut;
                let exported = match output.item {
                    None => &paged,
                    Some(item) => {
                        cut = cut_item(&paged, item, &job.path, output)?;
                        &cut
                    }
                };
                Ok(Rendered {
                    pdf: self.export(&world, &output.path, exported)?.into(),
                    pages: exported.pages().len(),
                    warnings,
                    templates: templates.clone(),
                })
            })
            .collect()
    }

    /// A PDF/A-2b and PDF/UA-1 file of `paged`, to be written at `path`.
    fn export(
        &self,
        world: &DocumentWorld,
        path: &str,
        paged: &PagedDocument,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let options = PdfOptions {
            ident: Smart::Custom(path.to_string()),
            creator: Smart::Custom(Some(format!("udvalg {}", env!("CARGO_PKG_VERSION")))),
            standards: PdfStandards::new(&[PdfStandard::A_2b, PdfStandard::Ua_1])
                .expect("typst-pdf accepts PDF/A-2b together with PDF/UA-1"),
            tagged: true,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(paged, &options).map_err(|errors| self.convert(world, path, &errors))
    }

    /// The template files (and the fonts) a compilation read, with their hashes.
    fn templates_read(&self, world: &DocumentWorld) -> BTreeMap<String, String> {
        let hashes = self.templates.hashes();
        let mut read: BTreeMap<String, String> = world
            .read
            .lock()
            .map(|ids| {
                ids.iter()
                    .map(|id| Templates::path_of(*id))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .filter_map(|path| Some((path.clone(), hashes.get(&path)?.clone())))
            .collect();
        if let Some(fonts) = hashes.get(FONTS_KEY) {
            read.insert(FONTS_KEY.into(), fonts.clone());
        }
        read
    }

    /// Typst's diagnostics in ours: at the template's file and line, naming the document at
    /// `path`.
    fn convert(
        &self,
        world: &DocumentWorld,
        path: &str,
        diagnostics: &[SourceDiagnostic],
    ) -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .map(|diag| {
                let mut d = match diag.severity {
                    TypstSeverity::Error => Diagnostic::error(diag.message.to_string()),
                    TypstSeverity::Warning => Diagnostic::warning(diag.message.to_string()),
                }
                .with_help(format!("while rendering {path}"));
                let located = diag.span.id().and_then(|id| {
                    let text = self.templates.text(id)?;
                    Some((text.clone(), world.range(diag.span)?))
                });
                // Errors inside data (prose evaluated by a template) are found through the trace.
                let located = located.or_else(|| {
                    diag.trace.iter().find_map(|point| {
                        let id = point.span.id()?;
                        let text = self.templates.text(id)?;
                        Some((text.clone(), world.range(point.span)?))
                    })
                });
                if let Some((file, range)) = located {
                    d = d.at(&file, range);
                }
                for hint in &diag.hints {
                    d = d.with_help(hint.v.to_string());
                }
                if d.severity == Severity::Error && d.location.is_none() {
                    d = d.with_help("the error is in data the template shows; run `udvalg check`");
                }
                d
            })
            .collect()
    }
}

struct DocumentWorld<'a> {
    renderer: &'a Renderer,
    main: FileId,
    view: Bytes,
    /// The template files the compilation asked for: the document's dependencies.
    read: Mutex<HashSet<FileId>>,
}

impl DocumentWorld<'_> {
    fn note_read(&self, id: FileId) {
        if let Ok(mut read) = self.read.lock() {
            read.insert(id);
        }
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.renderer.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.note_read(id);
        self.renderer
            .templates
            .source(id)
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.view_id {
            return Ok(self.view.clone());
        }
        self.note_read(id);
        self.renderer
            .templates
            .file(id)
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let today = self.renderer.today;
        Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}

/// One document to lay out and what to export from it: all that rendering needs, in a form
/// that can be sent to a worker process.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LayoutJob {
    template: String,
    /// Where the laid-out document is written (whether or not this run writes it).
    path: String,
    /// The view data, as `/view.json`.
    #[serde(with = "serde_bytes")]
    view: Vec<u8>,
    /// The meeting the layout belongs to, if any: a worker process takes a meeting's layouts
    /// together.
    #[serde(skip)]
    meeting: Option<String>,
    outputs: Vec<Output>,
}

/// A PDF exported from a layout: the whole document, or one agenda item's pages.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Output {
    /// The document's index in the run.
    index: usize,
    path: String,
    title: String,
    /// The agenda item whose pages are cut out.
    item: Option<u64>,
}

impl LayoutJob {
    /// Hands each of the job's results to `done`, then keeps it under its document's index.
    fn finish(
        &self,
        results: impl IntoIterator<Item = RenderResult>,
        done: Done,
        into: &mut Vec<(usize, RenderResult)>,
    ) {
        for (output, mut result) in self.outputs.iter().zip(results) {
            done(output.index, &mut result);
            into.push((output.index, result));
        }
    }

    fn new(layout: &Layout, documents: &[&Document]) -> Self {
        let document = layout.document;
        Self {
            template: document.kind.template().to_string(),
            path: document.path.clone(),
            view: document.json().to_vec(),
            meeting: document.meeting.clone(),
            outputs: layout
                .outputs
                .iter()
                .map(|&index| {
                    let output = documents[index];
                    Output {
                        index,
                        path: output.path.clone(),
                        title: output.title.clone(),
                        item: output.excerpt.as_ref().map(|e| e.item),
                    }
                })
                .collect(),
        }
    }
}

/// Why the document at `path` has no PDF.
fn not_rendered(path: &str, message: &str) -> Vec<Diagnostic> {
    vec![Diagnostic::error(message).with_help(format!("while rendering {path}"))]
}

/// The run's layouts in the catalogue's order, and that order in runs of one meeting's layouts.
/// Threads take the layouts in this order: a meeting's papers, and the meetings of one
/// committee, share much of their layout in the memo cache. Worker processes take whole runs.
fn schedule(documents: &[&Document]) -> (Vec<LayoutJob>, Vec<Range<usize>>) {
    let queue: Vec<LayoutJob> = layouts(documents)
        .iter()
        .map(|layout| LayoutJob::new(layout, documents))
        .collect();
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, job) in queue.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if job.meeting.is_some() && queue[run.start].meeting == job.meeting => {
                run.end = i + 1;
            }
            _ => runs.push(i..i + 1),
        }
    }
    (queue, runs)
}

/// `runs` by their view data, largest first, so that no long paper (such as a year's process
/// plan, last in the catalogue) is left to one core while the others have finished.
fn largest_first(queue: &[LayoutJob], runs: &[Range<usize>]) -> Vec<Range<usize>> {
    let size =
        |run: &Range<usize>| -> usize { queue[run.clone()].iter().map(|j| j.view.len()).sum() };
    let mut runs = runs.to_vec();
    runs.sort_by_cached_key(|run| std::cmp::Reverse(size(run)));
    runs
}

/// One layout and the documents exported from it, by their index in the run.
struct Layout<'a> {
    document: &'a Document,
    outputs: Vec<usize>,
}

/// The run's documents grouped by the layout their pages come from, in the order they first
/// appear: an agenda and the items cut from it share one.
fn layouts<'a>(documents: &[&'a Document]) -> Vec<Layout<'a>> {
    let mut layouts: Vec<Layout<'a>> = Vec::new();
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    for (i, document) in documents.iter().enumerate() {
        let layout = document.layout();
        let at = *by_path.entry(layout.path.as_str()).or_insert_with(|| {
            layouts.push(Layout {
                document: layout,
                outputs: Vec::new(),
            });
            layouts.len() - 1
        });
        layouts[at].outputs.push(i);
    }
    layouts
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::documents::DocumentKind;

    fn document(kind: DocumentKind, path: &str) -> Document {
        Document::new(kind, None, path.into(), path.into(), json!({}))
    }

    fn sized(meeting: Option<&str>, path: &str, text_len: usize) -> Document {
        let view = json!({ "text": "x".repeat(text_len) });
        let meeting = meeting.map(String::from);
        Document::new(
            DocumentKind::Agenda,
            meeting,
            path.into(),
            path.into(),
            view,
        )
    }

    #[test]
    fn a_meeting_renders_together_and_the_largest_go_first() {
        let run = [
            sized(Some("a"), "a/dagsorden.pdf", 100),
            sized(Some("a"), "a/dagsorden-offentlig.pdf", 100),
            sized(Some("b"), "b/dagsorden.pdf", 300),
            sized(None, "procesplan.pdf", 250),
            sized(Some("c"), "c/dagsorden.pdf", 10),
        ];
        let documents: Vec<&Document> = run.iter().collect();
        let (queue, runs) = schedule(&documents);
        let order: Vec<&str> = queue.iter().map(|job| job.path.as_str()).collect();
        assert_eq!(
            order,
            run.iter().map(|d| d.path.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(runs, [0..2, 2..3, 3..4, 4..5]);
        assert_eq!(queue[1].outputs[0].index, 1);
        assert_eq!(largest_first(&queue, &runs), [2..3, 3..4, 0..2, 4..5]);
    }

    #[test]
    fn items_are_cut_from_their_agendas_one_layout() {
        let agenda = Arc::new(document(DocumentKind::Agenda, "m/dagsorden.pdf"));
        let first = document(DocumentKind::AgendaItem, "m/punkt-01.pdf").excerpt_of(&agenda, 1);
        let second = document(DocumentKind::AgendaItem, "m/punkt-02.pdf").excerpt_of(&agenda, 2);
        let minutes = document(DocumentKind::Minutes, "m/referat.pdf");
        let agenda_copy = Document::clone(&agenda);

        let run = [&first, &minutes, &agenda_copy, &second];
        let grouped: Vec<(&str, Vec<usize>)> = layouts(&run)
            .into_iter()
            .map(|l| (l.document.path.as_str(), l.outputs))
            .collect();
        assert_eq!(
            grouped,
            [
                ("m/dagsorden.pdf", vec![0, 2, 3]),
                ("m/referat.pdf", vec![1])
            ]
        );

        // Items alone: the agenda is laid out for them but is not one of the outputs.
        let items_only = [&second];
        let grouped = layouts(&items_only);
        assert_eq!(grouped.len(), 1);
        assert_eq!(grouped[0].document.path, "m/dagsorden.pdf");
        assert_eq!(grouped[0].outputs, [0]);
    }
}
