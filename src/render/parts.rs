//! An agenda of very many items, laid out in parts: Typst keeps every page of a layout and what
//! it learnt making it until the layout ends (about half a megabyte a page), so a 5,000-item
//! agenda laid out whole needs gigabytes. In parts of a few hundred items the memory is that of
//! one part, whatever the meeting's length.
//!
//! Each part is the agenda's template over the view with some of its items (`part` in
//! agenda.typ). The parts are laid out twice: first to measure (no footer, nothing that asks for
//! a page number, so Typst lays each out once), which gives each item's pages; then as they are
//! printed, each knowing its first page number and the agenda's length, the first part with the
//! front page and the contents and their measured page numbers. An item's PDF is cut from its
//! part, as from a whole agenda; the parts' PDFs are joined into the agenda's ([`super::join`]).
//! Items begin on a page of their own, so an item's pages are the same in its part as in the
//! whole agenda.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Condvar, Mutex, PoisonError};

use serde_json::{Map, Value, json};
use typst::foundations::Bytes;
use typst::syntax::FileId;
use typst_layout::PagedDocument;

use super::compile::Laid;
use super::excerpt::{ItemPages, marker_pages};
use super::join::join_pdfs;
use super::schedule::LayoutJob;
use super::{RenderResult, Rendered, Renderer};
use crate::diagnostics::Diagnostic;

/// The label agenda.typ gives a closed item's line in a part: the line's page, for the contents.
const LINE_MARKER: &str = "udvalg-line";

/// How many times the front part is laid out again when its contents, with their page numbers
/// filled in, take more or fewer pages than measured.
const FRONT_ATTEMPTS: usize = 4;

/// How many items the agendas laid out in parts at the same time may have together: each holds
/// its items' PDFs and its parts' until it is joined (about 0.15 MB an item), so two agendas of a
/// thousand items are laid out side by side, one of 5,000 alone.
const ITEMS_AT_ONCE: usize = 2_500;

/// The items of the agendas being laid out in parts.
static IN_PARTS: Mutex<usize> = Mutex::new(0);
static PARTS_DONE: Condvar = Condvar::new();

/// A place among the agendas laid out in parts: given back when dropped.
struct Admitted(usize);

impl Admitted {
    /// Waits until `items` more fit under [`ITEMS_AT_ONCE`], or no other agenda is in parts.
    fn wait(items: usize) -> Self {
        let mut busy = IN_PARTS.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy > 0 && *busy + items > ITEMS_AT_ONCE {
            busy = PARTS_DONE
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *busy += items;
        Self(items)
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut busy = IN_PARTS.lock().unwrap_or_else(PoisonError::into_inner);
        *busy = busy.saturating_sub(self.0);
        PARTS_DONE.notify_all();
    }
}

/// One item of the agenda, as the contents name it.
struct Entry {
    number: u64,
    title: String,
    closed: bool,
    hidden: bool,
}

/// A part as measured: its length, and where each of its items begins, counted from its first
/// page (0).
struct Measured {
    pages: usize,
    starts: BTreeMap<u64, usize>,
}

/// A part as printed.
struct Printed {
    pdf: Vec<u8>,
    items: Vec<(usize, RenderResult)>,
}

impl Renderer {
    /// The job's results, if it is an agenda of more items than a part holds; `None` for any
    /// other job, which is laid out whole.
    pub(super) fn render_in_parts(
        &self,
        job: &LayoutJob,
        main: FileId,
    ) -> Option<Vec<RenderResult>> {
        if job.template != "agenda.typ" {
            return None;
        }
        let Ok(Value::Object(mut view)) = serde_json::from_slice::<Value>(&job.view) else {
            return None;
        };
        let long = view
            .get("items")
            .and_then(Value::as_array)
            .is_some_and(|items| items.len() > self.limits.part_items);
        if !long || view.get("compact") == Some(&Value::Bool(true)) {
            return None;
        }
        let Some(Value::Array(items)) = view.remove("items") else {
            return None;
        };
        let entries: Option<Vec<Entry>> = items.iter().map(Entry::of).collect();
        let entries = entries?;
        let ranges = split(&entries, self.limits.part_items);
        // The time limit counts from here: waiting is not laying out. (An agenda left running
        // past its limit keeps its place, and one waiting behind it is reported as stopped at
        // its own limit rather than waiting for good.)
        let _admitted = Admitted::wait(items.len());
        super::guard::restart_clock();
        let parts = Parts {
            renderer: self,
            job,
            main,
            view: &view,
            items: &items,
            entries: &entries,
            ranges: &ranges,
            item_outputs: job
                .outputs
                .iter()
                .enumerate()
                .filter_map(|(i, output)| Some((output.item?, i)))
                .collect(),
        };
        Some(match parts.render() {
            Ok(results) => results,
            Err(errors) => {
                let mut first = Some(errors);
                job.outputs
                    .iter()
                    .map(|_| Err(first.take().unwrap_or_default()))
                    .collect()
            }
        })
    }
}

impl Entry {
    fn of(item: &Value) -> Option<Self> {
        Some(Self {
            number: item.get("number")?.as_u64()?,
            title: item.get("title")?.as_str()?.to_string(),
            closed: item.get("closed")?.as_bool()?,
            hidden: item.get("hidden")?.as_bool()?,
        })
    }
}

/// The items of each part: the first part (the front page and contents) holds the closed lines
/// that come before the first item with pages of its own; every other part begins with such an
/// item and holds about `per_part` items, and the closed lines after its last one, which are
/// printed under it.
fn split(entries: &[Entry], per_part: usize) -> Vec<Range<usize>> {
    let per_part = per_part.max(1);
    let front = entries.iter().take_while(|e| e.hidden).count();
    let mut ranges = Vec::new();
    ranges.push(0..front);
    let mut start = front;
    while start < entries.len() {
        let mut end = (start + per_part).min(entries.len());
        while end < entries.len() && entries[end].hidden {
            end += 1;
        }
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// One agenda's parts, and what laying them out needs.
struct Parts<'a> {
    renderer: &'a Renderer,
    job: &'a LayoutJob,
    main: FileId,
    /// The agenda's view without its items.
    view: &'a Map<String, Value>,
    items: &'a [Value],
    entries: &'a [Entry],
    ranges: &'a [Range<usize>],
    /// The job's outputs that are items' PDFs, by item number.
    item_outputs: BTreeMap<u64, usize>,
}

impl Parts<'_> {
    fn render(&self) -> Result<Vec<RenderResult>, Vec<Diagnostic>> {
        let mut warnings = Vec::new();
        let mut measured = Vec::new();
        for index in 1..self.ranges.len() {
            let laid = self.lay_out(index, &part(true, 1, 1, &[]))?;
            measured.push(self.measure(index, &laid.paged)?);
            forget(laid, &mut warnings);
        }
        let body_pages: usize = measured.iter().map(|m| m.pages).sum();

        // The front part: its contents give every item's page, which depends on how many pages
        // the contents take; measured once, then printed until the two agree.
        let (mut front_pages, mut lines) = {
            let contents = self.contents(1, &BTreeMap::new(), &measured);
            let laid = self.lay_out(0, &part(true, 1, 1, &contents))?;
            let measured = (laid.paged.pages().len(), line_pages(&laid.paged));
            forget(laid, &mut warnings);
            measured
        };
        let mut attempts = 0;
        let (front, templates) = loop {
            let contents = self.contents(front_pages, &lines, &measured);
            let total = front_pages + body_pages;
            let laid = self.lay_out(0, &part(false, 1, total, &contents))?;
            let now = (laid.paged.pages().len(), line_pages(&laid.paged));
            if now == (front_pages, lines) {
                let templates = self.renderer.templates_read(&laid.world);
                break (self.print(0, laid, &mut warnings)?, templates);
            }
            attempts += 1;
            if attempts == FRONT_ATTEMPTS {
                return Err(vec![self.unsettled("its front page and contents")]);
            }
            (front_pages, lines) = now;
            forget(laid, &mut warnings);
        };

        let total = front_pages + body_pages;
        let mut pdfs = vec![front.pdf];
        let mut items: HashMap<usize, RenderResult> = front.items.into_iter().collect();
        let mut first_page = front_pages + 1;
        for (index, measured) in (1..self.ranges.len()).zip(&measured) {
            let laid = self.lay_out(index, &part(false, first_page, total, &[]))?;
            if laid.paged.pages().len() != measured.pages {
                return Err(vec![self.unsettled(&format!(
                    "items {} to {}",
                    self.entries[self.ranges[index].start].number,
                    self.entries[self.ranges[index].end - 1].number
                ))]);
            }
            let printed = self.print(index, laid, &mut warnings)?;
            pdfs.push(printed.pdf);
            items.extend(printed.items);
            first_page += measured.pages;
        }

        let agenda = join_pdfs(&pdfs).map_err(|e| {
            vec![
                Diagnostic::error(format!(
                    "could not join the parts of {}: {e}",
                    self.job.path
                ))
                .with_help("this is a fault in udvalg; please report it"),
            ]
        })?;
        drop(pdfs);
        let mut agenda = Some(agenda);
        let mut warnings = Some(crate::diagnostics::merge_repeats(warnings));
        Ok(self
            .job
            .outputs
            .iter()
            .enumerate()
            .map(|(i, output)| {
                let mut result = match output.item {
                    None => Ok(Rendered {
                        pdf: agenda.take().unwrap_or_default().into(),
                        pages: total,
                        warnings: Vec::new(),
                        templates: templates.clone(),
                    }),
                    Some(_) => items.remove(&i).unwrap_or_else(|| {
                        Err(vec![Diagnostic::error(format!(
                            "the agenda {} has no pages for {}",
                            self.job.path, output.path
                        ))])
                    }),
                };
                if let Ok(rendered) = &mut result {
                    rendered.warnings = warnings.take().unwrap_or_default();
                    rendered.templates = templates.clone();
                }
                result
            })
            .collect())
    }

    /// Part `index` laid out with the `part` settings of agenda.typ.
    fn lay_out(&self, index: usize, part: &Value) -> Result<Laid<'_>, Vec<Diagnostic>> {
        let range = self.ranges[index].clone();
        let mut view = self.view.clone();
        view.insert(
            "items".into(),
            Value::Array(self.items[range.clone()].to_vec()),
        );
        let mut part = part.clone();
        if let Value::Object(fields) = &mut part {
            fields.insert("front".into(), Value::Bool(index == 0));
            // The item counter of the footers counts the items with pages of their own.
            let before = self.entries[..range.start]
                .iter()
                .filter(|e| !e.hidden)
                .count();
            fields.insert("first_index".into(), json!(before));
        }
        view.insert("part".into(), part);
        let bytes = serde_json::to_vec(&Value::Object(view)).unwrap_or_default();
        self.renderer
            .lay_out(self.job, self.main, Bytes::new(bytes))
    }

    /// Where part `index`'s items begin in its own pages.
    fn measure(&self, index: usize, paged: &PagedDocument) -> Result<Measured, Vec<Diagnostic>> {
        let pages = ItemPages::of(paged);
        let lines = line_pages(paged);
        let mut starts = BTreeMap::new();
        for entry in &self.entries[self.ranges[index].clone()] {
            let start = if entry.hidden {
                lines.get(&entry.number).copied()
            } else {
                pages.first_page(entry.number)
            };
            let Some(start) = start else {
                return Err(vec![self.unsettled(&format!("item {}", entry.number))]);
            };
            starts.insert(entry.number, start);
        }
        Ok(Measured {
            pages: paged.pages().len(),
            starts,
        })
    }

    /// The contents: every item with its page, the body parts beginning after `front_pages`,
    /// the front part's own closed lines at the pages in `lines`.
    fn contents(
        &self,
        front_pages: usize,
        lines: &BTreeMap<u64, usize>,
        measured: &[Measured],
    ) -> Vec<Value> {
        let mut pages: BTreeMap<u64, usize> = lines.iter().map(|(n, p)| (*n, p + 1)).collect();
        let mut first = front_pages + 1;
        for part in measured {
            pages.extend(part.starts.iter().map(|(n, p)| (*n, first + p)));
            first += part.pages;
        }
        self.entries
            .iter()
            .map(|e| {
                json!({
                    "number": e.number,
                    "title": e.title,
                    "closed": e.closed,
                    "hidden": e.hidden,
                    "page": pages.get(&e.number).copied().unwrap_or(front_pages),
                })
            })
            .collect()
    }

    /// Part `index`'s PDF and the PDFs of its items, cut from its pages.
    fn print(
        &self,
        index: usize,
        laid: Laid<'_>,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Printed, Vec<Diagnostic>> {
        let renderer = self.renderer;
        let Laid {
            world,
            paged,
            warnings: mine,
        } = laid;
        warnings.extend(mine);
        typst::comemo::evict(0);
        let pages = ItemPages::of(&paged);
        let mut items = Vec::new();
        for entry in &self.entries[self.ranges[index].clone()] {
            let Some(&i) = self
                .item_outputs
                .get(&entry.number)
                .filter(|_| !entry.hidden)
            else {
                continue;
            };
            let output = &self.job.outputs[i];
            let result = pages
                .cut(&paged, entry.number, &self.job.path, output)
                .and_then(|cut| {
                    Ok(Rendered {
                        pdf: renderer.export(&world, &output.path, &cut)?.into(),
                        pages: cut.pages().len(),
                        warnings: Vec::new(),
                        templates: BTreeMap::new(),
                    })
                });
            items.push((i, result));
        }
        let pdf = renderer.export(&world, &self.job.path, &paged)?;
        Ok(Printed { pdf, items })
    }

    /// The error of a part that came out with other pages than it was measured to have.
    fn unsettled(&self, what: &str) -> Diagnostic {
        Diagnostic::error(format!(
            "the agenda {} is laid out in parts, and {what} did not keep the pages measured for it",
            self.job.path
        ))
        .with_help("this is a fault in udvalg; a larger `agenda_part_items` in plan.toml lays out more of the agenda at once")
    }
}

/// The `part` settings of agenda.typ (the front flag and the first item are filled in by
/// [`Parts::lay_out`]).
fn part(measure: bool, first_page: usize, total: usize, contents: &[Value]) -> Value {
    json!({
        "measure": measure,
        "first_page": first_page,
        "total": total,
        "contents": contents,
    })
}

/// Ends a layout, keeping its warnings: its memo cache goes with it, or the parts' caches
/// would add up to the whole agenda's.
fn forget(laid: Laid<'_>, warnings: &mut Vec<Diagnostic>) {
    warnings.extend(laid.warnings);
    drop(laid.paged);
    typst::comemo::evict(0);
}

/// The page (from 0) of each closed item's line in `paged`.
fn line_pages(paged: &PagedDocument) -> BTreeMap<u64, usize> {
    marker_pages(paged, LINE_MARKER)
        .into_iter()
        .filter_map(|(page, number)| Some((u64::try_from(number).ok()?, page)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(hidden: &[bool]) -> Vec<Entry> {
        hidden
            .iter()
            .enumerate()
            .map(|(i, &hidden)| Entry {
                number: i as u64 + 1,
                title: String::new(),
                closed: hidden,
                hidden,
            })
            .collect()
    }

    #[test]
    fn a_closed_line_stays_in_the_part_of_the_item_it_follows() {
        let open = entries(&[false; 7]);
        assert_eq!(split(&open, 3), [0..0, 0..3, 3..6, 6..7]);
        let lines = entries(&[true, false, false, false, true, true, false, false]);
        assert_eq!(split(&lines, 3), [0..1, 1..6, 6..8]);
        let all_closed = split(&entries(&[true, true]), 3);
        assert_eq!(all_closed.len(), 1);
        assert_eq!(all_closed[0], 0..2);
    }
}
