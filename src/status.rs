//! Where the plan stands on a given day: meeting by meeting, each deadline with the days left
//! and each paper's state; open consultations; milestones due and late. Plain data, for the
//! `status` table and its JSON.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::meeting_deadlines;
use crate::documents::{self, Catalogue, Document, Selection};
use crate::output::OutputDir;
use std::collections::BTreeMap;

use crate::output::record::{BuildRecord, file_matches, templates_unchanged, view_hash};
use crate::output::sent::SentLedger;
use crate::plan::Plan;
use crate::plan::model::Meeting;

#[derive(Debug, Serialize)]
pub struct Status {
    pub today: NaiveDate,
    pub plan: String,
    pub meetings: Vec<MeetingStatus>,
    pub consultations: Vec<ConsultationStatus>,
    pub milestones: Vec<MilestoneStatus>,
    /// What the last build removed from the output folder, as the plan no longer made it.
    pub removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MeetingStatus {
    pub id: String,
    pub title: String,
    pub date: NaiveDate,
    pub days_left: i64,
    pub deadlines: Vec<Deadline>,
    pub documents: Vec<DocumentStatus>,
}

#[derive(Debug, Serialize)]
pub struct Deadline {
    pub what: &'static str,
    pub date: NaiveDate,
    /// Negative once the day has passed.
    pub days_left: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaperState {
    NotBuilt,
    Current,
    /// The plan data the paper shows changed since it was written.
    StaleData,
    /// A template changed since it was written.
    StaleTemplates,
    /// The file was altered or removed after the build.
    ChangedOnDisk,
}

#[derive(Debug, Serialize)]
pub struct DocumentStatus {
    pub path: String,
    pub kind: &'static str,
    pub state: PaperState,
    pub draft: bool,
}

#[derive(Debug, Serialize)]
pub struct ConsultationStatus {
    pub id: String,
    pub title: String,
    /// upcoming, open or closed
    pub state: &'static str,
    pub sent: NaiveDate,
    pub deadline: NaiveDate,
    pub days_left: i64,
    /// The working days from the status day (or, before it is sent, from the day it is sent)
    /// to the deadline.
    pub working_days_left: u32,
    pub consultees: usize,
    pub responses: usize,
}

#[derive(Debug, Serialize)]
pub struct MilestoneStatus {
    pub id: String,
    pub text: String,
    /// due (its window is open) or late (its window has closed)
    pub state: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days_left: i64,
}

/// The status on `today`. Meetings are those with a deadline on or after today (their minutes
/// may still be due); `all` shows every meeting.
pub fn status(
    plan: &Plan,
    out: &OutputDir,
    templates: &BTreeMap<String, String>,
    today: NaiveDate,
    all: bool,
) -> Status {
    let mut catalogue = documents::catalogue(plan, &Selection::default());
    // The papers that went out are what the output holds, beside their corrected editions.
    if let Ok(ledger) = SentLedger::load(out) {
        let documents = std::mem::take(&mut catalogue.documents);
        let plan_day = plan.settings.plan.date.get_ref().0;
        catalogue.documents = ledger.apply(documents, plan_day, |_, _| true).documents;
    }
    let record = BuildRecord::load(out);
    // The build lists a made attachment with the size of its file: with the sizes the record
    // has, a paper built since is current. (Whether rebuilding a stale attachment changes the
    // size an agenda lists is known only once it is rendered.)
    let size_of = |path: &str| record.documents.get(path).map(|entry| entry.size);
    documents::sizes::fill(&mut catalogue.documents, &size_of);
    let days = |date: NaiveDate| (date - today).num_days();
    let meetings = plan
        .meetings
        .iter()
        .filter_map(|meeting| {
            let date = meeting.date.get_ref().0;
            let deadlines = deadlines(plan, meeting);
            let last = deadlines
                .iter()
                .map(|d| d.1)
                .max()
                .unwrap_or(date)
                .max(date);
            if !all && last < today {
                return None;
            }
            Some(MeetingStatus {
                id: meeting.id.get_ref().clone(),
                title: meeting_title(plan, meeting),
                date,
                days_left: days(date),
                deadlines: deadlines
                    .into_iter()
                    .map(|(what, date)| Deadline {
                        what,
                        date,
                        days_left: days(date),
                    })
                    .collect(),
                documents: papers(&catalogue, meeting, &record, out, templates),
            })
        })
        .collect();

    let calendar = crate::calendar::WorkingCalendar::new(&plan.settings.calendar);
    let consultations = plan
        .consultations
        .iter()
        .map(|c| {
            let (sent, deadline) = (c.data.sent.get_ref().0, c.data.deadline.get_ref().0);
            let state = if today < sent {
                "upcoming"
            } else if today <= deadline {
                "open"
            } else {
                "closed"
            };
            ConsultationStatus {
                id: c.id.clone(),
                title: c.data.title.clone(),
                state,
                sent,
                deadline,
                days_left: days(deadline),
                working_days_left: calendar.working_days_between(today.max(sent), deadline),
                consultees: c.data.consultees.len(),
                responses: c
                    .data
                    .responses
                    .iter()
                    .filter(|r| r.received.get_ref().0 <= today)
                    .count(),
            }
        })
        .collect();

    let milestones = plan
        .implementation
        .iter()
        .flat_map(|i| &i.years)
        .flat_map(|y| &y.milestones)
        .filter_map(|m| {
            let state = documents::milestone_state(plan, m, today).0;
            let (from, to) = (m.from.get_ref().0, m.to.get_ref().0);
            let shown = match state {
                "late" => "late",
                "planned" if from <= today => "due",
                _ => return None,
            };
            Some(MilestoneStatus {
                id: m.id.get_ref().clone(),
                text: m.text.get_ref().clone(),
                state: shown,
                from,
                to,
                days_left: days(to),
            })
        })
        .collect();

    Status {
        today,
        plan: plan.settings.plan.title.clone(),
        meetings,
        consultations,
        milestones,
        removed: record.removed.clone(),
    }
}

/// The deadlines of a meeting that has an agenda; other meetings only have their day.
pub fn deadlines(plan: &Plan, meeting: &Meeting) -> Vec<(&'static str, NaiveDate)> {
    if !meeting.has_agenda() {
        return Vec::new();
    }
    let mut deadlines: Vec<(&'static str, NaiveDate)> =
        meeting_deadlines(&plan.settings.calendar, meeting.date.get_ref().0)
            .in_order()
            .into_iter()
            .map(|(kind, date)| (kind.english(), date))
            .collect();
    // The supplementary agenda goes out on its own day, after the agenda.
    if let Some(supplement) = &meeting.supplement {
        deadlines.push(("supplement sent", supplement.sent.get_ref().0));
        deadlines.sort_by_key(|(_, date)| *date);
    }
    deadlines
}

pub fn meeting_title(plan: &Plan, meeting: &Meeting) -> String {
    meeting
        .title
        .clone()
        .unwrap_or_else(|| plan.body_name(meeting))
}

fn papers(
    catalogue: &Catalogue,
    meeting: &Meeting,
    record: &BuildRecord,
    out: &OutputDir,
    templates: &BTreeMap<String, String>,
) -> Vec<DocumentStatus> {
    catalogue
        .documents
        .iter()
        .filter(|d| d.meeting.as_deref() == Some(meeting.id.get_ref().as_str()))
        .map(|doc| DocumentStatus {
            path: doc.path.clone(),
            kind: doc.kind.name(),
            state: paper_state(doc, record, out, templates),
            draft: doc.is_draft(),
        })
        .collect()
}

fn paper_state(
    doc: &Document,
    record: &BuildRecord,
    out: &OutputDir,
    templates: &BTreeMap<String, String>,
) -> PaperState {
    let Some(entry) = record.documents.get(&doc.path) else {
        return PaperState::NotBuilt;
    };
    if !file_matches(out, &doc.path, entry) {
        PaperState::ChangedOnDisk
    } else if entry.view != view_hash(doc) {
        PaperState::StaleData
    } else if !templates_unchanged(entry, templates) {
        PaperState::StaleTemplates
    } else {
        PaperState::Current
    }
}
