//! Beslutningsprotokol: attendance and each item's decision, once decisions are recorded; a
//! public edition when an item is closed.

use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{ItemsShown, date, items_view, meeting_meta, meeting_view, members};
use super::{Document, DocumentKind, Kind};
use crate::plan::model::Meeting;
use crate::text::{danish_date, slug};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        if !has_minutes(m.meeting) {
            return;
        }
        let (plan, meeting) = (m.plan, m.meeting);
        let stem = format!(
            "referat-{}-{}",
            slug(&plan.body_name(meeting)),
            meeting.date.get_ref()
        );
        let title = title(m);
        let public_edition = m.has_public_edition();
        out.push(
            Document::new(
                DocumentKind::Minutes,
                Some(m.id().clone()),
                m.path(&format!("{stem}.pdf")),
                title.clone(),
                view(m, false),
            )
            .public(!public_edition),
        );
        if public_edition {
            out.push(
                Document::new(
                    DocumentKind::Minutes,
                    Some(m.id().clone()),
                    m.path(&format!("{stem}-offentlig.pdf")),
                    format!("{title} (offentlig udgave)"),
                    view(m, true),
                )
                .public(true),
            );
        }
    }
}

/// Minutes are written once a meeting's decisions are recorded.
fn has_minutes(meeting: &Meeting) -> bool {
    meeting.has_agenda() && meeting.items.iter().any(|i| i.decision.is_some())
}

fn title(m: &MeetingPapers) -> String {
    format!(
        "Beslutningsprotokol – {} {}",
        m.plan.body_name(m.meeting),
        danish_date(m.meeting.date.get_ref().0)
    )
}

fn view(m: &MeetingPapers, public: bool) -> Value {
    let (plan, meeting) = (m.plan, m.meeting);
    let mut meta = meeting_meta(plan, meeting, &title(m), "Beslutningsprotokol");
    // The minutes speak from the day of the meeting, not from the day the agenda went out.
    meta["date"] = date(meeting.date.get_ref().0);
    let absent: Vec<&str> = meeting
        .absent
        .iter()
        .map(|n| n.get_ref().as_str())
        .collect();
    let all = members(plan, meeting);
    let (present, away): (Vec<Value>, Vec<Value>) = all
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .partition(|m| !absent.contains(&m["name"].as_str().unwrap_or_default()));
    json!({
        "meta": meta,
        "meeting": meeting_view(plan, meeting),
        "present": present,
        "absent": away,
        "public": public,
        "items": items_view(meeting, &m.attachments, ItemsShown { public, decisions: true }),
    })
}
