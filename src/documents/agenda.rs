//! Dagsorden: the members' agenda of a meeting and, when an item is closed, its public edition;
//! the supplementary agenda (tillægsdagsorden) of the items added after it went out, likewise.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, meeting_meta, meeting_view, members};
use super::item::{ItemsShown, items_view};
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
        if m.part_has_public_edition(Part::Agenda) {
            out.push(Document::clone(m.public_agenda()));
        }
        if m.supplement_sent().is_some() {
            out.push(Document::clone(m.supplement()));
            if m.part_has_public_edition(Part::Supplement) {
                out.push(Document::clone(m.public_supplement()));
            }
        }
    }
}

/// Which of a meeting's agendas: the agenda, or the supplementary agenda.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Agenda,
    Supplement,
}

impl Part {
    pub(super) fn of(item: &crate::plan::model::AgendaItem) -> Self {
        if item.supplementary { Self::Supplement } else { Self::Agenda }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Agenda => "Dagsorden",
            Self::Supplement => "Tillægsdagsorden",
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Self::Agenda => "dagsorden",
            Self::Supplement => "tillaegsdagsorden",
        }
    }
}

/// The members' agenda, which the agenda items are cut from; public unless the meeting has a
/// public edition.
pub(super) fn members_agenda(m: &MeetingPapers, part: Part) -> Document {
    Document::new(
        DocumentKind::Agenda,
        Some(m.id().clone()),
        m.path(&format!("{}.pdf", file_stem(m.plan, m.meeting, part))),
        part_title(m.plan, m.meeting, part),
        view(m, part, false),
    )
    .sent_on(sent_on(m, part))
    .public(!m.part_has_public_edition(part))
}

/// The public edition, for a meeting with a closed item or an attachment that is not public:
/// closed items are one line, attachments that are not public are not listed. Items with such
/// an attachment are cut from it.
pub(super) fn public_agenda(m: &MeetingPapers, part: Part) -> Document {
    Document::new(
        DocumentKind::Agenda,
        Some(m.id().clone()),
        m.path(&format!("{}-offentlig.pdf", file_stem(m.plan, m.meeting, part))),
        format!("{} (offentlig udgave)", part_title(m.plan, m.meeting, part)),
        view(m, part, true),
    )
    .sent_on(sent_on(m, part))
    .public(true)
}

/// The day the agenda or the supplementary agenda goes out.
pub(super) fn sent_on(m: &MeetingPapers, part: Part) -> NaiveDate {
    match part {
        Part::Agenda => m.send_out(),
        Part::Supplement => m.supplement_sent().unwrap_or_else(|| m.send_out()),
    }
}

fn file_stem(plan: &Plan, meeting: &Meeting, part: Part) -> String {
    format!(
        "{}-{}-{}",
        part.stem(),
        slug(&plan.body_name(meeting)),
        meeting.date.get_ref()
    )
}

pub(super) fn part_title(plan: &Plan, meeting: &Meeting, part: Part) -> String {
    format!(
        "{} – {} {}",
        part.label(),
        plan.body_name(meeting),
        danish_date(meeting.date.get_ref().0)
    )
}

fn view(m: &MeetingPapers, part: Part, public: bool) -> Value {
    let (plan, meeting) = (m.plan, m.meeting);
    let day = sent_on(m, part);
    let mut meta = meeting_meta(plan, meeting, &part_title(plan, meeting, part), part.label());
    let mut meeting_view = meeting_view(plan, meeting);
    if part == Part::Supplement {
        meta["date"] = date(day);
        meeting_view["send_out"] = date(day);
        meeting_view["sent"] = json!(day <= plan.settings.plan.date.get_ref().0);
    }
    let shown = ItemsShown { public, decisions: false, day };
    // As of the day it goes out: the decisions are the minutes'.
    let items = items_view(m, shown, |item| Part::of(item) == part);
    json!({
        "meta": meta,
        "meeting": meeting_view,
        "members": members(plan, meeting),
        "public": public,
        "supplement": part == Part::Supplement,
        "agenda_sent": date(m.send_out()),
        // An agenda of one item puts its contents and the item on the first page: that item's
        // PDF, cut from these pages, then shows the front page too, which is no news to a
        // reader of a one-item agenda but would be in an agenda of several. Only where the
        // front page may be public: no closed item, no attachment kept from the public.
        "compact": items.len() == 1 && !m.part_has_public_edition(part),
        "items": items,
    })
}
