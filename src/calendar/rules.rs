//! The plan's calendar rules: how long before a meeting its agenda goes out, which days are
//! closed, how long a consultation must run.

use serde::Deserialize;
use toml::Spanned;

use super::Date;

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeUnit {
    #[default]
    WorkingDays,
    CalendarDays,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarRules {
    /// How long before a meeting its agenda goes to the members.
    #[serde(deserialize_with = "days")]
    pub agenda_notice: u32,
    pub agenda_notice_unit: NoticeUnit,
    /// Some rules of procedure count Saturday as a working day ('hverdage inklusive lørdag').
    pub saturday_is_working_day: bool,
    /// Days the administration is closed beyond the public holidays.
    pub closed_days: Vec<Spanned<Date>>,
    /// The shortest consultation period the plan accepts, in calendar days.
    #[serde(deserialize_with = "days")]
    pub min_consultation_days: u32,
    /// Working days after the send-out day that the agenda is published (0: the same day).
    #[serde(deserialize_with = "days")]
    pub agenda_published_after: u32,
    /// Working days after the meeting by which the minutes must be public.
    #[serde(deserialize_with = "days")]
    pub minutes_public_after: u32,
    /// Working days before the send-out day by which attachments must be ready.
    #[serde(deserialize_with = "days")]
    pub attachments_ready_before: u32,
}

/// The most days a rule may count: a year. Beyond it no rule of procedure makes sense, and
/// counting working days one by one would take the calendar that long.
pub const MOST_DAYS: u32 = 366;

/// A number of days, at most [`MOST_DAYS`]: a larger one is an error at its place in the file.
fn days<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = i64::deserialize(deserializer)?;
    match u32::try_from(value) {
        Ok(days) if days <= MOST_DAYS => Ok(days),
        _ => Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Signed(value),
            &"a number of days from 0 to 366",
        )),
    }
}

impl Default for CalendarRules {
    fn default() -> Self {
        Self {
            agenda_notice: 4,
            agenda_notice_unit: NoticeUnit::WorkingDays,
            saturday_is_working_day: false,
            closed_days: Vec::new(),
            min_consultation_days: 14,
            agenda_published_after: 0,
            minutes_public_after: 2,
            attachments_ready_before: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_counts_at_most_a_year() {
        let rules = |text: &str| toml::from_str::<CalendarRules>(text);
        assert_eq!(rules("agenda_notice = 366").unwrap().agenda_notice, 366);
        assert!(rules("agenda_notice = 367").is_err());
        assert!(rules("min_consultation_days = 4294967295").is_err());
        assert!(rules("minutes_public_after = -1").is_err());
        assert_eq!(rules("").unwrap().min_consultation_days, 14);
    }
}
