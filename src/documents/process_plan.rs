//! Proces- og implementeringsplan: the process year's meetings and the implementation years'
//! milestones, with where each stands: on the plan's date on its own, on the send-out day of a
//! meeting that attaches it.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{item_kind_label, mandate, markup, meeting_view, meta, opt_markup};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::model::Milestone;
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

fn view(plan: &Plan, today: NaiveDate) -> Value {
    let title = title(plan);
    let first_year = plan
        .implementation
        .as_ref()
        .and_then(|i| i.years.first())
        .map(|y| *y.year.get_ref());
    let process_year = first_year.unwrap_or_else(|| plan.settings.plan.date.get_ref().0.year());
    let meetings: Vec<Value> = plan
        .meetings
        .iter()
        .filter(|m| m.date.get_ref().0.year() == process_year)
        .map(|m| {
            let day = m.date.get_ref().0;
            let mut view = meeting_view(plan, m);
            view["held"] = json!(day < today);
            view["items"] = m
                .items
                .iter()
                .filter(|i| !i.closed)
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
                        "window": window_label(m.from.get_ref().0, m.to.get_ref().0),
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
        "process_year": process_year,
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
