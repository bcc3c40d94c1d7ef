//! iCalendar (RFC 5545) output that Outlook and Google Calendar import: meetings in
//! Europe/Copenhagen time with the zone's VTIMEZONE, deadlines and windows as all-day events.
//! Written by hand: the format is a few lines of text, and the crates that write it either
//! leave out VTIMEZONE or stamp events with the clock, which would break reproducible output.

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// Local time in Europe/Copenhagen; `end` may be missing.
    Timed {
        start: NaiveDateTime,
        end: Option<NaiveDateTime>,
    },
    /// Whole days, `last` included.
    Days { first: NaiveDate, last: NaiveDate },
}

impl When {
    pub fn first_day(&self) -> NaiveDate {
        match self {
            When::Timed { start, .. } => start.date(),
            When::Days { first, .. } => *first,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across runs: made from the plan's ids, never from a counter or the clock.
    pub uid: String,
    pub summary: String,
    pub when: When,
    pub location: Option<String>,
    pub description: Option<String>,
    pub category: &'static str,
    /// Deadlines and windows do not block the day in a calendar.
    pub busy: bool,
}

const TZID: &str = "Europe/Copenhagen";

/// The zone's rules since 1996: CEST from the last Sunday of March, CET from the last Sunday
/// of October.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Copenhagen",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19810329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The calendar as text with CRLF line ends. `stamp` (UTC) is every event's DTSTAMP.
pub fn write(name: &str, events: &[Event], stamp: NaiveDateTime) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:-//udvalg//udvalg {}//DA", env!("CARGO_PKG_VERSION")),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
        format!("X-WR-TIMEZONE:{TZID}"),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| l.to_string()));
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for event in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", event.uid));
        lines.push(format!("DTSTAMP:{stamp}"));
        match &event.when {
            When::Timed { start, end } => {
                lines.push(format!("DTSTART;TZID={TZID}:{}", local(start)));
                if let Some(end) = end {
                    lines.push(format!("DTEND;TZID={TZID}:{}", local(end)));
                }
            }
            When::Days { first, last } => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", first.format("%Y%m%d")));
                let after = last.succ_opt().unwrap_or(*last);
                lines.push(format!("DTEND;VALUE=DATE:{}", after.format("%Y%m%d")));
            }
        }
        lines.push(format!("SUMMARY:{}", escape(&event.summary)));
        if let Some(location) = &event.location {
            lines.push(format!("LOCATION:{}", escape(location)));
        }
        if let Some(description) = &event.description {
            lines.push(format!("DESCRIPTION:{}", escape(description)));
        }
        lines.push(format!("CATEGORIES:{}", escape(event.category)));
        lines.push(
            if event.busy {
                "TRANSP:OPAQUE"
            } else {
                "TRANSP:TRANSPARENT"
            }
            .into(),
        );
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

fn local(time: &NaiveDateTime) -> String {
    time.format("%Y%m%dT%H%M%S").to_string()
}

/// TEXT values escape backslash, semicolon, comma and line ends (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1), never
/// inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "æ".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "æ".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
