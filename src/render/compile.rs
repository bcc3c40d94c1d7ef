//! One layout: compile its template over its view, then export each of its outputs as PDF/A-2b
//! and PDF/UA-1 (the whole document, or one agenda item's pages cut from it).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use typst::foundations::{Bytes, Smart};
use typst::syntax::FileId;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use super::excerpt::ItemPages;
use super::schedule::LayoutJob;
use super::templates::file_id;
use super::world::DocumentWorld;
use super::{FONTS_KEY, LARGE_LAYOUT_PAGES, RenderResult, Rendered, Renderer, Templates};
use crate::diagnostics::Diagnostic;

/// A laid-out document, and the world it was laid out in (which its diagnostics point into).
pub(super) struct Laid<'a> {
    pub world: DocumentWorld<'a>,
    pub paged: PagedDocument,
    pub warnings: Vec<Diagnostic>,
}

impl Renderer {
    /// Lays out a job's document once and exports each of its outputs from it: the document
    /// itself, or pages cut from it. Its errors and warnings come with the first output only.
    pub(super) fn render_layout(&self, job: &LayoutJob) -> Vec<RenderResult> {
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
        if let Some(results) = self.render_in_parts(job, main) {
            return results;
        }
        let laid_out = self.lay_out(job, main, Bytes::new(job.view.clone()));
        let Laid {
            world,
            paged,
            warnings,
        } = match laid_out {
            Ok(laid) => laid,
            Err(errors) => return reported_once(errors).map(Err).collect(),
        };
        if paged.pages().len() >= LARGE_LAYOUT_PAGES {
            typst::comemo::evict(0);
        }
        let templates = self.templates_read(&world);
        let item_pages = OnceCell::new();
        job.outputs
            .iter()
            .zip(reported_once(warnings))
            .map(|(output, warnings)| {
                let cut;
                let exported = match output.item {
                    None => &paged,
                    Some(item) => {
                        let pages = item_pages.get_or_init(|| ItemPages::of(&paged));
                        cut = pages.cut(&paged, item, &job.path, output)?;
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

    /// Compiles the job's template over `view`: the document, with its warnings (its errors if
    /// it has any).
    pub(super) fn lay_out<'a>(
        &'a self,
        job: &LayoutJob,
        main: FileId,
        view: Bytes,
    ) -> Result<Laid<'a>, Vec<Diagnostic>> {
        let world = DocumentWorld {
            renderer: &self.shared,
            main,
            view,
            read: Mutex::new(HashSet::new()),
        };
        let compiled = typst::compile::<PagedDocument>(&world);
        let mut warnings = self.convert(&world, &job.path, &compiled.warnings);
        warnings.retain(|w| !w.message.contains("font"));
        match compiled.output {
            Ok(paged) => Ok(Laid {
                world,
                paged,
                warnings,
            }),
            Err(errors) => Err(self.convert(&world, &job.path, errors.as_slice())),
        }
    }

    /// A PDF/A-2b and PDF/UA-1 file of `paged`, to be written at `path`.
    pub(super) fn export(
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
    pub(super) fn templates_read(&self, world: &DocumentWorld) -> BTreeMap<String, String> {
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
}
