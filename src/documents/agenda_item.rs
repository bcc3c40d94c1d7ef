//! Dagsordenspunkt: each open item on its own, for separate publishing; its pages are cut from
//! the members' agenda.

use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{ItemsShown, item_view, meeting_meta};
use super::{Document, DocumentKind, Kind, agenda};
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
            // An item's PDF is a public paper: its pages are the members' agenda's, unless it
            // lists an attachment that is not public there; then they are the public agenda's.
            let agenda = if m.item_has_restricted(item.id.get_ref()) {
                m.public_agenda()
            } else {
                m.agenda()
            };
            out.push(
                Document::new(
                    DocumentKind::AgendaItem,
                    Some(m.id().clone()),
                    m.path(&file),
                    title(m, index),
                    view(m, index),
                )
                .excerpt_of(agenda, index as u64 + 1)
                .sent_on(m.send_out())
                .public(true),
            );
        }
    }
}

fn title(m: &MeetingPapers, index: usize) -> String {
    format!(
        "{} – punkt {}: {}",
        agenda::title(m.plan, m.meeting),
        index + 1,
        m.meeting.items[index].title
    )
}

/// The agenda's own meta but for the title: the item's pages are cut from the agenda's.
fn view(m: &MeetingPapers, index: usize) -> Value {
    let item = &m.meeting.items[index];
    json!({
        "meta": meeting_meta(m.plan, m.meeting, &title(m, index), "Dagsorden"),
        "item": item_view(index, item, &m.attachments, ItemsShown { public: true, decisions: false }),
    })
}
