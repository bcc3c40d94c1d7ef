//! The size of an attachment that the build makes itself (a strategy draft, an action plan, the
//! process plan) is known only once it is rendered. The papers that list attachments (agendas,
//! their items, the minutes) are made with such a size left open; the build renders the
//! attachments first and fills the sizes in before it lays those papers out.
//!
//! The sizes go into the view the paper is laid out from and that the build record hashes (a
//! changed attachment makes the agenda that lists it current again), but not into the view the
//! sent ledger keeps: a paper that went out is compared with the plan by what the plan says,
//! and an attachment laid out anew by a newer template is no change to what the members got.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::Document;
use super::item::file_size;

/// Where each attachment that `documents` list without a size is written, in the output
/// folder: the attachments to render first.
pub fn unsized_attachments(documents: &[Document]) -> Vec<String> {
    let mut paths = Vec::new();
    let mut layouts_seen = std::collections::HashSet::new();
    for document in documents {
        unsized_in(document, &mut paths);
        // An agenda item's agenda lists what the item's own view does not (its closed items').
        let layout = document.layout();
        if !std::ptr::eq(layout, document) && layouts_seen.insert(layout.path.as_str()) {
            unsized_in(layout, &mut paths);
        }
    }
    paths.sort_unstable();
    paths.dedup();
    paths
}

fn unsized_in(document: &Document, paths: &mut Vec<String>) {
    let Some(meeting) = &document.meeting else {
        return;
    };
    for entry in listed(document.view()) {
        if let (Value::Null, Some(href)) = (&entry["size"], entry["href"].as_str()) {
            paths.push(format!("{meeting}/{href}"));
        }
    }
}

/// `documents` with the sizes of the attachments they list filled in from `size_of`: the
/// build gives the sizes of what it rendered first, `status` those of the build record.
pub fn fill(documents: &mut [Document], size_of: &dyn Fn(&str) -> Option<u64>) {
    let mut layouts = HashMap::new();
    for doc in documents.iter_mut() {
        if let Some(filled) = with_sizes(doc, size_of, &mut layouts) {
            *doc = filled;
        }
    }
}

/// `document` with the size of every attachment it lists without one filled in from
/// `size_of` (by the attachment's path in the output folder), and the agenda it is cut from
/// likewise; `None` if it lists no such attachment. `layouts` keeps the agendas filled in so
/// far, so that the items of one agenda share one.
pub fn with_sizes(
    document: &Document,
    size_of: &dyn Fn(&str) -> Option<u64>,
    layouts: &mut HashMap<String, Option<Arc<Document>>>,
) -> Option<Document> {
    let from = document.excerpt.as_ref().and_then(|excerpt| {
        layouts
            .entry(excerpt.from.path.clone())
            .or_insert_with(|| filled(&excerpt.from, size_of).map(Arc::new))
            .clone()
    });
    let own = filled(document, size_of);
    if own.is_none() && from.is_none() {
        return None;
    }
    let mut document = own.unwrap_or_else(|| document.clone());
    if let (Some(from), Some(excerpt)) = (from, &mut document.excerpt) {
        excerpt.from = from;
    }
    Some(document)
}

/// `document` with its own listed sizes filled in, if it lists an attachment without one.
fn filled(document: &Document, size_of: &dyn Fn(&str) -> Option<u64>) -> Option<Document> {
    let meeting = document.meeting.as_deref()?;
    let open = |entry: &Value| entry["size"].is_null() && entry["href"].is_string();
    if !listed(document.view()).any(open) {
        return None;
    }
    let mut view = document.view().clone();
    for entry in listed_mut(&mut view) {
        if !open(entry) {
            continue;
        }
        let path = format!("{meeting}/{}", entry["href"].as_str().unwrap_or_default());
        if let Some(bytes) = size_of(&path) {
            entry["size"] = json!(file_size(bytes));
        }
    }
    Some(document.with_view(view))
}

/// The attachment entries of a view: those of each of its items (an agenda, the minutes) and
/// of its one item (an agenda item's PDF).
fn listed(view: &Value) -> impl Iterator<Item = &Value> {
    let items = view.get("items").and_then(Value::as_array).into_iter();
    items
        .flatten()
        .chain(view.get("item"))
        .filter_map(|item| item.get("attachments").and_then(Value::as_array))
        .flatten()
}

fn listed_mut(view: &mut Value) -> Vec<&mut Value> {
    let Value::Object(view) = view else {
        return Vec::new();
    };
    let mut items: Vec<&mut Value> = Vec::new();
    let mut one = None;
    for (key, value) in view.iter_mut() {
        match (key.as_str(), value) {
            ("items", Value::Array(all)) => items.extend(all.iter_mut()),
            ("item", item) => one = Some(item),
            _ => {}
        }
    }
    items
        .into_iter()
        .chain(one)
        .filter_map(|item| match item.get_mut("attachments") {
            Some(Value::Array(entries)) => Some(entries.iter_mut()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::DocumentKind;

    fn agenda(attachments: Value) -> Document {
        let view = json!({
            "meta": {},
            "items": [
                { "number": 1, "attachments": attachments },
                { "number": 2, "attachments": [] },
            ],
        });
        Document::new(
            DocumentKind::Agenda,
            Some("m".into()),
            "m/dagsorden.pdf".into(),
            "Dagsorden".into(),
            view,
        )
    }

    fn sizes(view: &Value) -> Vec<Value> {
        listed(view).map(|entry| entry["size"].clone()).collect()
    }

    #[test]
    fn a_made_attachment_gets_its_rendered_size_and_a_copied_file_keeps_its_own() {
        let agenda = agenda(json!([
            { "href": "bilag/strategi.pdf", "size": null },
            { "href": "bilag/notat.pdf", "size": "12\u{a0}kB" },
        ]));
        assert_eq!(
            unsized_attachments(std::slice::from_ref(&agenda)),
            ["m/bilag/strategi.pdf"]
        );
        let size_of = |path: &str| (path == "m/bilag/strategi.pdf").then_some(2_400_000);
        let filled = with_sizes(&agenda, &size_of, &mut HashMap::new()).expect("one to fill");
        assert_eq!(
            sizes(filled.view()),
            [json!("2,3\u{a0}MB"), json!("12\u{a0}kB")]
        );
        // The agenda as the plan makes it is untouched: the sent ledger compares that one.
        assert_eq!(sizes(agenda.view())[0], Value::Null);
    }

    #[test]
    fn an_item_cut_from_an_agenda_gets_the_filled_agenda_to_be_cut_from() {
        let agenda = Arc::new(agenda(json!([{ "href": "bilag/plan.pdf", "size": null }])));
        let item = Document::new(
            DocumentKind::AgendaItem,
            Some("m".into()),
            "m/punkt-02.pdf".into(),
            "Punkt 2".into(),
            json!({ "item": { "attachments": [] } }),
        )
        .excerpt_of(&agenda, 2);
        assert_eq!(
            unsized_attachments(std::slice::from_ref(&item)),
            ["m/bilag/plan.pdf"]
        );
        let mut layouts = HashMap::new();
        let filled = with_sizes(&item, &|_| Some(1000), &mut layouts).expect("its agenda");
        let from = &filled.excerpt.as_ref().unwrap().from;
        assert_eq!(sizes(from.view()), [json!("1\u{a0}kB")]);
        // A second item of the same agenda is cut from the same filled agenda.
        let again = with_sizes(&item, &|_| Some(1000), &mut layouts).unwrap();
        assert!(Arc::ptr_eq(from, &again.excerpt.unwrap().from));
    }

    #[test]
    fn a_paper_that_lists_no_made_attachment_is_left_as_it_is() {
        let agenda = agenda(json!([{ "href": "bilag/notat.pdf", "size": "3\u{a0}kB" }]));
        assert!(unsized_attachments(std::slice::from_ref(&agenda)).is_empty());
        assert!(with_sizes(&agenda, &|_| Some(1), &mut HashMap::new()).is_none());
    }
}
