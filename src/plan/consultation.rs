//! Checks of a consultation file: its consultees and responses against the stakeholders, its
//! dates against each other and against the meetings around it.

use std::collections::HashMap;

use super::checks::{Ids, unknown};
use super::load::{Consultation, Plan, closest};
use super::markup;
use super::model::AttachmentSource;
use super::values::check_id;
use crate::calendar::{
    AFTER_SUMMER_WORKING_DAYS, WorkingCalendar, closures_within, meeting_deadlines,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::text::{danish_date, danish_list, day_span};

pub fn check(plan: &Plan, consultation: &Consultation, d: &mut Diagnostics) {
    let file = &consultation.file;
    let data = &consultation.data;
    if let Some(case_number) = &data.case_number {
        super::validate::check_not_blank(file, "case_number", case_number, "no case number", d);
    }
    if let Err(message) = check_id(&consultation.id) {
        d.push(
            Diagnostic::error(format!("the file name is the consultation's id: {message}"))
                .at(file, 0..0)
                .with_help("rename the file, e.g. consultations/hoering-2022.toml"),
        );
    }

    for prose in [&data.purpose, &data.how_to_respond]
        .into_iter()
        .chain(&data.changes)
    {
        markup::check(file, prose, d);
    }

    match &plan.strategy {
        Some(strategy) => {
            let editions: Vec<&str> = strategy
                .editions
                .iter()
                .map(|e| e.id.get_ref().as_str())
                .collect();
            if !editions.contains(&data.edition.get_ref().as_str()) {
                d.push(unknown("strategy edition", file, &data.edition, &editions));
            }
        }
        None => d.push(
            Diagnostic::error(
                "the consultation sends a strategy edition, but the plan has no strategy.toml",
            )
            .at(file, data.edition.span()),
        ),
    }

    let meeting_names: Vec<&str> = plan
        .meetings
        .iter()
        .map(|m| m.id.get_ref().as_str())
        .collect();
    let sent = data.sent.get_ref().0;
    match plan.meeting(data.after_meeting.get_ref()) {
        Some(meeting) if meeting.date.get_ref().0 > sent => d.push(
            Diagnostic::error(format!(
                "the consultation is sent on {} before the meeting of {} that approves it",
                danish_date(sent),
                danish_date(meeting.date.get_ref().0)
            ))
            .at(file, data.sent.span())
            .with_help("send it on or after the day of `after_meeting`"),
        ),
        Some(_) => {}
        None => d.push(unknown(
            "meeting",
            file,
            &data.after_meeting,
            &meeting_names,
        )),
    }

    let deadline = data.deadline.get_ref().0;
    if deadline <= sent {
        d.push(
            Diagnostic::error(format!(
                "the deadline {} is not after the day the consultation is sent, {}",
                danish_date(deadline),
                danish_date(sent)
            ))
            .at(file, data.deadline.span()),
        );
    } else {
        check_period(plan, consultation, d);
    }

    let mut stakeholders = Ids::new("stakeholder");
    let mut scratch = Diagnostics::default();
    for stakeholder in &plan.settings.stakeholders {
        stakeholders.add(&plan.files.plan, &stakeholder.id, &mut scratch);
    }
    for (index, consultee) in data.consultees.iter().enumerate() {
        stakeholders.check_ref(file, consultee, d);
        if data.consultees[..index]
            .iter()
            .any(|c| c.get_ref() == consultee.get_ref())
        {
            d.push(
                Diagnostic::error(format!("`{}` is listed twice", consultee.get_ref()))
                    .at(file, consultee.span())
                    .with_help("each consultee gets one letter; remove the second"),
            );
        }
    }
    if data.consultees.is_empty() {
        d.push(
            Diagnostic::error("the consultation has no consultees")
                .at(file, 0..0)
                .with_help(
                    "list stakeholder ids from plan.toml: `consultees = [\"udsatteraadet\"]`",
                ),
        );
    }

    let mut answered: HashMap<&str, usize> = HashMap::new();
    for response in &data.responses {
        let who = response.consultee.get_ref().as_str();
        if !data.consultees.iter().any(|c| c.get_ref() == who) {
            let names: Vec<&str> = data
                .consultees
                .iter()
                .map(|c| c.get_ref().as_str())
                .collect();
            d.push(unknown("consultee", file, &response.consultee, &names));
        }
        if let Some(first) = answered.insert(who, response.consultee.span().start) {
            let (line, _) = file.line_col(first);
            d.push(
                Diagnostic::error(format!("a second response from `{who}`"))
                    .at(file, response.consultee.span())
                    .with_help(format!(
                        "its first response is on line {line}; put all its points there"
                    )),
            );
        }
        let received = response.received.get_ref().0;
        if received < sent {
            d.push(
                Diagnostic::error(format!(
                    "the response is dated {}, before the consultation was sent on {}",
                    danish_date(received),
                    danish_date(sent)
                ))
                .at(file, response.received.span()),
            );
        }
        for point in &response.points {
            markup::check(file, &point.text, d);
            markup::check(file, &point.comment, d);
            if let Some(claimed) = &point.change {
                check_claimed_change(plan, consultation, claimed, d);
            }
        }
    }
}

/// A response point that says what it changed must name a part that differs between the draft
/// sent out and the edition after it.
fn check_claimed_change(
    plan: &Plan,
    consultation: &Consultation,
    claimed: &toml::Spanned<String>,
    d: &mut Diagnostics,
) {
    let draft = consultation.data.edition.get_ref();
    let Some((after, changes)) = plan.changes_after(draft) else {
        d.push(
            Diagnostic::error(format!(
                "the point names a change, but no edition follows the draft `{draft}` in strategy.toml"
            ))
            .at(&consultation.file, claimed.span()),
        );
        return;
    };
    let keys: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
    if !keys.contains(&claimed.get_ref().as_str()) {
        let name = claimed.get_ref();
        let mut message = format!(
            "the point names the change `{name}`, but it is not among the changes from the edition `{draft}` to `{}`",
            after.id.get_ref()
        );
        if let Some(best) = closest(name, &keys) {
            message.push_str(&format!("; did you mean `{best}`?"));
        }
        let help = if keys.is_empty() {
            format!(
                "the two editions have the same content; write the edition after the consultation as strategy/{}.toml",
                after.id.get_ref()
            )
        } else {
            format!("what changed between them: {}", keys.join(", "))
        };
        d.push(
            Diagnostic::error(message)
                .at(&consultation.file, claimed.span())
                .with_help(help),
        );
    }
}

/// The period must be at least the plan's minimum, and end in time for the meeting that
/// receives the summary: its attachments must be ready some days before the agenda goes out.
fn check_period(plan: &Plan, consultation: &Consultation, d: &mut Diagnostics) {
    let file = &consultation.file;
    let data = &consultation.data;
    let rules = &plan.settings.calendar;
    let (sent, deadline) = (data.sent.get_ref().0, data.deadline.get_ref().0);
    let days = (deadline - sent).num_days();
    let calendar = WorkingCalendar::new(rules);
    let working = calendar.working_days_between(sent, deadline);
    if days < i64::from(rules.min_consultation_days) {
        d.push(
            Diagnostic::warning(format!(
                "the consultation period is {days} days ({working} working days), shorter than the plan's minimum of {}",
                rules.min_consultation_days
            ))
            .at(file, data.deadline.span())
            .with_help(format!(
                "a deadline on or after {} leaves the minimum; or lower `min_consultation_days` in plan.toml",
                danish_date(sent + chrono::Days::new(rules.min_consultation_days.into()))
            )),
        );
    }
    check_closures(&calendar, consultation, d);
    let receivers = summary_meetings(plan, &consultation.id);
    if receivers.is_empty() && !data.responses.is_empty() {
        d.push(
            Diagnostic::warning("no agenda item attaches this consultation's summary")
                .at(file, 0..0)
                .with_help(format!(
                    "attach it where the committee decides: `{{ document = \"consultation-summary\", consultation = \"{}\" }}`",
                    consultation.id
                )),
        );
    }
    for meeting in receivers {
        let due = meeting_deadlines(rules, meeting.date.get_ref().0);
        if deadline >= due.attachments_ready {
            d.push(
                Diagnostic::warning(format!(
                    "the deadline {} leaves no time for the summary: the attachments for the meeting of {} must be ready by {}",
                    danish_date(deadline),
                    danish_date(meeting.date.get_ref().0),
                    danish_date(due.attachments_ready)
                ))
                .at(file, data.deadline.span())
                .with_help(format!(
                    "end the consultation before {}, or present the summary at a later meeting",
                    danish_date(due.attachments_ready)
                )),
            );
        }
    }
}

/// A period over Christmas, Easter or the summer holiday leaves fewer working days than it
/// seems: say how many, and where a deadline would give them back. A summer consultation
/// should also run some working days past the holiday.
fn check_closures(calendar: &WorkingCalendar, consultation: &Consultation, d: &mut Diagnostics) {
    let data = &consultation.data;
    let (sent, deadline) = (data.sent.get_ref().0, data.deadline.get_ref().0);
    let closures = closures_within(sent, deadline);
    if closures.is_empty() {
        return;
    }
    let days = (deadline - sent).num_days();
    let working = calendar.working_days_between(sent, deadline);
    let outside = calendar.working_days_outside(sent, deadline, &closures);
    let names: Vec<String> = closures
        .iter()
        .map(|c| format!("{} ({})", c.name, day_span(c.first, c.last)))
        .collect();
    // A deadline that gives back the working days the closures take, and for the summer
    // runs past the holiday.
    let mut better = calendar.working_days_after(deadline, working - outside);
    let mut summer_short = false;
    if let Some(summer) = closures.iter().find(|c| c.summer) {
        better = better.max(calendar.working_days_after(summer.last, AFTER_SUMMER_WORKING_DAYS));
        summer_short =
            calendar.working_days_between(summer.last, deadline) < AFTER_SUMMER_WORKING_DAYS;
    }
    let mut help = format!(
        "a deadline on or after {} gives the days back",
        danish_date(better)
    );
    if summer_short {
        help.push_str(&format!(
            ", and ends {AFTER_SUMMER_WORKING_DAYS} working days after the school holiday, when the consultees are back"
        ));
    }
    d.push(
        Diagnostic::warning(format!(
            "the consultation period runs over {}: of its {days} days, {working} are working days, but only {outside} outside the holiday",
            danish_list(&names)
        ))
        .at(&consultation.file, data.deadline.span())
        .with_help(help),
    );
}

/// The meetings with an agenda item that attaches the summary of this consultation.
pub fn summary_meetings<'a>(plan: &'a Plan, id: &str) -> Vec<&'a super::model::Meeting> {
    plan.meetings
        .iter()
        .filter(|m| {
            m.items.iter().flat_map(|i| &i.attachments).any(|a| {
                matches!(&a.source, Ok(AttachmentSource::ConsultationSummary { consultation })
                    if consultation.get_ref() == id)
            })
        })
        .collect()
}
