//! The calendar's values as plan files write them: a day (`2022-11-08`) and a time of day
//! (`16.00`).

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A calendar day, written in TOML as a bare date (`2022-11-08`) or as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// The years a plan's days may lie in. A committee plans within a few years of now; the bound
/// keeps every count of days from a plan's day (deadlines, windows, a year of working days)
/// inside the calendar chrono knows, which ends in the year 262143.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

impl Date {
    pub fn parse(text: &str) -> Result<Self, String> {
        let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "`{text}` is not a date of the calendar; write it as YYYY-MM-DD, e.g. 2022-11-08"
            )
        })?;
        if !YEARS.contains(&day.year()) {
            return Err(format!(
                "`{text}` is outside the years a plan may speak of, {} to {}",
                YEARS.start(),
                YEARS.end()
            ));
        }
        Ok(Date(day))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2022-11-08")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let datetime =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if datetime.time.is_some() || datetime.offset.is_some() {
                    return Err(de::Error::custom(format!(
                        "`{datetime}` has a time of day; here only a date is wanted, e.g. 2022-11-08"
                    )));
                }
                Date::parse(&datetime.to_string()).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

/// A time of day, written `16.00` as Danes do, or `16:00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub NaiveTime);

impl Time {
    pub fn parse(text: &str) -> Result<Self, String> {
        let normal = text.trim().replace('.', ":");
        NaiveTime::parse_from_str(&normal, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&normal, "%H:%M:%S"))
            .map(Time)
            .map_err(|_| {
                format!("`{text}` is not a time of day; write hours 00-23 and minutes 00-59, e.g. \"16.00\"")
            })
    }

    /// Danish form: `16.00`.
    pub fn danish(&self) -> String {
        self.0.format("%H.%M").to_string()
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl<'de> Visitor<'de> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a time of day such as \"16.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Time, E> {
                Time::parse(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Time, A::Error> {
                let datetime =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (datetime.date, datetime.time) {
                    (None, Some(time)) => Time::parse(&time.to_string()).map_err(de::Error::custom),
                    _ => Err(de::Error::custom(format!(
                        "`{datetime}` is not a time of day; write e.g. \"16.00\""
                    ))),
                }
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert!(Date::parse("2022-11-08").is_ok());
        assert!(Date::parse("2022-02-30").is_err());
        assert!(Date::parse("8/11/2022").is_err());
    }

    /// Days at the ends of chrono's calendar overflowed the deadlines counted from them
    /// (`NaiveDate - TimeDelta overflowed` in check, status and calendar).
    #[test]
    fn dates_lie_in_the_years_a_plan_speaks_of() {
        assert!(Date::parse("1900-01-01").is_ok());
        assert!(Date::parse("2999-12-31").is_ok());
        assert!(Date::parse("+262143-12-31").is_err());
        for text in ["1899-12-31", "3000-01-01", "0000-01-01", "-262143-01-01"] {
            let message = Date::parse(text).unwrap_err();
            assert!(message.contains("1900 to 2999"), "{text}: {message}");
        }
    }

    #[test]
    fn times_accept_danish_and_iso_forms() {
        assert_eq!(Time::parse("16.00").unwrap().danish(), "16.00");
        assert_eq!(Time::parse("09:30").unwrap().danish(), "09.30");
        assert!(Time::parse("25:00").is_err());
        assert!(Time::parse("16.75").is_err());
    }
}
