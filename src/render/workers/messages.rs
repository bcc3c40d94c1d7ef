//! What crosses between the build and a worker: the setup, and each layout's results, with
//! diagnostics by file name (both sides' templates know them) and PDFs borrowed, not copied.

use std::ops::Range;

use bytes::Bytes;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::super::{RenderResult, Rendered, Renderer};
use crate::diagnostics::{Diagnostic, Location, Severity};

/// What a worker answers once it is ready; a different program (or version) answers otherwise.
pub(super) const HELLO: &str = concat!("udvalg render-worker ", env!("CARGO_PKG_VERSION"));

/// The first message to a worker: everything every layout shares.
#[derive(Serialize, Deserialize)]
pub(super) struct Setup {
    pub display_root: String,
    pub today: NaiveDate,
    /// The memory limit of a layout, in MB (see `guard`).
    pub memory_mb: u64,
    /// How many items of an agenda are laid out at once (see `guard::Limits`).
    pub part_items: usize,
    pub files: Vec<(String, ByteBuf)>,
}

/// A diagnostic as it crosses between processes: its file by name, which both sides' templates
/// know.
#[derive(Serialize, Deserialize)]
pub(super) struct SentDiagnostic {
    severity: Severity,
    message: String,
    location: Option<(String, Range<usize>)>,
    help: Vec<String>,
}

/// A rendered PDF as it crosses: the build keeps the PDF where it was read (see [`Buffers`]).
#[derive(Serialize, Deserialize)]
pub(super) struct SentRendered<'a> {
    #[serde(borrow)]
    pdf: &'a serde_bytes::Bytes,
    pages: usize,
    warnings: Vec<SentDiagnostic>,
    templates: std::collections::BTreeMap<String, String>,
}

pub(super) type SentResult<'a> = Result<SentRendered<'a>, Vec<SentDiagnostic>>;

/// Results as they cross to the build, their PDFs borrowed from `results`.
pub(super) fn sent_results(results: &mut [RenderResult]) -> Vec<SentResult<'_>> {
    results
        .iter_mut()
        .map(|result| match result {
            Ok(rendered) => Ok(SentRendered {
                pdf: serde_bytes::Bytes::new(&rendered.pdf),
                pages: rendered.pages,
                warnings: rendered.warnings.drain(..).map(sent).collect(),
                templates: std::mem::take(&mut rendered.templates),
            }),
            Err(errors) => Err(errors.drain(..).map(sent).collect()),
        })
        .collect()
}

fn sent(diagnostic: Diagnostic) -> SentDiagnostic {
    SentDiagnostic {
        severity: diagnostic.severity,
        message: diagnostic.message,
        location: diagnostic
            .location
            .map(|at| (at.file.name.clone(), at.range)),
        help: diagnostic.help,
    }
}

/// A result as the build uses it; its PDF stays in `message`, where it was read.
pub(super) fn received(renderer: &Renderer, message: &Bytes, result: SentResult) -> RenderResult {
    let diagnostics = |sent: Vec<SentDiagnostic>| -> Vec<Diagnostic> {
        sent.into_iter()
            .map(|d| Diagnostic {
                severity: d.severity,
                message: d.message,
                location: d.location.and_then(|(name, range)| {
                    let file = renderer.templates.text_named(&name)?.clone();
                    Some(Location { file, range })
                }),
                help: d.help,
                system: false,
            })
            .collect()
    };
    match result {
        Ok(rendered) => Ok(Rendered {
            pdf: message.slice_ref(rendered.pdf),
            pages: rendered.pages,
            warnings: diagnostics(rendered.warnings),
            templates: rendered.templates,
        }),
        Err(errors) => Err(diagnostics(errors)),
    }
}
