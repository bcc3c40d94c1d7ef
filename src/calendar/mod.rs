//! The Danish calendar as a municipality keeps it: public holidays, the days the administration
//! is closed, working days, and the deadlines that follow from the plan's rules.

mod closures;
mod day;
mod rules;

pub use closures::{AFTER_SUMMER_WORKING_DAYS, Closure, closures_within};

pub use day::{Date, Time};
pub use rules::{CalendarRules, NoticeUnit};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A day on which the administration does not work, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedDay {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// Public holidays (helligdage) and the customary closed days of the year: grundlovsdag,
/// juleaftensdag and nytårsaftensdag. Store bededag was abolished from 2024.
pub fn closed_days(year: i32) -> Vec<ClosedDay> {
    let mut days = Vec::with_capacity(14);
    let mut add = |date: Option<NaiveDate>, name: &'static str| {
        if let Some(date) = date {
            days.push(ClosedDay { date, name });
        }
    };
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    add(ymd(1, 1), "Nytårsdag");
    if let Ok(easter) = computus::gregorian_naive(year) {
        let rel = |offset: i64| Some(easter + Duration::days(offset));
        add(rel(-3), "Skærtorsdag");
        add(rel(-2), "Langfredag");
        add(rel(0), "Påskedag");
        add(rel(1), "2. påskedag");
        if year <= 2023 {
            add(rel(26), "Store bededag");
        }
        add(rel(39), "Kristi himmelfartsdag");
        add(rel(49), "Pinsedag");
        add(rel(50), "2. pinsedag");
    }
    add(ymd(6, 5), "Grundlovsdag");
    add(ymd(12, 24), "Juleaftensdag");
    add(ymd(12, 25), "Juledag");
    add(ymd(12, 26), "2. juledag");
    add(ymd(12, 31), "Nytårsaftensdag");
    days.sort_by_key(|d| d.date);
    days
}

/// The name of the national closed day `date` is, if it is one. Each year's days are worked
/// out once per thread: counting working days asks about every day in turn.
fn closed_day_name(date: NaiveDate) -> Option<&'static str> {
    thread_local! {
        static YEARS: std::cell::RefCell<std::collections::HashMap<i32, Vec<ClosedDay>>> =
            std::cell::RefCell::default();
    }
    YEARS.with(|years| {
        let mut years = years.borrow_mut();
        let days = years
            .entry(date.year())
            .or_insert_with(|| closed_days(date.year()));
        days.iter().find(|d| d.date == date).map(|d| d.name)
    })
}

/// The plan's working-day rules: the national closed days plus the plan's own.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    saturday_is_working_day: bool,
    extra_closed: Vec<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(rules: &CalendarRules) -> Self {
        let mut extra_closed: Vec<NaiveDate> =
            rules.closed_days.iter().map(|d| d.get_ref().0).collect();
        extra_closed.sort();
        Self {
            saturday_is_working_day: rules.saturday_is_working_day,
            extra_closed,
        }
    }

    /// Why a day is closed, if it is: a weekend, a holiday or a day the plan closes.
    pub fn closed_reason(&self, date: NaiveDate) -> Option<&'static str> {
        match date.weekday() {
            Weekday::Sun => return Some("søndag"),
            Weekday::Sat if !self.saturday_is_working_day => return Some("lørdag"),
            _ => {}
        }
        if let Some(name) = closed_day_name(date) {
            return Some(name);
        }
        self.extra_closed
            .binary_search(&date)
            .is_ok()
            .then_some("lukkedag")
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.closed_reason(date).is_none()
    }

    /// The last working day on or before `date`.
    pub fn on_or_before(&self, mut date: NaiveDate) -> NaiveDate {
        while !self.is_working_day(date) {
            date -= Duration::days(1);
        }
        date
    }

    /// The day `n` working days after `date` (the day itself not counted); `n = 0` is `date`.
    pub fn working_days_after(&self, mut date: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            date += Duration::days(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The day `n` working days before `date` (the day itself not counted).
    pub fn working_days_before(&self, mut date: NaiveDate, n: u32) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            date -= Duration::days(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }
}

/// The last day the agenda can go to the members: the plan's notice before the meeting,
/// moved back to a working day.
pub fn agenda_deadline(rules: &CalendarRules, meeting: NaiveDate) -> NaiveDate {
    let calendar = WorkingCalendar::new(rules);
    match rules.agenda_notice_unit {
        NoticeUnit::WorkingDays => calendar.working_days_before(meeting, rules.agenda_notice),
        NoticeUnit::CalendarDays => {
            calendar.on_or_before(meeting - Duration::days(i64::from(rules.agenda_notice)))
        }
    }
}

/// The days that follow from a meeting's date and the plan's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeetingDeadlines {
    /// Attachments (the strategy, notes) must be final by this day.
    pub attachments_ready: NaiveDate,
    /// The agenda goes to the members.
    pub agenda_send_out: NaiveDate,
    /// The agenda is published on the municipality's website.
    pub agenda_published: NaiveDate,
    /// The minutes (beslutningsprotokol) must be public.
    pub minutes_public: NaiveDate,
}

impl MeetingDeadlines {
    /// Each deadline with its kind, in the order they fall.
    pub fn in_order(&self) -> [(DeadlineKind, NaiveDate); 4] {
        [
            (DeadlineKind::AttachmentsReady, self.attachments_ready),
            (DeadlineKind::AgendaSendOut, self.agenda_send_out),
            (DeadlineKind::AgendaPublished, self.agenda_published),
            (DeadlineKind::MinutesPublic, self.minutes_public),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineKind {
    AttachmentsReady,
    AgendaSendOut,
    AgendaPublished,
    MinutesPublic,
}

impl DeadlineKind {
    /// For `status`, whose table is in English like the rest of the command line.
    pub fn english(self) -> &'static str {
        match self {
            DeadlineKind::AttachmentsReady => "attachments ready",
            DeadlineKind::AgendaSendOut => "agenda sent to members",
            DeadlineKind::AgendaPublished => "agenda published",
            DeadlineKind::MinutesPublic => "minutes public",
        }
    }

    /// For calendars the secretariat shares.
    pub fn danish(self) -> &'static str {
        match self {
            DeadlineKind::AttachmentsReady => "Bilag klar",
            DeadlineKind::AgendaSendOut => "Dagsorden udsendes",
            DeadlineKind::AgendaPublished => "Dagsorden offentliggøres",
            DeadlineKind::MinutesPublic => "Referat offentligt",
        }
    }

    /// Part of an event's stable UID.
    pub fn key(self) -> &'static str {
        match self {
            DeadlineKind::AttachmentsReady => "attachments",
            DeadlineKind::AgendaSendOut => "send-out",
            DeadlineKind::AgendaPublished => "published",
            DeadlineKind::MinutesPublic => "minutes",
        }
    }
}

pub fn meeting_deadlines(rules: &CalendarRules, meeting: NaiveDate) -> MeetingDeadlines {
    let calendar = WorkingCalendar::new(rules);
    let send_out = agenda_deadline(rules, meeting);
    MeetingDeadlines {
        attachments_ready: calendar.working_days_before(send_out, rules.attachments_ready_before),
        agenda_send_out: send_out,
        agenda_published: calendar.working_days_after(send_out, rules.agenda_published_after),
        minutes_public: calendar.working_days_after(meeting, rules.minutes_public_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn names(year: i32) -> Vec<(NaiveDate, &'static str)> {
        closed_days(year)
            .into_iter()
            .map(|c| (c.date, c.name))
            .collect()
    }

    #[test]
    fn holidays_of_2022_and_2024() {
        let y2022 = names(2022);
        assert!(y2022.contains(&(d(2022, 4, 14), "Skærtorsdag")));
        assert!(y2022.contains(&(d(2022, 4, 15), "Langfredag")));
        assert!(y2022.contains(&(d(2022, 4, 18), "2. påskedag")));
        assert!(y2022.contains(&(d(2022, 5, 13), "Store bededag")));
        assert!(y2022.contains(&(d(2022, 5, 26), "Kristi himmelfartsdag")));
        assert!(y2022.contains(&(d(2022, 6, 6), "2. pinsedag")));
        let y2024 = names(2024);
        assert!(!y2024.iter().any(|(_, n)| *n == "Store bededag"));
        assert!(y2024.contains(&(d(2024, 3, 31), "Påskedag")));
        assert!(y2024.contains(&(d(2024, 5, 9), "Kristi himmelfartsdag")));
    }

    /// Easter Sunday and the holidays that hang on it, 2022-2029, from the almanac.
    #[test]
    fn easter_based_holidays_2022_to_2029() {
        let table = [
            (2022, (4, 14), (4, 17), (5, 26), (6, 6)),
            (2023, (4, 6), (4, 9), (5, 18), (5, 29)),
            (2024, (3, 28), (3, 31), (5, 9), (5, 20)),
            (2025, (4, 17), (4, 20), (5, 29), (6, 9)),
            (2026, (4, 2), (4, 5), (5, 14), (5, 25)),
            (2027, (3, 25), (3, 28), (5, 6), (5, 17)),
            (2028, (4, 13), (4, 16), (5, 25), (6, 5)),
            (2029, (3, 29), (4, 1), (5, 10), (5, 21)),
        ];
        for (year, maundy, easter, ascension, whit_monday) in table {
            let days = names(year);
            let has = |(m, day): (u32, u32), name: &str| {
                assert!(
                    days.contains(&(d(year, m, day), name)),
                    "{year}: {name} on {m}-{day}; have {days:?}"
                )
            };
            has(maundy, "Skærtorsdag");
            has(easter, "Påskedag");
            has(ascension, "Kristi himmelfartsdag");
            has(whit_monday, "2. pinsedag");
            has((6, 5), "Grundlovsdag");
            has((12, 24), "Juleaftensdag");
            has((12, 31), "Nytårsaftensdag");
            let bededag = days.iter().any(|(_, n)| *n == "Store bededag");
            assert_eq!(bededag, year <= 2023, "store bededag in {year}");
        }
        assert_eq!(
            names(2023)
                .iter()
                .find(|(_, n)| *n == "Store bededag")
                .unwrap()
                .0,
            d(2023, 5, 5)
        );
    }

    #[test]
    fn every_year_of_two_centuries_has_its_holidays() {
        for year in 1900..=2100 {
            let days = closed_days(year);
            let expected = if year <= 2023 { 14 } else { 13 };
            assert_eq!(days.len(), expected, "{year}");
            assert!(days.iter().all(|c| c.date.year() == year
                || c.name.contains("pinse")
                || c.name.contains("himmelfart")));
        }
    }

    #[test]
    fn meeting_deadlines_follow_the_rules() {
        let rules = CalendarRules::default();
        // Tuesday 29 November 2022.
        let deadlines = meeting_deadlines(&rules, d(2022, 11, 29));
        assert_eq!(deadlines.agenda_send_out, d(2022, 11, 23));
        assert_eq!(deadlines.agenda_published, d(2022, 11, 23));
        assert_eq!(deadlines.attachments_ready, d(2022, 11, 21));
        assert_eq!(deadlines.minutes_public, d(2022, 12, 1));
        // Thursday 22 December 2022: the minutes' two working days skip the Christmas weekend.
        let rules = CalendarRules {
            closed_days: vec![],
            ..CalendarRules::default()
        };
        assert_eq!(
            meeting_deadlines(&rules, d(2022, 12, 22)).minutes_public,
            d(2022, 12, 27)
        );
    }

    #[test]
    fn agenda_goes_out_four_working_days_before() {
        let rules = CalendarRules::default();
        // Tuesday 8 November 2022: four working days back is Wednesday 2 November.
        assert_eq!(agenda_deadline(&rules, d(2022, 11, 8)), d(2022, 11, 2));
        // Tuesday 31 May 2022: back over Kristi himmelfartsdag (26 May) to Tuesday 24 May.
        assert_eq!(agenda_deadline(&rules, d(2022, 5, 31)), d(2022, 5, 24));
    }

    #[test]
    fn saturday_can_count() {
        let rules = CalendarRules {
            saturday_is_working_day: true,
            ..CalendarRules::default()
        };
        assert_eq!(agenda_deadline(&rules, d(2022, 11, 8)), d(2022, 11, 3));
    }

    #[test]
    fn calendar_days_move_back_to_a_working_day() {
        let rules = CalendarRules {
            agenda_notice: 7,
            agenda_notice_unit: NoticeUnit::CalendarDays,
            ..CalendarRules::default()
        };
        // Monday 2 January 2023 minus 7 days is Monday 26 December (2. juledag): back to Friday 23.
        assert_eq!(agenda_deadline(&rules, d(2023, 1, 2)), d(2022, 12, 23));
    }
}
