//! What went out: every paper a meeting sent, as it was sent, and the corrected editions made
//! since. Once the plan's date has passed a paper's day, the paper is kept exactly as it went
//! out; when the plan changes it after that, the build writes a corrected edition beside it
//! ("Rettet dagsorden", with what changed) instead of a different paper under the same name.
//!
//! An edition whose day is the plan's date is still going out: a change replaces it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::OutputDir;
use crate::diagnostics::Diagnostic;
use crate::documents::corrections::{changes, corrected};
use crate::documents::{Document, DocumentKind};
use crate::text::{danish_date, lowercase_first};

/// Kept in the output directory, beside the build record. Unlike the record it outlives an
/// upgrade of udvalg: what went out stays what went out.
pub const SENT_FILE: &str = ".udvalg-sent.json";

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentLedger {
    /// By the path the paper first went out under.
    pub papers: BTreeMap<String, SentPaper>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentPaper {
    pub kind: String,
    pub meeting: Option<String>,
    /// The paper as it first went out, then each corrected edition.
    pub editions: Vec<SentEdition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentEdition {
    pub path: String,
    pub title: String,
    pub day: NaiveDate,
    /// The view as its template read it.
    pub view: Value,
    /// For a corrected edition, the plan's view it was made from (before the correction's
    /// mark), which the next correction is measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_view: Option<Value>,
    /// For an item's pages: the edition of the agenda they are cut from, and the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<(String, u64)>,
}

impl SentEdition {
    fn plan_view(&self) -> &Value {
        self.plan_view.as_ref().unwrap_or(&self.view)
    }
}

/// A corrected edition that this run makes or remakes, for the build's summary and `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The paper as it first went out.
    pub paper: String,
    pub kind: DocumentKind,
    pub meeting: Option<String>,
    pub sent: NaiveDate,
    /// The paper's title.
    pub title: String,
    /// The corrected edition's file.
    pub path: String,
    pub changes: Vec<String>,
}

/// The documents to write once what went out is accounted for.
#[derive(Debug)]
pub struct Applied {
    pub documents: Vec<Document>,
    pub corrections: Vec<Correction>,
    /// The ledger as it is once these documents are written.
    pub ledger: SentLedger,
    /// Whether the ledger differs from the one applied.
    pub changed: bool,
}

impl SentLedger {
    /// The ledger in `out`; an empty one when there is none. A ledger that cannot be read is an
    /// error: building over it would lose what went out.
    pub fn load(out: &OutputDir) -> Result<Self, String> {
        let Ok(path) = out.target(SENT_FILE) else {
            return Ok(Self::default());
        };
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "cannot read `{}`, the list of papers that went out: {e}; move it away \
                     only if those papers were never sent",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("cannot read `{}`: {e}", path.display())),
        }
    }

    /// The ledger as its file holds it.
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut json = serde_json::to_vec(self)?;
        json.push(b'\n');
        Ok(json)
    }

    /// `documents` (the plan's papers as of `today`, the plan's date) with every paper that went
    /// out kept as it went out, and a corrected edition beside each one the plan has changed
    /// since. Papers that went out and that the plan no longer makes are kept too, where
    /// `wanted` says the run writes papers of their kind and meeting.
    pub fn apply(
        self,
        documents: Vec<Document>,
        today: NaiveDate,
        wanted: impl Fn(DocumentKind, Option<&str>) -> bool,
    ) -> Applied {
        let mut run = Run {
            ledger: self,
            changed: false,
            today,
            made: HashMap::new(),
            out: Vec::with_capacity(documents.len()),
            corrections: Vec::new(),
        };
        let mut seen = HashSet::new();
        for document in documents {
            seen.insert(document.path.clone());
            run.document(document);
        }
        let gone: Vec<String> = run
            .ledger
            .papers
            .iter()
            .filter(|(path, paper)| {
                !seen.contains(*path)
                    && DocumentKind::from_name(&paper.kind)
                        .is_some_and(|kind| wanted(kind, paper.meeting.as_deref()))
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in gone {
            let paper = run.ledger.papers[&path].clone();
            for edition in &paper.editions {
                // The plan no longer makes it, so it no longer says it may be published.
                run.emit_edition(&paper, edition, false);
            }
        }
        Applied {
            documents: run.out,
            corrections: run.corrections,
            ledger: run.ledger,
            changed: run.changed,
        }
    }
}

struct Run {
    ledger: SentLedger,
    changed: bool,
    today: NaiveDate,
    /// The editions written in this run, by path, for items' pages to be cut from.
    made: HashMap<String, Arc<Document>>,
    out: Vec<Document>,
    corrections: Vec<Correction>,
}

impl Run {
    fn document(&mut self, mut document: Document) {
        let Some(sent) = document.sent_on.filter(|day| *day <= self.today) else {
            return self.emit(document);
        };
        let Some(paper) = self.ledger.papers.get(&document.path).cloned() else {
            // Going out now: from here on it is what went out.
            let edition = self.edition_of(&document, sent, None);
            self.changed = true;
            self.ledger.papers.insert(
                document.path.clone(),
                SentPaper {
                    kind: document.kind.name().into(),
                    meeting: document.meeting.clone(),
                    editions: vec![edition],
                },
            );
            return self.emit(document);
        };
        let latest = paper.editions.last().expect("a sent paper has an edition");
        let unchanged = latest.plan_view() == document.view();
        if unchanged && paper.editions.len() == 1 {
            return self.emit(document);
        }
        if unchanged {
            for edition in &paper.editions {
                self.emit_edition(&paper, edition, document.public);
            }
            return;
        }
        // The plan has changed the paper since its latest edition.
        let open = latest.day >= self.today;
        let keep = if open {
            paper.editions.len() - 1
        } else {
            paper.editions.len()
        };
        let mut editions = paper.editions[..keep].to_vec();
        for edition in &editions {
            self.emit_edition(&paper, edition, document.public);
        }
        if editions.is_empty() {
            // The paper itself has not gone out before today: it goes out as it is now.
            editions.push(self.edition_of(&document, sent, None));
            self.set_editions(&document.path, editions);
            return self.emit(document);
        }
        let previous = editions.last().expect("kept editions");
        if previous.plan_view() == document.view() {
            // Changed back to what went out: the correction of today is withdrawn.
            self.set_editions(&document.path, editions);
            return;
        }
        let (since, before) = (previous.day, previous.plan_view().clone());
        let number = editions.len();
        let what = changes(&before, document.view());
        let plan_view = document.view().clone();
        let mut correction = corrected(&document, sent, since, number, self.today, &what);
        if let Some(excerpt) = document.excerpt.take() {
            let agenda = corrected_layout(&self.ledger, &excerpt.from.path);
            correction = match agenda.and_then(|path| self.made.get(&path).cloned()) {
                Some(agenda) => correction.excerpt_of(&agenda, excerpt.item),
                // Its agenda is unchanged: the item's pages are laid out on their own.
                None => correction,
            };
        }
        self.corrections.push(Correction {
            paper: document.path.clone(),
            kind: document.kind,
            meeting: document.meeting.clone(),
            sent,
            title: document.title.clone(),
            path: correction.path.clone(),
            changes: what,
        });
        editions.push(self.edition_of(&correction, self.today, Some(plan_view)));
        self.set_editions(&document.path, editions);
        self.emit_shared(correction);
    }

    fn set_editions(&mut self, paper: &str, editions: Vec<SentEdition>) {
        if let Some(entry) = self.ledger.papers.get_mut(paper) {
            entry.editions = editions;
            self.changed = true;
        }
    }

    fn edition_of(
        &self,
        document: &Document,
        day: NaiveDate,
        plan_view: Option<Value>,
    ) -> SentEdition {
        SentEdition {
            path: document.path.clone(),
            title: document.title.clone(),
            day,
            view: document.view().clone(),
            plan_view,
            excerpt: document
                .excerpt
                .as_ref()
                .map(|e| (e.from.path.clone(), e.item)),
        }
    }

    /// An edition as it went out, made again from the ledger; `public` as the plan's paper it
    /// is an edition of.
    fn emit_edition(&mut self, paper: &SentPaper, edition: &SentEdition, public: bool) {
        let Some(kind) = DocumentKind::from_name(&paper.kind) else {
            return;
        };
        let document = Document::new(
            kind,
            paper.meeting.clone(),
            edition.path.clone(),
            edition.title.clone(),
            edition.view.clone(),
        )
        .sent_on(edition.day)
        .public(public);
        let document = match &edition.excerpt {
            Some((from, item)) => match self.layout(from) {
                Some(agenda) => document.excerpt_of(&agenda, *item),
                None => document,
            },
            None => document,
        };
        self.emit_shared(document);
    }

    /// The agenda edition at `path`, as written in this run or as the ledger keeps it.
    fn layout(&self, path: &str) -> Option<Arc<Document>> {
        if let Some(made) = self.made.get(path) {
            return Some(Arc::clone(made));
        }
        let (paper, edition) = self.ledger.papers.values().find_map(|paper| {
            paper
                .editions
                .iter()
                .find(|e| e.path == path)
                .map(|edition| (paper, edition))
        })?;
        Some(Arc::new(Document::new(
            DocumentKind::from_name(&paper.kind)?,
            paper.meeting.clone(),
            edition.path.clone(),
            edition.title.clone(),
            edition.view.clone(),
        )))
    }

    fn emit(&mut self, mut document: Document) {
        // Items' pages are cut from the agenda edition that this run writes under that path:
        // an unchanged item of a corrected agenda from the agenda as it went out.
        if let Some(excerpt) = &document.excerpt
            && let Some(agenda) = self.made.get(&excerpt.from.path)
            && !Arc::ptr_eq(agenda, &excerpt.from)
        {
            let item = excerpt.item;
            let agenda = Arc::clone(agenda);
            document = document.excerpt_of(&agenda, item);
        }
        self.out.push(document);
    }

    /// An edition that is not the plan's own paper: items may be cut from it.
    fn emit_shared(&mut self, document: Document) {
        if document.excerpt.is_none() && document.kind == DocumentKind::Agenda {
            let shared = Arc::new(document.clone());
            shared.json();
            self.made.insert(document.path.clone(), shared);
        }
        self.emit(document);
    }
}

/// The path of the latest edition of the agenda first sent at `path`, if it has been corrected.
fn corrected_layout(ledger: &SentLedger, path: &str) -> Option<String> {
    let paper = ledger.papers.get(path)?;
    (paper.editions.len() > 1).then(|| paper.editions.last().map(|e| e.path.clone()))?
}

/// One warning per meeting whose papers went out and that the plan has changed since, at the
/// meeting in the plan, naming what changed and the corrected editions a build writes.
pub fn warnings(plan: &crate::plan::Plan, corrections: &[Correction]) -> Vec<Diagnostic> {
    let mut by_meeting: BTreeMap<Option<&str>, Vec<&Correction>> = BTreeMap::new();
    for correction in corrections {
        by_meeting
            .entry(correction.meeting.as_deref())
            .or_default()
            .push(correction);
    }
    by_meeting
        .into_iter()
        .map(|(meeting, corrections)| {
            let first = corrections[0];
            // The agenda's changes name its items; another paper is named by its title.
            let mut changes: Vec<String> = Vec::new();
            for correction in &corrections {
                for change in &correction.changes {
                    let change = match correction.kind {
                        DocumentKind::Agenda | DocumentKind::AgendaItem => change.clone(),
                        _ => format!("{}: {}", correction.title, lowercase_first(change)),
                    };
                    if !changes.contains(&change) {
                        changes.push(change);
                    }
                }
            }
            let files: Vec<&str> = corrections.iter().map(|c| c.path.as_str()).collect();
            let warning = Diagnostic::warning(format!(
                "papers of {} went out on {} and the plan has changed them since: {}",
                meeting.unwrap_or("the plan"),
                danish_date(first.sent),
                changes.join(" ")
            ))
            .with_help(format!(
                "what went out stays as it went out; the build writes the corrected edition{} {} \
                 beside it, to be sent to the members",
                if files.len() == 1 { "" } else { "s" },
                files.join(", ")
            ));
            match meeting.and_then(|id| plan.meeting(id)) {
                Some(m) => warning.at(&plan.files.meetings, m.id.span()),
                None => warning,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 2, d).unwrap()
    }

    fn agenda(place: &str, public: bool) -> Document {
        let view = json!({ "meta": { "kind": "Dagsorden", "title": "Dagsorden" }, "place": place });
        Document::new(
            DocumentKind::Agenda,
            Some("m".into()),
            "m/dagsorden.pdf".into(),
            "Dagsorden".into(),
            view,
        )
        .sent_on(day(1))
        .public(public)
    }

    /// Editions made again from the ledger are as public as the plan's paper they are editions
    /// of; one the plan no longer makes is not public.
    #[test]
    fn editions_from_the_ledger_are_public_as_the_plans_paper() {
        for public in [true, false] {
            let first = SentLedger::default().apply(vec![agenda("A", public)], day(1), |_, _| true);
            let changed = first
                .ledger
                .apply(vec![agenda("B", public)], day(5), |_, _| true);
            let paths: Vec<(&str, bool)> = changed
                .documents
                .iter()
                .map(|d| (d.path.as_str(), d.public))
                .collect();
            assert_eq!(
                paths,
                vec![
                    ("m/dagsorden.pdf", public),
                    ("m/dagsorden-rettet.pdf", public)
                ]
            );
            let gone = changed.ledger.apply(Vec::new(), day(6), |_, _| true);
            assert_eq!(gone.documents.len(), 2);
            assert!(gone.documents.iter().all(|d| !d.public));
        }
    }
}
