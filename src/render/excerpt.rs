//! An agenda item's PDF, cut from its agenda's layout: the pages from the item's marker to the
//! next item's, exported as a document of their own.

use std::collections::BTreeMap;
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

/// Where each agenda item's pages are in an agenda's layout, found once for all its items (an
/// agenda of thousands of items is cut in time linear in its items).
pub(super) struct ItemPages(BTreeMap<i64, Range<usize>>);

impl ItemPages {
    /// Each item's pages: from its `<udvalg-item>` marker to the page before the next item's,
    /// or to the end.
    pub(super) fn of(paged: &PagedDocument) -> Self {
        let mut starts = marker_pages(paged, ITEM_MARKER);
        starts.sort_by_key(|(page, _)| *page);
        let mut pages = BTreeMap::new();
        for (i, (start, number)) in starts.iter().enumerate() {
            let end = starts[i..]
                .iter()
                .map(|(page, _)| *page)
                .find(|page| page > start)
                .unwrap_or(paged.pages().len());
            pages.entry(*number).or_insert(*start..end);
        }
        Self(pages)
    }

    /// The page (from 0) on which item `number` begins.
    pub(super) fn first_page(&self, number: u64) -> Option<usize> {
        let number = i64::try_from(number).ok()?;
        self.0.get(&number).map(|pages| pages.start)
    }

    /// Item `number`'s pages of the agenda written at `agenda`, as a document titled as `item`.
    pub(super) fn cut(
        &self,
        paged: &PagedDocument,
        number: u64,
        agenda: &str,
        item: &Output,
    ) -> Result<PagedDocument, Vec<Diagnostic>> {
        let pages = i64::try_from(number)
            .ok()
            .and_then(|number| self.0.get(&number));
        let Some(pages) = pages else {
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
            paged.pages()[pages.clone()].iter().cloned().collect(),
            info,
        ))
    }
}

/// The page (from 0) and number of each `#metadata(number) <label>` marker in `paged`.
pub(super) fn marker_pages(paged: &PagedDocument, label: &str) -> Vec<(usize, i64)> {
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return Vec::new();
    };
    let introspector = paged.introspector();
    introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|marker| {
            let page = introspector.page(marker.location()?)?.get() - 1;
            match &marker.to_packed::<MetadataElem>()?.value {
                Value::Int(n) => Some((page, *n)),
                _ => None,
            }
        })
        .collect()
}
