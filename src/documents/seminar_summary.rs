//! Opsamling på seminar: the administration's summary of a seminar's points, written in the
//! seminar's folder and attached where the committee discusses and approves it. A point added
//! when the summary was adjusted appears only on papers dated from that day on.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, markup, meeting_view, meta, opt_markup};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::model::{AttachmentSource, Meeting};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        let Some(summary) = &m.meeting.summary else {
            return;
        };
        // On its own, as the plan stands now.
        let day = m.plan.settings.plan.date.get_ref().0.max(summary.date.get_ref().0);
        out.push(Document::new(
            DocumentKind::SeminarSummary,
            Some(m.id().clone()),
            m.path("opsamling-paa-seminar.pdf"),
            title(m.plan, m.meeting),
            view(m.plan, m.meeting, day),
        )
        .public(true));
    }

    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let AttachmentSource::SeminarSummary { meeting } = &attachment.source else {
            return None;
        };
        let seminar = m.plan.meeting(meeting.get_ref())?;
        let view = view(m.plan, seminar, m.plan.send_out_date(m.meeting));
        Some(attachment.document(m, DocumentKind::SeminarSummary, view))
    }
}

pub(super) fn title(plan: &Plan, seminar: &Meeting) -> String {
    plan.seminar_summary_title(seminar)
}

/// The summary as it reads on `day`: the points made by then, dated by the last of them.
fn view(plan: &Plan, seminar: &Meeting, day: NaiveDate) -> Value {
    let Some(summary) = &seminar.summary else {
        return Value::Null;
    };
    let shown: Vec<_> = summary
        .points
        .iter()
        .filter(|p| p.added.as_ref().is_none_or(|a| a.get_ref().0 <= day))
        .collect();
    let dated = shown
        .iter()
        .filter_map(|p| p.added.as_ref().map(|a| a.get_ref().0))
        .chain([summary.date.get_ref().0])
        .max()
        .unwrap_or(day);
    let adjusted = dated > summary.date.get_ref().0;
    json!({
        "meta": meta(plan, &title(plan, seminar), "Opsamling", dated, None),
        "meeting": meeting_view(plan, seminar),
        "first": date(summary.date.get_ref().0),
        "intro": opt_markup(&summary.intro),
        "adjusted": adjusted.then(|| date(dated)),
        "points": shown.iter().map(|p| json!({"theme": p.theme, "text": markup(&p.text)})).collect::<Vec<_>>(),
    })
}
