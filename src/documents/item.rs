//! An agenda item as the agenda and the minutes show it: its sections in the Danish order, its
//! case history (sagens gang), and in the minutes what happened to it (who took no part, the
//! vote, dissents). A closed item in a public paper is one line.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::attachments::Attachment;
use super::catalogue::MeetingPapers;
use super::common::{NBSP, item_kind_label, keep_together, markup, opt_markup};
use crate::plan::Plan;
use crate::plan::case_history::{Handling, item_at, meeting_at};
use crate::plan::model::*;
use crate::plan::proceedings_checks::{Participants, out_of_item};
use crate::text::{danish_date, danish_list};

/// Which items' contents a paper shows, and what of them: an agenda, as of the day it goes out,
/// never shows a decision; the minutes do.
#[derive(Clone, Copy)]
pub(super) struct ItemsShown {
    /// The public edition: closed items are one line.
    pub public: bool,
    pub decisions: bool,
    /// The paper's day: an earlier meeting's decision is shown if that meeting was before it.
    pub day: NaiveDate,
}

/// The items of the meeting that `wanted` takes (the agenda's, the supplement's, or all), each
/// numbered by its place in the meeting.
pub(super) fn items_view(
    m: &MeetingPapers,
    shown: ItemsShown,
    wanted: impl Fn(&AgendaItem) -> bool,
) -> Vec<Value> {
    m.meeting
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| wanted(item))
        .map(|(i, _)| item_view(m, i, shown))
        .collect()
}

pub(super) fn item_view(m: &MeetingPapers, index: usize, shown: ItemsShown) -> Value {
    let item = &m.meeting.items[index];
    let hidden = shown.public && item.closed;
    let title = if hidden && !item.public_title {
        "Lukket punkt".to_string()
    } else {
        item.title.clone()
    };
    let decision_shown = shown.decisions && (!hidden || item.public_decision);
    let mut view = json!({
        "number": index + 1,
        "id": item.id.get_ref(),
        "title": title,
        "kind": item_kind_label(item.kind),
        "closed": item.closed,
        "hidden": hidden,
        "supplementary": item.supplementary,
        "decision": if decision_shown { opt_markup(&item.decision) } else { Value::Null },
        // Who took no part in a closed item, and why, is as closed as the item.
        "proceedings": if decision_shown && !hidden { proceedings(m, item) } else { Value::Null },
        "case_number": null,
        "kle": null,
        "recommendation": null,
        "late_reason": null,
        "sections": [],
        "attachments": [],
    });
    if hidden {
        return view;
    }
    let attachments = attachments(item, &m.attachments, shown.public);
    view["case_number"] = json!(item.case_number);
    view["kle"] = json!(item.kle);
    view["recommendation"] = opt_markup(&item.recommendation);
    view["late_reason"] = opt_markup(&item.late_reason);
    view["sections"] = sections(m, index, shown, decision_shown, !attachments.is_empty());
    view["attachments"] = Value::Array(attachments);
    view
}

/// The item's sections in the Danish order: those it has, and those the plan always shows
/// (then "Ingen" where it has none).
fn sections(
    m: &MeetingPapers,
    index: usize,
    shown: ItemsShown,
    decision_shown: bool,
    has_attachments: bool,
) -> Value {
    let (plan, item) = (m.plan, &m.meeting.items[index]);
    let standard = &plan.settings.agenda.standard_sections;
    let mut out = Vec::new();
    for section in ItemSection::ALL {
        let mut entry = json!({ "id": section.key(), "heading": section.heading() });
        let present = match section {
            ItemSection::Presentation => set(&mut entry, "body", markup(&item.presentation)),
            ItemSection::EconomicConsequences => prose(&mut entry, &item.economic_consequences),
            ItemSection::DecisionAuthority => match &item.decision_authority {
                Some(authority) => set(
                    &mut entry,
                    "text",
                    json!(keep_together(&format!(
                        "Sagen afgøres i {}.",
                        authority_name(plan, *authority.get_ref())
                    ))),
                ),
                None => false,
            },
            ItemSection::Consultation => prose(&mut entry, &item.consultation),
            ItemSection::Communication => prose(&mut entry, &item.communication),
            ItemSection::LegalBasis => prose(&mut entry, &item.legal_basis),
            ItemSection::EarlierDecisions => history(m, index, shown, &mut entry),
            ItemSection::Recommendation => prose(&mut entry, &item.recommendation),
            ItemSection::Attachments => has_attachments,
            // The minutes print the decision; an agenda never does, not even "Ingen".
            ItemSection::Decision => {
                if !decision_shown {
                    continue;
                }
                prose(&mut entry, &item.decision)
            }
        };
        if present || standard.iter().any(|s| *s.get_ref() == section) {
            entry["empty"] = json!(!present);
            out.push(entry);
        }
    }
    Value::Array(out)
}

fn set(entry: &mut Value, key: &str, value: Value) -> bool {
    entry[key] = value;
    true
}

fn prose(entry: &mut Value, text: &Option<Markup>) -> bool {
    match text {
        Some(text) => set(entry, "body", markup(text)),
        None => false,
    }
}

/// Who decides, by name: the committee, the finance committee or the council.
fn authority_name(plan: &Plan, authority: DecisionAuthority) -> String {
    let municipality = &plan.settings.municipality;
    match authority {
        DecisionAuthority::Committee => plan.settings.committee.name.clone(),
        DecisionAuthority::FinanceCommittee => municipality
            .finance_committee
            .clone()
            .unwrap_or_else(|| "Økonomiudvalget".into()),
        DecisionAuthority::Council => municipality
            .council
            .clone()
            .or_else(|| {
                plan.meetings
                    .iter()
                    .find(|m| m.kind == MeetingKind::Council)
                    .and_then(|m| m.body.clone())
            })
            .unwrap_or_else(|| "Kommunalbestyrelsen".into()),
    }
}

/// Tidligere beslutninger: the plan's own words, then the earlier meetings of the case with
/// their decisions (those taken before the paper's day), then where the case goes next.
fn history(m: &MeetingPapers, index: usize, shown: ItemsShown, entry: &mut Value) -> bool {
    let plan = m.plan;
    let item = &m.meeting.items[index];
    let (earlier, later) = plan.cases().around(plan, m.index, index);
    // No paper says anything of a closed item of the case: a members' agenda without a closed
    // item of its own is a public paper too, and the link itself would tell of the closed item.
    let may_show = |h: &Handling| !item_at(plan, *h).closed;
    let handled: Vec<Value> = earlier
        .iter()
        .filter(|h| may_show(h))
        .map(|h| {
            let (meeting, earlier_item) = (meeting_at(plan, *h), item_at(plan, *h));
            let day = meeting.date.get_ref().0;
            let decision = earlier_item
                .decision
                .as_ref()
                .filter(|_| day < shown.day)
                .map_or(Value::Null, markup);
            json!({
                "label": keep_together(&format!(
                    "{} den {}, punkt {}",
                    plan.body_name(meeting),
                    danish_date(day),
                    h.item + 1
                )),
                "title": earlier_item.title,
                "decision": decision,
                "pending": day >= shown.day,
            })
        })
        .collect();
    let next = later.iter().find(|h| may_show(h)).map(|h| {
        let meeting = meeting_at(plan, *h);
        keep_together(&format!(
            "Sagen behandles herefter i {} den {}.",
            plan.body_name(meeting),
            danish_date(meeting.date.get_ref().0)
        ))
    });
    let own = item.earlier_decisions.as_ref();
    if own.is_none() && handled.is_empty() && next.is_none() {
        return false;
    }
    entry["body"] = own.map_or(Value::Null, markup);
    entry["history"] = Value::Array(handled);
    entry["next"] = json!(next);
    true
}

/// What the minutes record of the item besides its decision: who took no part, the vote, the
/// dissents, in the usual Danish wording.
fn proceedings(m: &MeetingPapers, item: &AgendaItem) -> Value {
    let participants = Participants::of(m.plan, m.meeting);
    let party = |name: &str| {
        participants
            .present
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, p)| *p)
    };
    let named = |name: &str| match party(name) {
        Some(p) => format!("{name} ({p})"),
        None => name.to_string(),
    };
    let mut notes: Vec<String> = item
        .disqualifications
        .iter()
        .map(|q| {
            format!(
                "{} var inhabil ({}) og deltog ikke i behandlingen af punktet.",
                named(q.member.get_ref()),
                q.reason
            )
        })
        .collect();
    notes.extend(item.absent.iter().map(|n| {
        format!(
            "{} deltog ikke i behandlingen af punktet.",
            named(n.get_ref())
        )
    }));
    let out = out_of_item(item);
    let vote = item.vote.as_ref().map(|vote| {
        let side = |label: &str, names: &[toml::Spanned<String>]| {
            if names.is_empty() {
                return None;
            }
            let count: usize = names
                .iter()
                .filter_map(|n| participants.votes_of(n.get_ref(), &out))
                .sum();
            let names: Vec<&str> = names.iter().map(|n| n.get_ref().as_str()).collect();
            Some(format!("{label} {count} ({}).", danish_list(&names)))
        };
        let mut lines: Vec<String> = [
            side("For stemte", &vote.in_favour),
            side("Imod stemte", &vote.against),
            side("Undlod at stemme", &vote.abstaining),
        ]
        .into_iter()
        .flatten()
        .collect();
        lines.push(
            match vote.result.get_ref() {
                VoteResult::Adopted => "Forslaget blev vedtaget.",
                VoteResult::Rejected => "Forslaget blev forkastet.",
            }
            .into(),
        );
        lines
    });
    let dissents: Vec<Value> = item
        .dissents
        .iter()
        .map(|dissent| {
            let by: Vec<&str> = dissent.by.iter().map(|n| n.get_ref().as_str()).collect();
            let text = if by.len() > 1 {
                format!(
                    "{} ønsker deres stemmer ført til protokols.",
                    danish_list(&by)
                )
            } else {
                format!("{} ønsker sin stemme ført til protokols.", danish_list(&by))
            };
            json!({ "text": text, "statement": opt_markup(&dissent.statement) })
        })
        .collect();
    json!({ "notes": notes, "vote": vote, "dissents": dissents })
}

/// The item's attachments as a paper lists them: a public edition only those that may be
/// published; the members' edition every one, marking an open item's that may not.
fn attachments(item: &AgendaItem, attachments: &[Attachment], public: bool) -> Vec<Value> {
    attachments
        .iter()
        .filter(|a| &a.item == item.id.get_ref() && (a.public || !public))
        .enumerate()
        .map(|(n, a)| {
            // The link is relative to the meeting's folder, where the agenda, the items' PDFs
            // and `bilag/` are: it works in the folder as sent and on a web server alike.
            let mut listed = json!({
                "number": n + 1,
                "title": a.title,
                "file": a.path,
                "href": a.path,
                "type": file_type(&a.path),
                "size": a.file.as_ref().map(|f| file_size(f.bytes.len() as u64)),
            });
            if !a.public && !item.closed {
                listed["restricted"] = json!("ikke offentligt");
            }
            listed
        })
        .collect()
}

/// A file's type as a reader knows it: "PDF", "DOCX", from its name.
pub(super) fn file_type(path: &str) -> String {
    path.rsplit_once('.')
        .map_or_else(|| "fil".into(), |(_, ext)| ext.to_uppercase())
}

/// A file's size in Danish: "340 kB", "1,2 MB".
pub(super) fn file_size(bytes: u64) -> String {
    let kb = (bytes as f64 / 1024.0).ceil();
    if kb < 1024.0 {
        format!("{kb:.0}{NBSP}kB")
    } else {
        format!("{:.1}{NBSP}MB", kb / 1024.0).replace('.', ",")
    }
}
