//! Rendering in process: one Typst World per layout over fonts, library and template sources
//! that are loaded once and shared; layouts compile in parallel. An agenda is laid out once and
//! its items' PDFs are cut from its pages.

mod compile;
mod excerpt;
pub mod guard;
mod join;
mod parts;
mod schedule;
mod templates;
mod threads;
mod typst_diagnostics;
mod workers;
mod world;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use typst::syntax::FileId;
use typst::text::Font;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_kit::fonts::FontStore;

pub use guard::Limits;
use schedule::{LayoutJob, largest_first, not_rendered, schedule};
use templates::file_id;
pub use templates::{FONTS_KEY, SITE_TEMPLATES, Templates};
pub use workers::serve as serve_worker;

use crate::diagnostics::Diagnostic;
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

/// A layout of at least this many pages (an agenda of a few hundred items) empties the memo
/// cache as soon as it is laid out, before its PDFs are exported: what it cached is of little
/// use to the next layout, and kept it would add that layout's memory to the next one's (two
/// editions of a 5,000-item agenda would need both at once).
const LARGE_LAYOUT_PAGES: usize = 200;

/// The stack of each rendering thread: Typst lays out recursively, and the default 2 MB stacks
/// overflow on long agendas.
pub const RENDER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Fewer layouts than this are done sooner by threads than by worker processes, each of which
/// starts with an empty memo cache (the built-in plan has about 40).
const WORKERS_FROM: usize = 100;

/// Drops from Typst's memo cache what the last `CACHE_AGE` trims did not see used: as a long run
/// renders, and between runs in a process that renders again and again (`watch`).
pub fn trim_memo_cache() {
    typst::comemo::evict(CACHE_AGE);
}

/// What every document of a run shares. Cheap to clone: a render thread owns its clone, so
/// that a layout that has to be left running (see [`guard`]) never points into freed data.
#[derive(Clone)]
pub struct Renderer {
    shared: Arc<Shared>,
    /// The program to run as `<program> render-worker` for rendering in processes.
    workers: Option<PathBuf>,
    /// Whether every layout is rendered in a worker process, however small the run.
    isolated: bool,
    limits: Limits,
    /// The plan files, in which a layout stopped at its limit looks for the prose it printed.
    plan_files: Arc<[crate::diagnostics::SourceRef]>,
}

/// The library, fonts and templates of a run, loaded once.
pub struct Shared {
    library: LazyHash<Library>,
    fonts: FontStore,
    templates: Templates,
    view_id: FileId,
    /// The day Typst's `datetime.today()` answers: the plan's date, never the clock.
    today: NaiveDate,
}

impl std::ops::Deref for Renderer {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
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
            shared: Arc::new(Shared {
                library: LazyHash::new(Library::builder().build()),
                fonts,
                templates,
                view_id: file_id("view.json").expect("a constant, valid path"),
                today,
            }),
            workers: None,
            isolated: false,
            limits: Limits::default(),
            plan_files: Arc::new([]),
        }
    }

    /// The time and memory limits of the plan, and its files: a paper stopped at a limit is
    /// reported at the prose field that made it run away.
    pub fn for_plan(mut self, plan: &crate::plan::Plan) -> Self {
        self.limits = Limits::of(&plan.settings.plan);
        self.plan_files = plan.source_files().into();
        self
    }

    /// The time and memory one layout may take.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Renders every layout in a worker process, also a run of one (`watch`: a process that
    /// lives on must not keep a layout that ran away). Needs [`Self::with_workers`].
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
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
        let queue: Arc<[LayoutJob]> = queue.into();
        let in_workers = match &self.workers {
            Some(program) if self.isolated => {
                let count = threads.min(queue.len()).max(1);
                workers::render(self, program, count, (&queue[..], &runs), done)
            }
            Some(program) if threads > 1 && queue.len() >= WORKERS_FROM => {
                workers::render(self, program, threads, (&queue[..], &runs), done)
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
        let results = crate::indexed::in_order(run.results, documents.len())
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
}
