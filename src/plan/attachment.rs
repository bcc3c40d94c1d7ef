//! An agenda item's attachment as the plan writes it, read into one typed [`AttachmentSource`]
//! as the plan is loaded, and checked against the rest of the plan; and a meeting's
//! attachments as its papers list them ([`of_meeting`]): what each is, the one file name it has
//! in the meeting's `bilag/` folder, and whether that file may be published.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::checks::unknown;
use super::load::{Plan, megabytes};
use super::model::{AgendaItem, Meeting};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::text::slug;

/// An agenda item's attachment: a document `udvalg` makes, or a file kept with the plan. Read
/// from its keys once, as the plan is loaded; what is wrong with them is kept for `validate` to
/// report with the plan at hand, so that one bad attachment does not hide the file's other
/// problems.
#[derive(Debug, Deserialize)]
#[serde(from = "AttachmentFields")]
pub struct AttachmentRef {
    /// The attachment's title; generated documents have one of their own.
    pub title: Option<String>,
    /// `public = false`: not for publication, as case systems mark a document. An attachment of
    /// a closed item is never public, whatever this says.
    pub public: Option<Spanned<bool>>,
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

/// A file kept with the plan that an item attaches: its bytes, read once as the plan is loaded
/// (from the one handle that was checked), and what the build writes.
#[derive(Debug, Clone)]
pub struct AttachedFile {
    pub bytes: bytes::Bytes,
    /// The sha256 of `bytes`: two attachments with the same bytes are one file.
    pub sha256: String,
}

impl AttachedFile {
    pub fn new(bytes: Vec<u8>) -> Self {
        let sha256 = crate::hash::sha256_hex(&bytes);
        Self {
            bytes: bytes.into(),
            sha256,
        }
    }
}

/// Why a file an item attaches cannot be attached.
#[derive(Debug, Clone)]
pub enum FileProblem {
    /// An absolute path, or one with `..`.
    Leaves,
    /// The plan built into the binary has no files beside its TOML.
    BuiltIn,
    NotFound,
    /// `at` (the path up to a component, or the whole path) is a link.
    Link {
        at: String,
    },
    /// `at` is a file, and the path goes on below it.
    NotAFolder {
        at: String,
    },
    NotAFile,
    TooLarge {
        size: u64,
        limit: u64,
    },
    Unreadable(String),
}

impl FileProblem {
    /// What is wrong with the attachment `relative`, and what would be right.
    fn diagnostic(&self, relative: &str) -> Diagnostic {
        match self {
            FileProblem::Leaves => Diagnostic::error(format!(
                "`{relative}` leaves the plan directory; name a file inside it, e.g. `bilag/notat.pdf`"
            )),
            FileProblem::BuiltIn => {
                Diagnostic::error(format!("the built-in plan has no file `{relative}`"))
            }
            FileProblem::NotFound => Diagnostic::error(format!(
                "there is no file `{relative}` in the plan directory"
            )),
            FileProblem::Link { at } if at == relative => Diagnostic::error(format!(
                "`{relative}` is a symbolic link; copy the file itself into the plan directory"
            )),
            FileProblem::Link { at } => Diagnostic::error(format!(
                "`{at}` is a symbolic link, and `{relative}` is reached through it; an attached \
                 file must be in the plan directory itself"
            ))
            .with_help(format!(
                "copy the files themselves into the plan directory, in a folder `{at}`"
            )),
            FileProblem::NotAFolder { at } => Diagnostic::error(format!(
                "`{at}` is a file, not a folder, so there is no `{relative}`"
            )),
            FileProblem::NotAFile => Diagnostic::error(format!("`{relative}` is not a file")),
            FileProblem::TooLarge { size, limit } => Diagnostic::error(format!(
                "`{relative}` is {} ({size} bytes); an attached file may be at most {} \
                 ({limit} bytes)",
                megabytes(*size),
                megabytes(*limit)
            ))
            .with_help(
                "attach a smaller file (a link to a large one, in the item's text), or raise \
                 `max_attachment_mb` under [plan] in plan.toml",
            ),
            FileProblem::Unreadable(reason) => {
                Diagnostic::error(format!("cannot read `{relative}`: {reason}"))
            }
        }
    }
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
    /// `false`: the attachment is not for publication.
    #[serde(default)]
    public: Option<Spanned<bool>>,
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
            public: fields.public,
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
            match plan.attached_files.get(path.get_ref()) {
                Some(Ok(_)) => {}
                Some(Err(problem)) => {
                    d.push(problem.diagnostic(path.get_ref()).at(file, path.span()));
                }
                None => d.push(
                    FileProblem::NotFound
                        .diagnostic(path.get_ref())
                        .at(file, path.span()),
                ),
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

/// What makes two attachments of a meeting one file: the same generated document, or the same
/// bytes. A file is known by its content rather than its path, because the content is what is
/// published and what the archive hashes: two paths with the same bytes are one paper (stored
/// once), and a copy of a closed item's file attached by an open item is still that file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    Strategy(String),
    ProcessPlan,
    ConsultationSummary(String),
    ActionPlan(String),
    KeyFigures(i32),
    SeminarSummary(String),
    /// A file kept with the plan, by the sha256 of its bytes.
    File(String),
}

/// One item's attachment as the meeting's papers list it.
#[derive(Debug, Clone)]
pub struct Listed<'p> {
    /// The item's index in the meeting.
    pub item: usize,
    pub reference: &'p AttachmentRef,
    pub source: &'p AttachmentSource,
    /// The title the item lists it under: the plan's, or the document's own.
    pub title: String,
    /// Its file in the meeting's `bilag/` folder: the same for every listing of one
    /// [`Identity`], and never the same for two.
    pub file_name: String,
    pub identity: Identity,
    /// Whether the file may be published: every item of the meeting that attaches it is open,
    /// and none marks it `public = false`. A listing that is not public is left out of every
    /// public paper (the public agenda and minutes, the item's own PDF).
    pub public: bool,
    /// The first listing of its file: where the file is made (or copied) for the meeting.
    pub first: bool,
    /// For a file kept with the plan, its bytes as read when the plan was loaded.
    pub file: Option<&'p AttachedFile>,
}

/// Something about a meeting's attachments that `check` says, by their index in
/// [`MeetingAttachments::listed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// `listed` wanted the file name `wanted`, which `taken_by`, another file or document, has:
    /// it is written under its own `file_name` instead.
    Renamed {
        listed: usize,
        wanted: String,
        taken_by: usize,
    },
    /// `listed`, on an open item, has the same file as `by`, which is not public (a closed
    /// item's, or marked `public = false`): the file is not published, and `listed` is left
    /// out of the public papers.
    Withheld { listed: usize, by: usize },
}

/// A meeting's attachments, in the order of its items and their attachments, and what `check`
/// says about them.
#[derive(Debug, Default)]
pub struct MeetingAttachments<'p> {
    pub listed: Vec<Listed<'p>>,
    pub notes: Vec<Note>,
}

/// Every item's attachments of `meeting`: what each is, its file name (two different files or
/// documents never share one: the second and later get `-2`, `-3`, ... in item order) and
/// whether its file may be published. Attachments that do not resolve (unknown editions,
/// unreadable files) are left out: validation reports them.
pub fn of_meeting<'p>(plan: &'p Plan, meeting: &'p Meeting) -> MeetingAttachments<'p> {
    let mut out = MeetingAttachments::default();
    let mut by_identity: HashMap<Identity, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (index, item) in meeting.items.iter().enumerate() {
        for reference in &item.attachments {
            let Ok(source) = &reference.source else {
                continue;
            };
            let Some((identity, own_title, wanted, file)) = resolve(plan, source) else {
                continue;
            };
            let at = out.listed.len();
            let (file_name, first) = match by_identity.get(&identity) {
                Some(&first) => (out.listed[first].file_name.clone(), false),
                None => {
                    let mut name = wanted.clone();
                    let mut n = 2;
                    while by_name.contains_key(&name) {
                        name = numbered(&wanted, n);
                        n += 1;
                    }
                    if name != wanted {
                        out.notes.push(Note::Renamed {
                            listed: at,
                            wanted: wanted.clone(),
                            taken_by: by_name[&wanted],
                        });
                    }
                    by_name.insert(name.clone(), at);
                    by_identity.insert(identity.clone(), at);
                    (name, true)
                }
            };
            out.listed.push(Listed {
                item: index,
                reference,
                source,
                title: reference.title.clone().unwrap_or(own_title),
                file_name,
                identity,
                public: listing_is_public(item, reference),
                first,
                file,
            });
        }
    }
    // A file is public only if every listing of it is: one confidential listing keeps it in.
    let withheld_by: HashMap<&Identity, usize> = {
        let mut by = HashMap::new();
        for (i, listed) in out.listed.iter().enumerate() {
            if !listed.public {
                by.entry(&listed.identity).or_insert(i);
            }
        }
        by
    };
    let mut withheld: Vec<(usize, usize)> = Vec::new();
    for (i, listed) in out.listed.iter().enumerate() {
        if let Some(&by) = withheld_by.get(&listed.identity)
            && listed.public
        {
            withheld.push((i, by));
        }
    }
    for &(listed, by) in &withheld {
        out.listed[listed].public = false;
        out.notes.push(Note::Withheld { listed, by });
    }
    out
}

/// Whether one listing may be published on its own: an open item's, not marked `public = false`.
fn listing_is_public(item: &AgendaItem, reference: &AttachmentRef) -> bool {
    !item.closed && reference.public.as_ref().is_none_or(|p| *p.get_ref())
}

/// `name` with `-n` before its extension: `notat.pdf`, 2 → `notat-2.pdf`.
fn numbered(name: &str, n: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{n}.{ext}"),
        _ => format!("{name}-{n}"),
    }
}

/// What an attachment is, its own title (used unless the plan gives one), its file name and,
/// for a file kept with the plan, its bytes; `None` if it does not resolve.
fn resolve<'p>(
    plan: &'p Plan,
    source: &AttachmentSource,
) -> Option<(Identity, String, String, Option<&'p AttachedFile>)> {
    Some(match source {
        AttachmentSource::Strategy { edition } => {
            let strategy = plan.strategy.as_ref()?;
            let edition = strategy.edition(edition.get_ref())?;
            (
                Identity::Strategy(edition.id.get_ref().clone()),
                format!("{} – {}", strategy.title, edition.label),
                format!("{}-{}.pdf", slug(&strategy.title), slug(&edition.label)),
                None,
            )
        }
        AttachmentSource::ConsultationSummary { consultation } => {
            let consultation = plan.consultation(consultation.get_ref())?;
            let title = consultation.summary_title();
            let file_name = format!("{}.pdf", slug(&title));
            (
                Identity::ConsultationSummary(consultation.id.clone()),
                title,
                file_name,
                None,
            )
        }
        AttachmentSource::ActionPlan { id } => {
            let action_plan = plan.action_plan(id.get_ref())?;
            let title = action_plan.data.title.clone();
            let file_name = format!("{}.pdf", slug(&title));
            (
                Identity::ActionPlan(action_plan.id.clone()),
                title,
                file_name,
                None,
            )
        }
        AttachmentSource::KeyFigures { year } => {
            let key_figures = plan.key_figures_for(*year.get_ref())?;
            (
                Identity::KeyFigures(*year.get_ref()),
                key_figures.data.title.clone(),
                format!("noegletal-{}.pdf", key_figures.data.year.get_ref()),
                None,
            )
        }
        AttachmentSource::SeminarSummary { meeting } => {
            let seminar = plan.meeting(meeting.get_ref())?;
            seminar.summary.as_ref()?;
            (
                Identity::SeminarSummary(seminar.id.get_ref().clone()),
                plan.seminar_summary_title(seminar),
                "opsamling-paa-seminar.pdf".to_string(),
                None,
            )
        }
        AttachmentSource::ProcessPlan => (
            Identity::ProcessPlan,
            format!("Procesplan – {}", plan.settings.plan.title),
            "procesplan.pdf".to_string(),
            None,
        ),
        AttachmentSource::File { path } => {
            let file = plan.attached_files.get(path.get_ref())?.as_ref().ok()?;
            let name = std::path::Path::new(path.get_ref())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            let (stem, ext) = split_extension(name.as_deref().unwrap_or("bilag"));
            let file_name = format!("{}{ext}", slug(&stem));
            (
                Identity::File(file.sha256.clone()),
                stem,
                file_name,
                Some(file),
            )
        }
    })
}

fn split_extension(name: &str) -> (String, String) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{}", slug(ext))),
        _ => (name.to_string(), String::new()),
    }
}

/// What `check` says about a meeting's attachments together: files renamed because another
/// has their name, files kept from publication because a closed item (or a `public = false`)
/// has them too, and `public = true` where it cannot hold.
pub(super) fn check_meeting(plan: &Plan, meeting: &Meeting, d: &mut Diagnostics) {
    let file = &plan.files.meetings;
    for item in meeting.items.iter().filter(|i| i.closed) {
        for public in item.attachments.iter().filter_map(|a| a.public.as_ref()) {
            if *public.get_ref() {
                d.push(
                    Diagnostic::warning(format!(
                        "item `{}` is closed, so its attachments are never published; \
                         `public = true` has no effect",
                        item.id.get_ref()
                    ))
                    .at(file, public.span())
                    .with_help("remove `public = true`, or open the item"),
                );
            }
        }
    }
    if !meeting.has_agenda() {
        return;
    }
    let attachments = of_meeting(plan, meeting);
    let listed = &attachments.listed;
    let place = |l: &Listed| {
        let (line, _) = file.line_col(l.reference.at.start);
        format!("item `{}`, line {line}", meeting.items[l.item].id.get_ref())
    };
    for note in &attachments.notes {
        match note {
            Note::Renamed {
                listed: at,
                wanted,
                taken_by,
            } => {
                let (this, other) = (&listed[*at], &listed[*taken_by]);
                d.push(
                    Diagnostic::warning(format!(
                        "{} and {} ({}) are different files that would both be \
                         bilag/{wanted}; this one is written as bilag/{}",
                        describe(this.source),
                        describe(other.source),
                        place(other),
                        this.file_name
                    ))
                    .at(file, this.reference.at.clone())
                    .with_help("give one of the files another name to choose the names yourself"),
                );
            }
            Note::Withheld { listed: at, by } => {
                let (this, other) = (&listed[*at], &listed[*by]);
                let (line, _) = file.line_col(other.reference.at.start);
                let holder = &meeting.items[other.item];
                let attaches = if holder.closed {
                    format!(
                        "the closed item `{}` attaches (line {line})",
                        holder.id.get_ref()
                    )
                } else {
                    format!(
                        "item `{}` attaches with `public = false` (line {line})",
                        holder.id.get_ref()
                    )
                };
                let (this_name, other_name) = (describe(this.source), describe(other.source));
                let what = if this_name == other_name {
                    format!("{this_name} is also what {attaches}")
                } else {
                    format!("{this_name} has the same content as {other_name}, which {attaches}")
                };
                d.push(
                    Diagnostic::warning(format!(
                        "{what}: bilag/{} is not published, and item `{}`'s public papers \
                         leave it out",
                        this.file_name,
                        meeting.items[this.item].id.get_ref()
                    ))
                    .at(file, this.reference.at.clone())
                    .with_help(
                        "attach a version that may be published (other content), or mark \
                         this attachment `public = false` to say so",
                    ),
                );
            }
        }
    }
}

/// An attachment as a diagnostic names it.
fn describe(source: &AttachmentSource) -> String {
    match source {
        AttachmentSource::File { path } => format!("`{}`", path.get_ref()),
        AttachmentSource::Strategy { edition } => {
            format!("the strategy edition `{}`", edition.get_ref())
        }
        AttachmentSource::ProcessPlan => "the process plan".to_string(),
        AttachmentSource::ConsultationSummary { consultation } => {
            format!("the consultation summary of `{}`", consultation.get_ref())
        }
        AttachmentSource::ActionPlan { id } => format!("the action plan `{}`", id.get_ref()),
        AttachmentSource::KeyFigures { year } => format!("the key figures {}", year.get_ref()),
        AttachmentSource::SeminarSummary { meeting } => {
            format!("the summary of `{}`", meeting.get_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanSource, load};

    fn fixture(name: &str) -> Plan {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        load(&PlanSource::Dir(dir.join(name))).expect("the fixture loads")
    }

    /// (title, file name, public, first) of each listing of the plan's first meeting.
    fn listings(plan: &Plan, meeting: usize) -> Vec<(String, String, bool, bool)> {
        of_meeting(plan, &plan.meetings[meeting])
            .listed
            .into_iter()
            .map(|l| (l.title, l.file_name, l.public, l.first))
            .collect()
    }

    fn row(title: &str, file: &str, public: bool, first: bool) -> (String, String, bool, bool) {
        (title.into(), file.into(), public, first)
    }

    #[test]
    fn a_name_is_numbered_before_its_extension() {
        assert_eq!(numbered("notat.pdf", 2), "notat-2.pdf");
        assert_eq!(numbered("notat-1.pdf", 2), "notat-1-2.pdf");
        assert_eq!(numbered("bilag", 3), "bilag-3");
        assert_eq!(numbered(".pdf", 2), ".pdf-2");
    }

    #[test]
    fn different_files_never_share_a_name() {
        let plan = fixture("warnings/attachment-same-name");
        assert_eq!(
            listings(&plan, 0),
            vec![
                row("Notat fra afdeling A", "notat.pdf", true, true),
                row("Notat fra afdeling B", "notat-2.pdf", true, true),
                row("Første notat", "notat-1.pdf", true, true),
                row("Andet notat", "notat-1-2.pdf", true, true),
            ]
        );
        let notes = of_meeting(&plan, &plan.meetings[0]).notes;
        assert_eq!(
            notes,
            vec![
                Note::Renamed {
                    listed: 1,
                    wanted: "notat.pdf".into(),
                    taken_by: 0
                },
                Note::Renamed {
                    listed: 3,
                    wanted: "notat-1.pdf".into(),
                    taken_by: 2
                },
            ]
        );
    }

    #[test]
    fn the_same_file_or_document_is_one_attachment() {
        let plan = fixture("valid/attachment-shared");
        assert_eq!(
            listings(&plan, 0),
            vec![
                row("Fælles notat", "notat.pdf", true, true),
                row("Procesplan – Prøveplan", "procesplan.pdf", true, true),
                row("Fælles notat", "notat.pdf", true, false),
                row("Procesplan – Prøveplan", "procesplan.pdf", true, false),
                // A byte-identical copy under another path is the same file.
                row("Kopi af det fælles notat", "notat.pdf", true, false),
            ]
        );
        assert!(of_meeting(&plan, &plan.meetings[0]).notes.is_empty());
    }

    #[test]
    fn what_may_not_be_published_is_not_public() {
        let plan = fixture("warnings/attachment-not-public");
        assert_eq!(
            listings(&plan, 0),
            vec![
                row("Budgetnotat", "budgetnotat.pdf", true, true),
                row(
                    "Intern vurdering af tilbuddene",
                    "intern-vurdering.pdf",
                    false,
                    true
                ),
            ]
        );
        // The open item's copy of the closed item's file is the closed item's file.
        assert_eq!(
            listings(&plan, 1),
            vec![
                row("Tilsynsrapport", "tilsynsrapport.pdf", true, true),
                row("Bilag til tilsynet", "tilsyn-bilag.pdf", false, true),
                row("Klagen fra borgeren", "tilsyn-bilag.pdf", false, false),
            ]
        );
        assert_eq!(
            of_meeting(&plan, &plan.meetings[1]).notes,
            vec![Note::Withheld { listed: 1, by: 2 }]
        );
        assert!(of_meeting(&plan, &plan.meetings[0]).notes.is_empty());
    }

    #[test]
    fn each_file_is_read_once_with_its_content() {
        let plan = fixture("valid/attachment-shared");
        let mut paths: Vec<&String> = plan.attached_files.keys().collect();
        paths.sort();
        assert_eq!(paths, vec!["bilag/notat.pdf", "kopi/samme-notat.pdf"]);
        let file = plan.attached_files["bilag/notat.pdf"].as_ref().unwrap();
        assert_eq!(&file.bytes[..], "Fælles notat til to punkter.\n".as_bytes());
        assert_eq!(file.sha256, crate::hash::sha256_hex(&file.bytes));
    }
}
