//! `udvalg check`: load and validate the plan, and compile every document once without
//! writing it, so that template errors show too.

use super::{GlobalArgs, Outcome, UsageError, resolve_plan, resolve_templates};
use crate::diagnostics::Diagnostic;
use crate::documents::{self, Document, Selection};
use crate::output::OutputDir;
use crate::output::sent::{self, SentLedger};
use crate::plan::{self, Plan};
use crate::render::{RenderResult, Renderer};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Only check the data, do not compile the documents.
    #[arg(long)]
    pub data_only: bool,
}

pub fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<Outcome, UsageError> {
    let source = resolve_plan(global)?;
    let (plan, warnings) = match plan::load_valid(&source) {
        Ok(ok) => ok,
        Err(diagnostics) => return Ok(Outcome::failed(diagnostics.into_sorted())),
    };
    let mut diagnostics = warnings.into_sorted();
    let mut documents_checked = 0;
    if !args.data_only {
        let templates = match resolve_templates(global) {
            Ok(t) => t,
            Err(d) => return Ok(Outcome::failed(vec![d])),
        };
        let renderer =
            Renderer::new(templates, plan.settings.plan.date.get_ref().0).for_plan(&plan);
        let mut catalogue = documents::catalogue(&plan, &Selection::default());
        // Papers that went out are checked as they went out, and their corrected editions.
        match SentLedger::load(&OutputDir::new(&global.out)) {
            Ok(ledger) => {
                let today = plan.settings.plan.date.get_ref().0;
                let applied = ledger.apply(catalogue.documents, today, |_, _| true);
                catalogue.documents = applied.documents;
                diagnostics.extend(sent::warnings(&plan, &applied.corrections));
            }
            Err(unreadable) => diagnostics.push(Diagnostic::error(unreadable)),
        }
        let packages: Vec<Document> = plan
            .consultations
            .iter()
            .flat_map(|c| documents::consultation::package(&plan, c))
            .collect();
        let documents: Vec<&Document> = catalogue.documents.iter().chain(&packages).collect();
        documents_checked = documents.len();
        // A check writes nothing: each PDF is let go as soon as it is made, or a meeting of
        // thousands of items would hold all its item PDFs until the last is laid out.
        let drop_pdf = |_: usize, result: &mut RenderResult| {
            if let Ok(rendered) = result {
                rendered.pdf = Default::default();
            }
        };
        for result in renderer.render_all_with(&documents, &drop_pdf).results {
            match result {
                Ok(rendered) => diagnostics.extend(rendered.warnings),
                Err(errors) => diagnostics.extend(errors),
            }
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    let mut messages = Vec::new();
    if !failed {
        messages.extend(edition_differences(&plan));
        messages.push(format!(
            "{}: {} meetings, {} consultations, {} documents checked, {}",
            source.display_name(),
            plan.meetings.len(),
            plan.consultations.len(),
            documents_checked,
            match warnings {
                0 => "no warnings".to_string(),
                1 => "1 warning".to_string(),
                n => format!("{n} warnings"),
            }
        ));
    }
    Ok(Outcome {
        diagnostics,
        messages,
        report: None,
        failed,
    })
}

/// What changed from each strategy edition to the next, computed from their content: what the
/// editions print as 'Ændringer siden …' and the consultation summary lists.
fn edition_differences(plan: &Plan) -> Vec<String> {
    let Some(strategy) = &plan.strategy else {
        return Vec::new();
    };
    strategy
        .editions
        .windows(2)
        .map(|pair| {
            let (from, to) = (pair[0].id.get_ref(), pair[1].id.get_ref());
            let changes = plan.edition_changes(from, to);
            let mut line = format!(
                "strategy {from} → {to}: {}",
                match changes.len() {
                    0 => "no changes".to_string(),
                    1 => "1 change".to_string(),
                    n => format!("{n} changes"),
                }
            );
            for change in changes {
                line.push_str(&format!(
                    "\n  {} {} ({})",
                    change.label,
                    change.kind.danish(),
                    change.key
                ));
            }
            line
        })
        .collect()
}
