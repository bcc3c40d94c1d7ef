//! The parts of a view that papers of several kinds share: dates, prose, the header and footer
//! every page carries, a meeting and its members, an item as the agenda and the minutes show it.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::plan::Plan;
use crate::plan::model::*;
use crate::text::{DANISH_MONTHS, danish_date, danish_date_long, day_span};

/// The no-break space that keeps a Danish date, a time, a paragraph sign or a postcode on one
/// line.
pub(super) const NBSP: char = '\u{a0}';

/// `text` with a no-break space where Danish typesetting keeps two words on one line: a day and
/// its month ("19. september"), "kl. 16.00", "§ 13", "stk. 4", "nr. 2" and a postcode with its
/// town ("2750 Ballerup"). Works on plain text and on Typst markup alike (the space it replaces
/// is never syntax).
pub(super) fn keep_together(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(' ') {
        let (before, after) = (&rest[..at], &rest[at + 1..]);
        out.push_str(before);
        let word = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .trim_start_matches(['(', '[', '»', '›', '"', '*', '_']);
        let next = after
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let next_digit = next.starts_with(|c: char| c.is_ascii_digit());
        let day = word.len() <= 3
            && word.ends_with('.')
            && word.len() > 1
            && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit());
        let month = DANISH_MONTHS.iter().any(|m| {
            next.strip_prefix(m)
                .is_some_and(|r| !r.starts_with(char::is_alphabetic))
        });
        let postcode = word.len() == 4
            && word.chars().all(|c| c.is_ascii_digit())
            && next.starts_with(char::is_uppercase);
        let month_year = DANISH_MONTHS.iter().any(|m| word.ends_with(m))
            && next.len() >= 4
            && next[..4].chars().all(|c| c.is_ascii_digit());
        let together = (day && month)
            || month_year
            || (matches!(word, "kl." | "stk." | "nr." | "pkt.") && next_digit)
            || (word.ends_with('§') && next_digit)
            || postcode;
        out.push(if together { NBSP } else { ' ' });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// "tirsdag den 8. november 2022", kept on one line where a paper breaks it.
fn long_date(date: NaiveDate) -> String {
    keep_together(&danish_date_long(date))
}

pub(super) fn date(date: NaiveDate) -> Value {
    json!({
        "iso": date.format("%Y-%m-%d").to_string(),
        "short": keep_together(&danish_date(date)),
        "long": long_date(date),
        "numeric": date.format("%d.%m.%Y").to_string(),
    })
}

pub(super) fn markup(m: &Markup) -> Value {
    Value::String(keep_together(m.get_ref()))
}

/// A plain string of the plan (an address, a place) as papers print it.
pub(super) fn plain(text: &Option<String>) -> Value {
    text.as_deref()
        .map_or(Value::Null, |t| Value::String(keep_together(t)))
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
        "address": plain(&settings.municipality.address),
        "web": settings.municipality.web,
        "phone": plain(&settings.municipality.phone),
        "email": settings.municipality.email,
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
    let mut meta = meta(plan, title, kind_label, plan.send_out_date(meeting), None);
    meta["committee"] = json!(plan.body_name(meeting));
    meta["meeting"] = json!(format!("møde {}", danish_date(meeting.date.get_ref().0)));
    meta
}

/// What kind of meeting it is, in words: a council meeting is named by its body ("Møde i
/// Byrådet"), with "Kommunalbestyrelsesmøde" only when the plan names no body.
fn meeting_kind_label(meeting: &Meeting) -> String {
    match meeting.kind {
        MeetingKind::Committee => "Udvalgsmøde".into(),
        MeetingKind::Seminar => "Seminar".into(),
        MeetingKind::ThemeMeeting => "Temamøde".into(),
        MeetingKind::Council => match &meeting.body {
            Some(body) => format!("Møde i {body}"),
            None => "Kommunalbestyrelsesmøde".into(),
        },
    }
}

pub(super) fn item_kind_label(kind: ItemKind) -> &'static str {
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
        Some(end) => format!("kl.{NBSP}{start}-{}", end.get_ref().danish()),
        None => format!("kl.{NBSP}{start}"),
    };
    let day = meeting.date.get_ref().0;
    let when = match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => format!(
            "{} {time} til {}",
            long_date(day),
            long_date(end.get_ref().0)
        ),
        _ => format!("{} {time}", long_date(day)),
    };
    let days = keep_together(&match &meeting.end_date {
        Some(end) if end.get_ref().0 != day => day_span(day, end.get_ref().0),
        _ => danish_date(day),
    });
    json!({
        "id": meeting.id.get_ref(),
        "body": plan.body_name(meeting),
        "days": days,
        "kind": meeting_kind_label(meeting),
        "title": meeting.title,
        // The agenda's and the minutes' subtitle: the meeting's own title, if it has one
        // ("Ekstraordinært møde"), after its kind.
        "heading": match &meeting.title {
            Some(title) => format!("{} · {title}", meeting_kind_label(meeting)),
            None => meeting_kind_label(meeting),
        },
        "date": date(day),
        "time": time,
        "when": when,
        "place": keep_together(&meeting.place),
        "example": meeting.example,
        "purpose": opt_markup(&meeting.purpose),
        "send_out": date(plan.send_out_date(meeting)),
        // Whether the agenda has gone out by the plan's date, or is still to go ('senest ...').
        "sent": plan.send_out_date(meeting) <= plan.settings.plan.date.get_ref().0,
    })
}

pub(super) fn members(plan: &Plan, meeting: &Meeting) -> Value {
    if meeting.kind == MeetingKind::Council {
        return json!([]);
    }
    committee_members(plan)
}

/// The committee's members, each with their role and party.
pub(super) fn committee_members(plan: &Plan) -> Value {
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

/// The political mandate the strategy and the process plan quote.
pub(super) fn mandate(plan: &Plan) -> Value {
    plan.settings
        .mandate
        .iter()
        .map(|m| {
            // "Budget 2021, punkt 1.4.2", but a reference that is not a number stands as it is
            // written ("Budget 2021, bilag 3").
            let reference = if m.item.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{}, punkt {}", m.source, m.item)
            } else {
                format!("{}, {}", m.source, m.item)
            };
            // The papers set a quote in »...«: a quote inside it in ›...‹.
            let quote = keep_together(m.quote.get_ref())
                .replace('»', "›")
                .replace('«', "‹");
            json!({
                "source": m.source,
                "item": m.item,
                "reference": reference,
                "quote": quote,
                "url": m.url,
                "note": opt_markup(&m.note),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::keep_together;

    #[test]
    fn dates_times_paragraphs_and_postcodes_are_kept_together() {
        assert_eq!(
            keep_together("den 19. september kl. 16.00 efter § 13, stk. 4, i 2750 Ballerup"),
            "den 19.\u{a0}september kl.\u{a0}16.00 efter §\u{a0}13, stk.\u{a0}4, i 2750\u{a0}Ballerup"
        );
        // Nothing else: a number that is no day, a year before a word, a list.
        assert_eq!(
            keep_together("2024. Der er 120. gang og (19. maj)"),
            "2024. Der er 120. gang og (19.\u{a0}maj)"
        );
        assert_eq!(keep_together("5. maja"), "5. maja");
    }
}
