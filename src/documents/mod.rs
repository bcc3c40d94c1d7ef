//! The catalogue: which documents a plan gives, where each is written, and the JSON view its
//! template reads, as of the paper's day. Business rules (numbering, deadlines, states) are
//! settled here, so that templates only lay out.
//!
//! One module per document kind. Each says, through [`Kind`], which of its documents a meeting
//! or the plan gives, and makes the view its template reads; [`catalogue`] asks every kind in
//! the order of [`document_kinds!`]. Adding a kind is a module, a template and a line there
//! (docs/architecture.md).

mod attachments;
mod catalogue;
mod common;
pub mod consultation;
pub mod corrections;
mod document;
mod item;
pub mod sizes;

pub use catalogue::{Catalogue, Selection, catalogue};
pub use document::{CopiedFile, Document, Excerpt};
pub use process_plan::milestone_state;

use crate::plan::Plan;
use crate::plan::model::Meeting;
use attachments::Attachment;

/// The committee's members as the papers list them, each with their role and party.
pub fn committee_members(plan: &Plan) -> serde_json::Value {
    common::committee_members(plan)
}

/// A file's type as the papers list attachments: "PDF", "DOCX", from its name.
pub fn file_type_text(path: &str) -> String {
    item::file_type(path)
}

/// A file's size in Danish, as the papers list attachments: "340 kB", "1,2 MB".
pub fn file_size_text(bytes: u64) -> String {
    item::file_size(bytes)
}

/// A meeting as the papers show it: its kind, day, time and place.
pub fn meeting_view(plan: &Plan, meeting: &Meeting) -> serde_json::Value {
    common::meeting_view(plan, meeting)
}
use catalogue::{Collected, MeetingPapers};

/// What a document kind knows of the plan: which of its documents a meeting gives, which stand
/// outside any meeting, and the document it makes when a meeting attaches one of its kind.
trait Kind: Sync {
    fn of_meeting(&self, _meeting: &MeetingPapers, _out: &mut Collected) {}
    fn of_plan(&self, _plan: &Plan, _out: &mut Collected) {}
    fn attached(&self, _meeting: &MeetingPapers, _attachment: &Attachment) -> Option<Document> {
        None
    }
}

/// The kinds, in the order the catalogue asks them (and `--document` lists them): the enum
/// [`DocumentKind`], each kind's name and template (`templates/<name>.typ`), and the module
/// that makes its documents (declared here).
macro_rules! document_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $module:ident;)*) => {
        $(mod $module;)*

        /// The kinds of document `udvalg` writes, as `--document` names them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
        pub enum DocumentKind {
            $($(#[$doc])* $variant,)*
        }

        impl DocumentKind {
            /// Every kind, in the catalogue's order.
            pub const ALL: &[DocumentKind] = &[$(DocumentKind::$variant,)*];

            /// As `--document` and the build record name it.
            pub fn name(self) -> &'static str {
                match self { $(DocumentKind::$variant => $name,)* }
            }

            /// The kind `name()` names.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(DocumentKind::$variant),)* _ => None }
            }

            /// The template file, relative to the templates directory.
            pub fn template(self) -> &'static str {
                match self { $(DocumentKind::$variant => concat!($name, ".typ"),)* }
            }

            fn papers(self) -> &'static dyn Kind {
                match self { $(DocumentKind::$variant => &$module::Papers,)* }
            }
        }
    };
}

document_kinds! {
    /// Invitation and programme of a seminar or theme meeting.
    Invitation = "invitation", invitation;
    /// Dagsorden: front page, contents and every item of a meeting.
    Agenda = "agenda", agenda;
    /// Beslutningsprotokol: attendance and each item's decision.
    Minutes = "minutes", minutes;
    /// Dagsordenspunkt: one open item, for separate publishing.
    AgendaItem = "agenda-item", agenda_item;
    /// Strategi: an edition of the strategy (draft or final).
    Strategy = "strategy", strategy;
    /// Handleplan: the actions for a period, by development goal.
    ActionPlan = "action-plan", action_plan;
    /// Nøgletal: a year's key figures with tables and charts.
    KeyFigures = "key-figures", key_figures;
    /// Procesplan: the process's meetings and the implementation milestones, year by year.
    ProcessPlan = "process-plan", process_plan;
    /// Høringsbrev: the letter to one consultee (written by `udvalg consult`).
    ConsultationLetter = "consultation-letter", consultation_letter;
    /// Høringsliste: who the draft is sent to (written by `udvalg consult`).
    ConsulteeList = "consultee-list", consultee_list;
    /// Høringsnotat: the responses and the administration's comments.
    ConsultationSummary = "consultation-summary", consultation_summary;
    /// Opsamling på seminar: the administration's summary of a seminar's points.
    SeminarSummary = "seminar-summary", seminar_summary;
}
