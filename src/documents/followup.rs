//! The views of the papers that follow the strategy: action plans and yearly key figures.
//! Numbers are formatted the Danish way and chart scales are chosen here, so that the
//! templates only draw.

use serde_json::{Value, json};

use super::views::{date, markup, meta, opt_markup, window_label};
use crate::plan::Plan;
use crate::plan::load::{ActionPlan, KeyFigures};
use crate::plan::model::{Action, ActionStatus, ChartKind};

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

pub fn action_plan_title(plan: &Plan, action_plan: &ActionPlan) -> String {
    format!("{} – {}", action_plan.data.title, plan.settings.plan.title)
}

pub fn action_plan(plan: &Plan, action_plan: &ActionPlan) -> Value {
    let data = &action_plan.data;
    let title = action_plan_title(plan, action_plan);
    let mut meta = meta(plan, &title, "Handleplan", data.date.get_ref().0, None);
    meta["draft"] = json!(data.draft);
    meta["version"] = json!(data.version);
    meta["edition"] = json!(if data.draft { "Udkast" } else { "Godkendt" });
    let Some(strategy) = &plan.strategy else {
        return json!({ "meta": meta });
    };
    let area_title = |id: &str| {
        strategy
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
            "status": status_label(a.status),
            "status_key": status_key(a.status),
            "indicator": a.indicator,
            "focus_area": area_title(a.focus_area.get_ref()),
        })
    };
    let goals: Vec<Value> = strategy
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
    let count = |status: ActionStatus| data.actions.iter().filter(|a| a.status == status).count();
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
        "by_status": [
            {"label": status_label(ActionStatus::Planned), "key": "planned", "count": count(ActionStatus::Planned)},
            {"label": status_label(ActionStatus::Started), "key": "started", "count": count(ActionStatus::Started)},
            {"label": status_label(ActionStatus::Done), "key": "done", "count": count(ActionStatus::Done)},
            {"label": status_label(ActionStatus::Paused), "key": "paused", "count": count(ActionStatus::Paused)},
        ],
        "units": units,
    })
}

pub fn key_figures_title(plan: &Plan, key_figures: &KeyFigures) -> String {
    format!(
        "{} – {}",
        key_figures.data.title, plan.settings.committee.name
    )
}

pub fn key_figures(plan: &Plan, key_figures: &KeyFigures) -> Value {
    let data = &key_figures.data;
    let title = key_figures_title(plan, key_figures);
    let figures: Vec<Value> = data
        .figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let max = f
                .series
                .iter()
                .flat_map(|s| s.values.get_ref())
                .fold(0.0_f64, |m, v| m.max(*v));
            let (top, step) = nice_scale(max);
            let ticks: Vec<Value> = (0..)
                .map(|n| f64::from(n) * step)
                .take_while(|t| *t <= top + step / 2.0)
                .map(|t| json!({"value": t, "ratio": if top > 0.0 { t / top } else { 0.0 }, "label": danish_number(t)}))
                .collect();
            json!({
                "number": i + 1,
                "title": f.title,
                "unit": f.unit,
                "chart": match f.chart { ChartKind::Bar => "bar", ChartKind::Line => "line", ChartKind::Table => "table" },
                "source": f.source,
                "example": f.example,
                "note": opt_markup(&f.note),
                "years": f.years.get_ref(),
                "top": top,
                "ticks": ticks,
                "series": f.series.iter().map(|s| json!({
                    "label": s.label,
                    "values": s.values.get_ref(),
                    "ratios": s.values.get_ref().iter().map(|v| if top > 0.0 { v / top } else { 0.0 }).collect::<Vec<_>>(),
                    "labels": s.values.get_ref().iter().map(|v| danish_number(*v)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "meta": meta(plan, &title, "Nøgletal", data.date.get_ref().0, None),
        "title": data.title,
        "year": data.year.get_ref(),
        "intro": opt_markup(&data.intro),
        "figures": figures,
        "any_example": data.figures.iter().any(|f| f.example),
    })
}

/// An axis from 0 to a round number at or above `max`, with 4-6 round steps.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let rough = max / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

/// 1.234,5: a full stop between thousands and a decimal comma; whole numbers without decimals.
pub fn danish_number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let whole = rounded.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let tenth = ((rounded.fract().abs()) * 10.0).round() as i64;
    if tenth == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{tenth}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_danish_way() {
        assert_eq!(danish_number(1234.0), "1.234");
        assert_eq!(danish_number(12.5), "12,5");
        assert_eq!(danish_number(1_234_567.25), "1.234.567,3");
        assert_eq!(danish_number(0.0), "0");
    }

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_scale(87.0), (100.0, 20.0));
        assert_eq!(nice_scale(4.2), (5.0, 1.0));
        assert_eq!(nice_scale(230.0), (250.0, 50.0));
        assert_eq!(nice_scale(0.0), (1.0, 0.25));
    }
}
