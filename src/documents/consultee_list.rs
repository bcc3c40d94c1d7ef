//! Høringsliste: the consultees grouped by kind, written by `udvalg consult` with the package.

use serde_json::{Value, json};

use super::Kind;
use super::common::meta;
use super::consultation::{common, consultees, stakeholder_kind_label, stakeholder_view};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::plan::model::StakeholderKind;

/// The list is made for the package (see [`super::consultation::package`]), not by the catalogue.
pub(super) struct Papers;

impl Kind for Papers {}

/// The consultees grouped by kind, in the order the kinds are declared.
pub(super) fn view(plan: &Plan, consultation: &Consultation) -> Value {
    let title = format!("Høringsliste – {}", consultation.data.title);
    let mut groups: Vec<(StakeholderKind, Vec<Value>)> = Vec::new();
    for stakeholder in consultees(plan, consultation) {
        match groups
            .iter_mut()
            .find(|(kind, _)| *kind == stakeholder.kind)
        {
            Some((_, members)) => members.push(stakeholder_view(stakeholder)),
            None => groups.push((stakeholder.kind, vec![stakeholder_view(stakeholder)])),
        }
    }
    groups.sort_by_key(|(kind, _)| *kind);
    json!({
        "meta": meta(plan, &title, "Høringsliste", consultation.data.sent.get_ref().0, None),
        "consultation": common(plan, consultation),
        "groups": groups.iter().map(|(kind, members)| json!({
            "kind": stakeholder_kind_label(*kind), "consultees": members,
        })).collect::<Vec<_>>(),
    })
}
