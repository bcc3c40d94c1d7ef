//! The checks of what a meeting records: who was there (apologies, absence, substitutes, a
//! member away for one item, disqualification), votes and dissents by member or party, the
//! approval of the minutes, when the meeting was held, its supplementary agenda and the earlier
//! item a case follows.

use std::collections::HashSet;

use toml::Spanned;

use super::checks::unknown;
use super::load::Plan;
use super::markup;
use super::model::*;
use super::proceedings::{DEFAULT_SUPPLEMENT_NOTICE, SUPPLEMENT_NOTICE};
use crate::calendar::WorkingCalendar;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceRef};
use crate::text::danish_date;

/// Who took part in a meeting: the members who were not away, and the substitutes.
pub struct Participants<'a> {
    /// (name, party) of each participant, members first, in the plan's order.
    pub present: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> Participants<'a> {
    /// A council meeting's members are not the plan's: it has no participants to name.
    pub fn of(plan: &'a Plan, meeting: &'a Meeting) -> Self {
        if meeting.kind == MeetingKind::Council {
            return Self {
                present: Vec::new(),
            };
        }
        let away = away(meeting);
        let mut present: Vec<(&str, Option<&str>)> = plan
            .settings
            .committee
            .members
            .iter()
            .filter(|m| !away.contains(m.name.as_str()))
            .map(|m| (m.name.as_str(), m.party.as_deref()))
            .collect();
        present.extend(
            meeting
                .substitutes
                .iter()
                .map(|s| (s.name.get_ref().as_str(), s.party.as_deref())),
        );
        Self { present }
    }

    pub fn is_present(&self, name: &str) -> bool {
        self.present.iter().any(|(n, _)| *n == name)
    }

    /// How many votes `name` (a participant or a party) stands for in an item where `out`
    /// took no part; none if it is neither.
    pub fn votes_of(&self, name: &str, out: &HashSet<&str>) -> Option<usize> {
        if self.is_present(name) {
            return Some(usize::from(!out.contains(name)));
        }
        let party = self
            .present
            .iter()
            .filter(|(n, p)| *p == Some(name) && !out.contains(n))
            .count();
        (party > 0 || self.present.iter().any(|(_, p)| *p == Some(name))).then_some(party)
    }
}

/// The members away from the whole meeting: apologies and absence.
pub fn away(meeting: &Meeting) -> HashSet<&str> {
    meeting
        .apologies
        .iter()
        .chain(&meeting.absent)
        .map(|n| n.get_ref().as_str())
        .collect()
}

/// Members who took no part in an item: away for it, or disqualified.
pub fn out_of_item(item: &AgendaItem) -> HashSet<&str> {
    item.absent
        .iter()
        .map(|n| n.get_ref().as_str())
        .chain(
            item.disqualifications
                .iter()
                .map(|q| q.member.get_ref().as_str()),
        )
        .collect()
}

pub(super) fn check(plan: &Plan, meeting: &Meeting, d: &mut Diagnostics) {
    let file = &plan.files.meetings;
    let members: Vec<&str> = plan
        .settings
        .committee
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    check_attendance(meeting, &members, file, d);
    let participants = Participants::of(plan, meeting);
    for item in &meeting.items {
        check_item(meeting, item, &members, &participants, file, d);
    }
    check_held(meeting, file, d);
    check_approvals(meeting, &participants, file, d);
    check_supplement(plan, meeting, file, d);
    for item in &meeting.items {
        check_follows(plan, meeting, item, file, d);
    }
}

fn check_attendance(meeting: &Meeting, members: &[&str], file: &SourceRef, d: &mut Diagnostics) {
    let mut seen: HashSet<&str> = HashSet::new();
    for name in meeting.apologies.iter().chain(&meeting.absent) {
        if !members.contains(&name.get_ref().as_str()) {
            d.push(unknown("committee member", file, name, members));
        } else if !seen.insert(name.get_ref()) {
            d.push(
                Diagnostic::error(format!(
                    "{} is listed as away from the meeting twice",
                    name.get_ref()
                ))
                .at(file, name.span())
                .with_help("a member is either in `apologies` (afbud) or in `absent` (fraværende)"),
            );
        }
    }
    let away = away(meeting);
    let mut stood_in: HashSet<&str> = HashSet::new();
    for substitute in &meeting.substitutes {
        let member = substitute.member.get_ref().as_str();
        if !members.contains(&member) {
            d.push(unknown(
                "committee member",
                file,
                &substitute.member,
                members,
            ));
        } else if !away.contains(member) {
            d.push(
                Diagnostic::error(format!("{member} has a substitute but is not away"))
                    .at(file, substitute.member.span())
                    .with_help(format!(
                        "a substitute meets only for a member who sent apologies: add `apologies = [\"{member}\"]` to the meeting"
                    )),
            );
        } else if !stood_in.insert(member) {
            d.push(
                Diagnostic::error(format!("{member} has two substitutes at this meeting"))
                    .at(file, substitute.member.span()),
            );
        }
        if members.contains(&substitute.name.get_ref().as_str()) {
            d.push(
                Diagnostic::error(format!(
                    "{} is a member of the committee, not a substitute",
                    substitute.name.get_ref()
                ))
                .at(file, substitute.name.span()),
            );
        }
    }
}

fn check_item(
    meeting: &Meeting,
    item: &AgendaItem,
    members: &[&str],
    participants: &Participants,
    file: &SourceRef,
    d: &mut Diagnostics,
) {
    let away = away(meeting);
    let must_take_part = |name: &Spanned<String>, what: &str, d: &mut Diagnostics| {
        let name_str = name.get_ref().as_str();
        if away.contains(name_str) {
            d.push(
                Diagnostic::error(format!(
                    "{name_str} is away from the whole meeting, so cannot be {what} for one item"
                ))
                .at(file, name.span())
                .with_help("the meeting's `apologies` or `absent` lists the member"),
            );
        } else if !participants.is_present(name_str) {
            d.push(unknown("committee member", file, name, members));
        }
    };
    for name in &item.absent {
        must_take_part(name, "away", d);
    }
    for disqualified in &item.disqualifications {
        must_take_part(&disqualified.member, "disqualified", d);
        if item.absent.iter().any(|n| n == &disqualified.member) {
            d.push(
                Diagnostic::error(format!(
                    "{} is both away for the item and disqualified",
                    disqualified.member.get_ref()
                ))
                .at(file, disqualified.member.span())
                .with_help("a disqualified member leaves the item: list the member only once"),
            );
        }
    }
    let out = out_of_item(item);
    let needs_decision = |what: &str, d: &mut Diagnostics| {
        if item.decision.is_none() {
            d.push(
                Diagnostic::error(format!(
                    "item `{}` records {what} but no decision",
                    item.id.get_ref()
                ))
                .at(file, item.id.span())
                .with_help("votes and dissents belong to a decision: add `decision = \"...\"`"),
            );
        }
    };
    if let Some(vote) = &item.vote {
        needs_decision("a vote", d);
        let mut counted = [0usize; 3];
        let mut seen: HashSet<&str> = HashSet::new();
        let sides = [&vote.in_favour, &vote.against, &vote.abstaining];
        for (side, names) in sides.iter().enumerate() {
            for name in names.iter() {
                if !seen.insert(name.get_ref()) {
                    d.push(
                        Diagnostic::error(format!("{} votes twice", name.get_ref()))
                            .at(file, name.span()),
                    );
                }
                match voter(name, participants, &out, file, d) {
                    Some(n) => counted[side] += n,
                    None => continue,
                }
            }
        }
        let [yes, no, _] = counted;
        let adopted = yes > no;
        let said = *vote.result.get_ref() == VoteResult::Adopted;
        if adopted != said {
            d.push(
                Diagnostic::error(format!(
                    "the vote is {yes} for and {no} against, so the proposal is {}",
                    if adopted { "adopted" } else { "rejected" }
                ))
                .at(file, vote.result.span())
                .with_help(
                    "a proposal is adopted by more votes for than against; at equal votes it falls",
                ),
            );
        }
    }
    for dissent in &item.dissents {
        needs_decision("a dissent", d);
        for name in &dissent.by {
            voter(name, participants, &out, file, d);
        }
        if let Some(statement) = &dissent.statement {
            markup::check(file, statement, d);
        }
    }
}

/// The votes a name in a vote or dissent stands for, or an error at it.
fn voter(
    name: &Spanned<String>,
    participants: &Participants,
    out: &HashSet<&str>,
    file: &SourceRef,
    d: &mut Diagnostics,
) -> Option<usize> {
    let text = name.get_ref().as_str();
    if out.contains(text) {
        d.push(
            Diagnostic::error(format!(
                "{text} took no part in the item (away or disqualified)"
            ))
            .at(file, name.span()),
        );
        return None;
    }
    let votes = participants.votes_of(text, out);
    if votes.is_none() {
        let mut names: Vec<&str> = participants.present.iter().map(|(n, _)| *n).collect();
        names.extend(participants.present.iter().filter_map(|(_, p)| *p));
        names.dedup();
        d.push(
            unknown("voter", file, name, &names)
                .with_help("a voter is a participant by name or a party by letter"),
        );
    }
    votes
}

fn check_held(meeting: &Meeting, file: &SourceRef, d: &mut Diagnostics) {
    let Some(held) = &meeting.held else { return };
    let opened = held.opened.as_ref().unwrap_or(&meeting.start);
    if held.adjourned.get_ref() <= opened.get_ref() {
        d.push(
            Diagnostic::error(format!(
                "the meeting is adjourned at {} before it opened at {}",
                held.adjourned.get_ref().danish(),
                opened.get_ref().danish()
            ))
            .at(file, held.adjourned.span()),
        );
    }
    if meeting.items.iter().all(|i| i.decision.is_none()) {
        d.push(
            Diagnostic::warning("the meeting's hours are recorded, but no decision yet")
                .at(file, held.adjourned.span())
                .with_help(
                    "the minutes, which print them, are written once a decision is recorded",
                ),
        );
    }
}

fn check_approvals(
    meeting: &Meeting,
    participants: &Participants,
    file: &SourceRef,
    d: &mut Diagnostics,
) {
    let mut seen: HashSet<&str> = HashSet::new();
    for approval in &meeting.approvals {
        let name = approval.member.get_ref().as_str();
        if away(meeting).contains(name) {
            d.push(
                Diagnostic::error(format!(
                    "{name} was away from the meeting, so cannot approve its minutes"
                ))
                .at(file, approval.member.span())
                .with_help("the minutes are approved by those who took part, substitutes included"),
            );
        } else if !participants.is_present(name) {
            let names: Vec<&str> = participants.present.iter().map(|(n, _)| *n).collect();
            d.push(
                unknown("participant of the meeting", file, &approval.member, &names)
                    .with_help("the minutes are approved by those who took part"),
            );
        } else if !seen.insert(name) {
            d.push(
                Diagnostic::error(format!("{name} approves the minutes twice"))
                    .at(file, approval.member.span()),
            );
        }
        if approval.date.get_ref() < meeting.date.get_ref() {
            d.push(
                Diagnostic::error(format!(
                    "the minutes are approved on {}, before the meeting on {}",
                    danish_date(approval.date.get_ref().0),
                    danish_date(meeting.date.get_ref().0)
                ))
                .at(file, approval.date.span()),
            );
        }
    }
    if let Some(first) = meeting.approvals.first()
        && meeting.items.iter().all(|i| i.decision.is_none())
    {
        d.push(
            Diagnostic::error("the minutes are approved, but no decision is recorded")
                .at(file, first.member.span()),
        );
    }
}

fn check_supplement(plan: &Plan, meeting: &Meeting, file: &SourceRef, d: &mut Diagnostics) {
    let mut regular_after_supplementary = false;
    let mut any_supplementary = false;
    for item in &meeting.items {
        if item.supplementary {
            any_supplementary = true;
            match &item.late_reason {
                Some(reason) => markup::check(file, reason, d),
                None => d.push(
                    Diagnostic::error(format!(
                        "item `{}` is on the supplementary agenda without a reason",
                        item.id.get_ref()
                    ))
                    .at(file, item.id.span())
                    .with_help("add `late_reason = \"...\"`: why the item cannot wait for the next meeting"),
                ),
            }
            if meeting.supplement.is_none() {
                d.push(
                    Diagnostic::error(format!(
                        "item `{}` is supplementary, but the meeting has no supplementary agenda",
                        item.id.get_ref()
                    ))
                    .at(file, item.id.span())
                    .with_help("add `[meeting.supplement]` with `sent = <the day it goes out>`"),
                );
            }
        } else {
            if any_supplementary && !regular_after_supplementary {
                regular_after_supplementary = true;
                d.push(
                    Diagnostic::error(format!(
                        "item `{}` of the agenda comes after a supplementary item",
                        item.id.get_ref()
                    ))
                    .at(file, item.id.span())
                    .with_help(
                        "supplementary items are numbered after the agenda's: put them last",
                    ),
                );
            }
            if let Some(reason) = &item.late_reason {
                d.push(
                    Diagnostic::warning("a late reason on an item of the agenda is not printed")
                        .at(file, reason.span())
                        .with_help(
                            "add `supplementary = true` if the item came after the agenda went out",
                        ),
                );
            }
        }
    }
    let Some(supplement) = &meeting.supplement else {
        return;
    };
    let sent = supplement.sent.get_ref().0;
    if !any_supplementary {
        d.push(
            Diagnostic::error("the meeting has a supplementary agenda but no supplementary item")
                .at(file, supplement.sent.span())
                .with_help(
                    "mark the items added after the agenda went out with `supplementary = true`",
                ),
        );
    }
    let agenda = plan.send_out_date(meeting);
    if sent <= agenda {
        d.push(
            Diagnostic::error(format!(
                "the supplementary agenda goes out on {}, not after the agenda ({})",
                danish_date(sent),
                danish_date(agenda)
            ))
            .at(file, supplement.sent.span())
            .with_help("an item that is ready by the agenda's day goes in the agenda itself"),
        );
        return;
    }
    let notice = plan
        .settings
        .agenda
        .supplement_notice
        .as_ref()
        .map_or(DEFAULT_SUPPLEMENT_NOTICE, |n| *n.get_ref());
    let deadline = WorkingCalendar::new(&plan.settings.calendar)
        .working_days_before(meeting.date.get_ref().0, notice);
    if sent > deadline {
        d.push(
            Diagnostic::error(format!(
                "the supplementary agenda goes out on {}, after its deadline {}",
                danish_date(sent),
                danish_date(deadline)
            ))
            .at(file, supplement.sent.span())
            .with_help(format!(
                "a supplementary agenda goes out {notice} working day(s) before the meeting at the latest (`[agenda] supplement_notice` in plan.toml)"
            )),
        );
    }
}

fn check_follows(
    plan: &Plan,
    meeting: &Meeting,
    item: &AgendaItem,
    file: &SourceRef,
    d: &mut Diagnostics,
) {
    let Some(follows) = &item.follows else { return };
    let Some((meeting_id, item_id)) = follows.get_ref().split_once('/') else {
        d.push(
            Diagnostic::error(format!("`{}` names no item", follows.get_ref()))
                .at(file, follows.span())
                .with_help("write the earlier item as `meeting-id/item-id`"),
        );
        return;
    };
    let Some(earlier) = plan.meeting(meeting_id) else {
        let ids: Vec<&str> = plan
            .meetings
            .iter()
            .map(|m| m.id.get_ref().as_str())
            .collect();
        let name = Spanned::new(follows.span(), meeting_id.to_string());
        d.push(unknown("meeting", file, &name, &ids));
        return;
    };
    if !earlier.items.iter().any(|i| i.id.get_ref() == item_id) {
        let ids: Vec<&str> = earlier
            .items
            .iter()
            .map(|i| i.id.get_ref().as_str())
            .collect();
        let name = Spanned::new(follows.span(), item_id.to_string());
        d.push(
            unknown("agenda item", file, &name, &ids)
                .with_help(format!("in meeting `{meeting_id}`")),
        );
    } else if earlier.date.get_ref() >= meeting.date.get_ref() {
        d.push(
            Diagnostic::error(format!(
                "item `{}` follows an item of {}, which is not before this meeting",
                item.id.get_ref(),
                danish_date(earlier.date.get_ref().0)
            ))
            .at(file, follows.span()),
        );
    }
}

/// `[agenda]` in plan.toml: the standard sections once each, the supplement notice in range.
pub(super) fn check_settings(plan: &Plan, d: &mut Diagnostics) {
    let file = &plan.files.plan;
    let settings = &plan.settings.agenda;
    let mut seen = HashSet::new();
    for section in &settings.standard_sections {
        if !seen.insert(*section.get_ref()) {
            d.push(
                Diagnostic::error(format!(
                    "the section `{}` is listed twice",
                    section.get_ref().key()
                ))
                .at(file, section.span()),
            );
        }
    }
    if let Some(notice) = &settings.supplement_notice
        && !SUPPLEMENT_NOTICE.contains(notice.get_ref())
    {
        d.push(
            Diagnostic::error(format!(
                "supplement_notice must be from {} to {} working days, not {}",
                SUPPLEMENT_NOTICE.start(),
                SUPPLEMENT_NOTICE.end(),
                notice.get_ref()
            ))
            .at(file, notice.span()),
        );
    }
}
