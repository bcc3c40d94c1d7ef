//! The plan's dates as calendar events: meetings, their deadlines, consultation dates and
//! milestone windows, in date order.

use chrono::{NaiveDate, NaiveDateTime};

use super::ics::{Event, When};
use crate::calendar::meeting_deadlines;
use crate::plan::Plan;
use crate::plan::model::Meeting;
use crate::text::{danish_date, danish_date_long, slug};

/// Every event of the plan, sorted by day.
pub fn plan_events(plan: &Plan) -> Vec<Event> {
    let domain = format!("{}.udvalg", slug(&plan.settings.plan.title));
    let uid = |kind: &str, id: &str| format!("{kind}-{id}@{domain}");
    let mut events = Vec::new();

    for meeting in &plan.meetings {
        let id = meeting.id.get_ref();
        let body = plan.body_name(meeting);
        let name = match &meeting.title {
            Some(title) => format!("{body}: {title}"),
            None => format!("{body}: møde"),
        };
        let items: Vec<String> = meeting
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.closed)
            .map(|(n, i)| format!("{}. {}", n + 1, i.title))
            .collect();
        events.push(Event {
            uid: uid("meeting", id),
            summary: name,
            when: meeting_time(meeting),
            location: Some(meeting.place.clone()),
            description: (!items.is_empty()).then(|| items.join("\n")),
            category: "Møde",
            busy: true,
        });
        if !meeting.has_agenda() {
            continue;
        }
        let day = meeting.date.get_ref().0;
        let due = meeting_deadlines(&plan.settings.calendar, day);
        let of_meeting = format!("{body} {}", danish_date(day));
        for (kind, date) in due.in_order() {
            let (kind, what) = (kind.key(), kind.danish());
            events.push(Event {
                uid: uid(&format!("deadline-{kind}"), id),
                summary: format!("Frist: {what} – {of_meeting}"),
                when: When::Days {
                    first: date,
                    last: date,
                },
                location: None,
                description: Some(format!("Senest {} ({of_meeting}).", danish_date_long(date))),
                category: "Frist",
                busy: false,
            });
        }
    }

    for c in &plan.consultations {
        let (sent, deadline) = (c.data.sent.get_ref().0, c.data.deadline.get_ref().0);
        for (kind, what, date) in [
            ("sent", "Høring sendes", sent),
            ("deadline", "Høringsfrist", deadline),
        ] {
            events.push(Event {
                uid: uid(&format!("consultation-{kind}"), &c.id),
                summary: format!("{what}: {}", c.data.title),
                when: When::Days {
                    first: date,
                    last: date,
                },
                location: None,
                description: Some(format!(
                    "Høringsperiode {} til {}; {} høringsparter.",
                    danish_date(sent),
                    danish_date(deadline),
                    c.data.consultees.len()
                )),
                category: "Høring",
                busy: false,
            });
        }
    }

    for milestone in plan
        .implementation
        .iter()
        .flat_map(|i| &i.years)
        .flat_map(|y| &y.milestones)
    {
        events.push(Event {
            uid: uid("milestone", milestone.id.get_ref()),
            summary: format!("Milepæl: {}", milestone.text.get_ref().trim()),
            when: When::Days {
                first: milestone.from.get_ref().0,
                last: milestone.to.get_ref().0,
            },
            location: None,
            description: None,
            category: "Milepæl",
            busy: false,
        });
    }

    // Stable: events of one day keep the order above (a meeting's deadlines in time order).
    events.sort_by_key(|e| e.when.first_day());
    events
}

fn meeting_time(meeting: &Meeting) -> When {
    let day = meeting.date.get_ref().0;
    let at = |date: NaiveDate, time: &crate::plan::values::Time| -> NaiveDateTime {
        date.and_time(time.0)
    };
    let start = at(day, meeting.start.get_ref());
    let end_day = meeting.end_date.as_ref().map_or(day, |d| d.get_ref().0);
    When::Timed {
        start,
        end: meeting.end.as_ref().map(|end| at(end_day, end.get_ref())),
    }
}
