//! Typst's diagnostics in ours: at the template's file and line (or, for prose a template
//! shows, through the trace), naming the document being rendered.

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};

use super::Renderer;
use super::world::DocumentWorld;
use crate::diagnostics::{Diagnostic, Severity};

impl Renderer {
    /// Typst's diagnostics in ours: at the template's file and line, naming the document at
    /// `path`.
    pub(super) fn convert(
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
