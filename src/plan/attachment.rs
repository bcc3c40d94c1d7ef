//! An agenda item's attachment as the plan writes it, read into one typed [`AttachmentSource`]
//! as the plan is loaded, and checked against the rest of the plan.

use serde::Deserialize;
use toml::Spanned;

use super::checks::unknown;
use super::load::Plan;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// An agenda item's attachment: a document `udvalg` makes, or a file kept with the plan. Read
/// from its keys once, as the plan is loaded; what is wrong with them is kept for `validate` to
/// report with the plan at hand, so that one bad attachment does not hide the file's other
/// problems.
#[derive(Debug, Deserialize)]
#[serde(from = "AttachmentFields")]
pub struct AttachmentRef {
    /// The attachment's title; generated documents have one of their own.
    pub title: Option<String>,
    /// Where `document` or `file` is written, for diagnostics.
    pub at: std::ops::Range<usize>,
    pub source: Result<AttachmentSource, AttachmentProblem>,
}

/// What an attachment is.
#[derive(Debug, Clone)]
pub enum AttachmentSource {
    Strategy {
        edition: Spanned<String>,
    },
    ProcessPlan,
    ConsultationSummary {
        consultation: Spanned<String>,
    },
    ActionPlan {
        id: Spanned<String>,
    },
    KeyFigures {
        year: Spanned<i32>,
    },
    SeminarSummary {
        meeting: Spanned<String>,
    },
    /// A file kept with the plan, relative to the plan directory.
    File {
        path: Spanned<String>,
    },
}

/// Keys of an attachment that do not go together; each at the span to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentProblem {
    DocumentAndFile,
    /// Neither `document` nor `file`; at the `edition`, if one is given.
    Neither,
    MissingEdition,
    MissingConsultation,
    MissingActionPlan,
    MissingYear,
    MissingMeeting,
    EditionOnProcessPlan {
        edition: std::ops::Range<usize>,
    },
}

/// The generated documents an attachment can name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum AttachableDocument {
    Strategy,
    ProcessPlan,
    ConsultationSummary,
    ActionPlan,
    KeyFigures,
    SeminarSummary,
}

/// An attachment's keys as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentFields {
    /// A generated document (see [`AttachableDocument`]).
    #[serde(default)]
    document: Option<Spanned<AttachableDocument>>,
    /// With `document = "strategy"`: the edition.
    #[serde(default)]
    edition: Option<Spanned<String>>,
    /// A file kept with the plan, relative to the plan directory.
    #[serde(default)]
    file: Option<Spanned<String>>,
    /// With `document = "consultation-summary"`: the consultation it summarises.
    #[serde(default)]
    consultation: Option<Spanned<String>>,
    /// With `document = "action-plan"`: the action plan's id (its file name).
    #[serde(default)]
    action_plan: Option<Spanned<String>>,
    /// With `document = "key-figures"`: the year of the key figures.
    #[serde(default)]
    year: Option<Spanned<i32>>,
    /// With `document = "seminar-summary"`: the seminar summarised.
    #[serde(default)]
    meeting: Option<Spanned<String>>,
    #[serde(default)]
    title: Option<String>,
}

impl From<AttachmentFields> for AttachmentRef {
    fn from(fields: AttachmentFields) -> Self {
        use AttachmentProblem as Problem;
        let at = match (&fields.document, &fields.file, &fields.edition) {
            (Some(document), _, _) => document.span(),
            (None, Some(file), _) => file.span(),
            (None, None, Some(edition)) => edition.span(),
            (None, None, None) => 0..0,
        };
        let source = match (fields.document.map(Spanned::into_inner), fields.file) {
            (Some(_), Some(_)) => Err(Problem::DocumentAndFile),
            (None, Some(path)) => Ok(AttachmentSource::File { path }),
            (None, None) => Err(Problem::Neither),
            (Some(document), None) => match document {
                AttachableDocument::Strategy => fields
                    .edition
                    .map(|edition| AttachmentSource::Strategy { edition })
                    .ok_or(Problem::MissingEdition),
                AttachableDocument::ProcessPlan => match fields.edition {
                    Some(edition) => Err(Problem::EditionOnProcessPlan {
                        edition: edition.span(),
                    }),
                    None => Ok(AttachmentSource::ProcessPlan),
                },
                AttachableDocument::ConsultationSummary => fields
                    .consultation
                    .map(|consultation| AttachmentSource::ConsultationSummary { consultation })
                    .ok_or(Problem::MissingConsultation),
                AttachableDocument::ActionPlan => fields
                    .action_plan
                    .map(|id| AttachmentSource::ActionPlan { id })
                    .ok_or(Problem::MissingActionPlan),
                AttachableDocument::KeyFigures => fields
                    .year
                    .map(|year| AttachmentSource::KeyFigures { year })
                    .ok_or(Problem::MissingYear),
                AttachableDocument::SeminarSummary => fields
                    .meeting
                    .map(|meeting| AttachmentSource::SeminarSummary { meeting })
                    .ok_or(Problem::MissingMeeting),
            },
        };
        AttachmentRef {
            title: fields.title,
            at,
            source,
        }
    }
}

pub(super) fn check(plan: &Plan, attachment: &AttachmentRef, d: &mut Diagnostics) {
    use AttachmentProblem as Problem;
    let file = &plan.files.meetings;
    let at = attachment.at.clone();
    let source = match &attachment.source {
        Ok(source) => source,
        Err(problem) => {
            let diagnostic = match problem {
                Problem::DocumentAndFile => Diagnostic::error(
                    "an attachment names either a `document` or a `file`, not both",
                )
                .at(file, at),
                Problem::Neither => Diagnostic::error("an attachment must name a `document` or a `file`")
                    .at(file, at)
                    .with_help("e.g. `{ document = \"strategy\", edition = \"final\" }` or `{ file = \"bilag/notat.pdf\", title = \"Notat\" }`"),
                Problem::MissingEdition => match &plan.strategy {
                    None => no_strategy().at(file, at),
                    Some(strategy) => Diagnostic::error("an attached strategy must name its `edition`")
                        .at(file, at)
                        .with_help(format!(
                            "the editions in strategy.toml are: {}",
                            strategy.edition_ids().join(", ")
                        )),
                },
                Problem::MissingConsultation => Diagnostic::error(
                    "an attached consultation summary must name its `consultation`",
                )
                .at(file, at)
                .with_help(
                    "the consultation's id is its file name under consultations/, without `.toml`",
                ),
                Problem::MissingActionPlan => {
                    Diagnostic::error("an attached action plan must name its `action_plan`")
                        .at(file, at)
                        .with_help("the id is its file name under action-plans/, without `.toml`")
                }
                Problem::MissingMeeting => Diagnostic::error(
                    "an attached seminar summary must name its `meeting`, the seminar's id",
                )
                .at(file, at),
                Problem::MissingYear => {
                    Diagnostic::error("attached key figures must name their `year`").at(file, at)
                }
                Problem::EditionOnProcessPlan { edition } => {
                    Diagnostic::error("the process plan has no editions; remove `edition`")
                        .at(file, edition.clone())
                }
            };
            d.push(diagnostic);
            return;
        }
    };
    match source {
        AttachmentSource::File { path } => {
            if let Err(message) = plan.source.attachment_path(path.get_ref()) {
                d.push(Diagnostic::error(message).at(file, path.span()));
            }
            if attachment.title.is_none() {
                d.push(
                    Diagnostic::error("an attached file needs a `title`")
                        .at(file, path.span())
                        .with_help("the agenda lists attachments by title, e.g. `title = \"Notat om ...\"`"),
                );
            }
        }
        AttachmentSource::Strategy { edition } => match &plan.strategy {
            None => d.push(no_strategy().at(file, at)),
            Some(strategy) if strategy.edition(edition.get_ref()).is_none() => d.push(unknown(
                "strategy edition",
                file,
                edition,
                &strategy.edition_ids(),
            )),
            Some(_) => {}
        },
        AttachmentSource::ConsultationSummary { consultation } => {
            let names: Vec<&str> = plan.consultations.iter().map(|c| c.id.as_str()).collect();
            if !names.contains(&consultation.get_ref().as_str()) {
                d.push(unknown("consultation", file, consultation, &names));
            }
        }
        AttachmentSource::ActionPlan { id } => {
            let names: Vec<&str> = plan.action_plans.iter().map(|c| c.id.as_str()).collect();
            if !names.contains(&id.get_ref().as_str()) {
                d.push(unknown("action plan", file, id, &names));
            }
        }
        AttachmentSource::KeyFigures { year } => {
            if plan.key_figures_for(*year.get_ref()).is_none() {
                let years: Vec<String> = plan
                    .key_figures
                    .iter()
                    .map(|k| k.data.year.get_ref().to_string())
                    .collect();
                d.push(
                    Diagnostic::error(format!("there are no key figures for {}", year.get_ref()))
                        .at(file, year.span())
                        .with_help(if years.is_empty() {
                            "add them as key-figures/YEAR.toml".to_string()
                        } else {
                            format!("key figures exist for: {}", years.join(", "))
                        }),
                );
            }
        }
        AttachmentSource::SeminarSummary { meeting } => {
            let summarised: Vec<&str> = plan
                .meetings
                .iter()
                .filter(|m| m.summary.is_some())
                .map(|m| m.id.get_ref().as_str())
                .collect();
            if !summarised.contains(&meeting.get_ref().as_str()) {
                d.push(unknown("summarised seminar", file, meeting, &summarised));
            }
        }
        AttachmentSource::ProcessPlan => {}
    }
}

fn no_strategy() -> Diagnostic {
    Diagnostic::error("the strategy is attached, but the plan has no strategy.toml")
}
