//! Strategi: an edition of the strategy, draft or final; the newest stands on its own,
//! and each edition a meeting attaches is written with that meeting's papers.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, mandate, markup, meta, opt_markup};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::editions::Change;
use crate::plan::model::{AttachmentSource, Edition};
use crate::text::slug;

pub(super) struct Papers;

impl Kind for Papers {
    fn of_plan(&self, plan: &Plan, out: &mut Collected) {
        let Some(strategy) = &plan.strategy else {
            return;
        };
        if let Some(latest) = strategy.editions.iter().max_by_key(|e| e.date.get_ref()) {
            out.push(Document::new(
                DocumentKind::Strategy,
                None,
                format!("{}.pdf", slug(&strategy.title)),
                strategy.title.clone(),
                view(plan, latest.id.get_ref(), plan.settings.plan.date.get_ref().0),
            )
            .public(true));
        }
    }

    fn attached(&self, m: &MeetingPapers, attachment: &Attachment) -> Option<Document> {
        let AttachmentSource::Strategy { edition } = &attachment.source else {
            return None;
        };
        let view = view(m.plan, edition.get_ref(), m.plan.send_out_date(m.meeting));
        Some(attachment.document(m, DocumentKind::Strategy, view))
    }
}

/// The edition `edition_id` as it reads on `day`: its version history lists itself and the
/// editions before it, and it says it was adopted once that decision is recorded by `day`.
pub(super) fn view(plan: &Plan, edition_id: &str, day: NaiveDate) -> Value {
    let Some(strategy) = &plan.strategy else {
        return Value::Null;
    };
    let Some(content) = plan.edition_content(edition_id) else {
        return Value::Null;
    };
    let edition = strategy.edition(edition_id);
    let dated = edition.map_or(day, |e| e.date.get_ref().0);
    let adopted = edition.and_then(|e| adoption(plan, e, day));
    let area_title = |id: &str| {
        content
            .focus_area(id)
            .map(|a| a.title.clone())
            .unwrap_or_default()
    };
    let h = &strategy.headings;
    let heading = |given: &Option<toml::Spanned<String>>, default: &str| {
        given
            .as_ref()
            .map_or(default.to_string(), |h| h.get_ref().clone())
    };
    json!({
        "meta": meta(plan, &strategy.title, "Strategi", dated, edition),
        // Each section's heading, the plan's own or a neutral default.
        "headings": {
            "mandate": heading(&h.mandate, "Baggrund og politisk opdrag"),
            "vision": heading(&h.vision, "Vision og sammenhæng til øvrige politikker"),
            "target_group": heading(&h.target_group, "Målgruppe"),
            "focus_areas": heading(&h.focus_areas, "Indsatsområder"),
            "connections": heading(&h.connections, "Sammenhænge mellem indsatsområderne"),
            "goals": heading(&h.goals, "Udviklingsmål"),
            "goal_process": heading(&h.goal_process, "Proces for arbejdet med udviklingsmål"),
            "involvement": heading(&h.involvement, "Inddragelse af interessenter"),
        },
        "adopted": adopted,
        "title": strategy.title,
        "subtitle": strategy.subtitle,
        "mandate": mandate(plan),
        "vision": {
            "text": markup(&content.vision.text),
            "ties": content.vision.ties.iter().map(|t| json!({"policy": t.policy, "text": markup(&t.text)})).collect::<Vec<_>>(),
        },
        "target_group": {
            "text": markup(&content.target_group.text),
            "groups": content.target_group.groups.iter().map(|g| json!({"name": g.name, "text": markup(&g.text)})).collect::<Vec<_>>(),
        },
        // What the connection matrix shows, in words, for a reader that cannot see it.
        "connections_alt": connections_alt(&content),
        "focus_areas": content.focus_areas.iter().enumerate().map(|(i, a)| json!({
            "number": i + 1,
            "id": a.id.get_ref(),
            "title": a.title,
            "text": markup(&a.text),
            "connects": a.connects.iter().map(|c| area_title(c.get_ref())).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "goals": content.goals.iter().enumerate().map(|(i, g)| json!({
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
            "text": markup(&content.goal_process.text),
            "steps": content.goal_process.steps.iter().map(|s| json!({"question": s.question, "answer": markup(&s.answer)})).collect::<Vec<_>>(),
        },
        "involvement": {
            "text": markup(&content.involvement.text),
            "internal": content.involvement.internal.iter().map(|e| json!({"who": e.who, "how": markup(&e.how)})).collect::<Vec<_>>(),
            "external": content.involvement.external.iter().map(|e| json!({"who": e.who, "how": markup(&e.how)})).collect::<Vec<_>>(),
        },
        "changes": changes_since(plan, edition_id),
        "editions": strategy.editions.iter().filter(|e| e.date.get_ref().0 <= dated).map(|e| json!({
            "label": e.label, "version": e.version, "date": date(e.date.get_ref().0), "draft": e.draft,
            "current": e.id.get_ref() == edition_id,
            "adopted": if e.id.get_ref() == edition_id { adopted.clone() } else { None },
        })).collect::<Vec<_>>(),
    })
}

/// Who adopted `edition` and when, if the decision is recorded and its meeting is held by `day`.
fn adoption(plan: &Plan, edition: &Edition, day: NaiveDate) -> Option<Value> {
    let adopted = edition.adopted.as_ref()?;
    let meeting = plan.meeting(adopted.meeting.get_ref())?;
    let item = meeting
        .items
        .iter()
        .find(|i| i.id.get_ref() == adopted.item.get_ref())?;
    let held = meeting.date.get_ref().0;
    (held <= day && item.decision.is_some()).then(|| {
        json!({
            "body": plan.body_name(meeting),
            "date": date(held),
        })
    })
}

/// What changed since the edition before this one, for the edition's own page of changes.
fn changes_since(plan: &Plan, edition_id: &str) -> Value {
    let Some(before) = plan.edition_before(edition_id) else {
        return Value::Null;
    };
    json!({
        "since": before.label,
        "changes": changes_view(&plan.edition_changes(before.id.get_ref(), edition_id)),
    })
}

/// Changes between editions as papers list them.
pub(super) fn changes_view(changes: &[Change]) -> Vec<Value> {
    changes
        .iter()
        .map(|c| {
            json!({
                "key": c.key,
                "label": c.label,
                "kind": c.kind.danish(),
                "text": c.text,
            })
        })
        .collect()
}

/// The connection matrix in words: "Et sted at bo hænger sammen med: Sundhed, Job. ...".
fn connections_alt(content: &crate::plan::editions::Content<'_>) -> String {
    let title = |id: &str| content.focus_area(id).map_or(id.to_string(), |a| a.title.clone());
    let lines: Vec<String> = content
        .focus_areas
        .iter()
        .map(|a| {
            let with: Vec<String> = a.connects.iter().map(|c| title(c.get_ref())).collect();
            if with.is_empty() {
                format!("{} hænger ikke sammen med andre indsatsområder.", a.title)
            } else {
                format!("{} hænger sammen med: {}.", a.title, with.join(", "))
            }
        })
        .collect();
    format!("Sammenhænge mellem indsatsområderne. {}", lines.join(" "))
}
