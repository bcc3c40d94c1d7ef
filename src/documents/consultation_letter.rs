//! Høringsbrev: the letter to one consultee, written by `udvalg consult` with the package.

use serde_json::{Value, json};

use super::Kind;
use super::common::meta;
use super::consultation::{common, stakeholder_view};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::plan::model::Stakeholder;

/// Letters are made for the package (see [`super::consultation::package`]), not by the catalogue.
pub(super) struct Papers;

impl Kind for Papers {}

pub(super) fn view(plan: &Plan, consultation: &Consultation, to: &Stakeholder) -> Value {
    let title = format!("{} – {}", consultation.data.title, to.name);
    json!({
        "meta": meta(plan, &title, "Høringsbrev", consultation.data.sent.get_ref().0, None),
        "consultation": common(plan, consultation),
        "recipient": stakeholder_view(to),
        "consultee_count": consultation.data.consultees.len(),
    })
}
