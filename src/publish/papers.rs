//! The public papers as the website knows them: each public file of the build record with the
//! view it was made from, from the day it may be published; a meeting's newest editions; a
//! paper as a link.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::documents::{self, Document, DocumentKind};
use crate::output::public::PUBLIC_SET_KIND;
use crate::output::record::{BuildRecord, RecordEntry};
use crate::plan::Plan;
use crate::plan::model::Meeting;

/// A public file as the pages link to it: where it is, what the record says of it, and the
/// view it was made from (none for a file copied as it is).
pub(super) struct Listed<'a> {
    pub path: &'a str,
    pub entry: &'a RecordEntry,
    pub view: Option<&'a Value>,
}

impl Listed<'_> {
    /// The day the paper carries, from its view.
    pub fn day(&self) -> Option<chrono::NaiveDate> {
        self.view?["meta"]["date"]["iso"].as_str()?.parse().ok()
    }
}

/// The item's own PDF among a meeting's published papers (a closed item has none).
pub(super) fn own_pdf<'l>(papers: &[&'l Listed<'l>], item: &Value) -> Option<&'l Listed<'l>> {
    papers.iter().copied().find(|l| {
        l.entry.kind == DocumentKind::AgendaItem.name()
            && l.view
                .is_some_and(|v| v["item"]["number"] == item["number"])
    })
}

/// The meetings that have a published paper, in the plan's order, each with its papers.
pub(super) fn published_meetings<'p, 'l>(
    plan: &'p Plan,
    listed: &'l [Listed<'l>],
) -> Vec<(&'p Meeting, Vec<&'l Listed<'l>>)> {
    plan.meetings
        .iter()
        .map(|meeting| {
            let id = meeting.id.get_ref();
            let papers: Vec<&Listed> = listed
                .iter()
                .filter(|l| l.entry.meeting.as_deref() == Some(id.as_str()))
                .collect();
            (meeting, papers)
        })
        .filter(|(_, papers)| !papers.is_empty())
        .collect()
}

/// Every public file of the record that is published by the plan's day, with its view.
pub(super) fn published<'a>(
    plan: &Plan,
    public: &'a [Document],
    record: &'a BuildRecord,
) -> Vec<Listed<'a>> {
    let views: BTreeMap<&str, &Document> = public.iter().map(|d| (d.path.as_str(), d)).collect();
    let today = plan.settings.plan.date.get_ref().0;
    record
        .documents
        .iter()
        .filter(|(_, entry)| entry.public && entry.kind != PUBLIC_SET_KIND)
        .map(|(path, entry)| Listed {
            path,
            entry,
            view: views.get(path.as_str()).map(|d| d.view()),
        })
        .filter(|listed| published_from(plan, listed).is_some_and(|day| day <= today))
        .collect()
}

/// The day a public paper goes on the website: a meeting's papers on the day its agenda is
/// published (`agenda_published_after` working days after it is sent), its minutes on the day
/// they are public (`minutes_public_after` working days after the meeting); a paper dated later
/// (a corrected edition, a supplementary agenda) on its own day; a paper outside the meetings
/// on its day. `None` for a paper of a meeting the plan no longer has.
fn published_from(plan: &Plan, listed: &Listed) -> Option<chrono::NaiveDate> {
    let own_day = listed.day();
    let Some(id) = &listed.entry.meeting else {
        return Some(own_day.unwrap_or(chrono::NaiveDate::MIN));
    };
    let meeting = plan.meeting(id)?;
    let due = crate::calendar::meeting_deadlines(&plan.settings.calendar, meeting.date.get_ref().0);
    let rule = if listed.entry.kind == DocumentKind::Minutes.name() {
        due.minutes_public
    } else {
        due.agenda_published
    };
    Some(own_day.map_or(rule, |day| day.max(rule)))
}

/// The newest edition (a corrected edition has the higher number) of a meeting's paper of
/// `kind`; of agendas, of the agenda or of the supplementary agenda.
pub(super) fn newest<'l>(
    papers: &[&'l Listed<'l>],
    kind: DocumentKind,
    supplement: bool,
) -> Option<&'l Listed<'l>> {
    papers
        .iter()
        .copied()
        .filter(|l| l.entry.kind == kind.name())
        .filter(|l| {
            l.view
                .is_some_and(|v| (v["supplement"] == json!(true)) == supplement)
        })
        .max_by_key(|l| {
            l.view
                .and_then(|v| v["meta"]["correction"]["number"].as_u64())
                .unwrap_or(0)
        })
}

/// A public file as a link: its title, type, size and pages, and the day it carries. `base`
/// is the folder of the linking page, which the link is relative to.
pub(super) fn paper_link(l: &Listed, base: &str) -> Value {
    let href = l.path.strip_prefix(base).unwrap_or(l.path);
    let title = match (&l.entry.title, l.view) {
        (t, _) if !t.is_empty() => t.clone(),
        (_, Some(view)) => view["meta"]["title"].as_str().unwrap_or(l.path).to_string(),
        _ => l.path.rsplit('/').next().unwrap_or(l.path).to_string(),
    };
    let date = l.view.map_or(Value::Null, |v| v["meta"]["date"].clone());
    json!({
        "title": title,
        "href": href,
        "kind": l.view.map_or(Value::Null, |v| v["meta"]["kind"].clone()),
        "type": documents::file_type_text(l.path),
        "size": documents::file_size_text(l.entry.size),
        "pages": (l.entry.pages > 0).then_some(l.entry.pages),
        "date": date,
        "iso": date["iso"],
    })
}
