//! Proces- og implementeringsplan: the process's meetings, from the first to its last milestone,
//! with the items that belong to it, and the implementation years' milestones, with where each stands: on the plan's date on its own, on the send-out day of a
//! meeting that attaches it.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{
    item_kind_label, keep_together, mandate, markup, meeting_view, meta, opt_markup,
};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::model::{AgendaItem, AttachmentSource, Meeting, MeetingKind, Milestone};
use toml::Spanned;
use crate::text::{danish_date, window_label};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_plan(&self, plan: &Plan, out: &mut Collected) {
        out.push(Document::new(
            DocumentKind::ProcessPlan,
            None,
            "procesplan.pdf".into(),
            title(plan),
            view(plan, plan.settings.plan.date.get_ref().0),
        )
        .public(true));
    }

    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let view = view(m.plan, m.plan.send_out_date(m.meeting));
        Some(attachment.document(m, DocumentKind::ProcessPlan, view))
    }
}

fn title(plan: &Plan) -> String {
    format!(
        "Proces- og implementeringsplan – {}",
        plan.settings.plan.title
    )
}

/// Where a milestone stands on a given day, and the meeting that meets it, in the tense of that
/// day: 'Behandlet: ...' once the meeting is held, 'Behandles: ...' before.
pub fn milestone_state(
    plan: &Plan,
    milestone: &Milestone,
    today: NaiveDate,
) -> (&'static str, Value) {
    let meeting = plan.milestone_meeting(milestone);
    let met_by = meeting.map(|m| {
        let item = milestone
            .item
            .as_ref()
            .and_then(|id| m.items.iter().position(|i| i.id.get_ref() == id.get_ref()));
        let verb = if m.date.get_ref().0 <= today {
            "Behandlet"
        } else {
            "Behandles"
        };
        let mut text = format!(
            "{verb}: {} {}",
            plan.body_name(m),
            danish_date(m.date.get_ref().0)
        );
        if let Some(index) = item {
            text.push_str(&format!(", punkt {}", index + 1));
        }
        text
    });
    let met = meeting.is_some_and(|m| m.date.get_ref().0 <= today)
        || (!milestone.kind.needs_agenda_item() && milestone.to.get_ref().0 < today);
    let state = if met {
        "done"
    } else if milestone.to.get_ref().0 < today {
        "late"
    } else {
        "planned"
    };
    (state, met_by.map_or(Value::Null, Value::String))
}

/// Whether an item is part of the process: a milestone or a strategy edition points at it, or
/// it attaches one of the process's documents (a file kept with the plan does not count).
fn in_process(plan: &Plan, meeting: &Meeting, item: &AgendaItem) -> bool {
    let is = |m: &Spanned<String>, i: &Spanned<String>| {
        m.get_ref() == meeting.id.get_ref() && i.get_ref() == item.id.get_ref()
    };
    let milestone = plan.implementation.iter().flat_map(|i| &i.years).any(|y| {
        y.milestones
            .iter()
            .any(|m| matches!((&m.meeting, &m.item), (Some(mt), Some(it)) if is(mt, it)))
    });
    let adopted = plan.strategy.iter().flat_map(|s| &s.editions).any(|e| {
        e.adopted
            .as_ref()
            .is_some_and(|a| is(&a.meeting, &a.item))
    });
    let attaches = item
        .attachments
        .iter()
        .any(|a| matches!(&a.source, Ok(source) if !matches!(source, AttachmentSource::File { .. })));
    milestone || adopted || attaches
}

/// The last day of the process: its last milestone's window, else its last meeting.
fn process_end(plan: &Plan) -> Option<NaiveDate> {
    let milestones = plan
        .implementation
        .iter()
        .flat_map(|i| &i.years)
        .flat_map(|y| &y.milestones)
        .map(|m| m.to.get_ref().0);
    let meetings = plan.meetings.iter().map(|m| m.date.get_ref().0);
    milestones.max().or_else(|| meetings.max())
}

fn view(plan: &Plan, today: NaiveDate) -> Value {
    let title = title(plan);
    let end = process_end(plan);
    // The whole process, from its first meeting to its last milestone: each meeting that
    // treats the process (or is a seminar or theme meeting of it), with the items that do.
    let listed: Vec<(&Meeting, Vec<&AgendaItem>)> = plan
        .meetings
        .iter()
        .filter(|m| end.is_none_or(|end| m.date.get_ref().0 <= end))
        .map(|m| {
            let items: Vec<&AgendaItem> = m
                .items
                .iter()
                .filter(|i| !i.closed && in_process(plan, m, i))
                .collect();
            (m, items)
        })
        .filter(|(m, items)| !items.is_empty() || !m.has_agenda())
        .collect();
    let process_span = match (listed.first(), listed.last()) {
        (Some((first, _)), Some((last, _))) => {
            let (a, b) = (first.date.get_ref().0.year(), last.date.get_ref().0.year());
            if a == b { a.to_string() } else { format!("{a}-{b}") }
        }
        _ => plan.settings.plan.date.get_ref().0.year().to_string(),
    };
    let meetings: Vec<Value> = listed
        .iter()
        .map(|(m, items)| {
            let day = m.date.get_ref().0;
            let mut view = meeting_view(plan, m);
            view["held"] = json!(day < today);
            // A council or another body than the committee says who meets.
            view["body_shown"] = match &m.body {
                Some(body) if m.kind != MeetingKind::Council => json!(body),
                _ => Value::Null,
            };
            view["items"] = items
                .iter()
                .map(|i| json!({"title": i.title, "kind": item_kind_label(i.kind)}))
                .collect();
            view
        })
        .collect();
    let years: Vec<Value> = plan
        .implementation
        .iter()
        .flat_map(|i| &i.years)
        .map(|y| {
            json!({
                "year": y.year.get_ref(),
                "summary": opt_markup(&y.summary),
                "milestones": y.milestones.iter().map(|m| {
                    let (state, met_by) = milestone_state(plan, m, today);
                    json!({
                        "text": markup(&m.text),
                        "window": keep_together(&window_label(m.from.get_ref().0, m.to.get_ref().0)),
                        "state": state,
                        "met_by": met_by,
                        "note": opt_markup(&m.note),
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "meta": meta(plan, &title, "Procesplan", today, None),
        "plan_title": plan.settings.plan.title,
        "committee_formerly": plan.settings.committee.formerly,
        "mandate": mandate(plan),
        "process_span": process_span,
        "meetings": meetings,
        "intro": plan.implementation.as_ref().map_or(Value::Null, |i| opt_markup(&i.intro)),
        "years_label": years_label(plan),
        "years": years,
    })
}

fn years_label(plan: &Plan) -> String {
    let years: Vec<i32> = plan
        .implementation
        .iter()
        .flat_map(|i| &i.years)
        .map(|y| *y.year.get_ref())
        .collect();
    if let Some(period) = plan.implementation.as_ref().and_then(|i| i.period.clone()) {
        return period;
    }
    match (years.iter().min(), years.iter().max()) {
        (Some(first), Some(last)) if first != last => format!("{first}-{last}"),
        (Some(first), _) => first.to_string(),
        _ => String::new(),
    }
}
