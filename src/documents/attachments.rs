//! What a meeting's items attach, and where each is written inside the meeting's folder: a
//! generated document is made by its kind, a file kept with the plan is copied. The names and
//! whether each file may be published are the plan's ([`crate::plan::meeting_attachments`]),
//! so that `check` can say when two files would share a name.

use super::DocumentKind;
use super::catalogue::{Collected, MeetingPapers};
use super::document::{CopiedFile, Document};
use crate::plan::Plan;
use crate::plan::model::{AttachedFile, AttachmentSource, Meeting};

/// One item's attachment.
#[derive(Debug, Clone)]
pub(super) struct Attachment {
    pub item: String,
    pub title: String,
    /// Inside the meeting's folder.
    pub path: String,
    pub source: AttachmentSource,
    /// Whether its file may be published: if not, public papers leave it out.
    pub public: bool,
    /// The first listing of its file: where the file is made or copied.
    pub first: bool,
    /// For a file kept with the plan, its bytes.
    pub file: Option<AttachedFile>,
}

impl Attachment {
    /// A document of `kind` written where the attachment is, under its title.
    pub fn document(
        &self,
        meeting: &MeetingPapers,
        kind: DocumentKind,
        view: serde_json::Value,
    ) -> Document {
        Document::new(
            kind,
            Some(meeting.id().clone()),
            meeting.path(&self.path),
            self.title.clone(),
            view,
        )
        .sent_on(meeting.send_out())
        .public(self.public)
    }
}

/// The kind that makes an attached document; `None` for a copied file.
fn kind_of(source: &AttachmentSource) -> Option<DocumentKind> {
    Some(match source {
        AttachmentSource::Strategy { .. } => DocumentKind::Strategy,
        AttachmentSource::ProcessPlan => DocumentKind::ProcessPlan,
        AttachmentSource::ConsultationSummary { .. } => DocumentKind::ConsultationSummary,
        AttachmentSource::ActionPlan { .. } => DocumentKind::ActionPlan,
        AttachmentSource::KeyFigures { .. } => DocumentKind::KeyFigures,
        AttachmentSource::SeminarSummary { .. } => DocumentKind::SeminarSummary,
        AttachmentSource::File { .. } => return None,
    })
}

/// The documents and files a meeting's items attach; items that attach the same document or
/// the same file share it: it is made (or copied) once, where it is first attached.
pub(super) fn make(meeting: &MeetingPapers, out: &mut Collected) {
    for attachment in meeting.attachments.iter().filter(|a| a.first) {
        if let Some(kind) = kind_of(&attachment.source) {
            if let Some(document) = kind.papers().attached(meeting, attachment) {
                out.push(document);
            }
        } else if let (Some(file), AttachmentSource::File { path }) =
            (&attachment.file, &attachment.source)
        {
            out.copy(CopiedFile {
                from: path.get_ref().clone(),
                bytes: file.bytes.clone(),
                path: meeting.path(&attachment.path),
                meeting: meeting.id().clone(),
                public: attachment.public,
            });
        }
    }
}

/// Every item's attachments, with their titles and file names.
pub(super) fn of_meeting(plan: &Plan, meeting: &Meeting) -> Vec<Attachment> {
    crate::plan::meeting_attachments(plan, meeting)
        .listed
        .into_iter()
        .map(|listed| Attachment {
            item: meeting.items[listed.item].id.get_ref().clone(),
            title: listed.title,
            path: format!("bilag/{}", listed.file_name),
            source: listed.source.clone(),
            public: listed.public,
            first: listed.first,
            file: listed.file.cloned(),
        })
        .collect()
}
