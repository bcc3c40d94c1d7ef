//! Dagsordenspunkt: each open item on its own, for separate publishing; its pages are cut from
//! the members' agenda.

use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::agenda::{self, Part};
use super::common::{date, meeting_meta};
use super::item::{ItemsShown, item_view};
use super::{Document, DocumentKind, Kind};
use crate::text::slug;

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        if !m.meeting.has_agenda() {
            return;
        }
        for (index, item) in m.meeting.items.iter().enumerate() {
            if item.closed {
                continue;
            }
            let file = format!("punkt-{:02}-{}.pdf", index + 1, slug(&item.title));
            // An item's PDF is a public paper: its pages are the members' agenda's (or the
            // supplementary agenda's), unless it lists an attachment that is not public there;
            // then they are the public edition's.
            let agenda = m.agenda_of(item);
            out.push(
                Document::new(
                    DocumentKind::AgendaItem,
                    Some(m.id().clone()),
                    m.path(&file),
                    title(m, index),
                    view(m, index),
                )
                .excerpt_of(agenda, index as u64 + 1)
                .sent_on(agenda::sent_on(m, Part::of(item)))
                .public(true),
            );
        }
    }
}

fn title(m: &MeetingPapers, index: usize) -> String {
    let part = Part::of(&m.meeting.items[index]);
    format!(
        "{} – punkt {}: {}",
        agenda::part_title(m.plan, m.meeting, part),
        index + 1,
        m.meeting.items[index].title
    )
}

/// The agenda's own meta but for the title: the item's pages are cut from the agenda's.
fn view(m: &MeetingPapers, index: usize) -> Value {
    let part = Part::of(&m.meeting.items[index]);
    let day = agenda::sent_on(m, part);
    let shown = ItemsShown { public: true, decisions: false, day };
    let mut meta = meeting_meta(m.plan, m.meeting, &title(m, index), part.label());
    meta["date"] = date(day);
    json!({
        "meta": meta,
        "item": item_view(m, index, shown),
    })
}
