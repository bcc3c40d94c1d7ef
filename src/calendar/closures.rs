//! The weeks a municipality runs at a minimum, which a consultation period should not lean on:
//! Christmas (24 December to 1 January), Easter (Monday of Holy Week to 2. påskedag) and the
//! school summer holiday (from the last Saturday of June to the Sunday before the second
//! Monday of August, as Danish schools keep it).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::WorkingCalendar;

/// A closure: its Danish name as a sentence uses it, and its first and last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closure {
    pub name: &'static str,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub summer: bool,
}

/// How many working days after the summer holiday a summer consultation should run at least,
/// so that the consultees are back and can meet before they answer.
pub const AFTER_SUMMER_WORKING_DAYS: u32 = 10;

/// The closures of `year` (Christmas is the one that begins in it).
pub fn closures_of(year: i32) -> Vec<Closure> {
    let mut out = Vec::with_capacity(3);
    if let Ok(easter) = computus::gregorian_naive(year) {
        out.push(Closure {
            name: "påskeugen",
            first: easter - Duration::days(6),
            last: easter + Duration::days(1),
            summer: false,
        });
    }
    let last_saturday_of_june = NaiveDate::from_ymd_opt(year, 6, 30).map(|d| {
        let back =
            (d.weekday().num_days_from_monday() + 7 - Weekday::Sat.num_days_from_monday()) % 7;
        d - Duration::days(back.into())
    });
    let second_monday_of_august = NaiveDate::from_weekday_of_month_opt(year, 8, Weekday::Mon, 2);
    if let (Some(first), Some(monday)) = (last_saturday_of_june, second_monday_of_august) {
        out.push(Closure {
            name: "sommerferien",
            first,
            last: monday - Duration::days(1),
            summer: true,
        });
    }
    if let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 12, 24),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) {
        out.push(Closure {
            name: "juleferien",
            first,
            last,
            summer: false,
        });
    }
    out
}

/// The closures that share a day with the period after `from` up to and including `to`.
pub fn closures_within(from: NaiveDate, to: NaiveDate) -> Vec<Closure> {
    if to <= from {
        return Vec::new();
    }
    (from.year() - 1..=to.year())
        .flat_map(closures_of)
        .filter(|c| c.last > from && c.first <= to)
        .collect()
}

impl WorkingCalendar {
    /// The working days after `from` up to and including `to`; none if `to` is not later.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        self.working_days_outside(from, to, &[])
    }

    /// The working days after `from` up to and including `to` that fall in none of `closures`.
    pub fn working_days_outside(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        closures: &[Closure],
    ) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) && !closures.iter().any(|c| c.first <= day && day <= c.last)
            {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarRules;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_closures_of_2022() {
        let c = closures_of(2022);
        // Easter Sunday 2022 was 17 April.
        assert_eq!((c[0].first, c[0].last), (d(2022, 4, 11), d(2022, 4, 18)));
        // The school summer holiday 2022: 25 June to 7 August.
        assert_eq!((c[1].first, c[1].last), (d(2022, 6, 25), d(2022, 8, 7)));
        assert_eq!((c[2].first, c[2].last), (d(2022, 12, 24), d(2023, 1, 1)));
        // 2024: 29 June to 11 August.
        let summer = closures_of(2024)[1];
        assert_eq!(
            (summer.first, summer.last),
            (d(2024, 6, 29), d(2024, 8, 11))
        );
    }

    #[test]
    fn working_days_are_counted_after_the_first_day_through_the_last() {
        let calendar = WorkingCalendar::new(&CalendarRules::default());
        // Wednesday 9 to Friday 18 November 2022: 7 working days after the 9th.
        assert_eq!(
            calendar.working_days_between(d(2022, 11, 9), d(2022, 11, 18)),
            7
        );
        assert_eq!(
            calendar.working_days_between(d(2022, 11, 18), d(2022, 11, 9)),
            0
        );
        // 20 June to 19 August 2022: 44 working days, 14 of them outside the summer holiday
        // (21-24 June and 8-19 August).
        let (from, to) = (d(2022, 6, 20), d(2022, 8, 19));
        let closures = closures_within(from, to);
        assert_eq!(closures.len(), 1);
        assert_eq!(calendar.working_days_between(from, to), 44);
        assert_eq!(calendar.working_days_outside(from, to, &closures), 14);
        // A period across New Year meets the Christmas of the year before it ends.
        assert_eq!(
            closures_within(d(2022, 12, 1), d(2023, 1, 10))[0].name,
            "juleferien"
        );
    }
}
