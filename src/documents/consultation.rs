//! What the papers of a consultation share (what, when, until when, whom to contact), and the
//! package sent to the consultees: a letter each, the consultee list and the draft.

use serde_json::{Value, json};

use super::common::{date, markup, plain};
use super::{Document, DocumentKind, consultation_letter, consultee_list, strategy};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::plan::model::{Stakeholder, StakeholderKind};
use crate::text::{danish_date, danish_date_long, slug};

pub use super::consultation_summary::summary_document;

/// Where a consultation's papers are written, relative to the output directory.
pub fn folder(consultation: &Consultation) -> String {
    format!("consultations/{}", consultation.id)
}

/// The package sent to the consultees: every letter, the consultee list and the draft, in a
/// fixed order. The summary comes later and is not part of it.
pub fn package(plan: &Plan, consultation: &Consultation) -> Vec<Document> {
    let folder = folder(consultation);
    let mut documents: Vec<Document> = consultees(plan, consultation)
        .into_iter()
        .map(|stakeholder| {
            Document::new(
                DocumentKind::ConsultationLetter,
                None,
                format!("{folder}/hoeringsbrev-{}.pdf", stakeholder.id.get_ref()),
                format!("{} – {}", consultation.data.title, stakeholder.name),
                consultation_letter::view(plan, consultation, stakeholder),
            )
        })
        .collect();
    documents.push(Document::new(
        DocumentKind::ConsulteeList,
        None,
        format!("{folder}/hoeringsliste.pdf"),
        format!("Høringsliste – {}", consultation.data.title),
        consultee_list::view(plan, consultation),
    ));
    if let Some(strategy) = &plan.strategy {
        let edition = consultation.data.edition.get_ref();
        let label = strategy
            .edition(edition)
            .map_or(edition.as_str(), |e| e.label.as_str());
        documents.push(Document::new(
            DocumentKind::Strategy,
            None,
            format!("{folder}/{}-{}.pdf", slug(&strategy.title), slug(label)),
            format!("{} – {label}", strategy.title),
            strategy::view(plan, edition, consultation.data.sent.get_ref().0),
        ));
    }
    documents
}

pub(super) fn consultees<'a>(plan: &'a Plan, consultation: &Consultation) -> Vec<&'a Stakeholder> {
    consultation
        .data
        .consultees
        .iter()
        .filter_map(|id| plan.stakeholder(id.get_ref()))
        .collect()
}

pub(super) fn stakeholder_kind_label(kind: StakeholderKind) -> &'static str {
    match kind {
        StakeholderKind::CouncilOrBoard => "Råd og nævn",
        StakeholderKind::Committee => "Politiske udvalg",
        StakeholderKind::Region => "Regionen",
        StakeholderKind::LocalActor => "Lokale aktører og brugerorganisationer",
        StakeholderKind::Citizens => "Borgere",
        StakeholderKind::Internal => "Internt i kommunen",
    }
}

pub(super) fn stakeholder_view(stakeholder: &Stakeholder) -> Value {
    json!({
        "id": stakeholder.id.get_ref(),
        "name": stakeholder.name,
        "kind": stakeholder_kind_label(stakeholder.kind),
        "address": plain(&stakeholder.address),
        // How a letter greets it: the plan's words, else "Til <name>", as one writes to an
        // organisation.
        "salutation": stakeholder
            .salutation
            .as_ref()
            .map_or_else(|| format!("Til {}", stakeholder.name), |s| s.get_ref().clone()),
        "email": stakeholder.email,
        "example": stakeholder.example,
    })
}

/// What every paper of the consultation shows: what, when, until when, who to contact.
pub(super) fn common(plan: &Plan, consultation: &Consultation) -> Value {
    let data = &consultation.data;
    let approved_at = plan.meeting(data.after_meeting.get_ref());
    let edition = plan
        .strategy
        .as_ref()
        .and_then(|s| s.edition(data.edition.get_ref()).map(|e| (s, e)));
    let deadline = data.deadline.get_ref().0;
    let summary_at: Vec<String> = crate::plan::summary_meetings(plan, &consultation.id)
        .iter()
        .map(|m| format!("{} {}", plan.body_name(m), danish_date(m.date.get_ref().0)))
        .collect();
    json!({
        "id": consultation.id,
        "title": data.title,
        "case_number": data.case_number.as_ref().map(|c| c.get_ref()),
        "draft": edition.map(|(s, e)| json!({
            "title": s.title, "label": e.label, "version": e.version, "date": date(e.date.get_ref().0),
        })),
        "approved_at": approved_at.map(|m| json!({
            "body": plan.body_name(m), "date": date(m.date.get_ref().0),
        })),
        "sent": date(data.sent.get_ref().0),
        "deadline": date(deadline),
        "deadline_phrase": super::common::keep_together(&format!("senest {}", danish_date_long(deadline))),
        "period_days": (deadline - data.sent.get_ref().0).num_days(),
        // Danish practice counts a consultation in working days too.
        "period_working_days": crate::calendar::WorkingCalendar::new(&plan.settings.calendar)
            .working_days_between(data.sent.get_ref().0, deadline),
        "purpose": markup(&data.purpose),
        "how_to_respond": markup(&data.how_to_respond),
        "contact": {
            "name": data.contact.name,
            "title": data.contact.title,
            "unit": data.contact.unit,
            "email": data.contact.email,
            "phone": data.contact.phone,
            "example": data.contact.example,
        },
        "summary_at": summary_at,
    })
}
