//! `udvalg calendar`: the plan's meetings, deadlines, consultations and milestones, as a list
//! or as an iCalendar file.

use std::fmt::Write;

use chrono::NaiveDateTime;

use super::{GlobalArgs, Outcome, UsageError, load_plan};
use crate::export::events::plan_events;
use crate::export::ics::{self, When};
use crate::output::OutputDir;

#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// Write an iCalendar file for Outlook or Google Calendar, inside the output directory
    /// (default name: kalender.ics); `--ics -` prints it instead.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "kalender.ics")]
    pub ics: Option<String>,
}

pub fn run(global: &GlobalArgs, args: &CalendarArgs) -> Result<Outcome, UsageError> {
    let (plan, warnings) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let events = plan_events(&plan);
    let Some(path) = &args.ics else {
        return Ok(Outcome::report(warnings, listing(&events)));
    };
    let stamp = dtstamp(plan.settings.plan.date.get_ref().0)?;
    let text = ics::write(&plan.settings.plan.title, &events, stamp);
    if path == "-" {
        return Ok(Outcome::report(warnings, text));
    }
    let out = OutputDir::new(&global.out);
    out.write(path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {path}: {e}")))?;
    Ok(Outcome::ok(
        warnings,
        vec![format!(
            "{} events written to {}",
            events.len(),
            out.root().join(path).display()
        )],
    ))
}

/// DTSTAMP: SOURCE_DATE_EPOCH when set (reproducible builds), else midnight UTC of the plan's
/// date. Never the clock, so the same plan gives the same file.
fn dtstamp(plan_date: chrono::NaiveDate) -> Result<NaiveDateTime, UsageError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(|t| t.naive_utc())
            .ok_or_else(|| {
                UsageError(format!(
                    "SOURCE_DATE_EPOCH is `{value}`; it must be seconds since 1970-01-01"
                ))
            }),
        Err(_) => Ok(plan_date.and_hms_opt(0, 0, 0).unwrap_or_default()),
    }
}

fn listing(events: &[ics::Event]) -> String {
    let mut s = String::new();
    for event in events {
        let when = match &event.when {
            When::Timed { start, end } => match end {
                Some(end) if end.date() == start.date() => {
                    format!(
                        "{} {}-{}",
                        start.date(),
                        start.format("%H.%M"),
                        end.format("%H.%M")
                    )
                }
                Some(end) => format!("{} {}-{}", start.date(), start.format("%H.%M"), end.date()),
                None => format!("{} {}", start.date(), start.format("%H.%M")),
            },
            When::Days { first, last } if first == last => first.to_string(),
            When::Days { first, last } => format!("{first} to {last}"),
        };
        let _ = writeln!(s, "{when:<28} {:<9} {}", event.category, event.summary);
    }
    s
}
