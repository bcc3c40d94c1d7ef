//! Which layouts a run needs and in what order: an agenda and the items cut from it share one
//! layout; a meeting's layouts go together; the largest runs go first.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Done, RenderResult};
use crate::diagnostics::Diagnostic;
use crate::documents::Document;

/// One document to lay out and what to export from it: all that rendering needs, in a form
/// that can be sent to a worker process.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LayoutJob {
    pub template: String,
    /// Where the laid-out document is written (whether or not this run writes it).
    pub path: String,
    /// The view data, as `/view.json`.
    #[serde(with = "serde_bytes")]
    pub view: Vec<u8>,
    /// The meeting the layout belongs to, if any: a worker process takes a meeting's layouts
    /// together.
    #[serde(skip)]
    pub meeting: Option<String>,
    pub outputs: Vec<Output>,
}

/// A PDF exported from a layout: the whole document, or one agenda item's pages.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Output {
    /// The document's index in the run.
    pub index: usize,
    pub path: String,
    pub title: String,
    /// The agenda item whose pages are cut out.
    pub item: Option<u64>,
}

impl LayoutJob {
    /// Hands each of the job's results to `done`, then keeps it under its document's index.
    pub(super) fn finish(
        &self,
        results: impl IntoIterator<Item = RenderResult>,
        done: Done,
        into: &mut Vec<(usize, RenderResult)>,
    ) {
        for (output, mut result) in self.outputs.iter().zip(results) {
            done(output.index, &mut result);
            into.push((output.index, result));
        }
    }

    fn new(layout: &Layout, documents: &[&Document]) -> Self {
        let document = layout.document;
        Self {
            template: document.kind.template().to_string(),
            path: document.path.clone(),
            view: document.json().to_vec(),
            meeting: document.meeting.clone(),
            outputs: layout
                .outputs
                .iter()
                .map(|&index| {
                    let output = documents[index];
                    Output {
                        index,
                        path: output.path.clone(),
                        title: output.title.clone(),
                        item: output.excerpt.as_ref().map(|e| e.item),
                    }
                })
                .collect(),
        }
    }
}

/// Why the document at `path` has no PDF.
pub(super) fn not_rendered(path: &str, message: &str) -> Vec<Diagnostic> {
    vec![Diagnostic::error(message).with_help(format!("while rendering {path}"))]
}

/// The run's layouts in the catalogue's order, and that order in runs of one meeting's layouts.
/// Threads take the layouts in this order: a meeting's papers, and the meetings of one
/// committee, share much of their layout in the memo cache. Worker processes take whole runs.
pub(super) fn schedule(documents: &[&Document]) -> (Vec<LayoutJob>, Vec<Range<usize>>) {
    let queue: Vec<LayoutJob> = layouts(documents)
        .iter()
        .map(|layout| LayoutJob::new(layout, documents))
        .collect();
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, job) in queue.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if job.meeting.is_some() && queue[run.start].meeting == job.meeting => {
                run.end = i + 1;
            }
            _ => runs.push(i..i + 1),
        }
    }
    (queue, runs)
}

/// `runs` by their view data, largest first, so that no long paper (such as a year's process
/// plan, last in the catalogue) is left to one core while the others have finished.
pub(super) fn largest_first(queue: &[LayoutJob], runs: &[Range<usize>]) -> Vec<Range<usize>> {
    let size =
        |run: &Range<usize>| -> usize { queue[run.clone()].iter().map(|j| j.view.len()).sum() };
    let mut runs = runs.to_vec();
    runs.sort_by_cached_key(|run| std::cmp::Reverse(size(run)));
    runs
}

/// One layout and the documents exported from it, by their index in the run.
struct Layout<'a> {
    document: &'a Document,
    outputs: Vec<usize>,
}

/// The run's documents grouped by the layout their pages come from, in the order they first
/// appear: an agenda and the items cut from it share one.
fn layouts<'a>(documents: &[&'a Document]) -> Vec<Layout<'a>> {
    let mut layouts: Vec<Layout<'a>> = Vec::new();
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    for (i, document) in documents.iter().enumerate() {
        let layout = document.layout();
        let at = *by_path.entry(layout.path.as_str()).or_insert_with(|| {
            layouts.push(Layout {
                document: layout,
                outputs: Vec::new(),
            });
            layouts.len() - 1
        });
        layouts[at].outputs.push(i);
    }
    layouts
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::documents::DocumentKind;

    fn document(kind: DocumentKind, path: &str) -> Document {
        Document::new(kind, None, path.into(), path.into(), json!({}))
    }

    fn sized(meeting: Option<&str>, path: &str, text_len: usize) -> Document {
        let view = json!({ "text": "x".repeat(text_len) });
        let meeting = meeting.map(String::from);
        Document::new(
            DocumentKind::Agenda,
            meeting,
            path.into(),
            path.into(),
            view,
        )
    }

    #[test]
    fn a_meeting_renders_together_and_the_largest_go_first() {
        let run = [
            sized(Some("a"), "a/dagsorden.pdf", 100),
            sized(Some("a"), "a/dagsorden-offentlig.pdf", 100),
            sized(Some("b"), "b/dagsorden.pdf", 300),
            sized(None, "procesplan.pdf", 250),
            sized(Some("c"), "c/dagsorden.pdf", 10),
        ];
        let documents: Vec<&Document> = run.iter().collect();
        let (queue, runs) = schedule(&documents);
        let order: Vec<&str> = queue.iter().map(|job| job.path.as_str()).collect();
        assert_eq!(
            order,
            run.iter().map(|d| d.path.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(runs, [0..2, 2..3, 3..4, 4..5]);
        assert_eq!(queue[1].outputs[0].index, 1);
        assert_eq!(largest_first(&queue, &runs), [2..3, 3..4, 0..2, 4..5]);
    }

    #[test]
    fn items_are_cut_from_their_agendas_one_layout() {
        let agenda = Arc::new(document(DocumentKind::Agenda, "m/dagsorden.pdf"));
        let first = document(DocumentKind::AgendaItem, "m/punkt-01.pdf").excerpt_of(&agenda, 1);
        let second = document(DocumentKind::AgendaItem, "m/punkt-02.pdf").excerpt_of(&agenda, 2);
        let minutes = document(DocumentKind::Minutes, "m/referat.pdf");
        let agenda_copy = Document::clone(&agenda);

        let run = [&first, &minutes, &agenda_copy, &second];
        let grouped: Vec<(&str, Vec<usize>)> = layouts(&run)
            .into_iter()
            .map(|l| (l.document.path.as_str(), l.outputs))
            .collect();
        assert_eq!(
            grouped,
            [
                ("m/dagsorden.pdf", vec![0, 2, 3]),
                ("m/referat.pdf", vec![1])
            ]
        );

        // Items alone: the agenda is laid out for them but is not one of the outputs.
        let items_only = [&second];
        let grouped = layouts(&items_only);
        assert_eq!(grouped.len(), 1);
        assert_eq!(grouped[0].document.path, "m/dagsorden.pdf");
        assert_eq!(grouped[0].outputs, [0]);
    }
}
