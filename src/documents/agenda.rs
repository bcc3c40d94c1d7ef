//! Dagsorden: the members' agenda of a meeting and, when an item is closed, its public edition.

use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{ItemsShown, items_view, meeting_meta, meeting_view, members};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::model::Meeting;
use crate::text::{danish_date, slug};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        if !m.meeting.has_agenda() {
            return;
        }
        out.push(Document::clone(m.agenda()));
        if m.has_public_edition() {
            out.push(Document::clone(m.public_agenda()));
        }
    }
}

/// The members' agenda, which the agenda items are cut from; public unless the meeting has a
/// public edition.
pub(super) fn members_agenda(m: &MeetingPapers) -> Document {
    Document::new(
        DocumentKind::Agenda,
        Some(m.id().clone()),
        m.path(&format!("{}.pdf", file_stem(m.plan, m.meeting))),
        title(m.plan, m.meeting),
        view(m, false),
    )
    .sent_on(m.send_out())
    .public(!m.has_public_edition())
}

/// The public edition, for a meeting with a closed item or an attachment that is not public:
/// closed items are one line, attachments that are not public are not listed. Items with such
/// an attachment are cut from it.
pub(super) fn public_agenda(m: &MeetingPapers) -> Document {
    Document::new(
        DocumentKind::Agenda,
        Some(m.id().clone()),
        m.path(&format!("{}-offentlig.pdf", file_stem(m.plan, m.meeting))),
        format!("{} (offentlig udgave)", title(m.plan, m.meeting)),
        view(m, true),
    )
    .sent_on(m.send_out())
    .public(true)
}

fn file_stem(plan: &Plan, meeting: &Meeting) -> String {
    format!(
        "dagsorden-{}-{}",
        slug(&plan.body_name(meeting)),
        meeting.date.get_ref()
    )
}

pub(super) fn title(plan: &Plan, meeting: &Meeting) -> String {
    format!(
        "Dagsorden – {} {}",
        plan.body_name(meeting),
        danish_date(meeting.date.get_ref().0)
    )
}

fn view(m: &MeetingPapers, public: bool) -> Value {
    let (plan, meeting) = (m.plan, m.meeting);
    json!({
        "meta": meeting_meta(plan, meeting, &title(plan, meeting), "Dagsorden"),
        "meeting": meeting_view(plan, meeting),
        "members": members(plan, meeting),
        "public": public,
        // An agenda of one item puts its contents and the item on the first page: that item's
        // PDF, cut from these pages, then shows the front page too, which is no news to a
        // reader of a one-item agenda but would be in an agenda of several. Only where the
        // front page may be public: no closed item, no attachment kept from the public.
        "compact": meeting.items.len() == 1 && !m.has_public_edition(),
        // As of the day it goes out: the decisions are the minutes'.
        "items": items_view(meeting, &m.attachments, ItemsShown { public, decisions: false }),
    })
}
