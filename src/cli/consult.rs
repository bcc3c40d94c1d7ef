//! `udvalg consult ID`: the consultation package under output/consultations/ID/.

use std::time::Instant;

use super::{GlobalArgs, Outcome, UsageError, resolve_plan, resolve_templates};
use crate::output::OutputDir;
use crate::package;
use crate::plan;

#[derive(Debug, clap::Args)]
pub struct ConsultArgs {
    /// The consultation: its file name under consultations/, without `.toml`.
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

pub fn run(global: &GlobalArgs, args: &ConsultArgs) -> Result<Outcome, UsageError> {
    let started = Instant::now();
    let source = resolve_plan(global)?;
    let (plan, warnings) = match plan::load_valid(&source) {
        Ok(ok) => ok,
        Err(diagnostics) => return Ok(Outcome::failed(diagnostics.into_sorted())),
    };
    let ids: Vec<&str> = plan.consultations.iter().map(|c| c.id.as_str()).collect();
    let consultation = match (&args.id, plan.consultations.as_slice()) {
        (Some(id), _) => plan.consultation(id).ok_or_else(|| {
            UsageError(if ids.is_empty() {
                format!("there is no consultation `{id}`: the plan has no consultations/ folder")
            } else {
                format!(
                    "there is no consultation `{id}`; the consultations are: {}",
                    ids.join(", ")
                )
            })
        })?,
        (None, [only]) => only,
        (None, []) => {
            return Err(UsageError(
                "the plan has no consultations; add one as consultations/ID.toml".into(),
            ));
        }
        (None, _) => {
            return Err(UsageError(format!(
                "name the consultation: udvalg consult ID, where ID is one of: {}",
                ids.join(", ")
            )));
        }
    };
    let templates = match resolve_templates(global) {
        Ok(t) => t,
        Err(d) => return Ok(Outcome::failed(vec![d])),
    };
    let out = OutputDir::new(&global.out);
    let mut diagnostics = warnings.into_sorted();
    match package::consult(&plan, templates, consultation, &out) {
        Ok(report) => {
            diagnostics.extend(report.warnings);
            let changed = report.written.iter().filter(|w| w.changed).count();
            let mut messages: Vec<String> = report
                .written
                .iter()
                .map(|w| format!("  {}  {} bytes", w.path, w.size))
                .collect();
            messages.insert(
                0,
                format!(
                    "consultation `{}`: {} files ({} pages), {changed} changed, in {}; {:.2} s",
                    consultation.id,
                    report.written.len(),
                    report.pages,
                    out.root().display(),
                    started.elapsed().as_secs_f64()
                ),
            );
            messages.push(format!(
                "package: {}",
                out.root().join(&report.zip).display()
            ));
            Ok(Outcome::ok(diagnostics, messages))
        }
        Err(failed) => Ok(Outcome::write_failed(diagnostics, failed, out.root())),
    }
}
