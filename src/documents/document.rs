//! A document to render: its kind, where it is written, and the view its template reads.

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
    /// Whether the file may be published (belongs to the public set). False for:
    /// - a meeting's members' agenda and full minutes when the meeting has a closed item or
    ///   an attachment not for publication (its `-offentlig` editions are the public ones);
    /// - an attachment of a closed item, or one marked `public = false`;
    /// - a file (or generated document) that a meeting attaches both to a closed item (or with
    ///   `public = false`) and to an open one: it is the closed item's, so it is not published,
    ///   and `check` warns at the open item's attachment;
    /// - an edition re-made from the sent ledger that the plan no longer makes (the plan no
    ///   longer vouches for it); one the plan still makes is public as the plan's paper is;
    /// - documents outside the catalogue (the consultation package of `udvalg consult`).
    ///
    /// True for every other paper of the catalogue: the public agenda and minutes, open items'
    /// own PDFs (which never list a non-public attachment), invitations, the strategy, process
    /// plan, action plans, key figures, summaries. [`Document::new`] makes it false: each kind
    /// says which of its papers are public, so a kind that forgets publishes nothing.
    pub public: bool,
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
            public: false,
        }
    }

    /// Whether the file may be published; see [`Document::public`](Self#structfield.public).
    pub fn public(mut self, public: bool) -> Self {
        self.public = public;
        self
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

    /// The same document laid out from another view.
    pub fn with_view(&self, view: Value) -> Self {
        Self {
            kind: self.kind,
            meeting: self.meeting.clone(),
            path: self.path.clone(),
            title: self.title.clone(),
            view,
            json: OnceLock::new(),
            excerpt: self.excerpt.clone(),
            sent_on: self.sent_on,
            public: self.public,
        }
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

/// A file kept with the plan that a meeting attaches, copied as it is: the bytes read (once)
/// when the plan was loaded, never the path again.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    /// The path in the plan folder it was read from, as the plan writes it.
    pub from: String,
    pub bytes: bytes::Bytes,
    /// Where it is written, relative to the output directory.
    pub path: String,
    pub meeting: String,
    /// Whether the file may be published: false for an attachment of a closed item, one
    /// marked `public = false`, and a file that a closed item (or a `public = false`
    /// attachment) of the meeting has too. See [`Document::public`](Document#structfield.public).
    pub public: bool,
}
