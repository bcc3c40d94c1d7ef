//! What a meeting's items attach, and where each is written inside the meeting's folder: a
//! generated document is made by its kind, a file kept with the plan is copied.

use std::collections::HashSet;

use super::catalogue::{Collected, MeetingPapers};
use super::document::{CopiedFile, Document};
use super::{DocumentKind, consultation_summary, seminar_summary};
use crate::plan::Plan;
use crate::plan::model::{AttachmentSource, Meeting};
use crate::text::slug;

/// One item's attachment.
#[derive(Debug, Clone)]
pub(super) struct Attachment {
    pub item: String,
    pub title: String,
    /// Inside the meeting's folder.
    pub path: String,
    pub source: AttachmentSource,
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

/// The documents and files a meeting's items attach; items that attach the same file share it:
/// it is made (or copied) once.
pub(super) fn make(meeting: &MeetingPapers, out: &mut Collected) {
    let mut made = HashSet::new();
    for attachment in meeting
        .attachments
        .iter()
        .filter(|a| made.insert(a.path.as_str()))
    {
        match kind_of(&attachment.source) {
            Some(kind) => {
                if let Some(document) = kind.papers().attached(meeting, attachment) {
                    out.push(document);
                }
            }
            None => {
                let AttachmentSource::File { path } = &attachment.source else {
                    continue;
                };
                if let Ok(from) = meeting.plan.source.attachment_path(path.get_ref()) {
                    out.copy(CopiedFile {
                        from,
                        path: meeting.path(&attachment.path),
                        meeting: meeting.id().clone(),
                    });
                }
            }
        }
    }
}

/// Every item's attachments, with their titles and file names.
pub(super) fn of_meeting(plan: &Plan, meeting: &Meeting) -> Vec<Attachment> {
    let mut out: Vec<Attachment> = Vec::new();
    for item in &meeting.items {
        for reference in &item.attachments {
            let Ok(source) = &reference.source else {
                continue;
            };
            let Some((title, file_name)) = title_and_file_name(plan, source) else {
                continue;
            };
            let path = format!("bilag/{file_name}");
            // Two items attaching the same document share one file.
            if let Some(first) = out.iter().find(|a| a.path == path).cloned() {
                out.push(Attachment {
                    item: item.id.get_ref().clone(),
                    ..first
                });
                continue;
            }
            out.push(Attachment {
                item: item.id.get_ref().clone(),
                title: reference.title.clone().unwrap_or(title),
                path,
                source: source.clone(),
            });
        }
    }
    out
}

/// An attachment's own title (used unless the plan gives one) and its file name.
fn title_and_file_name(plan: &Plan, source: &AttachmentSource) -> Option<(String, String)> {
    Some(match source {
        AttachmentSource::Strategy { edition } => {
            let strategy = plan.strategy.as_ref()?;
            let edition = strategy.edition(edition.get_ref())?;
            (
                format!("{} – {}", strategy.title, edition.label),
                format!("{}-{}.pdf", slug(&strategy.title), slug(&edition.label)),
            )
        }
        AttachmentSource::ConsultationSummary { consultation } => {
            let consultation = plan.consultation(consultation.get_ref())?;
            let title = consultation_summary::title(consultation);
            let file_name = format!("{}.pdf", slug(&title));
            (title, file_name)
        }
        AttachmentSource::ActionPlan { id } => {
            let action_plan = plan.action_plan(id.get_ref())?;
            let title = action_plan.data.title.clone();
            let file_name = format!("{}.pdf", slug(&title));
            (title, file_name)
        }
        AttachmentSource::KeyFigures { year } => {
            let key_figures = plan.key_figures_for(*year.get_ref())?;
            (
                key_figures.data.title.clone(),
                format!("noegletal-{}.pdf", key_figures.data.year.get_ref()),
            )
        }
        AttachmentSource::SeminarSummary { meeting } => {
            let seminar = plan.meeting(meeting.get_ref())?;
            seminar.summary.as_ref()?;
            let title = seminar_summary::title(plan, seminar);
            (title, "opsamling-paa-seminar.pdf".to_string())
        }
        AttachmentSource::ProcessPlan => (
            format!("Procesplan – {}", plan.settings.plan.title),
            "procesplan.pdf".to_string(),
        ),
        AttachmentSource::File { path } => {
            let from = plan.source.attachment_path(path.get_ref()).ok()?;
            let name = from.file_name().map(|n| n.to_string_lossy().into_owned());
            let (stem, ext) = split_extension(name.as_deref().unwrap_or("bilag"));
            let file_name = format!("{}{ext}", slug(&stem));
            (stem, file_name)
        }
    })
}

fn split_extension(name: &str) -> (String, String) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{}", slug(ext))),
        _ => (name.to_string(), String::new()),
    }
}
