//! Rendering in process: one Typst World per document over fonts, library and template sources
//! that are loaded once and shared; documents compile in parallel.

mod templates;

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

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

use templates::file_id;
pub use templates::{FONTS_KEY, Templates, hash_of};

use crate::diagnostics::{Diagnostic, Severity};
use crate::documents::Document;

/// Documents each thread renders between two trims of the memo cache: more is faster (fewer
/// waits at the end of a batch), fewer keeps memory lower.
const DOCUMENTS_PER_THREAD: usize = 24;
/// Cache entries unused for this many batches are dropped (parsed templates stay).
const CACHE_AGE: usize = 2;

/// A document's rough cost to lay out: the size of its data.
fn weight(document: &Document) -> usize {
    document.json().len()
}

/// What every document of a run shares.
pub struct Renderer {
    library: LazyHash<Library>,
    fonts: FontStore,
    templates: Templates,
    view_id: FileId,
    /// The day Typst's `datetime.today()` answers: the plan's date, never the clock.
    today: NaiveDate,
}

/// A rendered PDF, or why it could not be.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    /// The template files (and the fonts) the document read, with their hashes.
    pub templates: BTreeMap<String, String>,
}

impl Renderer {
    pub fn new(templates: Templates, today: NaiveDate) -> Self {
        let mut fonts = FontStore::new();
        for data in &templates.fonts {
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
        }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Renders documents on all threads of the current rayon pool; results keep their order.
    /// Typst's memo cache is trimmed after each batch, or a municipality-year of papers would
    /// keep every layout it ever made.
    pub fn render_all(&self, documents: &[&Document]) -> Vec<Result<Rendered, Vec<Diagnostic>>> {
        self.render_all_with(documents, &|| {})
    }

    /// As [`Self::render_all`], calling `done` after each document (for a progress bar).
    pub fn render_all_with(
        &self,
        documents: &[&Document],
        done: &(dyn Fn() + Sync),
    ) -> Vec<Result<Rendered, Vec<Diagnostic>>> {
        let batch = rayon::current_num_threads() * DOCUMENTS_PER_THREAD;
        let mut results: Vec<Option<Result<Rendered, Vec<Diagnostic>>>> =
            (0..documents.len()).map(|_| None).collect();
        let order: Vec<usize> = (0..documents.len()).collect();
        for chunk in order.chunks(batch.max(1)) {
            // Longest first, one document at a time per thread: the batch ends with short
            // documents, so no thread waits long for the last long one.
            let mut chunk = chunk.to_vec();
            chunk.sort_by_cached_key(|&i| std::cmp::Reverse(weight(documents[i])));
            let rendered: Vec<(usize, Result<Rendered, Vec<Diagnostic>>)> = chunk
                .par_iter()
                .with_max_len(1)
                .map(|&i| {
                    let result = self.render(documents[i]);
                    done();
                    (i, result)
                })
                .collect();
            for (i, result) in rendered {
                results[i] = Some(result);
            }
            typst::comemo::evict(CACHE_AGE);
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(vec![Diagnostic::error("a document was not rendered")]))
            })
            .collect()
    }

    pub fn render(&self, document: &Document) -> Result<Rendered, Vec<Diagnostic>> {
        let template = document.kind.template();
        let Some(main) = file_id(template).filter(|_| self.templates.has(template)) else {
            return Err(vec![Diagnostic::error(format!(
                "there is no template {}/{template} for {}",
                self.templates.display_root(),
                document.path
            ))]);
        };
        let world = DocumentWorld {
            renderer: self,
            main,
            view: Bytes::new(document.json().clone()),
            read: Mutex::new(HashSet::new()),
        };
        let compiled = typst::compile::<PagedDocument>(&world);
        let mut warnings = self.convert(&world, document, &compiled.warnings);
        let paged = compiled
            .output
            .map_err(|errors| self.convert(&world, document, errors.as_slice()))?;
        let options = PdfOptions {
            ident: Smart::Custom(document.path.clone()),
            creator: Smart::Custom(Some(format!("udvalg {}", env!("CARGO_PKG_VERSION")))),
            standards: PdfStandards::new(&[PdfStandard::A_2b, PdfStandard::Ua_1])
                .expect("typst-pdf accepts PDF/A-2b together with PDF/UA-1"),
            tagged: true,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&paged, &options)
            .map_err(|errors| self.convert(&world, document, errors.as_slice()))?;
        warnings.retain(|w| !w.message.contains("font"));
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
        Ok(Rendered {
            pdf,
            pages: paged.pages().len(),
            warnings,
            templates: read,
        })
    }

    /// Typst's diagnostics in ours: at the template's file and line, naming the document.
    fn convert(
        &self,
        world: &DocumentWorld,
        document: &Document,
        diagnostics: &[SourceDiagnostic],
    ) -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .map(|diag| {
                let mut d = match diag.severity {
                    TypstSeverity::Error => Diagnostic::error(diag.message.to_string()),
                    TypstSeverity::Warning => Diagnostic::warning(diag.message.to_string()),
                }
                .with_help(format!("while rendering {}", document.path));
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
