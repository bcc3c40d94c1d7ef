//! Invitation med program: the invitation and programme of a seminar or theme meeting.

use chrono::Datelike;
use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, markup, meeting_meta, meeting_view, members};
use super::{Document, DocumentKind, Kind};
use crate::plan::model::MeetingKind;
use crate::text::{capitalise, danish_date, danish_weekday, day_span, slug};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        if !matches!(
            m.meeting.kind,
            MeetingKind::Seminar | MeetingKind::ThemeMeeting
        ) {
            return;
        }
        let name = m.meeting.title.as_deref().unwrap_or("moede");
        out.push(Document::new(
            DocumentKind::Invitation,
            Some(m.id().clone()),
            m.path(&format!("invitation-{}.pdf", slug(name))),
            title(m),
            view(m),
        )
        .sent_on(m.send_out())
        .public(true));
    }
}

fn title(m: &MeetingPapers) -> String {
    let name = m
        .meeting
        .title
        .clone()
        .unwrap_or_else(|| m.plan.body_name(m.meeting));
    format!("Invitation – {name}")
}

fn view(m: &MeetingPapers) -> Value {
    let (plan, meeting) = (m.plan, m.meeting);
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
    let mut meta = meeting_meta(plan, meeting, &title(m), "Invitation");
    meta["date"] = date(plan.send_out_date(meeting));
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
