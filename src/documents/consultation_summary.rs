//! Høringsnotat: the responses by theme and by consultee, with the administration's comments,
//! attached where the committee gives final approval and written by `udvalg consult`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::MeetingPapers;
use super::common::{date, markup, meta};
use super::consultation::common;
use super::{Document, DocumentKind, Kind, strategy};
use crate::plan::Plan;
use crate::plan::load::Consultation;
use crate::plan::model::AttachmentSource;

pub(super) struct Papers;

impl Kind for Papers {
    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let AttachmentSource::ConsultationSummary { consultation } = &attachment.source else {
            return None;
        };
        let consultation = m.plan.consultation(consultation.get_ref())?;
        Some(summary_document(
            m.plan,
            consultation,
            Some(m.id().clone()),
            m.path(&attachment.path),
            m.plan.send_out_date(m.meeting),
        )
        .public(attachment.public))
    }
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
        title(consultation),
        view(plan, consultation, day),
    )
}

pub fn title(consultation: &Consultation) -> String {
    consultation.summary_title()
}

fn view(plan: &Plan, consultation: &Consultation, day: NaiveDate) -> Value {
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
        "meta": meta(plan, &title(consultation), "Høringsnotat", day, None),
        "consultation": common(plan, consultation),
        "consultee_count": data.consultees.len(),
        "responses": responses,
        "late_count": late,
        "themes": themes.into_values().map(|(theme, points)| json!({"theme": theme, "points": points})).collect::<Vec<_>>(),
        "silent": silent,
        "changes": changes(plan, consultation),
    })
}

/// 'Ændringer i strategien efter høringen': the difference between the draft sent out and the
/// edition after it, each change with the administration's comment on the points that led to it.
/// A plan whose editions share one content gives its changes as text (`change = [...]`).
fn changes(plan: &Plan, consultation: &Consultation) -> Vec<Value> {
    let data = &consultation.data;
    let draft = data.edition.get_ref();
    let computed = plan
        .changes_after(draft)
        .map(|(_, changes)| changes)
        .unwrap_or_default();
    if computed.is_empty() {
        return data
            .changes
            .iter()
            .map(|text| json!({ "label": null, "kind": null, "text": markup(text), "comments": [] }))
            .collect();
    }
    let points: Vec<_> = data.responses.iter().flat_map(|r| &r.points).collect();
    strategy::changes_view(&computed)
        .into_iter()
        .map(|mut change| {
            let comments: Vec<Value> = points
                .iter()
                .filter(|p| p.change.as_ref().is_some_and(|c| change["key"] == c.get_ref().as_str()))
                .map(|p| markup(&p.comment))
                .collect();
            change["comments"] = json!(comments);
            change
        })
        .collect()
}
