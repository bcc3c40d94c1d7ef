//! Checks of the papers that follow the strategy: action plans (each action tied to a
//! development goal, sub-goal and focus area) and the yearly key figures.

use super::checks::{Ids, check_span, unknown, unknown_in};
use super::load::{ActionPlan, KeyFigures, Plan};
use super::markup;
use super::values::check_id;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceRef};
use crate::text::danish_date;

fn check_file_id(id: &str, file: &SourceRef, kind: &str, d: &mut Diagnostics) {
    if let Err(message) = check_id(id) {
        d.push(
            Diagnostic::error(format!("the file name is the {kind}'s id: {message}"))
                .at(file, 0..0),
        );
    }
}

pub fn check_action_plan(plan: &Plan, action_plan: &ActionPlan, d: &mut Diagnostics) {
    let file = &action_plan.file;
    let data = &action_plan.data;
    check_file_id(&action_plan.id, file, "action plan", d);
    if let Some(intro) = &data.intro {
        markup::check(file, intro, d);
    }
    let Some(strategy) = plan.current_content() else {
        d.push(
            Diagnostic::error(
                "an action plan serves the strategy, but the plan has no strategy.toml",
            )
            .at(file, 0..0),
        );
        return;
    };
    let goals: Vec<&str> = strategy
        .goals
        .iter()
        .map(|g| g.id.get_ref().as_str())
        .collect();
    let areas: Vec<&str> = strategy
        .focus_areas
        .iter()
        .map(|a| a.id.get_ref().as_str())
        .collect();
    let mut ids = Ids::new("action");
    for action in &data.actions {
        ids.add(file, &action.id, d);
        if let Some(text) = &action.text {
            markup::check(file, text, d);
        }
        match strategy.goal(action.goal.get_ref()) {
            None => d.push(unknown("development goal", file, &action.goal, &goals)),
            Some(goal) => {
                if let Some(sub) = &action.sub_goal {
                    let subs: Vec<&str> = goal
                        .sub_goals
                        .iter()
                        .map(|s| s.id.get_ref().as_str())
                        .collect();
                    if !subs.contains(&sub.get_ref().as_str()) {
                        d.push(unknown_in(
                            "sub-goal",
                            file,
                            sub,
                            &subs,
                            &format!("under the goal `{}`", goal.id.get_ref()),
                        ));
                    }
                }
            }
        }
        if !areas.contains(&action.focus_area.get_ref().as_str()) {
            d.push(unknown("focus area", file, &action.focus_area, &areas));
        }
        check_span(file, "action", "starts", &action.start, &action.end, d);
        check_progress(data.date.get_ref().0, action, file, d);
    }
}

/// An action is planned until it starts: a status of the plan's day, or of a later day, that
/// says more before the action's start is wrong; and its progress is in date order.
fn check_progress(
    plan_day: chrono::NaiveDate,
    action: &crate::plan::model::Action,
    file: &SourceRef,
    d: &mut Diagnostics,
) {
    use crate::plan::model::ActionStatus;
    let start = action.start.get_ref().0;
    if plan_day < start && *action.status.get_ref() != ActionStatus::Planned {
        d.push(
            Diagnostic::error(format!(
                "the action starts on {}, after the action plan's date {}: on that date it can only be `planned`",
                danish_date(start),
                danish_date(plan_day)
            ))
            .at(file, action.status.span())
            .with_help("write `status = \"planned\"`, and what happened later as `[[action.progress]]` with its `date` and `status`"),
        );
    }
    let mut previous = plan_day;
    for progress in &action.progress {
        let day = progress.date.get_ref().0;
        if day < start && progress.status != ActionStatus::Planned {
            d.push(
                Diagnostic::error(format!(
                    "this status is dated {}, before the action starts on {}",
                    danish_date(day),
                    danish_date(start)
                ))
                .at(file, progress.date.span()),
            );
        } else if day < previous {
            d.push(
                Diagnostic::error(format!(
                    "progress is dated {}, before the status it follows ({})",
                    danish_date(day),
                    danish_date(previous)
                ))
                .at(file, progress.date.span())
                .with_help("list an action's progress in date order, after the action plan's date"),
            );
        }
        previous = previous.max(day);
    }
}

pub fn check_key_figures(plan: &Plan, key_figures: &KeyFigures, d: &mut Diagnostics) {
    let file = &key_figures.file;
    let data = &key_figures.data;
    let year = *data.year.get_ref();
    let plan_day = plan.settings.plan.date.get_ref().0;
    let published = data.date.get_ref().0;
    if published > plan_day && !data.forecast && data.figures.iter().any(|f| !f.example) {
        d.push(
            Diagnostic::warning(format!(
                "these key figures are dated {}, after the plan's date {}, but are not marked as a forecast or as example data",
                danish_date(published),
                danish_date(plan_day)
            ))
            .at(file, data.date.span())
            .with_help("figures not yet published are an estimate: add `forecast = true`, or `example = true` on each invented figure"),
        );
    }
    if key_figures.id != year.to_string() {
        d.push(
            Diagnostic::error(format!(
                "the key figures for {year} are in a file named `{}.toml`",
                key_figures.id
            ))
            .at(file, data.year.span())
            .with_help(format!("name the file key-figures/{year}.toml")),
        );
    }
    if let Some(intro) = &data.intro {
        markup::check(file, intro, d);
    }
    let mut ids = Ids::new("figure");
    for figure in &data.figures {
        ids.add(file, &figure.id, d);
        if let Some(note) = &figure.note {
            markup::check(file, note, d);
        }
        let years = figure.years.get_ref();
        if years.is_empty() {
            d.push(
                Diagnostic::error("a figure needs at least one year").at(file, figure.years.span()),
            );
        }
        if years.windows(2).any(|w| w[0] >= w[1]) {
            d.push(
                Diagnostic::error("the years must be ascending, each once")
                    .at(file, figure.years.span()),
            );
        }
        if figure.series.is_empty() {
            d.push(
                Diagnostic::error(format!(
                    "the figure `{}` has no series",
                    figure.id.get_ref()
                ))
                .at(file, figure.id.span())
                .with_help("add `[[figure.series]]` with a `label` and `values`"),
            );
        }
        for series in &figure.series {
            let values = series.values.get_ref();
            if values.len() != years.len() {
                d.push(
                    Diagnostic::error(format!("{} values for {} years", values.len(), years.len()))
                        .at(file, series.values.span())
                        .with_help(format!(
                            "give one value per year: {}",
                            years
                                .iter()
                                .map(i32::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
            }
            if values.iter().any(|v| !v.is_finite() || *v < 0.0) {
                d.push(
                    Diagnostic::error("key figures are counts and shares: no negative values")
                        .at(file, series.values.span()),
                );
            }
        }
    }
}
