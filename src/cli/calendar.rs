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
    /// Write an iCalendar file for Outlook or Google Calendar: FILE where you name it, or
    /// kalender.ics in the output directory without one; `--ics -` prints it instead.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    pub ics: Option<String>,
}

const DEFAULT_ICS: &str = "kalender.ics";

/// Writes `bytes` to `target` atomically: a temporary file beside it, then a rename.
fn write_where_asked(target: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|e| e.error)?;
    Ok(())
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
    // `--ics` alone writes kalender.ics in the output directory; a file the user names is
    // written where they name it.
    let written = if path.is_empty() {
        let out = OutputDir::new(&global.out);
        let _lock = out.lock().map_err(|e| UsageError(e.to_string()))?;
        out.write(DEFAULT_ICS, text.as_bytes())
            .map_err(|e| UsageError(format!("cannot write {DEFAULT_ICS}: {e}")))?;
        out.root().join(DEFAULT_ICS)
    } else {
        let target = std::path::PathBuf::from(path);
        write_where_asked(&target, text.as_bytes())
            .map_err(|e| UsageError(format!("cannot write {path}: {e}")))?;
        target
    };
    Ok(Outcome::ok(
        warnings,
        vec![format!(
            "{} events written to {}",
            events.len(),
            written.display()
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
