//! A document to render: its kind, where it is written, and the view its template reads.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use serde_json::Value;

use super::DocumentKind;

/// One document to render.
#[derive(Debug, Clone)]
pub struct Document {
    pub kind: DocumentKind,
    /// The meeting it belongs to, if any.
    pub meeting: Option<String>,
    /// Where it is written, relative to the output directory, with `/` separators.
    pub path: String,
    pub title: String,
    /// The data the template reads as `/view.json`.
    view: Value,
    /// `view` as the bytes the template reads; serialised once, on first use, for the build
    /// record's hash, the renderer and its scheduling alike.
    json: OnceLock<Arc<[u8]>>,
    /// Set when the pages are cut from another document's layout rather than laid out alone.
    pub excerpt: Option<Excerpt>,
    /// The day the paper goes out to the members, for the papers a meeting sends: once that
    /// day has passed, what went out is kept and a change is a corrected edition.
    pub sent_on: Option<NaiveDate>,
}

/// An agenda item's pages, as its agenda lays them out: the agenda is laid out once and each
/// item's PDF is cut from it. The item's own `view` holds exactly what those pages show, so the
/// build record still knows when the item changed.
#[derive(Debug, Clone)]
pub struct Excerpt {
    pub from: Arc<Document>,
    /// The number the template gives the item's `<udvalg-item>` marker.
    pub item: u64,
}

impl Document {
    pub fn new(
        kind: DocumentKind,
        meeting: Option<String>,
        path: String,
        title: String,
        view: Value,
    ) -> Self {
        Self {
            kind,
            meeting,
            path,
            title,
            view,
            json: OnceLock::new(),
            excerpt: None,
            sent_on: None,
        }
    }

    pub fn sent_on(mut self, day: NaiveDate) -> Self {
        self.sent_on = Some(day);
        self
    }

    pub fn excerpt_of(mut self, from: &Arc<Document>, item: u64) -> Self {
        self.excerpt = Some(Excerpt {
            from: Arc::clone(from),
            item,
        });
        self
    }

    /// The document whose layout this one's pages come from: itself, or the one it is cut from.
    pub fn layout(&self) -> &Document {
        self.excerpt.as_ref().map_or(self, |e| &e.from)
    }

    pub fn view(&self) -> &Value {
        &self.view
    }

    /// The view as the JSON file the template reads.
    pub fn json(&self) -> &Arc<[u8]> {
        self.json.get_or_init(|| {
            serde_json::to_vec_pretty(&self.view)
                .unwrap_or_default()
                .into()
        })
    }

    /// A draft carries the UDKAST mark.
    pub fn is_draft(&self) -> bool {
        self.view["meta"]["draft"].as_bool().unwrap_or(false)
    }
}

/// A file kept with the plan that a meeting attaches, copied as it is.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    pub from: PathBuf,
    pub path: String,
    pub meeting: String,
}
