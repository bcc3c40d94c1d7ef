//! Handleplan: the actions of a period, by development goal and sub-goal, with their status.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, markup, meta, opt_markup};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::load::ActionPlan;
use crate::plan::model::{Action, ActionStatus, AttachmentSource};
use crate::text::window_label;

pub(super) struct Papers;

impl Kind for Papers {
    fn of_plan(&self, plan: &Plan, out: &mut Collected) {
        for action_plan in &plan.action_plans {
            out.push(Document::new(
                DocumentKind::ActionPlan,
                None,
                format!("handleplaner/{}.pdf", action_plan.id),
                title(plan, action_plan),
                view(plan, action_plan, action_plan.data.date.get_ref().0),
            )
            .public(true));
        }
    }

    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let AttachmentSource::ActionPlan { id } = &attachment.source else {
            return None;
        };
        let action_plan = m.plan.action_plan(id.get_ref())?;
        // Presented at a meeting, it shows where each action stands when the agenda goes out.
        let day = m.plan.send_out_date(m.meeting).max(action_plan.data.date.get_ref().0);
        let view = view(m.plan, action_plan, day);
        Some(attachment.document(m, DocumentKind::ActionPlan, view))
    }
}

fn status_label(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Planned => "Planlagt",
        ActionStatus::Started => "Igangsat",
        ActionStatus::Done => "Gennemført",
        ActionStatus::Paused => "Sat på pause",
    }
}

fn status_key(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Planned => "planned",
        ActionStatus::Started => "started",
        ActionStatus::Done => "done",
        ActionStatus::Paused => "paused",
    }
}

fn title(plan: &Plan, action_plan: &ActionPlan) -> String {
    format!("{} – {}", action_plan.data.title, plan.settings.plan.title)
}

/// The action plan with each action's status on `day`.
fn view(plan: &Plan, action_plan: &ActionPlan, day: NaiveDate) -> Value {
    let data = &action_plan.data;
    let title = title(plan, action_plan);
    let mut meta = meta(plan, &title, "Handleplan", data.date.get_ref().0, None);
    meta["draft"] = json!(data.draft);
    meta["version"] = json!(data.version);
    meta["edition"] = json!(if data.draft { "Udkast" } else { "Godkendt" });
    let (Some(strategy), Some(content)) = (&plan.strategy, plan.current_content()) else {
        return json!({ "meta": meta });
    };
    let area_title = |id: &str| {
        content
            .focus_area(id)
            .map_or(id.to_string(), |a| a.title.clone())
    };
    let action_view = |a: &Action| {
        json!({
            "id": a.id.get_ref(),
            "title": a.title,
            "text": opt_markup(&a.text),
            "responsible": a.responsible,
            "when": window_label(a.start.get_ref().0, a.end.get_ref().0),
            "start": date(a.start.get_ref().0),
            "end": date(a.end.get_ref().0),
            "status": status_label(a.status_on(day)),
            "status_key": status_key(a.status_on(day)),
            "indicator": a.indicator,
            "focus_area": area_title(a.focus_area.get_ref()),
        })
    };
    let goals: Vec<Value> = content
        .goals
        .iter()
        .enumerate()
        .filter_map(|(i, goal)| {
            let of_goal: Vec<&Action> = data
                .actions
                .iter()
                .filter(|a| a.goal.get_ref() == goal.id.get_ref())
                .collect();
            if of_goal.is_empty() {
                return None;
            }
            let sub_goals: Vec<Value> = goal
                .sub_goals
                .iter()
                .enumerate()
                .map(|(j, sub)| {
                    json!({
                        "number": format!("{}.{}", i + 1, j + 1),
                        "text": markup(&sub.text),
                        "horizon": sub.horizon.get_ref(),
                        "actions": of_goal
                            .iter()
                            .filter(|a| a.sub_goal.as_ref().is_some_and(|s| s.get_ref() == sub.id.get_ref()))
                            .map(|a| action_view(a))
                            .collect::<Vec<_>>(),
                    })
                })
                .filter(|s| s["actions"].as_array().is_some_and(|a| !a.is_empty()))
                .collect();
            let general: Vec<Value> = of_goal
                .iter()
                .filter(|a| a.sub_goal.is_none())
                .map(|a| action_view(a))
                .collect();
            Some(json!({
                "number": i + 1,
                "title": goal.title,
                "opposite": markup(&goal.opposite),
                "sub_goals": sub_goals,
                "general": general,
            }))
        })
        .collect();
    let count =
        |status: ActionStatus| data.actions.iter().filter(|a| a.status_on(day) == status).count();
    let mut units: Vec<&str> = data
        .actions
        .iter()
        .map(|a| a.responsible.as_str())
        .collect();
    units.sort_unstable();
    units.dedup();
    json!({
        "meta": meta,
        "title": data.title,
        "period": data.period,
        "strategy": strategy.title,
        "intro": opt_markup(&data.intro),
        "example": data.example,
        "goals": goals,
        "total": data.actions.len(),
        "status_date": date(day),
        "by_status": [
            {"label": status_label(ActionStatus::Planned), "key": "planned", "count": count(ActionStatus::Planned)},
            {"label": status_label(ActionStatus::Started), "key": "started", "count": count(ActionStatus::Started)},
            {"label": status_label(ActionStatus::Done), "key": "done", "count": count(ActionStatus::Done)},
            {"label": status_label(ActionStatus::Paused), "key": "paused", "count": count(ActionStatus::Paused)},
        ],
        "units": units,
    })
}
