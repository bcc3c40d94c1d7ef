//! The parts of a view that papers of several kinds share: dates, prose, the header and footer
//! every page carries, a meeting and its members, an item as the agenda and the minutes show it.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use crate::plan::Plan;
use crate::plan::model::*;
use crate::text::{danish_date, danish_date_long, day_span};

pub(super) fn date(date: NaiveDate) -> Value {
    json!({
        "iso": date.format("%Y-%m-%d").to_string(),
        "short": danish_date(date),
        "long": danish_date_long(date),
        "numeric": date.format("%d.%m.%Y").to_string(),
    })
}

pub(super) fn markup(m: &Markup) -> Value {
    Value::String(m.get_ref().clone())
}

pub(super) fn opt_markup(m: &Option<Markup>) -> Value {
    m.as_ref().map_or(Value::Null, markup)
}

/// What every document shows in its header, footer and metadata.
pub(super) fn meta(
    plan: &Plan,
    title: &str,
    kind_label: &str,
    day: NaiveDate,
    draft: Option<&Edition>,
) -> Value {
    let settings = &plan.settings;
    json!({
        "title": title,
        "kind": kind_label,
        "municipality": settings.municipality.name,
        "administration": settings.municipality.administration,
        "address": settings.municipality.address,
        "web": settings.municipality.web,
        "committee": settings.committee.name,
        "meeting": Value::Null,
        "date": date(day),
        "draft": draft.is_some_and(|e| e.draft),
        "version": draft.map(|e| e.version.clone()),
        "edition": draft.map(|e| e.label.clone()),
        "example_note": settings.plan.example_note,
    })
}

/// A meeting's papers carry the name of the body that meets and the meeting's day on every page
/// (so that an item's PDF says which meeting it is for), dated the day they go out.
pub(super) fn meeting_meta(plan: &Plan, meeting: &Meeting, title: &str, kind_label: &str) -> Value {
    let mut meta = meta(plan, title, kind_label, plan.send_out_date(meeting), None);
    meta["committee"] = json!(plan.body_name(meeting));
    meta["meeting"] = json!(format!("møde {}", danish_date(meeting.date.get_ref().0)));
    meta
}

fn meeting_kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Committee => "Udvalgsmøde",
        MeetingKind::Seminar => "Seminar",
        MeetingKind::ThemeMeeting => "Temamøde",
        MeetingKind::Council => "Kommunalbestyrelsesmøde",
    }
}

pub(super) fn item_kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Information => "Orientering",
        ItemKind::Discussion => "Drøftelse",
        ItemKind::Approval => "Godkendelse",
        ItemKind::Decision => "Beslutning",
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Chair => "formand",
        Role::ViceChair => "næstformand",
        Role::Member => "",
    }
}

pub(super) fn meeting_view(plan: &Plan, meeting: &Meeting) -> Value {
    let start = meeting.start.get_ref().danish();
    let time = match &meeting.end {
        Some(end) => format!("kl. {start}-{}", end.get_ref().danish()),
        None => format!("kl. {start}"),
    };
    let day = meeting.date.get_ref().0;
    let when = match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => format!(
            "{} {time} til {}",
            danish_date_long(day),
            danish_date_long(end.get_ref().0)
        ),
        _ => format!("{} {time}", danish_date_long(day)),
    };
    let days = match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => day_span(day, end.get_ref().0),
        _ => danish_date(day),
    };
    json!({
        "id": meeting.id.get_ref(),
        "body": plan.body_name(meeting),
        "days": days,
        "kind": meeting_kind_label(meeting.kind),
        "title": meeting.title,
        "date": date(day),
        "time": time,
        "when": when,
        "place": meeting.place,
        "example": meeting.example,
        "purpose": opt_markup(&meeting.purpose),
        "send_out": date(plan.send_out_date(meeting)),
        // Whether the agenda has gone out by the plan's date, or is still to go ('senest ...').
        "sent": plan.send_out_date(meeting) <= plan.settings.plan.date.get_ref().0,
    })
}

pub(super) fn members(plan: &Plan, meeting: &Meeting) -> Value {
    if meeting.kind == MeetingKind::Council {
        return json!([]);
    }
    plan.settings
        .committee
        .members
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "role": role_label(m.role),
                "party": m.party,
                "example": m.example,
            })
        })
        .collect()
}

/// Which items' contents a paper shows, and what of them: an agenda, as of the day it goes out,
/// never shows a decision; the minutes do.
#[derive(Clone, Copy)]
pub(super) struct ItemsShown {
    /// The public edition: closed items are one line.
    pub public: bool,
    pub decisions: bool,
}

pub(super) fn item_view(
    index: usize,
    item: &AgendaItem,
    attachments: &[Attachment],
    shown: ItemsShown,
) -> Value {
    let public = shown.public;
    let hidden = public && item.closed;
    // A public edition lists only attachments that may be published; the members' edition
    // lists every one, and marks an open item's that may not.
    let attached: Vec<Value> = attachments
        .iter()
        .filter(|a| &a.item == item.id.get_ref() && (a.public || !public))
        .enumerate()
        .map(|(n, a)| {
            let mut listed = json!({ "number": n + 1, "title": a.title, "file": a.path });
            if !a.public && !item.closed {
                listed["restricted"] = json!("ikke offentligt");
            }
            listed
        })
        .collect();
    json!({
        "number": index + 1,
        "id": item.id.get_ref(),
        "title": if hidden { "Lukket punkt".to_string() } else { item.title.clone() },
        "case_number": if hidden { None } else { item.case_number.clone() },
        "kle": if hidden { None } else { item.kle.clone() },
        "kind": item_kind_label(item.kind),
        "closed": item.closed,
        "hidden": hidden,
        "presentation": if hidden { Value::Null } else { markup(&item.presentation) },
        "recommendation": if hidden { Value::Null } else { opt_markup(&item.recommendation) },
        "decision": if hidden || !shown.decisions { Value::Null } else { opt_markup(&item.decision) },
        "attachments": if hidden { vec![] } else { attached },
    })
}

/// Every item of a meeting, numbered, as the agenda and the minutes show them.
pub(super) fn items_view(
    meeting: &Meeting,
    attachments: &[Attachment],
    shown: ItemsShown,
) -> Vec<Value> {
    meeting
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| item_view(i, item, attachments, shown))
        .collect()
}

/// The political mandate the strategy and the process plan quote.
pub(super) fn mandate(plan: &Plan) -> Value {
    plan.settings
        .mandate
        .iter()
        .map(|m| {
            json!({
                "source": m.source,
                "item": m.item,
                "quote": markup(&m.quote),
                "url": m.url,
                "note": opt_markup(&m.note),
            })
        })
        .collect()
}
