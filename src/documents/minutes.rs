//! Beslutningsprotokol: attendance and each item's decision, once decisions are recorded; a
//! public edition when an item is closed.

use serde_json::{Value, json};

use super::catalogue::{Collected, MeetingPapers};
use super::common::{date, meeting_meta, meeting_view, members};
use super::item::{ItemsShown, items_view};
use super::{Document, DocumentKind, Kind};
use crate::plan::Plan;
use crate::plan::model::Meeting;
use crate::plan::proceedings_checks::Participants;
use crate::text::{danish_date, slug};

pub(super) struct Papers;

impl Kind for Papers {
    fn of_meeting(&self, m: &MeetingPapers, out: &mut Collected) {
        if !has_minutes(m.meeting) {
            return;
        }
        let (plan, meeting) = (m.plan, m.meeting);
        let stem = format!(
            "referat-{}-{}",
            slug(&plan.body_name(meeting)),
            meeting.date.get_ref()
        );
        let title = title(m);
        let public_edition = m.has_public_edition();
        out.push(
            Document::new(
                DocumentKind::Minutes,
                Some(m.id().clone()),
                m.path(&format!("{stem}.pdf")),
                title.clone(),
                view(m, false),
            )
            .public(!public_edition),
        );
        if public_edition {
            out.push(
                Document::new(
                    DocumentKind::Minutes,
                    Some(m.id().clone()),
                    m.path(&format!("{stem}-offentlig.pdf")),
                    format!("{title} (offentlig udgave)"),
                    view(m, true),
                )
                .public(true),
            );
        }
    }
}

/// Minutes are written once a meeting's decisions are recorded.
fn has_minutes(meeting: &Meeting) -> bool {
    meeting.has_agenda() && meeting.items.iter().any(|i| i.decision.is_some())
}

fn title(m: &MeetingPapers) -> String {
    format!(
        "Beslutningsprotokol – {} {}",
        m.plan.body_name(m.meeting),
        danish_date(m.meeting.date.get_ref().0)
    )
}

fn view(m: &MeetingPapers, public: bool) -> Value {
    let (plan, meeting) = (m.plan, m.meeting);
    let mut meta = meeting_meta(plan, meeting, &title(m), "Beslutningsprotokol");
    // The minutes speak from the day of the meeting, not from the day the agenda went out.
    let day = meeting.date.get_ref().0;
    meta["date"] = date(day);
    let named = |name: &str, party: Option<&str>| match party {
        Some(p) => format!("{name} ({p})"),
        None => name.to_string(),
    };
    let member_names = |names: &[toml::Spanned<String>]| -> Vec<String> {
        names
            .iter()
            .map(|n| {
                let party = plan
                    .settings
                    .committee
                    .members
                    .iter()
                    .find(|m| &m.name == n.get_ref())
                    .and_then(|m| m.party.as_deref());
                named(n.get_ref(), party)
            })
            .collect()
    };
    let participants = Participants::of(plan, meeting);
    let members = members(plan, meeting);
    let present: Vec<String> = if members.as_array().is_some_and(|m| !m.is_empty()) {
        participants
            .present
            .iter()
            .map(|(name, party)| named(name, *party))
            .collect()
    } else {
        Vec::new()
    };
    let substitutes: Vec<String> = meeting
        .substitutes
        .iter()
        .map(|s| {
            format!(
                "{} for {}",
                named(s.name.get_ref(), s.party.as_deref()),
                s.member.get_ref()
            )
        })
        .collect();
    let held = meeting.held.as_ref().map(|held| {
        json!({
            "opened": held.opened.as_ref().unwrap_or(&meeting.start).get_ref().danish(),
            "adjourned": held.adjourned.get_ref().danish(),
        })
    });
    json!({
        "meta": meta,
        "meeting": meeting_view(plan, meeting),
        "present": present,
        "apologies": member_names(&meeting.apologies),
        "absent": member_names(&meeting.absent),
        "substitutes": substitutes,
        "held": held,
        "approval": approval(plan, meeting, &participants),
        "public": public,
        "items": items_view(m, ItemsShown { public, decisions: true, day }, |_| true),
    })
}

/// Whether the minutes are approved by the plan's date: by every participant, each on a day;
/// until then they are a draft. The signing sheet lists every participant.
fn approval(plan: &Plan, meeting: &Meeting, participants: &Participants) -> Value {
    let today = plan.settings.plan.date.get_ref().0;
    let signatures: Vec<Value> = participants
        .present
        .iter()
        .map(|(name, party)| {
            let approved = meeting
                .approvals
                .iter()
                .find(|a| a.member.get_ref() == name && a.date.get_ref().0 <= today)
                .map(|a| a.date.get_ref().0);
            json!({
                "name": name,
                "party": party,
                "approved": approved.map(date),
            })
        })
        .collect();
    let approved = signatures.iter().filter(|s| !s["approved"].is_null()).count();
    let last = meeting
        .approvals
        .iter()
        .map(|a| a.date.get_ref().0)
        .filter(|d| *d <= today)
        .max();
    let complete = approved > 0 && approved == signatures.len();
    json!({
        // Only a plan that records approvals asks for them: the others print no signing sheet.
        "recorded": !meeting.approvals.is_empty(),
        "approved": complete,
        "count": approved,
        "of": signatures.len(),
        "date": if complete { last.map(date) } else { None },
        "signatures": signatures,
    })
}
