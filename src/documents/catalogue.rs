//! Every document of a plan, asked of each kind in turn: a meeting's papers (meetings in
//! parallel, put together in their order), then those that stand outside any meeting.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::DocumentKind;
use super::agenda::{self, Part};
use super::attachments::{self, Attachment};
use super::document::{CopiedFile, Document};
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
    /// The meeting's place in the plan.
    pub index: usize,
    /// Every item's attachments, in the order of the items.
    pub attachments: Vec<Attachment>,
    agenda: OnceLock<Arc<Document>>,
    public_agenda: OnceLock<Arc<Document>>,
    supplement: OnceLock<Arc<Document>>,
    public_supplement: OnceLock<Arc<Document>>,
}

impl MeetingPapers<'_> {
    pub fn id(&self) -> &String {
        self.meeting.id.get_ref()
    }

    /// The members' agenda, made once for the agenda and the items cut from it.
    pub fn agenda(&self) -> &Arc<Document> {
        shared(&self.agenda, || agenda::members_agenda(self, Part::Agenda))
    }

    /// The public agenda, made once for the agenda and the items cut from it; see
    /// [`MeetingPapers::has_public_edition`].
    pub fn public_agenda(&self) -> &Arc<Document> {
        shared(&self.public_agenda, || {
            agenda::public_agenda(self, Part::Agenda)
        })
    }

    /// The members' supplementary agenda, for a meeting that has one.
    pub fn supplement(&self) -> &Arc<Document> {
        shared(&self.supplement, || {
            agenda::members_agenda(self, Part::Supplement)
        })
    }

    pub fn public_supplement(&self) -> &Arc<Document> {
        shared(&self.public_supplement, || {
            agenda::public_agenda(self, Part::Supplement)
        })
    }

    /// The agenda an item's PDF is cut from: its part's, the public edition where the item
    /// lists an attachment that is not public.
    pub fn agenda_of(&self, item: &crate::plan::model::AgendaItem) -> &Arc<Document> {
        let public = self.item_has_restricted(item.id.get_ref());
        match (Part::of(item), public) {
            (Part::Agenda, false) => self.agenda(),
            (Part::Agenda, true) => self.public_agenda(),
            (Part::Supplement, false) => self.supplement(),
            (Part::Supplement, true) => self.public_supplement(),
        }
    }

    /// The day the supplementary agenda goes out, if the meeting has one.
    pub fn supplement_sent(&self) -> Option<chrono::NaiveDate> {
        self.meeting.supplement.as_ref().map(|s| s.sent.get_ref().0)
    }

    /// Whether the members' agenda and minutes show something that may not be published (a
    /// closed item, or an attachment that is not public): then they have a public edition,
    /// and are not public themselves.
    pub fn has_public_edition(&self) -> bool {
        self.meeting.items.iter().any(|i| i.closed) || self.attachments.iter().any(|a| !a.public)
    }

    /// Whether the agenda or the supplementary agenda shows something that may not be
    /// published: the same, for its own items.
    pub fn part_has_public_edition(&self, part: Part) -> bool {
        self.meeting
            .items
            .iter()
            .filter(|i| Part::of(i) == part)
            .any(|i| i.closed || self.item_has_restricted(i.id.get_ref()))
    }

    /// Whether an item's attachment is left out of the public papers: then the item's own
    /// PDF is cut from the public agenda, not the members'.
    pub fn item_has_restricted(&self, item: &str) -> bool {
        self.attachments.iter().any(|a| a.item == item && !a.public)
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

/// A meeting's agenda, made once and serialised before it is shared, so that the agenda and its
/// items share one JSON.
fn shared(cell: &OnceLock<Arc<Document>>, make: impl FnOnce() -> Document) -> &Arc<Document> {
    cell.get_or_init(|| {
        let agenda = Arc::new(make());
        agenda.json();
        agenda
    })
}

/// Every document of a valid plan that the selection wants, in a fixed order.
pub fn catalogue(plan: &Plan, selection: &Selection) -> Catalogue {
    let meetings: Vec<Catalogue> = plan
        .meetings
        .par_iter()
        .enumerate()
        .map(|(index, meeting)| meeting_catalogue(plan, index, meeting, selection))
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
fn meeting_catalogue(
    plan: &Plan,
    index: usize,
    meeting: &Meeting,
    selection: &Selection,
) -> Catalogue {
    let mut out = Collected {
        selection,
        catalogue: Catalogue::default(),
    };
    let papers = MeetingPapers {
        plan,
        meeting,
        index,
        attachments: if meeting.has_agenda() {
            attachments::of_meeting(plan, meeting)
        } else {
            Vec::new()
        },
        agenda: OnceLock::new(),
        public_agenda: OnceLock::new(),
        supplement: OnceLock::new(),
        public_supplement: OnceLock::new(),
    };
    for kind in DocumentKind::ALL {
        kind.papers().of_meeting(&papers, &mut out);
    }
    attachments::make(&papers, &mut out);
    out.catalogue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanSource, load};

    fn fixture(name: &str) -> Plan {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        load(&PlanSource::Dir(dir.join(name))).expect("the fixture loads")
    }

    /// Each document's and file's path with its `public` flag, in the catalogue's order.
    fn public_flags(plan: &Plan) -> Vec<(String, bool)> {
        let catalogue = catalogue(plan, &Selection::default());
        catalogue
            .documents
            .iter()
            .map(|d| (d.path.clone(), d.public))
            .chain(catalogue.files.iter().map(|f| (f.path.clone(), f.public)))
            .collect()
    }

    fn flags(expected: &[(&str, bool)]) -> Vec<(String, bool)> {
        expected.iter().map(|(p, b)| (p.to_string(), *b)).collect()
    }

    #[test]
    fn a_meeting_with_attachments_not_for_publication_has_a_public_edition() {
        let plan = fixture("warnings/attachment-not-public");
        assert_eq!(
            public_flags(&plan),
            flags(&[
                (
                    "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf",
                    false
                ),
                (
                    "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-offentlig.pdf",
                    true
                ),
                ("pu-2024-02-06/referat-proeveudvalget-2024-02-06.pdf", false),
                (
                    "pu-2024-02-06/referat-proeveudvalget-2024-02-06-offentlig.pdf",
                    true
                ),
                ("pu-2024-02-06/punkt-01-tilbud-paa-botilbud.pdf", true),
                (
                    "pu-2024-02-20/dagsorden-proeveudvalget-2024-02-20.pdf",
                    false
                ),
                (
                    "pu-2024-02-20/dagsorden-proeveudvalget-2024-02-20-offentlig.pdf",
                    true
                ),
                ("pu-2024-02-20/referat-proeveudvalget-2024-02-20.pdf", false),
                (
                    "pu-2024-02-20/referat-proeveudvalget-2024-02-20-offentlig.pdf",
                    true
                ),
                ("pu-2024-02-20/punkt-01-tilsyn-med-botilbuddet.pdf", true),
                ("procesplan.pdf", true),
                ("pu-2024-02-06/bilag/budgetnotat.pdf", true),
                ("pu-2024-02-06/bilag/intern-vurdering.pdf", false),
                ("pu-2024-02-20/bilag/tilsynsrapport.pdf", true),
                // The closed item's file, which an open item attaches too.
                ("pu-2024-02-20/bilag/tilsyn-bilag.pdf", false),
            ])
        );
    }

    /// An open item's PDF is a public paper: with an attachment that is not public, its pages
    /// are cut from the public agenda, which does not list it.
    #[test]
    fn an_item_with_an_attachment_not_for_publication_is_cut_from_the_public_agenda() {
        let plan = fixture("warnings/attachment-not-public");
        let catalogue = catalogue(&plan, &Selection::default());
        let item = catalogue
            .documents
            .iter()
            .find(|d| d.kind == DocumentKind::AgendaItem && d.path.starts_with("pu-2024-02-06/"))
            .unwrap();
        let from = &item.excerpt.as_ref().unwrap().from;
        assert!(from.path.ends_with("-offentlig.pdf"), "{}", from.path);
        let listed = item.view()["item"]["attachments"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["title"], "Budgetnotat");
    }

    #[test]
    fn a_meeting_with_nothing_to_hold_back_publishes_its_members_papers() {
        let plan = fixture("valid/attachment-shared");
        assert_eq!(
            public_flags(&plan),
            flags(&[
                (
                    "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf",
                    true
                ),
                ("pu-2024-02-06/punkt-01-budgetopfoelgning.pdf", true),
                ("pu-2024-02-06/punkt-02-regnskab.pdf", true),
                (
                    "pu-2024-02-06/punkt-03-et-punkt-med-en-kopi-af-notatet.pdf",
                    true
                ),
                ("pu-2024-02-06/bilag/procesplan.pdf", true),
                ("procesplan.pdf", true),
                ("pu-2024-02-06/bilag/notat.pdf", true),
            ])
        );
    }

    /// In the built-in plan, only the members' editions of meetings with closed items are kept
    /// from publication.
    #[test]
    fn the_built_in_plan_publishes_all_but_the_members_editions_of_closed_meetings() {
        let plan = load(&PlanSource::Embedded).unwrap();
        let catalogue = catalogue(&plan, &Selection::default());
        assert!(catalogue.files.is_empty());
        for document in &catalogue.documents {
            // The supplementary agenda has a public edition only for a closed item of its own.
            let supplement = document.path.contains("/tillaegsdagsorden-");
            let closed = document
                .meeting
                .as_deref()
                .and_then(|id| plan.meeting(id))
                .is_some_and(|m| {
                    m.items
                        .iter()
                        .any(|i| i.closed && (!supplement || i.supplementary))
                });
            let members_edition =
                matches!(document.kind, DocumentKind::Agenda | DocumentKind::Minutes)
                    && !document.path.ends_with("-offentlig.pdf");
            assert_eq!(
                document.public,
                !(closed && members_edition),
                "{}",
                document.path
            );
        }
    }
}
