//! Checks that span fields and files: ids, references between tables, dates that must be in
//! order, and the Typst markup of every prose field.

use rayon::prelude::*;
use toml::Spanned;

use super::checks::{Ids, check_span, unknown_in};
use super::editions::Content;
use super::load::Plan;
use super::markup;
use super::model::*;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceRef};
use crate::text::danish_date;

pub fn validate(plan: &Plan) -> Diagnostics {
    let mut d = Diagnostics::default();
    let files = &plan.files;

    check_plan_file(plan, &files.plan, &mut d);
    check_website(plan, &files.plan, &mut d);
    super::proceedings_checks::check_settings(plan, &mut d);

    // Meetings are checked in parallel (a municipality-year has hundreds, each with prose to
    // parse); their diagnostics keep the order of the meetings.
    let by_meeting: Vec<Diagnostics> = plan
        .meetings
        .par_iter()
        .map(|meeting| {
            let mut d = Diagnostics::default();
            check_meeting(plan, meeting, &mut d);
            d
        })
        .collect();
    let mut meeting_ids = Ids::new("meeting");
    for (meeting, checked) in plan.meetings.iter().zip(by_meeting) {
        meeting_ids.add(&files.meetings, &meeting.id, &mut d);
        d.extend(checked);
    }

    if let (Some(strategy), Some(file)) = (&plan.strategy, &files.strategy) {
        check_strategy(plan, strategy, file, &mut d);
    }
    if let (Some(implementation), Some(file)) = (&plan.implementation, &files.implementation) {
        check_implementation(plan, implementation, file, &mut d);
    }
    for consultation in &plan.consultations {
        super::consultation::check(plan, consultation, &mut d);
    }
    for action_plan in &plan.action_plans {
        super::followup::check_action_plan(plan, action_plan, &mut d);
    }
    for key_figures in &plan.key_figures {
        super::followup::check_key_figures(plan, key_figures, &mut d);
    }
    super::timing::check(plan, &mut d);
    d
}

/// The website's address: a web address of a folder, as the open data names its objects by it.
fn check_website(plan: &Plan, file: &SourceRef, d: &mut Diagnostics) {
    let Some(url) = &plan.settings.website.url else {
        return;
    };
    let text = url.get_ref();
    let scheme = text.starts_with("https://") || text.starts_with("http://");
    let host = text.split_once("://").map_or("", |(_, rest)| rest);
    if !scheme
        || host.is_empty()
        || host.starts_with('/')
        || !text.ends_with('/')
        || text
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>' || c == '#' || c == '?')
    {
        d.push(
            Diagnostic::error(format!("`{text}` is not the web address of the website's folder"))
                .at(file, url.span())
                .with_help("write it as the folder's address, e.g. url = \"https://www.kommune.dk/udvalg/\" (https or http, ending in /)"),
        );
    }
}

fn check_plan_file(plan: &Plan, file: &SourceRef, d: &mut Diagnostics) {
    let settings = &plan.settings;
    let ranges = [
        (
            "max_attachment_mb",
            &settings.plan.max_attachment_mb,
            super::model::ATTACHMENT_MB,
            format!("{} MB", super::load::DEFAULT_MAX_ATTACHMENT_MB),
        ),
        (
            "layout_seconds",
            &settings.plan.layout_seconds,
            super::model::LAYOUT_SECONDS,
            format!("{} s", super::model::DEFAULT_LAYOUT_SECONDS),
        ),
        (
            "layout_memory_mb",
            &settings.plan.layout_memory_mb,
            super::model::LAYOUT_MEMORY_MB,
            format!("{} MB", super::model::DEFAULT_LAYOUT_MEMORY_MB),
        ),
        (
            "agenda_part_items",
            &settings.plan.agenda_part_items,
            super::model::AGENDA_PART_ITEMS,
            format!("{} items", super::model::DEFAULT_AGENDA_PART_ITEMS),
        ),
    ];
    for (key, value, range, default) in ranges {
        if let Some(value) = value
            && !range.contains(value.get_ref())
        {
            d.push(
                Diagnostic::error(format!(
                    "`{key}` must be from {} to {}",
                    range.start(),
                    range.end()
                ))
                .at(file, value.span())
                .with_help(format!("leave it out for the default of {default}")),
            );
        }
    }
    let mut mandate_ids = Ids::new("mandate");
    for mandate in &settings.mandate {
        mandate_ids.add(file, &mandate.id, d);
        markup::check(file, &mandate.quote, d);
        if let Some(note) = &mandate.note {
            markup::check(file, note, d);
        }
    }
    let mut stakeholder_ids = Ids::new("stakeholder");
    for stakeholder in &settings.stakeholders {
        stakeholder_ids.add(file, &stakeholder.id, d);
        if let Some(salutation) = &stakeholder.salutation {
            check_not_blank(file, "salutation", salutation, "Til <name>", d);
        }
    }
    let chairs = settings
        .committee
        .members
        .iter()
        .filter(|m| m.role == Role::Chair)
        .count();
    if chairs > 1 {
        d.push(
            Diagnostic::error(format!(
                "the committee has {chairs} chairs; it can have one"
            ))
            .at(file, 0..0)
            .with_help("give the others `role = \"member\"` or `role = \"vice-chair\"`"),
        );
    }
}

fn check_meeting(plan: &Plan, meeting: &Meeting, d: &mut Diagnostics) {
    let file = &plan.files.meetings;
    if let Some(end_date) = &meeting.end_date
        && end_date.get_ref() < meeting.date.get_ref()
    {
        d.push(
            Diagnostic::error(format!(
                "the meeting ends on {} before it begins on {}",
                end_date.get_ref(),
                meeting.date.get_ref()
            ))
            .at(file, end_date.span()),
        );
    }
    if let Some(end) = &meeting.end {
        let same_day = meeting
            .end_date
            .as_ref()
            .is_none_or(|e| e.get_ref() == meeting.date.get_ref());
        if same_day && end.get_ref() <= meeting.start.get_ref() {
            d.push(
                Diagnostic::error(format!(
                    "the meeting ends at {} before it starts at {}",
                    end.get_ref().danish(),
                    meeting.start.get_ref().danish()
                ))
                .at(file, end.span()),
            );
        }
    }
    if let Some(purpose) = &meeting.purpose {
        markup::check(file, purpose, d);
    }
    let last_day = meeting.end_date.as_ref().unwrap_or(&meeting.date).get_ref();
    if let Some(summary) = &meeting.summary {
        if let Some(intro) = &summary.intro {
            markup::check(file, intro, d);
        }
        for point in &summary.points {
            markup::check(file, &point.text, d);
            if let Some(added) = &point.added
                && added.get_ref() < summary.date.get_ref()
            {
                d.push(
                    Diagnostic::error(
                        "a point is added after the summary's first version, not before",
                    )
                    .at(file, added.span())
                    .with_help(format!("the summary is dated {}", summary.date.get_ref())),
                );
            }
        }
    }
    for entry in &meeting.programme {
        markup::check(file, &entry.text, d);
        if let Some(day) = &entry.day
            && (day.get_ref() < meeting.date.get_ref() || day.get_ref() > last_day)
        {
            d.push(
                Diagnostic::error(format!(
                    "{} is not a day of the meeting",
                    danish_date(day.get_ref().0)
                ))
                .at(file, day.span()),
            );
        }
        if let Some(end) = &entry.end
            && end.get_ref() <= entry.start.get_ref()
        {
            d.push(
                Diagnostic::error("the programme point ends before it starts").at(file, end.span()),
            );
        }
    }
    let mut item_ids = Ids::new("agenda item");
    for item in &meeting.items {
        item_ids.add(file, &item.id, d);
        markup::check(file, &item.presentation, d);
        let prose = [
            &item.economic_consequences,
            &item.consultation,
            &item.communication,
            &item.legal_basis,
            &item.earlier_decisions,
            &item.recommendation,
            &item.decision,
        ];
        for prose in prose.into_iter().flatten() {
            markup::check(file, prose, d);
        }
        for attachment in &item.attachments {
            super::attachment::check(plan, attachment, d);
        }
    }
    super::attachment::check_meeting(plan, meeting, d);
    super::proceedings_checks::check(plan, meeting, d);
}

/// A reference to a meeting and, optionally, one of its agenda items.
fn check_meeting_item(
    plan: &Plan,
    meetings: &Ids,
    file: &SourceRef,
    meeting_ref: &Spanned<String>,
    item_ref: Option<&Spanned<String>>,
    d: &mut Diagnostics,
) {
    meetings.check_ref(file, meeting_ref, d);
    let meeting = plan.meeting(meeting_ref.get_ref());
    if let (Some(meeting), Some(item_ref)) = (meeting, item_ref) {
        let items: Vec<&str> = meeting
            .items
            .iter()
            .map(|i| i.id.get_ref().as_str())
            .collect();
        if !items.contains(&item_ref.get_ref().as_str()) {
            d.push(unknown_in(
                "agenda item",
                file,
                item_ref,
                &items,
                &format!("in meeting `{}`", meeting_ref.get_ref()),
            ));
        }
    }
}

/// The plan's meeting ids, to check references against.
fn meeting_ids<'a>(plan: &'a Plan, file: &SourceRef) -> Ids<'a> {
    let mut meetings = Ids::new("meeting");
    let mut scratch = Diagnostics::default();
    for meeting in &plan.meetings {
        meetings.add(file, &meeting.id, &mut scratch);
    }
    meetings
}

/// A text key the papers print instead of a default must say something.
pub(super) fn check_not_blank(
    file: &SourceRef,
    key: &str,
    value: &Spanned<String>,
    default: &str,
    d: &mut Diagnostics,
) {
    if value.get_ref().trim().is_empty() {
        d.push(
            Diagnostic::error(format!("`{key}` is empty"))
                .at(file, value.span())
                .with_help(format!(
                    "write the words, or leave `{key}` out for the default ({default})"
                )),
        );
    }
}

fn check_strategy(plan: &Plan, strategy: &StrategyFile, file: &SourceRef, d: &mut Diagnostics) {
    for (key, heading) in strategy.headings.given() {
        check_not_blank(file, key, heading, "a neutral heading", d);
    }
    let mut editions = Ids::new("strategy edition");
    let meetings = meeting_ids(plan, file);
    for edition in &strategy.editions {
        editions.add(file, &edition.id, d);
        if let Some(adopted) = &edition.adopted {
            check_meeting_item(
                plan,
                &meetings,
                file,
                &adopted.meeting,
                Some(&adopted.item),
                d,
            );
        }
    }
    // strategy.toml's content is the first edition's, unless that has a file of its own.
    if let Some(first) = strategy.editions.first()
        && !plan
            .edition_contents
            .iter()
            .any(|c| c.id == *first.id.get_ref())
    {
        check_content(&Content::of_file(strategy), file, d);
    }
    for own in &plan.edition_contents {
        match plan.edition_content(&own.id) {
            Some(content) if strategy.edition(&own.id).is_some() => {
                check_content(&content, &own.file, d)
            }
            _ => d.push(
                Diagnostic::error(format!(
                    "strategy/{}.toml is the content of an edition, but strategy.toml has no edition `{}`",
                    own.id, own.id
                ))
                .at(&own.file, 0..0)
                .with_help(format!(
                    "name the file after an edition's id: {}",
                    strategy.edition_ids().join(", ")
                )),
            ),
        }
    }
}

/// The content of one edition: ids, references between its parts, prose.
fn check_content(strategy: &Content, file: &SourceRef, d: &mut Diagnostics) {
    markup::check(file, &strategy.vision.text, d);
    for tie in &strategy.vision.ties {
        markup::check(file, &tie.text, d);
    }
    markup::check(file, &strategy.target_group.text, d);
    for group in &strategy.target_group.groups {
        markup::check(file, &group.text, d);
    }
    let mut areas = Ids::new("focus area");
    for area in strategy.focus_areas {
        areas.add(file, &area.id, d);
        markup::check(file, &area.text, d);
    }
    for area in strategy.focus_areas {
        for other in &area.connects {
            areas.check_ref(file, other, d);
            if other.get_ref() == area.id.get_ref() {
                d.push(
                    Diagnostic::error("a focus area cannot connect to itself")
                        .at(file, other.span()),
                );
            }
        }
    }
    let mut goals = Ids::new("development goal");
    let mut sub_goals = Ids::new("sub-goal");
    for goal in strategy.goals {
        goals.add(file, &goal.id, d);
        markup::check(file, &goal.opposite, d);
        if let Some(text) = &goal.text {
            markup::check(file, text, d);
        }
        for area in &goal.focus_areas {
            areas.check_ref(file, area, d);
        }
        for sub in &goal.sub_goals {
            sub_goals.add(file, &sub.id, d);
            markup::check(file, &sub.text, d);
            let year = *sub.horizon.get_ref();
            if !(2000..=2100).contains(&year) {
                d.push(
                    Diagnostic::error(format!(
                        "`{year}` is not a year a sub-goal can be reached by"
                    ))
                    .at(file, sub.horizon.span())
                    .with_help("write the year, e.g. `horizon = 2025`"),
                );
            }
        }
    }
    markup::check(file, &strategy.goal_process.text, d);
    for step in &strategy.goal_process.steps {
        markup::check(file, &step.answer, d);
    }
    markup::check(file, &strategy.involvement.text, d);
    for entry in strategy
        .involvement
        .internal
        .iter()
        .chain(&strategy.involvement.external)
    {
        markup::check(file, &entry.how, d);
    }
}

fn check_implementation(
    plan: &Plan,
    implementation: &ImplementationFile,
    file: &SourceRef,
    d: &mut Diagnostics,
) {
    if let Some(intro) = &implementation.intro {
        markup::check(file, intro, d);
    }
    let meetings = meeting_ids(plan, file);
    let mut milestones = Ids::new("milestone");
    for year in &implementation.years {
        if let Some(summary) = &year.summary {
            markup::check(file, summary, d);
        }
        for milestone in &year.milestones {
            milestones.add(file, &milestone.id, d);
            markup::check(file, &milestone.text, d);
            if let Some(note) = &milestone.note {
                markup::check(file, note, d);
            }
            check_span(file, "window", "begins", &milestone.from, &milestone.to, d);
            match (&milestone.meeting, &milestone.item) {
                (Some(meeting_ref), item_ref) => {
                    check_meeting_item(plan, &meetings, file, meeting_ref, item_ref.as_ref(), d)
                }
                (None, Some(item_ref)) => d.push(
                    Diagnostic::error(
                        "a milestone that names an `item` must also name its `meeting`",
                    )
                    .at(file, item_ref.span()),
                ),
                (None, None) => {}
            }
        }
    }
}
