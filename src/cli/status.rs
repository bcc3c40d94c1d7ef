//! `udvalg status`: what is due, ready and late, meeting by meeting, as a table or as JSON.

use std::fmt::Write;

use chrono::NaiveDate;

use super::{GlobalArgs, Outcome, UsageError, load_plan, resolve_templates, today};
use crate::output::OutputDir;
use crate::status::{PaperState, Status, status};
use crate::text::danish_weekday;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The day to judge from (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Show every meeting, also those whose deadlines have all passed.
    #[arg(long)]
    pub all: bool,
}

pub fn run(global: &GlobalArgs, args: &StatusArgs) -> Result<Outcome, UsageError> {
    let (plan, warnings) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let templates = match resolve_templates(global) {
        Ok(t) => t,
        Err(d) => return Ok(Outcome::failed(vec![d])),
    };
    let out = OutputDir::new(&global.out);
    // A build may be writing the folder; a killed one may have left it half done.
    let _lock = out
        .lock_if_present()
        .map_err(|e| UsageError(e.to_string()))?;
    let today = today(args.today);
    let status = status(&plan, &out, templates.hashes(), today, args.all);
    let report = if args.json {
        let mut json = serde_json::to_string_pretty(&status).expect("status is plain data");
        json.push('\n');
        json
    } else {
        table(
            &status,
            std::io::IsTerminal::is_terminal(&std::io::stdout()),
        )
    };
    Ok(Outcome::report(warnings, report))
}

/// Colour only on a terminal: red for what is late, yellow for what is due within a week.
struct Paint(bool);

impl Paint {
    fn days(&self, days: i64) -> String {
        let text = match days {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            d if d > 0 => format!("in {d} days"),
            -1 => "yesterday".to_string(),
            d => format!("{} days ago", -d),
        };
        let colour = match days {
            d if d < 0 => "2",
            0..=7 => "33",
            _ => "0",
        };
        self.wrap(&text, colour)
    }

    fn wrap(&self, text: &str, code: &str) -> String {
        if self.0 && code != "0" {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn day(date: NaiveDate) -> String {
    use chrono::Datelike;
    let weekday: String = danish_weekday(date.weekday()).chars().take(3).collect();
    format!("{weekday} {}", date.format("%Y-%m-%d"))
}

fn paper_state(state: PaperState, draft: bool) -> String {
    let state = match state {
        PaperState::NotBuilt => "not built",
        PaperState::Current => "built",
        PaperState::StaleData => "stale: the plan data changed",
        PaperState::StaleTemplates => "stale: the templates changed",
        PaperState::ChangedOnDisk => "changed on disk since the build",
    };
    if draft {
        format!("{state}, draft")
    } else {
        state.to_string()
    }
}

pub fn table(status: &Status, colour: bool) -> String {
    let paint = Paint(colour);
    let mut s = String::new();
    let _ = writeln!(s, "{} – status on {}", status.plan, day(status.today));
    if status.meetings.is_empty() {
        let _ = writeln!(
            s,
            "\nNo meetings ahead in the plan (--all shows the past ones)."
        );
    }
    for meeting in &status.meetings {
        let _ = writeln!(
            s,
            "\n{}  {}  {} ({})",
            day(meeting.date),
            meeting.title,
            paint.wrap(&format!("[{}]", meeting.id), "1"),
            paint.days(meeting.days_left)
        );
        for deadline in &meeting.deadlines {
            let _ = writeln!(
                s,
                "  {:<24} {}  {}",
                deadline.what,
                day(deadline.date),
                paint.days(deadline.days_left)
            );
        }
        let width = meeting
            .documents
            .iter()
            .map(|d| d.path.chars().count())
            .max()
            .unwrap_or(0);
        for doc in &meeting.documents {
            let state = paper_state(doc.state, doc.draft);
            let state = match doc.state {
                PaperState::Current => paint.wrap(&state, "32"),
                PaperState::NotBuilt => state,
                _ => paint.wrap(&state, "33"),
            };
            let _ = writeln!(s, "  {:<width$}  {state}", doc.path);
        }
    }
    for path in &status.removed {
        let _ = writeln!(s, "\nremoved by the last build: {path}");
    }
    if !status.consultations.is_empty() {
        let _ = writeln!(s, "\nConsultations");
        for c in &status.consultations {
            let detail = match c.state {
                "upcoming" => format!(
                    "to be sent {}, deadline {} ({} working days)",
                    day(c.sent),
                    day(c.deadline),
                    c.working_days_left
                ),
                "open" => format!(
                    "open, deadline {} ({}, {} working days), {} of {} responses",
                    day(c.deadline),
                    paint.days(c.days_left),
                    c.working_days_left,
                    c.responses,
                    c.consultees
                ),
                _ => format!(
                    "closed {}, {} of {} responses",
                    day(c.deadline),
                    c.responses,
                    c.consultees
                ),
            };
            let _ = writeln!(s, "  {}  {detail}", c.id);
        }
    }
    if !status.milestones.is_empty() {
        let _ = writeln!(s, "\nMilestones due or late");
        for m in &status.milestones {
            let state = match m.state {
                "late" => paint.wrap(&format!("late: window closed {}", day(m.to)), "31"),
                _ => format!("due by {} ({})", day(m.to), paint.days(m.days_left)),
            };
            let _ = writeln!(s, "  {:<24} {state}", m.id);
        }
    }
    s
}
