//! An agenda item's PDF, cut from its agenda's layout: the pages from the item's marker to the
//! next item's, exported as a document of their own.

use std::ops::Range;

use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::model::Document as _;
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::schedule::Output;
use crate::diagnostics::Diagnostic;

/// The label with which lib/item.typ marks where an agenda item's pages begin.
const ITEM_MARKER: &str = "udvalg-item";

/// Item `number`'s pages of the agenda written at `agenda`, as a document titled as `item`.
pub(super) fn cut_item(
    paged: &PagedDocument,
    number: u64,
    agenda: &str,
    item: &Output,
) -> Result<PagedDocument, Vec<Diagnostic>> {
    let Some(pages) = item_pages(paged, number) else {
        return Err(vec![
            Diagnostic::error(format!(
                "the agenda {agenda} has no pages for item {number}"
            ))
            .with_help(format!("while rendering {}", item.path))
            .with_help("lib/item.typ must mark where each item begins with `<udvalg-item>`"),
        ]);
    };
    let mut info = paged.info().clone();
    info.title = Some(item.title.as_str().into());
    Ok(PagedDocument::new(
        paged.pages()[pages].iter().cloned().collect(),
        info,
    ))
}

/// The pages of item `number`: from its `<udvalg-item>` marker to the page before the next
/// item's, or to the end.
fn item_pages(paged: &PagedDocument, number: u64) -> Option<Range<usize>> {
    let label = Label::new(PicoStr::intern(ITEM_MARKER))?;
    let introspector = paged.introspector();
    let mut starts: Vec<(usize, Option<i64>)> = introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|marker| {
            let page = introspector.page(marker.location()?)?.get() - 1;
            let value = match &marker.to_packed::<MetadataElem>()?.value {
                Value::Int(n) => Some(*n),
                _ => None,
            };
            Some((page, value))
        })
        .collect();
    starts.sort_by_key(|(page, _)| *page);
    let start = starts
        .iter()
        .find(|(_, value)| *value == i64::try_from(number).ok())?
        .0;
    let end = starts
        .iter()
        .map(|(page, _)| *page)
        .find(|page| *page > start)
        .unwrap_or(paged.pages().len());
    Some(start..end)
}
