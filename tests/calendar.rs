//! `udvalg calendar` (read back with a real iCalendar parser) and `udvalg status`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};

fn ics(dir: &Path, env: Option<(&str, &str)>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udvalg"));
    command
        .args(["calendar", "--ics", "-"])
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some((key, value)) = env {
        command.env(key, value);
    }
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// White space folded, so that column padding does not matter.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(h, 0, 0).unwrap()
}

#[test]
fn the_ics_file_parses_with_stable_uids_local_times_and_all_day_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let text = ics(dir.path(), None);
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "folded at 75 octets: {line}");
    }
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "lines end in CRLF"
    );
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n"));

    let calendar: icalendar::Calendar = text.parse().expect("a real parser reads it");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(CalendarComponent::as_event)
        .collect();
    let uids: BTreeSet<&str> = events.iter().map(|e| e.get_uid().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "every event has its own uid");
    // 9 meetings; 4 deadlines for each of the 7 with an agenda; 2 consultation dates; milestones.
    assert!(events.len() > 9 + 28 + 2, "{}", events.len());

    let find = |uid: &str| {
        *events
            .iter()
            .find(|e| e.get_uid() == Some(uid))
            .unwrap_or_else(|| panic!("no event {uid}"))
    };
    let domain = "udsattestrategi-2022-2029.udvalg";
    let meeting = find(&format!("meeting-su-2022-11-29@{domain}"));
    assert_eq!(
        meeting.get_start(),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
            date_time: at(2022, 11, 29, 16),
            tzid: "Europe/Copenhagen".into(),
        }))
    );
    assert_eq!(
        meeting.get_end(),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
            date_time: at(2022, 11, 29, 18),
            tzid: "Europe/Copenhagen".into(),
        }))
    );
    assert_eq!(
        meeting.get_location(),
        Some("Ballerup Rådhus, mødelokale C")
    );
    assert_eq!(
        meeting.get_timestamp().map(|t| t.naive_utc()),
        Some(at(2026, 11, 20, 0)),
        "DTSTAMP is the plan's date, not the clock"
    );

    let send_out = find(&format!("deadline-send-out-su-2022-11-29@{domain}"));
    assert_eq!(
        send_out.get_start(),
        Some(DatePerhapsTime::Date(day(2022, 11, 23)))
    );
    assert_eq!(
        send_out.get_end(),
        Some(DatePerhapsTime::Date(day(2022, 11, 24)))
    );
    assert_eq!(
        send_out.get_summary(),
        Some("Frist: Dagsorden udsendes – Socialudvalget 29. november 2022")
    );
    let deadline = find(&format!(
        "consultation-deadline-hoering-udsattestrategi@{domain}"
    ));
    assert_eq!(
        deadline.get_start(),
        Some(DatePerhapsTime::Date(day(2022, 11, 18)))
    );
    let window = find(&format!("milestone-handleplan-2024-26@{domain}"));
    assert_eq!(
        window.get_start(),
        Some(DatePerhapsTime::Date(day(2024, 11, 1)))
    );
    assert_eq!(
        window.get_end(),
        Some(DatePerhapsTime::Date(day(2025, 1, 1)))
    );
}

#[test]
fn the_ics_file_is_the_same_every_run_and_source_date_epoch_sets_the_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let first = ics(dir.path(), None);
    assert_eq!(first, ics(dir.path(), None));
    let stamped = ics(dir.path(), Some(("SOURCE_DATE_EPOCH", "1700000000")));
    assert!(stamped.contains("DTSTAMP:20231114T221320Z"));
    assert_eq!(
        stamped.replace("DTSTAMP:20231114T221320Z", "DTSTAMP:20261120T000000Z"),
        first
    );
}

#[test]
fn the_ics_file_goes_where_the_user_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["calendar", "--ics"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("output/kalender.ics").is_file());
    // A file the user names is theirs to place, also outside the output folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let named = elsewhere.path().join("udvalg.ics");
    let out = udvalg(dir.path(), &["calendar", "--ics", named.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&named).unwrap(),
        std::fs::read(dir.path().join("output/kalender.ics")).unwrap()
    );
    let relative = udvalg(dir.path(), &["calendar", "--ics", "mit.ics"]);
    assert!(relative.status.success(), "{}", stderr(&relative));
    assert!(dir.path().join("mit.ics").is_file());
    let nowhere = udvalg(dir.path(), &["calendar", "--ics", "no-such-folder/k.ics"]);
    assert_eq!(nowhere.status.code(), Some(2));
    assert!(stderr(&nowhere).contains("cannot write no-such-folder/k.ics"));
}

#[test]
fn calendar_lists_events_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["calendar"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("2022-05-"), "{text}");
    assert!(
        words(&text).contains("2022-11-29 16.00-18.00 Møde Socialudvalget: møde"),
        "{text}"
    );
    let days: Vec<&str> = lines.iter().map(|l| &l[..10]).collect();
    let sorted = {
        let mut d = days.clone();
        d.sort();
        d
    };
    assert_eq!(days, sorted);
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        lines.len(),
        "no event is listed twice: {text}"
    );
}

#[test]
fn status_shows_deadlines_and_each_papers_state() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    let plan = plan.as_str();
    let status = |today: &str| {
        let out = udvalg(dir.path(), &["status", "--plan", plan, "--today", today]);
        assert!(out.status.success(), "{}", stderr(&out));
        words(&stdout(&out))
    };

    let before = status("2024-03-01");
    assert!(
        before.contains("Prøvestrategi – status on fre 2024-03-01"),
        "{before}"
    );
    // The meeting of 12 March 2024: agenda out four working days before, on Wednesday 6 March.
    assert!(
        before.contains("agenda sent to members ons 2024-03-06 in 5 days"),
        "{before}"
    );
    assert!(
        before.contains("attachments ready man 2024-03-04 in 3 days"),
        "{before}"
    );
    assert!(
        before.contains("pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf not built"),
        "{before}"
    );
    assert!(
        before.contains("hoering closed fre 2024-02-23, 2 of 3 responses"),
        "{before}"
    );
    assert!(
        !before.contains("pu-2024-02-06"),
        "past meetings are left out: {before}"
    );

    let built = udvalg(dir.path(), &["build", "--plan", plan]);
    assert!(built.status.success(), "{}", stderr(&built));
    let after = status("2024-03-01");
    assert!(
        after.contains("pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf built"),
        "{after}"
    );
    assert!(
        after.contains("udkast-til-proevestrategi.pdf built"),
        "{after}"
    );

    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    std::fs::write(
        &meetings,
        text.replace(
            "samlet i høringsnotatet",
            "samlet i det vedlagte høringsnotat",
        ),
    )
    .unwrap();
    // The agenda went out by the plan's date: it stays built as it went out, and the change is
    // a corrected edition still to be built.
    let stale = status("2024-03-01");
    assert!(
        stale.contains("pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf built")
            && stale
                .contains("pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12-rettet.pdf not built"),
        "{stale}"
    );
    assert!(
        stale.contains("endelig-strategi.pdf built"),
        "papers that do not show the item stay current: {stale}"
    );

    let during = status("2024-02-20");
    assert!(
        during.contains(
            "hoering open, deadline fre 2024-02-23 (in 3 days, 3 working days), 1 of 3 responses"
        ),
        "{during}"
    );
}

#[test]
fn status_json_is_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["status", "--today", "2022-11-15", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    assert_eq!(json["today"], "2022-11-15");
    let meeting = &json["meetings"][0];
    assert_eq!(meeting["id"], "su-2022-11-29");
    assert_eq!(meeting["days_left"], 14);
    assert_eq!(meeting["deadlines"][1]["what"], "agenda sent to members");
    assert_eq!(meeting["deadlines"][1]["date"], "2022-11-23");
    assert_eq!(meeting["documents"][0]["state"], "not-built");
    assert_eq!(json["consultations"][0]["state"], "open");
    // 16, 17 and 18 November 2022.
    assert_eq!(json["consultations"][0]["working_days_left"], 3);
    assert_eq!(json["consultations"][0]["days_left"], 3);

    let later = udvalg(dir.path(), &["status", "--today", "2024-02-01", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&later)).unwrap();
    let milestones: Vec<(&str, &str)> = json["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    // The 2023 milestones were met by meetings in 2023; the 2024 key figures are due.
    assert_eq!(milestones, vec![("noegletal-2024", "due")]);
}
