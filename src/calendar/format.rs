//! Dates written the Danish way: 'tirsdag den 8. november 2022'.

use chrono::{Datelike, NaiveDate, Weekday};

pub fn danish_weekday(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "mandag",
        Weekday::Tue => "tirsdag",
        Weekday::Wed => "onsdag",
        Weekday::Thu => "torsdag",
        Weekday::Fri => "fredag",
        Weekday::Sat => "lørdag",
        Weekday::Sun => "søndag",
    }
}

pub fn danish_month(month: u32) -> &'static str {
    const MONTHS: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    MONTHS[(month as usize).clamp(1, 12) - 1]
}

/// '8. november 2022'
pub fn danish_date(date: NaiveDate) -> String {
    format!(
        "{}. {} {}",
        date.day(),
        danish_month(date.month()),
        date.year()
    )
}

/// 'tirsdag den 8. november 2022'
pub fn danish_date_long(date: NaiveDate) -> String {
    format!(
        "{} den {}",
        danish_weekday(date.weekday()),
        danish_date(date)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_form() {
        let date = NaiveDate::from_ymd_opt(2022, 11, 8).unwrap();
        assert_eq!(danish_date_long(date), "tirsdag den 8. november 2022");
        let date = NaiveDate::from_ymd_opt(2022, 5, 20).unwrap();
        assert_eq!(danish_date(date), "20. maj 2022");
    }
}
