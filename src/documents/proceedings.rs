//! The papers around a meeting besides its agenda: the minutes of what was decided, and the
//! invitation with programme for seminars and theme meetings.

use serde_json::{Value, json};

use super::Attachment;
use super::views::{body_name, day_span, items_view, markup, meeting_meta, meeting_view, members};
use crate::calendar::{danish_date, danish_weekday};
use crate::plan::Plan;
use crate::plan::model::{Meeting, MeetingKind};

/// Minutes are written once a meeting's decisions are recorded.
pub fn has_minutes(meeting: &Meeting) -> bool {
    super::has_agenda(meeting) && meeting.items.iter().any(|i| i.decision.is_some())
}

/// Seminars and theme meetings get an invitation with their programme.
pub fn has_invitation(meeting: &Meeting) -> bool {
    matches!(
        meeting.kind,
        MeetingKind::Seminar | MeetingKind::ThemeMeeting
    )
}

pub fn minutes_title(plan: &Plan, meeting: &Meeting) -> String {
    format!(
        "Beslutningsprotokol – {} {}",
        body_name(plan, meeting),
        danish_date(meeting.date.get_ref().0)
    )
}

pub fn minutes(plan: &Plan, meeting: &Meeting, attachments: &[Attachment], public: bool) -> Value {
    let title = minutes_title(plan, meeting);
    let mut meta = meeting_meta(plan, meeting, &title, "Beslutningsprotokol");
    // The minutes speak from the day of the meeting, not from the day the agenda went out.
    meta["date"] = super::views::date(meeting.date.get_ref().0);
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
    let items = items_view(meeting, attachments, public);
    json!({
        "meta": meta,
        "meeting": meeting_view(plan, meeting),
        "present": present,
        "absent": away,
        "public": public,
        "items": items,
    })
}

pub fn invitation_title(plan: &Plan, meeting: &Meeting) -> String {
    let name = meeting
        .title
        .clone()
        .unwrap_or_else(|| body_name(plan, meeting));
    format!("Invitation – {name}")
}

pub fn invitation(plan: &Plan, meeting: &Meeting) -> Value {
    use chrono::Datelike;
    let title = invitation_title(plan, meeting);
    let first = meeting.date.get_ref().0;
    let several_days = meeting
        .end_date
        .as_ref()
        .is_some_and(|e| e.get_ref().0 != first);
    let mut days: Vec<(String, Vec<Value>)> = Vec::new();
    for entry in &meeting.programme {
        let day = entry.day.as_ref().map_or(first, |d| d.get_ref().0);
        let label = format!(
            "{} {}",
            capitalise(danish_weekday(day.weekday())),
            danish_date(day)
        );
        let time = match &entry.end {
            Some(end) => format!(
                "{}-{}",
                entry.start.get_ref().danish(),
                end.get_ref().danish()
            ),
            None => entry.start.get_ref().danish(),
        };
        let point = json!({ "time": time, "text": markup(&entry.text) });
        match days.iter_mut().find(|(l, _)| *l == label) {
            Some((_, points)) => points.push(point),
            None => days.push((label, vec![point])),
        }
    }
    let when = match &meeting.end_date {
        Some(end) if several_days => day_span(first, end.get_ref().0),
        _ => danish_date(first),
    };
    let mut meta = meeting_meta(plan, meeting, &title, "Invitation");
    meta["date"] = super::views::date(super::send_out_date(plan, meeting));
    json!({
        "meta": meta,
        "meeting": meeting_view(plan, meeting),
        "when": when,
        "invited": meeting.invited,
        "members": members(plan, meeting),
        "programme": days.into_iter().map(|(day, points)| json!({"day": day, "points": points})).collect::<Vec<_>>(),
        "several_days": several_days,
    })
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
