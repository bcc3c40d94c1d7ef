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
    pub agenda_notice: u32,
    pub agenda_notice_unit: NoticeUnit,
    /// Some rules of procedure count Saturday as a working day ('hverdage inklusive lørdag').
    pub saturday_is_working_day: bool,
    /// Days the administration is closed beyond the public holidays.
    pub closed_days: Vec<Spanned<Date>>,
    /// The shortest consultation period the plan accepts, in calendar days.
    pub min_consultation_days: u32,
    /// Working days after the send-out day that the agenda is published (0: the same day).
    pub agenda_published_after: u32,
    /// Working days after the meeting by which the minutes must be public.
    pub minutes_public_after: u32,
    /// Working days before the send-out day by which attachments must be ready.
    pub attachments_ready_before: u32,
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
