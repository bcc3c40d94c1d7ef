//! The papers of a consultation: a letter per consultee, the consultee list, the draft sent
//! out, and the summary of the responses for the meeting that gives final approval.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::views::{self, body_name, date, markup, meta};
use super::{Document, DocumentKind, slug};
use crate::calendar::{danish_date, danish_date_long};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::plan::model::{Stakeholder, StakeholderKind};

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
                letter(plan, consultation, stakeholder),
            )
        })
        .collect();
    documents.push(Document::new(
        DocumentKind::ConsulteeList,
        None,
        format!("{folder}/hoeringsliste.pdf"),
        format!("Høringsliste – {}", consultation.data.title),
        consultee_list(plan, consultation),
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
            views::strategy(plan, edition),
        ));
    }
    documents
}

/// The summary, dated `day` (the day the agenda it is attached to goes out).
pub fn summary_document(
    plan: &Plan,
    consultation: &Consultation,
    meeting: Option<String>,
    path: String,
    day: NaiveDate,
) -> Document {
    Document::new(
        DocumentKind::ConsultationSummary,
        meeting,
        path,
        summary_title(consultation),
        summary(plan, consultation, day),
    )
}

pub fn summary_title(consultation: &Consultation) -> String {
    let title = &consultation.data.title;
    let subject = title.strip_prefix("Høring over ").unwrap_or(title);
    format!("Høringsnotat – {subject}")
}

fn consultees<'a>(plan: &'a Plan, consultation: &Consultation) -> Vec<&'a Stakeholder> {
    consultation
        .data
        .consultees
        .iter()
        .filter_map(|id| plan.stakeholder(id.get_ref()))
        .collect()
}

fn stakeholder_kind_label(kind: StakeholderKind) -> &'static str {
    match kind {
        StakeholderKind::CouncilOrBoard => "Råd og nævn",
        StakeholderKind::Committee => "Politiske udvalg",
        StakeholderKind::Region => "Regionen",
        StakeholderKind::LocalActor => "Lokale aktører og brugerorganisationer",
        StakeholderKind::Citizens => "Borgere",
        StakeholderKind::Internal => "Internt i kommunen",
    }
}

fn stakeholder_view(stakeholder: &Stakeholder) -> Value {
    json!({
        "id": stakeholder.id.get_ref(),
        "name": stakeholder.name,
        "kind": stakeholder_kind_label(stakeholder.kind),
        "address": stakeholder.address,
        "email": stakeholder.email,
        "example": stakeholder.example,
    })
}

/// What every paper of the consultation shows: what, when, until when, who to contact.
fn common(plan: &Plan, consultation: &Consultation) -> Value {
    let data = &consultation.data;
    let approved_at = plan.meeting(data.after_meeting.get_ref());
    let edition = plan
        .strategy
        .as_ref()
        .and_then(|s| s.edition(data.edition.get_ref()).map(|e| (s, e)));
    let deadline = data.deadline.get_ref().0;
    let summary_at: Vec<String> = crate::plan::summary_meetings(plan, &consultation.id)
        .iter()
        .map(|m| format!("{} {}", body_name(plan, m), danish_date(m.date.get_ref().0)))
        .collect();
    json!({
        "id": consultation.id,
        "title": data.title,
        "draft": edition.map(|(s, e)| json!({
            "title": s.title, "label": e.label, "version": e.version, "date": date(e.date.get_ref().0),
        })),
        "approved_at": approved_at.map(|m| json!({
            "body": body_name(plan, m), "date": date(m.date.get_ref().0),
        })),
        "sent": date(data.sent.get_ref().0),
        "deadline": date(deadline),
        "deadline_phrase": format!("senest {}", danish_date_long(deadline)),
        "period_days": (deadline - data.sent.get_ref().0).num_days(),
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

fn letter(plan: &Plan, consultation: &Consultation, to: &Stakeholder) -> Value {
    let title = format!("{} – {}", consultation.data.title, to.name);
    json!({
        "meta": meta(plan, &title, "Høringsbrev", consultation.data.sent.get_ref().0, None),
        "consultation": common(plan, consultation),
        "recipient": stakeholder_view(to),
        "consultee_count": consultation.data.consultees.len(),
    })
}

/// The consultees grouped by kind, in the order the kinds are declared.
fn consultee_list(plan: &Plan, consultation: &Consultation) -> Value {
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

fn summary(plan: &Plan, consultation: &Consultation, day: NaiveDate) -> Value {
    let data = &consultation.data;
    let deadline = data.deadline.get_ref().0;
    let name_of = |id: &str| {
        plan.stakeholder(id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let responses: Vec<Value> = data
        .responses
        .iter()
        .map(|r| {
            let received = r.received.get_ref().0;
            json!({
                "consultee": name_of(r.consultee.get_ref()),
                "received": date(received),
                "late": received > deadline,
                "points": r.points.iter().map(|p| json!({
                    "theme": p.theme,
                    "text": markup(&p.text),
                    "comment": markup(&p.comment),
                    "changed": p.changed,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Themes in the order they first appear, so the summary follows the responses.
    let mut themes: BTreeMap<usize, (String, Vec<Value>)> = BTreeMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    for response in &data.responses {
        for point in &response.points {
            let index = match first_seen.iter().position(|t| t == &point.theme) {
                Some(i) => i,
                None => {
                    first_seen.push(point.theme.clone());
                    first_seen.len() - 1
                }
            };
            themes
                .entry(index)
                .or_insert_with(|| (point.theme.clone(), Vec::new()))
                .1
                .push(json!({
                    "consultee": name_of(response.consultee.get_ref()),
                    "text": markup(&point.text),
                    "comment": markup(&point.comment),
                    "changed": point.changed,
                }));
        }
    }
    let silent: Vec<String> = data
        .consultees
        .iter()
        .filter(|c| {
            !data
                .responses
                .iter()
                .any(|r| r.consultee.get_ref() == c.get_ref())
        })
        .map(|c| name_of(c.get_ref()))
        .collect();
    let late = responses.iter().filter(|r| r["late"] == true).count();
    json!({
        "meta": meta(plan, &summary_title(consultation), "Høringsnotat", day, None),
        "consultation": common(plan, consultation),
        "consultee_count": data.consultees.len(),
        "responses": responses,
        "late_count": late,
        "themes": themes.into_values().map(|(theme, points)| json!({"theme": theme, "points": points})).collect::<Vec<_>>(),
        "silent": silent,
        "changes": data.changes.iter().map(markup).collect::<Vec<_>>(),
    })
}
