//! Warnings about time: meetings on days the administration is closed, milestones that no
//! meeting meets in their window, attachments that cannot be ready when the agenda goes out.
//! Consultation periods are checked with the consultation (`consultation.rs`).

use chrono::Datelike;

use super::load::Plan;
use super::model::AttachmentSource;
use crate::calendar::{WorkingCalendar, meeting_deadlines};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::text::danish_date;

pub fn check(plan: &Plan, d: &mut Diagnostics) {
    check_meeting_days(plan, d);
    check_milestones(plan, d);
    check_attachments_ready(plan, d);
}

fn check_meeting_days(plan: &Plan, d: &mut Diagnostics) {
    let calendar = WorkingCalendar::new(&plan.settings.calendar);
    for meeting in &plan.meetings {
        let day = meeting.date.get_ref().0;
        if let Some(reason) = calendar.closed_reason(day) {
            d.push(
                Diagnostic::warning(format!(
                    "the meeting is on {} {}, which is {reason}",
                    crate::text::danish_weekday(day.weekday()),
                    danish_date(day)
                ))
                .at(&plan.files.meetings, meeting.date.span())
                .with_help("check the date; deadlines before it are counted in working days"),
            );
        }
    }
}

/// A meeting calendar is set about a year ahead, so a missing meeting is only worth a warning
/// for milestones whose window opens before the end of the year after the plan's date.
fn check_milestones(plan: &Plan, d: &mut Diagnostics) {
    let (Some(implementation), Some(file)) = (&plan.implementation, &plan.files.implementation)
    else {
        return;
    };
    let horizon = plan.settings.plan.date.get_ref().0.year() + 1;
    for milestone in implementation.years.iter().flat_map(|y| &y.milestones) {
        if !milestone.kind.needs_agenda_item() {
            continue;
        }
        let (from, to) = (milestone.from.get_ref().0, milestone.to.get_ref().0);
        let meeting = plan.milestone_meeting(milestone);
        match (meeting, &milestone.meeting) {
            (Some(meeting), Some(reference)) => {
                let day = meeting.date.get_ref().0;
                if day < from || day > to {
                    d.push(
                        Diagnostic::warning(format!(
                            "the meeting of {} is outside the milestone's window, {} to {}",
                            danish_date(day),
                            danish_date(from),
                            danish_date(to)
                        ))
                        .at(file, reference.span()),
                    );
                } else if milestone.item.is_none() {
                    d.push(
                        Diagnostic::warning("the milestone names a meeting but no agenda item")
                            .at(file, reference.span())
                            .with_help(
                                "add `item = \"...\"` with the id of the item that meets it",
                            ),
                    );
                }
            }
            (None, None) if from.year() <= horizon => d.push(
                Diagnostic::warning(format!(
                    "no agenda item meets the milestone `{}` in its window, {} to {}",
                    milestone.id.get_ref(),
                    danish_date(from),
                    danish_date(to)
                ))
                .at(file, milestone.id.span())
                .with_help("plan a meeting in the window and name it with `meeting` and `item`"),
            ),
            // Unknown meetings are errors, reported by validate.
            _ => {}
        }
    }
}

/// A strategy edition dated after the day the meeting's attachments must be ready.
fn check_attachments_ready(plan: &Plan, d: &mut Diagnostics) {
    let Some(strategy) = &plan.strategy else {
        return;
    };
    for meeting in &plan.meetings {
        let due = meeting_deadlines(&plan.settings.calendar, meeting.date.get_ref().0);
        for attachment in meeting.items.iter().flat_map(|i| &i.attachments) {
            let Ok(AttachmentSource::Strategy {
                edition: edition_ref,
            }) = &attachment.source
            else {
                continue;
            };
            let Some(edition_date) = strategy
                .edition(edition_ref.get_ref())
                .map(|e| e.date.get_ref().0)
            else {
                continue;
            };
            if edition_date > due.attachments_ready {
                d.push(
                    Diagnostic::warning(format!(
                        "the edition is dated {}, after {}, when the attachments for this meeting must be ready",
                        danish_date(edition_date),
                        danish_date(due.attachments_ready)
                    ))
                    .at(&plan.files.meetings, edition_ref.span())
                    .with_help(format!(
                        "the agenda goes out on {}; date the edition earlier, or move the meeting",
                        danish_date(due.agenda_send_out)
                    )),
                );
            }
        }
    }
}
