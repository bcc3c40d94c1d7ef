//! The plan: load (TOML with spans), model (plain serde types), validate (cross-references).

mod attachment;
pub mod case_history;
mod checks;
mod consultation;
pub mod editions;
mod files;
mod followup;
pub mod load;
pub mod markup;
pub mod model;
mod proceedings;
pub mod proceedings_checks;
pub mod strings;
mod timing;
pub mod validate;
pub mod values;

pub use attachment::{
    Identity, Listed, MeetingAttachments, Note, of_meeting as meeting_attachments,
};
pub use consultation::summary_meetings;
pub use load::{Plan, PlanSource, load};
pub use validate::validate;

use crate::diagnostics::Diagnostics;

/// Loads and validates a plan. Warnings come back with the plan; errors stop here.
pub fn load_valid(source: &PlanSource) -> Result<(Plan, Diagnostics), Diagnostics> {
    let plan = load(source)?;
    let diagnostics = validate(&plan);
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok((plan, diagnostics))
    }
}
