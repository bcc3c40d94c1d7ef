//! The catalogue: which documents a plan gives, where each is written, and the JSON view its
//! template reads. Business rules (numbering, deadlines, states) are settled here, so that
//! templates only lay out.

pub mod consultation;
mod followup;
mod proceedings;
mod views;

pub use views::{body_name, milestone_state};

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde_json::Value;

use crate::plan::Plan;
use crate::plan::model::{AgendaItem, Meeting, MeetingKind};

/// The kinds of document `udvalg` writes, as `--document` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum DocumentKind {
    /// Dagsorden: front page, contents and every item of a meeting.
    Agenda,
    /// Dagsordenspunkt: one open item, for separate publishing.
    AgendaItem,
    /// Udsattestrategi: an edition of the strategy (draft or final).
    Strategy,
    /// Procesplan: the 2022 process and the 2022-2029 implementation overview.
    ProcessPlan,
    /// Høringsbrev: the letter to one consultee (written by `udvalg consult`).
    ConsultationLetter,
    /// Høringsliste: who the draft is sent to (written by `udvalg consult`).
    ConsulteeList,
    /// Høringsnotat: the responses and the administration's comments.
    ConsultationSummary,
    /// Handleplan: the actions for a period, by development goal.
    ActionPlan,
    /// Nøgletal: a year's key figures with tables and charts.
    KeyFigures,
    /// Beslutningsprotokol: attendance and each item's decision.
    Minutes,
    /// Invitation and programme of a seminar or theme meeting.
    Invitation,
}

impl DocumentKind {
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Agenda => "agenda",
            DocumentKind::AgendaItem => "agenda-item",
            DocumentKind::Strategy => "strategy",
            DocumentKind::ProcessPlan => "process-plan",
            DocumentKind::ConsultationLetter => "consultation-letter",
            DocumentKind::ConsulteeList => "consultee-list",
            DocumentKind::ConsultationSummary => "consultation-summary",
            DocumentKind::ActionPlan => "action-plan",
            DocumentKind::KeyFigures => "key-figures",
            DocumentKind::Minutes => "minutes",
            DocumentKind::Invitation => "invitation",
        }
    }

    /// The template file, relative to the templates directory.
    pub fn template(self) -> &'static str {
        match self {
            DocumentKind::Agenda => "agenda.typ",
            DocumentKind::AgendaItem => "agenda-item.typ",
            DocumentKind::Strategy => "strategy.typ",
            DocumentKind::ProcessPlan => "process-plan.typ",
            DocumentKind::ConsultationLetter => "consultation-letter.typ",
            DocumentKind::ConsulteeList => "consultee-list.typ",
            DocumentKind::ConsultationSummary => "consultation-summary.typ",
            DocumentKind::ActionPlan => "action-plan.typ",
            DocumentKind::KeyFigures => "key-figures.typ",
            DocumentKind::Minutes => "minutes.typ",
            DocumentKind::Invitation => "invitation.typ",
        }
    }
}

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
        }
    }

    pub(crate) fn excerpt_of(mut self, from: &Arc<Document>, item: u64) -> Self {
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
    fn wants(&self, kind: DocumentKind, meeting: Option<&str>) -> bool {
        self.kind.is_none_or(|k| k == kind)
            && match &self.meeting {
                Some(wanted) => meeting == Some(wanted.as_str()),
                None => true,
            }
    }
}

/// Every document of a valid plan that the selection wants, in a fixed order.
pub fn catalogue(plan: &Plan, selection: &Selection) -> Catalogue {
    let mut out = Catalogue::default();
    let plan_date = plan.settings.plan.date.get_ref().0;

    // Meetings are independent of each other; they are put together in their order.
    let meetings: Vec<Catalogue> = plan
        .meetings
        .par_iter()
        .map(|meeting| meeting_catalogue(plan, meeting, selection))
        .collect();
    for meeting in meetings {
        out.documents.extend(meeting.documents);
        out.files.extend(meeting.files);
    }
    let mut push = |doc: Document| {
        if selection.wants(doc.kind, doc.meeting.as_deref()) {
            out.documents.push(doc);
        }
    };

    // The current strategy and process plan, outside any meeting.
    if selection.meeting.is_none() {
        if let Some(strategy) = &plan.strategy
            && let Some(latest) = strategy.editions.iter().max_by_key(|e| e.date.get_ref())
        {
            push(Document::new(
                DocumentKind::Strategy,
                None,
                format!("{}.pdf", slug(&strategy.title)),
                strategy.title.clone(),
                views::strategy(plan, latest.id.get_ref()),
            ));
        }
        for ap in &plan.action_plans {
            push(Document::new(
                DocumentKind::ActionPlan,
                None,
                format!("handleplaner/{}.pdf", ap.id),
                followup::action_plan_title(plan, ap),
                followup::action_plan(plan, ap),
            ));
        }
        for kf in &plan.key_figures {
            push(Document::new(
                DocumentKind::KeyFigures,
                None,
                format!("noegletal/noegletal-{}.pdf", kf.data.year.get_ref()),
                followup::key_figures_title(plan, kf),
                followup::key_figures(plan, kf),
            ));
        }
        push(Document::new(
            DocumentKind::ProcessPlan,
            None,
            "procesplan.pdf".into(),
            views::process_plan_title(plan),
            views::process_plan(plan, plan_date),
        ));
    }
    out
}

/// The documents and copied files of one meeting that the selection wants.
fn meeting_catalogue(plan: &Plan, meeting: &Meeting, selection: &Selection) -> Catalogue {
    let mut out = Catalogue::default();
    let mut push = |doc: Document| {
        if selection.wants(doc.kind, doc.meeting.as_deref()) {
            out.documents.push(doc);
        }
    };
    let id = meeting.id.get_ref();
    if proceedings::has_invitation(meeting) {
        let name = meeting.title.as_deref().unwrap_or("moede");
        push(Document::new(
            DocumentKind::Invitation,
            Some(id.clone()),
            format!("{id}/invitation-{}.pdf", slug(name)),
            proceedings::invitation_title(plan, meeting),
            proceedings::invitation(plan, meeting),
        ));
    }
    if !has_agenda(meeting) {
        return out;
    }
    let agenda_name = format!(
        "dagsorden-{}-{}",
        slug(&views::body_name(plan, meeting)),
        meeting.date.get_ref()
    );
    let attachments = attachment_files(plan, meeting);
    let has_closed = meeting.items.iter().any(|i| i.closed);
    let agenda = Arc::new(Document::new(
        DocumentKind::Agenda,
        Some(id.clone()),
        format!("{id}/{agenda_name}.pdf"),
        views::agenda_title(plan, meeting),
        views::agenda(plan, meeting, &attachments, false),
    ));
    // Serialised before the copy, so that the agenda and its items share one JSON.
    agenda.json();
    push(Document::clone(&agenda));
    if has_closed {
        push(Document::new(
            DocumentKind::Agenda,
            Some(id.clone()),
            format!("{id}/{agenda_name}-offentlig.pdf"),
            format!("{} (offentlig udgave)", views::agenda_title(plan, meeting)),
            views::agenda(plan, meeting, &attachments, true),
        ));
    }
    if proceedings::has_minutes(meeting) {
        let name = format!(
            "referat-{}-{}",
            slug(&views::body_name(plan, meeting)),
            meeting.date.get_ref()
        );
        let title = proceedings::minutes_title(plan, meeting);
        push(Document::new(
            DocumentKind::Minutes,
            Some(id.clone()),
            format!("{id}/{name}.pdf"),
            title.clone(),
            proceedings::minutes(plan, meeting, &attachments, false),
        ));
        if has_closed {
            push(Document::new(
                DocumentKind::Minutes,
                Some(id.clone()),
                format!("{id}/{name}-offentlig.pdf"),
                format!("{title} (offentlig udgave)"),
                proceedings::minutes(plan, meeting, &attachments, true),
            ));
        }
    }
    for (index, item) in meeting.items.iter().enumerate() {
        if item.closed {
            continue;
        }
        push(
            Document::new(
                DocumentKind::AgendaItem,
                Some(id.clone()),
                format!("{id}/{}", item_file_name(index, item)),
                views::agenda_item_title(plan, meeting, index),
                views::agenda_item(plan, meeting, index, &attachments),
            )
            .excerpt_of(&agenda, index as u64 + 1),
        );
    }
    // Items that attach the same file share it: it is made (or copied) once.
    let mut made = HashSet::new();
    for attachment in attachments.iter().filter(|a| made.insert(a.path.as_str())) {
        let made_here = |kind: DocumentKind, view: Value| {
            let path = format!("{id}/{}", attachment.path);
            Document::new(kind, Some(id.clone()), path, attachment.title.clone(), view)
        };
        match &attachment.source {
            AttachmentSource::Strategy { edition } => {
                push(made_here(
                    DocumentKind::Strategy,
                    views::strategy(plan, edition),
                ));
            }
            AttachmentSource::ProcessPlan => {
                let as_of = views::as_of(plan, meeting);
                push(made_here(
                    DocumentKind::ProcessPlan,
                    views::process_plan(plan, as_of),
                ));
            }
            AttachmentSource::ConsultationSummary { consultation } => {
                if let Some(c) = plan.consultation(consultation) {
                    push(consultation::summary_document(
                        plan,
                        c,
                        Some(id.clone()),
                        format!("{id}/{}", attachment.path),
                        send_out_date(plan, meeting),
                    ));
                }
            }
            AttachmentSource::ActionPlan { id: plan_id } => {
                if let Some(ap) = plan.action_plan(plan_id) {
                    let view = followup::action_plan(plan, ap);
                    push(made_here(DocumentKind::ActionPlan, view));
                }
            }
            AttachmentSource::KeyFigures { year } => {
                if let Some(kf) = plan.key_figures_for(*year) {
                    let view = followup::key_figures(plan, kf);
                    push(made_here(DocumentKind::KeyFigures, view));
                }
            }
            AttachmentSource::File(from) => {
                if selection.kind.is_none() && selection.meeting.as_ref().is_none_or(|m| m == id) {
                    out.files.push(CopiedFile {
                        from: from.clone(),
                        path: format!("{id}/{}", attachment.path),
                        meeting: id.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Committee and council meetings have agendas; seminars and theme meetings have programmes.
pub fn has_agenda(meeting: &Meeting) -> bool {
    matches!(meeting.kind, MeetingKind::Committee | MeetingKind::Council)
        && !meeting.items.is_empty()
}

fn item_file_name(index: usize, item: &AgendaItem) -> String {
    format!("punkt-{:02}-{}.pdf", index + 1, slug(&item.title))
}

/// What an agenda item's attachment is, and where it is written inside the meeting's folder.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub item: String,
    pub title: String,
    pub path: String,
    pub source: AttachmentSource,
}

#[derive(Debug, Clone)]
pub(crate) enum AttachmentSource {
    Strategy { edition: String },
    ProcessPlan,
    ConsultationSummary { consultation: String },
    ActionPlan { id: String },
    KeyFigures { year: i32 },
    File(PathBuf),
}

fn attachment_files(plan: &Plan, meeting: &Meeting) -> Vec<Attachment> {
    let mut out: Vec<Attachment> = Vec::new();
    for item in &meeting.items {
        for reference in &item.attachments {
            let (title, file_stem, source) = match (&reference.document, &reference.file) {
                (Some(doc), _) if doc.get_ref() == "strategy" => {
                    let (Some(strategy), Some(edition_id)) = (&plan.strategy, &reference.edition)
                    else {
                        continue;
                    };
                    let Some(edition) = strategy.edition(edition_id.get_ref()) else {
                        continue;
                    };
                    let title = format!("{} – {}", strategy.title, edition.label);
                    let stem = format!("{}-{}", slug(&strategy.title), slug(&edition.label));
                    let source = AttachmentSource::Strategy {
                        edition: edition_id.get_ref().clone(),
                    };
                    (reference.title.clone().unwrap_or(title), stem, source)
                }
                (Some(doc), _) if doc.get_ref() == "consultation-summary" => {
                    let Some(consultation) = reference
                        .consultation
                        .as_ref()
                        .and_then(|id| plan.consultation(id.get_ref()))
                    else {
                        continue;
                    };
                    let title = consultation::summary_title(consultation);
                    (
                        reference.title.clone().unwrap_or_else(|| title.clone()),
                        slug(&title),
                        AttachmentSource::ConsultationSummary {
                            consultation: consultation.id.clone(),
                        },
                    )
                }
                (Some(doc), _) if doc.get_ref() == "action-plan" => {
                    let Some(ap) = reference
                        .action_plan
                        .as_ref()
                        .and_then(|id| plan.action_plan(id.get_ref()))
                    else {
                        continue;
                    };
                    (
                        reference
                            .title
                            .clone()
                            .unwrap_or_else(|| ap.data.title.clone()),
                        slug(&ap.data.title),
                        AttachmentSource::ActionPlan { id: ap.id.clone() },
                    )
                }
                (Some(doc), _) if doc.get_ref() == "key-figures" => {
                    let Some(kf) = reference
                        .year
                        .as_ref()
                        .and_then(|year| plan.key_figures_for(*year.get_ref()))
                    else {
                        continue;
                    };
                    (
                        reference
                            .title
                            .clone()
                            .unwrap_or_else(|| kf.data.title.clone()),
                        format!("noegletal-{}", kf.data.year.get_ref()),
                        AttachmentSource::KeyFigures {
                            year: *kf.data.year.get_ref(),
                        },
                    )
                }
                (Some(_), _) => {
                    let title = reference
                        .title
                        .clone()
                        .unwrap_or_else(|| process_plan_title_short(plan));
                    (
                        title,
                        "procesplan".to_string(),
                        AttachmentSource::ProcessPlan,
                    )
                }
                (None, Some(file)) => {
                    let Ok(from) = plan.source.attachment_path(file.get_ref()) else {
                        continue;
                    };
                    let name = from.file_name().map(|n| n.to_string_lossy().into_owned());
                    let (stem, ext) = split_extension(name.as_deref().unwrap_or("bilag"));
                    let title = reference.title.clone().unwrap_or_else(|| stem.clone());
                    (
                        title,
                        format!("{}{ext}", slug(&stem)),
                        AttachmentSource::File(from),
                    )
                }
                (None, None) => continue,
            };
            let path = match source {
                AttachmentSource::File(_) => format!("bilag/{file_stem}"),
                _ => format!("bilag/{file_stem}.pdf"),
            };
            // Two items attaching the same document share one file.
            if out.iter().any(|a| a.path == path) {
                let first = out.iter().find(|a| a.path == path).cloned();
                if let Some(first) = first {
                    out.push(Attachment {
                        item: item.id.get_ref().clone(),
                        ..first
                    });
                }
                continue;
            }
            out.push(Attachment {
                item: item.id.get_ref().clone(),
                title,
                path,
                source,
            });
        }
    }
    out
}

fn split_extension(name: &str) -> (String, String) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{}", slug(ext))),
        _ => (name.to_string(), String::new()),
    }
}

fn process_plan_title_short(plan: &Plan) -> String {
    format!("Procesplan – {}", plan.settings.plan.title)
}

/// Lower-case ASCII words joined by `-`, with æ→ae, ø→oe, å→aa; at most about 60 characters.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let piece: &str = match c {
            'æ' => "ae",
            'ø' => "oe",
            'å' => "aa",
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'é' | 'è' | 'ê' => "e",
            'á' | 'à' => "a",
            'ó' | 'ò' => "o",
            'í' => "i",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if piece == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(piece);
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 60 {
        let cut = out[..60].rfind('-').unwrap_or(60);
        out.truncate(cut);
    }
    if out.is_empty() {
        "dokument".into()
    } else {
        out
    }
}

/// The date a document speaks from when it is attached to a meeting: the day its agenda goes out.
pub fn send_out_date(plan: &Plan, meeting: &Meeting) -> NaiveDate {
    crate::calendar::agenda_deadline(&plan.settings.calendar, meeting.date.get_ref().0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_ascii() {
        assert_eq!(
            slug("Udsattestrategi 2022-2029 – høringsudkast"),
            "udsattestrategi-2022-2029-hoeringsudkast"
        );
        assert_eq!(slug("Ældrerådet & Børn"), "aeldreraadet-boern");
        assert_eq!(slug("  "), "dokument");
        assert!(slug(&"ord ".repeat(40)).len() <= 60);
    }
}
