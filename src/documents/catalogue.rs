//! Every document of a plan, asked of each kind in turn: a meeting's papers (meetings in
//! parallel, put together in their order), then those that stand outside any meeting.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::attachments::{self, Attachment};
use super::document::{CopiedFile, Document};
use super::{DocumentKind, agenda};
use crate::plan::Plan;
use crate::plan::model::Meeting;

#[derive(Debug, Default)]
pub struct Catalogue {
    pub documents: Vec<Document>,
    pub files: Vec<CopiedFile>,
}

/// Which documents a run wants.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub meeting: Option<String>,
    pub kind: Option<DocumentKind>,
}

impl Selection {
    pub fn wants(&self, kind: DocumentKind, meeting: Option<&str>) -> bool {
        self.kind.is_none_or(|k| k == kind) && self.wants_meeting(meeting)
    }

    pub fn wants_meeting(&self, meeting: Option<&str>) -> bool {
        match &self.meeting {
            Some(wanted) => meeting == Some(wanted.as_str()),
            None => true,
        }
    }
}

/// What the kinds add to: the documents and copied files that the selection wants.
pub(super) struct Collected<'s> {
    selection: &'s Selection,
    catalogue: Catalogue,
}

impl Collected<'_> {
    pub(super) fn push(&mut self, document: Document) {
        if self
            .selection
            .wants(document.kind, document.meeting.as_deref())
        {
            self.catalogue.documents.push(document);
        }
    }

    /// Files are copied by builds of every kind of document, for the meetings selected.
    pub(super) fn copy(&mut self, file: CopiedFile) {
        if self.selection.kind.is_none() && self.selection.wants_meeting(Some(&file.meeting)) {
            self.catalogue.files.push(file);
        }
    }
}

/// One meeting, as its papers are made: the meeting, its attachments, and its agenda, which
/// the agenda items are cut from.
pub(super) struct MeetingPapers<'a> {
    pub plan: &'a Plan,
    pub meeting: &'a Meeting,
    /// Every item's attachments, in the order of the items.
    pub attachments: Vec<Attachment>,
    agenda: OnceLock<Arc<Document>>,
}

impl MeetingPapers<'_> {
    pub fn id(&self) -> &String {
        self.meeting.id.get_ref()
    }

    /// The members' agenda, made once for the agenda and the items cut from it.
    pub fn agenda(&self) -> &Arc<Document> {
        self.agenda.get_or_init(|| {
            let agenda = Arc::new(agenda::members_agenda(self));
            // Serialised before it is shared, so that the agenda and its items share one JSON.
            agenda.json();
            agenda
        })
    }

    /// Whether some item is closed: then the agenda and the minutes have a public edition.
    pub fn has_closed(&self) -> bool {
        self.meeting.items.iter().any(|i| i.closed)
    }

    /// The day the meeting's papers go out: its agenda, items, invitation and attachments.
    pub fn send_out(&self) -> chrono::NaiveDate {
        self.plan.send_out_date(self.meeting)
    }

    /// `path`, inside the meeting's folder.
    pub fn path(&self, path: &str) -> String {
        format!("{}/{path}", self.id())
    }
}

/// Every document of a valid plan that the selection wants, in a fixed order.
pub fn catalogue(plan: &Plan, selection: &Selection) -> Catalogue {
    let meetings: Vec<Catalogue> = plan
        .meetings
        .par_iter()
        .map(|meeting| meeting_catalogue(plan, meeting, selection))
        .collect();
    let mut out = Collected {
        selection,
        catalogue: Catalogue::default(),
    };
    for meeting in meetings {
        out.catalogue.documents.extend(meeting.documents);
        out.catalogue.files.extend(meeting.files);
    }
    if selection.meeting.is_none() {
        for kind in DocumentKind::ALL {
            kind.papers().of_plan(plan, &mut out);
        }
    }
    out.catalogue
}

/// The documents and copied files of one meeting that the selection wants.
fn meeting_catalogue(plan: &Plan, meeting: &Meeting, selection: &Selection) -> Catalogue {
    let mut out = Collected {
        selection,
        catalogue: Catalogue::default(),
    };
    let papers = MeetingPapers {
        plan,
        meeting,
        attachments: if meeting.has_agenda() {
            attachments::of_meeting(plan, meeting)
        } else {
            Vec::new()
        },
        agenda: OnceLock::new(),
    };
    for kind in DocumentKind::ALL {
        kind.papers().of_meeting(&papers, &mut out);
    }
    attachments::make(&papers, &mut out);
    out.catalogue
}
