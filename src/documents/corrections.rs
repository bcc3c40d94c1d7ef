//! Rettet dagsorden: a paper that has gone out is never replaced by a different paper under its
//! name. When the plan changes it afterwards, a corrected edition goes out beside it, marked as
//! such and saying what changed, computed from the two views.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::Document;
use super::common::date;
use crate::text::{capitalise, danish_date, danish_list, lowercase_first};

/// Corrected edition `number` (1, 2, …) of a paper that went out on `sent`, made on `day` from
/// `current`, the paper as the plan makes it now; `changes` are since the edition of `since`.
pub fn corrected(
    current: &Document,
    sent: NaiveDate,
    since: NaiveDate,
    number: usize,
    day: NaiveDate,
    changes: &[String],
) -> Document {
    let mut view = current.view().clone();
    let kind = view["meta"]["kind"].as_str().unwrap_or("Dokument");
    let kind = format!("Rettet {}", lowercase_first(kind));
    let title = format!("{} (rettet {})", current.title, danish_date(day));
    let meta = &mut view["meta"];
    meta["kind"] = json!(kind);
    meta["title"] = json!(title);
    meta["date"] = date(day);
    meta["correction"] = json!({
        "number": number,
        "sent": date(sent),
        "since": date(since),
        "date": date(day),
        "changes": changes,
    });
    Document::new(
        current.kind,
        current.meeting.clone(),
        corrected_path(&current.path, number),
        title,
        view,
    )
    .sent_on(day)
    .public(current.public)
}

/// `…/dagsorden.pdf` → `…/dagsorden-rettet.pdf`, then `…-rettet-2.pdf`, `…-rettet-3.pdf`.
pub fn corrected_path(path: &str, number: usize) -> String {
    let (stem, extension) = match path.rsplit_once('.') {
        Some((stem, extension)) if !stem.ends_with('/') => (stem, format!(".{extension}")),
        _ => (path, String::new()),
    };
    match number {
        1 => format!("{stem}-rettet{extension}"),
        n => format!("{stem}-rettet-{n}{extension}"),
    }
}

/// What changed from the `sent` view to the `now` view, as sentences a committee member
/// reads; never empty when the views differ.
pub fn changes(sent: &Value, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if sent["meta"]["title"] != now["meta"]["title"]
        && sent.get("meeting").is_none()
        && let Some(title) = now["meta"]["title"].as_str()
    {
        out.push(format!("Titlen er nu »{title}«."));
    }
    meeting_changes(&sent["meeting"], &now["meeting"], &mut out);
    if sent["members"] != now["members"] {
        out.push("Listen over udvalgets medlemmer er ændret.".into());
    }
    let items = |view: &Value| -> Vec<Value> {
        match (&view["items"], &view["item"]) {
            (Value::Array(items), _) => items.clone(),
            (_, item @ Value::Object(_)) => vec![item.clone()],
            _ => Vec::new(),
        }
    };
    item_changes(&items(sent), &items(now), &mut out);
    let rest = |view: &Value| -> Vec<(String, Value)> {
        let known = ["meta", "meeting", "members", "items", "item"];
        view.as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| !known.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    };
    if rest(sent) != rest(now) {
        out.push("Indholdet er ændret.".into());
    }
    if out.is_empty() && sent != now {
        out.push("Oplysningerne i sidehoved og sidefod er ændret.".into());
    }
    out
}

fn meeting_changes(sent: &Value, now: &Value, out: &mut Vec<String>) {
    if sent == now || !now.is_object() {
        return;
    }
    if sent["when"] != now["when"] {
        out.push(format!(
            "Mødet holdes nu {}.",
            now["when"].as_str().unwrap_or("på et andet tidspunkt")
        ));
    }
    if sent["place"] != now["place"] {
        match now["place"].as_str() {
            Some(place) => out.push(format!("Mødestedet er nu {place}.")),
            None => out.push("Mødestedet er ændret.".into()),
        }
    }
    if sent["title"] != now["title"] || sent["purpose"] != now["purpose"] {
        out.push("Mødets titel eller formål er ændret.".into());
    }
}

/// The parts of an item's head a change is named by, in the order the item prints them.
const ITEM_PARTS: &[(&str, &str)] = &[
    ("case_number", "sagsnummeret"),
    ("kle", "KLE-nummeret"),
    ("kind", "punktets art"),
    ("late_reason", "begrundelsen for tillægsdagsordenen"),
];

/// A section of an item as a change names it: 'sagsfremstillingen', 'afsnittet »Økonomi«'.
fn section_name(section: &Value) -> String {
    match section["id"].as_str().unwrap_or_default() {
        "presentation" => "sagsfremstillingen".into(),
        "recommendation" => "indstillingen".into(),
        "decision" => "beslutningen".into(),
        "attachments" => "bilagene".into(),
        _ => format!(
            "afsnittet »{}«",
            section["heading"].as_str().unwrap_or_default()
        ),
    }
}

/// The names of the sections that differ between two editions of an item, in print order.
fn changed_sections(old: &Value, new: &Value) -> Vec<String> {
    let empty = Vec::new();
    let sections = |item: &Value| item["sections"].as_array().unwrap_or(&empty).clone();
    let (old, new) = (sections(old), sections(new));
    let find = |list: &[Value], id: &Value| list.iter().find(|s| &s["id"] == id).cloned();
    let mut names: Vec<String> = new
        .iter()
        .filter(|s| find(&old, &s["id"]).as_ref() != Some(*s))
        .map(section_name)
        .collect();
    names.extend(
        old.iter()
            .filter(|s| find(&new, &s["id"]).is_none())
            .map(section_name),
    );
    names
}

fn item_changes(sent: &[Value], now: &[Value], out: &mut Vec<String>) {
    let find = |items: &[Value], id: &Value| items.iter().find(|i| &i["id"] == id).cloned();
    let named = |item: &Value| {
        format!(
            "punkt {} »{}«",
            item["number"],
            item["title"].as_str().unwrap_or_default()
        )
    };
    for old in sent {
        if find(now, &old["id"]).is_none() {
            out.push(format!(
                "{} er taget af dagsordenen.",
                capitalise(&named(old))
            ));
        }
    }
    for new in now {
        let Some(old) = find(sent, &new["id"]) else {
            out.push(format!(
                "{} er sat på dagsordenen.",
                capitalise(&named(new))
            ));
            continue;
        };
        if old == *new {
            continue;
        }
        if old["number"] != new["number"] {
            out.push(format!(
                "»{}« er nu punkt {} (før punkt {}).",
                new["title"].as_str().unwrap_or_default(),
                new["number"],
                old["number"]
            ));
        }
        if old["title"] != new["title"] {
            out.push(format!(
                "Punkt {} hedder nu »{}« (før »{}«).",
                new["number"],
                new["title"].as_str().unwrap_or_default(),
                old["title"].as_str().unwrap_or_default()
            ));
        }
        if old["closed"] != new["closed"] {
            out.push(match new["closed"].as_bool() {
                Some(true) => format!("Punkt {} behandles nu for lukkede døre.", new["number"]),
                _ => format!("Punkt {} behandles nu for åbne døre.", new["number"]),
            });
        }
        let mut parts: Vec<String> = ITEM_PARTS
            .iter()
            .filter(|(key, _)| old[*key] != new[*key])
            .map(|(_, label)| label.to_string())
            .collect();
        parts.extend(changed_sections(&old, new));
        if old["attachments"] != new["attachments"] && !parts.iter().any(|p| p == "bilagene") {
            parts.push("bilagene".into());
        }
        if !parts.is_empty() {
            out.push(format!(
                "{}: {} er ændret.",
                capitalise(&named(new)),
                danish_list(&parts)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agenda(items: Value) -> Value {
        json!({
            "meta": {"title": "Dagsorden", "kind": "Dagsorden"},
            "meeting": {"when": "tirsdag den 8. november 2022 kl. 16.00", "place": "Rådhuset"},
            "members": [],
            "items": items,
        })
    }

    fn item(number: u64, id: &str, title: &str, text: &str) -> Value {
        json!({"number": number, "id": id, "title": title, "closed": false, "attachments": [],
        "sections": [
            {"id": "presentation", "heading": "Sagsfremstilling", "body": text},
            {"id": "recommendation", "heading": "Indstilling", "body": "x"},
        ]})
    }

    #[test]
    fn a_section_that_changed_or_came_is_named_by_its_heading() {
        let sent = agenda(json!([item(1, "a", "Budget", "t")]));
        let mut now = agenda(json!([item(1, "a", "Budget", "t")]));
        now["items"][0]["sections"][1]["body"] = json!("y");
        let economy =
            json!({"id": "economic-consequences", "heading": "Økonomi", "body": "1 mio."});
        now["items"][0]["sections"]
            .as_array_mut()
            .unwrap()
            .insert(1, economy);
        assert_eq!(
            changes(&sent, &now),
            vec!["Punkt 1 »Budget«: afsnittet »Økonomi« og indstillingen er ændret."]
        );
    }

    #[test]
    fn names_each_item_that_changed_and_how() {
        let sent = agenda(json!([
            item(1, "a", "Budget", "tekst"),
            item(2, "b", "Status", "s")
        ]));
        let now = agenda(json!([
            item(1, "a", "Budget", "ny tekst"),
            item(2, "c", "Handleplan", "h")
        ]));
        assert_eq!(
            changes(&sent, &now),
            vec![
                "Punkt 2 »Status« er taget af dagsordenen.",
                "Punkt 1 »Budget«: sagsfremstillingen er ændret.",
                "Punkt 2 »Handleplan« er sat på dagsordenen.",
            ]
        );
    }

    #[test]
    fn a_new_place_and_a_new_title() {
        let sent = agenda(json!([item(1, "a", "Budget", "t")]));
        let mut now = agenda(json!([item(1, "a", "Budget 2023", "t")]));
        now["meeting"]["place"] = json!("Mødelokale C");
        assert_eq!(
            changes(&sent, &now),
            vec![
                "Mødestedet er nu Mødelokale C.",
                "Punkt 1 hedder nu »Budget 2023« (før »Budget«).",
            ]
        );
    }

    #[test]
    fn another_paper_says_its_content_changed() {
        let sent = json!({"meta": {"title": "Handleplan"}, "actions": [1]});
        let now = json!({"meta": {"title": "Handleplan"}, "actions": [1, 2]});
        assert_eq!(changes(&sent, &now), vec!["Indholdet er ændret."]);
    }

    #[test]
    fn corrected_editions_are_numbered_beside_the_paper() {
        assert_eq!(
            corrected_path("m/dagsorden.pdf", 1),
            "m/dagsorden-rettet.pdf"
        );
        assert_eq!(
            corrected_path("m/dagsorden.pdf", 3),
            "m/dagsorden-rettet-3.pdf"
        );
    }
}
