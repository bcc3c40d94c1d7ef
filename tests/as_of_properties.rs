//! As of its day, a paper does not change when the plan changes after that day: for any
//! decisions recorded, every agenda and agenda item that went out before the meeting that took
//! them reads the same (decisions are the minutes', and later agendas' case history);
//! for any progress of an action dated after an action plan's status day, that action plan
//! reads the same. Checked on the views the templates read: the same view gives the same bytes.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use toml::Spanned;
use udvalg::calendar::Date;
use udvalg::documents::{DocumentKind, Selection, catalogue};
use udvalg::plan::model::{ActionStatus, Progress};
use udvalg::plan::{Plan, PlanSource, load_valid};

fn built_in() -> Plan {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/udsattestrategi");
    load_valid(&PlanSource::Dir(dir))
        .expect("the built-in plan is valid")
        .0
}

/// Every document's view by path, with its kind.
fn views(plan: &Plan) -> BTreeMap<String, (DocumentKind, serde_json::Value)> {
    catalogue(plan, &Selection::default())
        .documents
        .into_iter()
        .map(|d| (d.path.clone(), (d.kind, d.view().clone())))
        .collect()
}

/// The day a paper speaks from.
fn paper_day(view: &serde_json::Value) -> NaiveDate {
    let iso = view["meta"]["date"]["iso"]
        .as_str()
        .expect("a paper has a day");
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}

fn status_day(view: &serde_json::Value) -> NaiveDate {
    let iso = view["status_date"]["iso"]
        .as_str()
        .expect("an action plan has a status day");
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn decisions_change_no_agenda(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), "[A-Za-zæøå ,.]{1,40}"), 1..6)
    ) {
        let before = views(&built_in());
        let mut plan = built_in();
        // The first day a decision changed: no agenda that went out on or before it can show it
        // (later agendas print it in their case history).
        let mut first = NaiveDate::MAX;
        for (meeting, item, text) in changes {
            let meeting = meeting.get_mut(&mut plan.meetings);
            if meeting.items.is_empty() {
                continue;
            }
            first = first.min(meeting.date.get_ref().0);
            item.get_mut(&mut meeting.items).decision = Some(Spanned::new(0..0, text));
        }
        let after = views(&plan);
        for (path, (kind, view)) in &before {
            if matches!(kind, DocumentKind::Agenda | DocumentKind::AgendaItem) && paper_day(view) <= first {
                prop_assert_eq!(Some(view), after.get(path).map(|(_, v)| v), "{} changed", path);
            }
        }
    }

    #[test]
    fn later_progress_changes_no_earlier_action_plan(
        action in any::<prop::sample::Index>(),
        offset in 0u64..3000,
        status in prop::sample::select(vec![ActionStatus::Started, ActionStatus::Done, ActionStatus::Paused]),
    ) {
        let before = views(&built_in());
        let mut plan = built_in();
        let mut actions: Vec<_> = plan.action_plans.iter_mut().flat_map(|p| p.data.actions.iter_mut()).collect();
        let action = action.get_mut(&mut actions);
        let last = action.progress.last().map_or(action.start.get_ref().0, |p| p.date.get_ref().0);
        let day = last.max(action.start.get_ref().0) + Days::new(offset);
        action.progress.push(Progress { date: Spanned::new(0..0, Date(day)), status });
        let after = views(&plan);
        for (path, (kind, view)) in &before {
            let unchanged = Some(view) == after.get(path).map(|(_, v)| v);
            if *kind == DocumentKind::ActionPlan && status_day(view) >= day {
                continue;
            }
            prop_assert!(unchanged, "{} changed by progress dated {}", path, day);
        }
    }
}
