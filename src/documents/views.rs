//! The JSON each template reads. Everything a template prints is computed here: Danish dates,
//! numbering, labels, states.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Attachment, send_out_date};
use crate::calendar::{danish_date, danish_date_long};
use crate::plan::Plan;
use crate::plan::model::*;

pub(super) fn date(date: NaiveDate) -> Value {
    json!({
        "iso": date.format("%Y-%m-%d").to_string(),
        "short": danish_date(date),
        "long": danish_date_long(date),
        "numeric": date.format("%d.%m.%Y").to_string(),
    })
}

pub(super) fn markup(m: &Markup) -> Value {
    Value::String(m.get_ref().clone())
}

pub(super) fn opt_markup(m: &Option<Markup>) -> Value {
    m.as_ref().map_or(Value::Null, markup)
}

/// What every document shows in its header, footer and metadata.
pub(super) fn meta(
    plan: &Plan,
    title: &str,
    kind_label: &str,
    day: NaiveDate,
    draft: Option<&Edition>,
) -> Value {
    let settings = &plan.settings;
    json!({
        "title": title,
        "kind": kind_label,
        "municipality": settings.municipality.name,
        "administration": settings.municipality.administration,
        "address": settings.municipality.address,
        "web": settings.municipality.web,
        "committee": settings.committee.name,
        "meeting": Value::Null,
        "date": date(day),
        "draft": draft.is_some_and(|e| e.draft),
        "version": draft.map(|e| e.version.clone()),
        "edition": draft.map(|e| e.label.clone()),
        "example_note": settings.plan.example_note,
    })
}

/// A meeting's papers carry the name of the body that meets and the meeting's day on every page
/// (so that an item's PDF says which meeting it is for), dated the day they go out.
pub(super) fn meeting_meta(plan: &Plan, meeting: &Meeting, title: &str, kind_label: &str) -> Value {
    let mut meta = meta(plan, title, kind_label, send_out_date(plan, meeting), None);
    meta["committee"] = json!(body_name(plan, meeting));
    meta["meeting"] = json!(format!("møde {}", danish_date(meeting.date.get_ref().0)));
    meta
}

pub fn body_name(plan: &Plan, meeting: &Meeting) -> String {
    meeting
        .body
        .clone()
        .unwrap_or_else(|| plan.settings.committee.name.clone())
}

pub fn agenda_title(plan: &Plan, meeting: &Meeting) -> String {
    format!(
        "Dagsorden – {} {}",
        body_name(plan, meeting),
        danish_date(meeting.date.get_ref().0)
    )
}

pub fn agenda_item_title(plan: &Plan, meeting: &Meeting, index: usize) -> String {
    format!(
        "{} – punkt {}: {}",
        agenda_title(plan, meeting),
        index + 1,
        meeting.items[index].title
    )
}

pub fn process_plan_title(plan: &Plan) -> String {
    format!(
        "Proces- og implementeringsplan – {}",
        plan.settings.plan.title
    )
}

/// The day an attached document speaks from: the day the meeting's agenda goes out.
pub fn as_of(plan: &Plan, meeting: &Meeting) -> NaiveDate {
    send_out_date(plan, meeting)
}

fn meeting_kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Committee => "Udvalgsmøde",
        MeetingKind::Seminar => "Seminar",
        MeetingKind::ThemeMeeting => "Temamøde",
        MeetingKind::Council => "Kommunalbestyrelsesmøde",
    }
}

fn item_kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Information => "Orientering",
        ItemKind::Discussion => "Drøftelse",
        ItemKind::Approval => "Godkendelse",
        ItemKind::Decision => "Beslutning",
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Chair => "formand",
        Role::ViceChair => "næstformand",
        Role::Member => "",
    }
}

pub(super) fn meeting_view(plan: &Plan, meeting: &Meeting) -> Value {
    let start = meeting.start.get_ref().danish();
    let time = match &meeting.end {
        Some(end) => format!("kl. {start}-{}", end.get_ref().danish()),
        None => format!("kl. {start}"),
    };
    let day = meeting.date.get_ref().0;
    let when = match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => format!(
            "{} {time} til {}",
            danish_date_long(day),
            danish_date_long(end.get_ref().0)
        ),
        _ => format!("{} {time}", danish_date_long(day)),
    };
    let days = match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => day_span(day, end.get_ref().0),
        _ => danish_date(day),
    };
    json!({
        "id": meeting.id.get_ref(),
        "body": body_name(plan, meeting),
        "days": days,
        "kind": meeting_kind_label(meeting.kind),
        "title": meeting.title,
        "date": date(day),
        "time": time,
        "when": when,
        "place": meeting.place,
        "example": meeting.example,
        "purpose": opt_markup(&meeting.purpose),
        "send_out": date(send_out_date(plan, meeting)),
        // Whether the agenda has gone out by the plan's date, or is still to go ('senest ...').
        "sent": send_out_date(plan, meeting) <= plan.settings.plan.date.get_ref().0,
    })
}

/// '20.-21. maj 2022', '30. juni-1. juli 2022'
pub(super) fn day_span(first: NaiveDate, last: NaiveDate) -> String {
    use chrono::Datelike;
    if first.year() == last.year() && first.month() == last.month() {
        format!("{}.-{}", first.day(), danish_date(last))
    } else if first.year() == last.year() {
        let month = crate::calendar::danish_month(first.month());
        format!("{}. {month}-{}", first.day(), danish_date(last))
    } else {
        format!("{}-{}", danish_date(first), danish_date(last))
    }
}

pub(super) fn members(plan: &Plan, meeting: &Meeting) -> Value {
    if meeting.kind == MeetingKind::Council {
        return json!([]);
    }
    plan.settings
        .committee
        .members
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "role": role_label(m.role),
                "party": m.party,
                "example": m.example,
            })
        })
        .collect()
}

pub(super) fn item_view(
    index: usize,
    item: &AgendaItem,
    attachments: &[Attachment],
    public: bool,
) -> Value {
    let hidden = public && item.closed;
    let attached: Vec<Value> = attachments
        .iter()
        .filter(|a| &a.item == item.id.get_ref())
        .enumerate()
        .map(|(n, a)| json!({ "number": n + 1, "title": a.title, "file": a.path }))
        .collect();
    json!({
        "number": index + 1,
        "id": item.id.get_ref(),
        "title": if hidden { "Lukket punkt".to_string() } else { item.title.clone() },
        "case_number": if hidden { None } else { item.case_number.clone() },
        "kle": if hidden { None } else { item.kle.clone() },
        "kind": item_kind_label(item.kind),
        "closed": item.closed,
        "hidden": hidden,
        "presentation": if hidden { Value::Null } else { markup(&item.presentation) },
        "recommendation": if hidden { Value::Null } else { opt_markup(&item.recommendation) },
        "decision": if hidden { Value::Null } else { opt_markup(&item.decision) },
        "attachments": if hidden { vec![] } else { attached },
    })
}

/// Every item of a meeting, numbered, as the agenda and the minutes show them.
pub(super) fn items_view(
    meeting: &Meeting,
    attachments: &[Attachment],
    public: bool,
) -> Vec<Value> {
    meeting
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| item_view(i, item, attachments, public))
        .collect()
}

pub fn agenda(plan: &Plan, meeting: &Meeting, attachments: &[Attachment], public: bool) -> Value {
    let title = agenda_title(plan, meeting);
    let items = items_view(meeting, attachments, public);
    json!({
        "meta": meeting_meta(plan, meeting, &title, "Dagsorden"),
        "meeting": meeting_view(plan, meeting),
        "members": members(plan, meeting),
        "public": public,
        "decided": meeting.items.iter().any(|i| i.decision.is_some()),
        "items": items,
    })
}

pub fn agenda_item(
    plan: &Plan,
    meeting: &Meeting,
    index: usize,
    attachments: &[Attachment],
) -> Value {
    let item = &meeting.items[index];
    // The agenda's own meta but for the title: the item's pages are cut from the agenda's.
    json!({
        "meta": meeting_meta(plan, meeting, &agenda_item_title(plan, meeting, index), "Dagsorden"),
        "item": item_view(index, item, attachments, true),
    })
}

pub fn strategy(plan: &Plan, edition_id: &str) -> Value {
    let Some(strategy) = &plan.strategy else {
        return Value::Null;
    };
    let edition = strategy.edition(edition_id);
    let day = edition.map_or(plan.settings.plan.date.get_ref().0, |e| e.date.get_ref().0);
    let area_title = |id: &str| {
        strategy
            .focus_area(id)
            .map(|a| a.title.clone())
            .unwrap_or_default()
    };
    json!({
        "meta": meta(plan, &strategy.title, "Strategi", day, edition),
        "title": strategy.title,
        "subtitle": strategy.subtitle,
        "mandate": mandate(plan),
        "vision": {
            "text": markup(&strategy.vision.text),
            "ties": strategy.vision.ties.iter().map(|t| json!({"policy": t.policy, "text": markup(&t.text)})).collect::<Vec<_>>(),
        },
        "target_group": {
            "text": markup(&strategy.target_group.text),
            "groups": strategy.target_group.groups.iter().map(|g| json!({"name": g.name, "text": markup(&g.text)})).collect::<Vec<_>>(),
        },
        "focus_areas": strategy.focus_areas.iter().enumerate().map(|(i, a)| json!({
            "number": i + 1,
            "id": a.id.get_ref(),
            "title": a.title,
            "text": markup(&a.text),
            "connects": a.connects.iter().map(|c| area_title(c.get_ref())).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "goals": strategy.goals.iter().enumerate().map(|(i, g)| json!({
            "number": i + 1,
            "title": g.title,
            "opposite": markup(&g.opposite),
            "text": opt_markup(&g.text),
            "focus_areas": g.focus_areas.iter().map(|c| area_title(c.get_ref())).collect::<Vec<_>>(),
            "sub_goals": g.sub_goals.iter().enumerate().map(|(j, s)| json!({
                "number": format!("{}.{}", i + 1, j + 1),
                "text": markup(&s.text),
                "horizon": s.horizon.get_ref(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "goal_process": {
            "text": markup(&strategy.goal_process.text),
            "steps": strategy.goal_process.steps.iter().map(|s| json!({"question": s.question, "answer": markup(&s.answer)})).collect::<Vec<_>>(),
        },
        "involvement": {
            "text": markup(&strategy.involvement.text),
            "internal": strategy.involvement.internal.iter().map(|e| json!({"who": e.who, "how": markup(&e.how)})).collect::<Vec<_>>(),
            "external": strategy.involvement.external.iter().map(|e| json!({"who": e.who, "how": markup(&e.how)})).collect::<Vec<_>>(),
        },
        "editions": strategy.editions.iter().map(|e| json!({
            "label": e.label, "version": e.version, "date": date(e.date.get_ref().0), "draft": e.draft,
            "current": e.id.get_ref() == edition_id,
        })).collect::<Vec<_>>(),
    })
}

fn mandate(plan: &Plan) -> Value {
    plan.settings
        .mandate
        .iter()
        .map(|m| {
            json!({
                "source": m.source,
                "item": m.item,
                "quote": markup(&m.quote),
                "url": m.url,
                "note": opt_markup(&m.note),
            })
        })
        .collect()
}

/// Where a milestone stands on a given day.
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
        let mut text = format!("{} {}", body_name(plan, m), danish_date(m.date.get_ref().0));
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

pub(super) fn window_label(from: NaiveDate, to: NaiveDate) -> String {
    use chrono::Datelike;
    let month = |d: NaiveDate| crate::calendar::danish_month(d.month()).to_string();
    if from.year() == to.year() && from.month() == to.month() {
        format!("{} {}", month(from), from.year())
    } else if from.year() == to.year() {
        if from.month() == 1 && to.month() == 12 {
            format!("{}", from.year())
        } else {
            format!("{}-{} {}", month(from), month(to), from.year())
        }
    } else {
        format!(
            "{} {}-{} {}",
            month(from),
            from.year(),
            month(to),
            to.year()
        )
    }
}

pub fn process_plan(plan: &Plan, today: NaiveDate) -> Value {
    let title = process_plan_title(plan);
    let first_year = plan
        .implementation
        .as_ref()
        .and_then(|i| i.years.first())
        .map(|y| *y.year.get_ref());
    let process_year = first_year.unwrap_or_else(|| {
        use chrono::Datelike;
        plan.settings.plan.date.get_ref().0.year()
    });
    let meetings: Vec<Value> = plan
        .meetings
        .iter()
        .filter(|m| {
            use chrono::Datelike;
            m.date.get_ref().0.year() == process_year
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn windows_read_as_danish_months() {
        assert_eq!(
            window_label(d(2024, 11, 1), d(2024, 12, 31)),
            "november-december 2024"
        );
        assert_eq!(
            window_label(d(2024, 9, 1), d(2024, 9, 30)),
            "september 2024"
        );
        assert_eq!(window_label(d(2025, 1, 1), d(2025, 12, 31)), "2025");
        assert_eq!(
            window_label(d(2022, 11, 1), d(2023, 1, 31)),
            "november 2022-januar 2023"
        );
    }

    #[test]
    fn multi_day_meetings() {
        assert_eq!(day_span(d(2022, 5, 20), d(2022, 5, 21)), "20.-21. maj 2022");
        assert_eq!(
            day_span(d(2022, 6, 30), d(2022, 7, 1)),
            "30. juni-1. juli 2022"
        );
    }
}
