//! Reading a plan directory (or the plan built into the binary) into the model, with every
//! TOML problem reported at its place.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::de::DeserializeOwned;

use super::attachment::{AttachedFile, FileProblem};
use super::files::{Folder, OpenProblem};
use super::model::*;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, SourceRef};

static EMBEDDED_PLAN: Dir = include_dir!("$CARGO_MANIFEST_DIR/plans/udsattestrategi");

/// Plan files larger than this are refused before they are read: a plan is a few hundred kB.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// An attached file may be this large unless plan.toml's `max_attachment_mb` says otherwise.
pub const DEFAULT_MAX_ATTACHMENT_MB: u64 = 100;

/// Where a plan's files come from.
#[derive(Clone, Debug)]
pub enum PlanSource {
    /// A directory on disk, named as the user gave it.
    Dir(PathBuf),
    /// The Ballerup plan compiled into the binary.
    Embedded,
}

impl PlanSource {
    /// The name diagnostics use for the plan's folder.
    pub fn display_name(&self) -> String {
        match self {
            PlanSource::Dir(dir) => dir.display().to_string(),
            PlanSource::Embedded => "plans/udsattestrategi".into(),
        }
    }

    fn file_name(&self, relative: &str) -> String {
        format!("{}/{relative}", self.display_name().trim_end_matches('/'))
    }
}

/// A plan's files as the load reads them: from the binary, or from the plan folder opened once
/// (each file without following a link anywhere below the folder, see [`Folder`]).
struct Reader<'a> {
    source: &'a PlanSource,
    /// For [`PlanSource::Dir`]: the folder, or why it cannot be opened.
    folder: Option<Result<Folder, String>>,
}

impl<'a> Reader<'a> {
    fn new(source: &'a PlanSource) -> Self {
        let folder = match source {
            PlanSource::Embedded => None,
            PlanSource::Dir(dir) => Some(Folder::open(dir).map_err(|e| {
                format!("cannot read the plan folder {}: {e}", source.display_name())
            })),
        };
        Self { source, folder }
    }

    fn folder(&self) -> Result<Option<&Folder>, Diagnostic> {
        match &self.folder {
            None => Ok(None),
            Some(Ok(folder)) => Ok(Some(folder)),
            Some(Err(message)) => Err(Diagnostic::error(message.clone())),
        }
    }

    /// Reads a file of the plan as UTF-8 text; `Ok(None)` when it does not exist. A file
    /// reached through a link is refused before anything of it is read, so no diagnostic ever
    /// shows what a link points at.
    fn read_text(&self, relative: &str) -> Result<Option<String>, Diagnostic> {
        let name = self.source.file_name(relative);
        let bytes = match self.folder()? {
            None => match EMBEDDED_PLAN.get_file(relative) {
                Some(file) => file.contents().to_vec(),
                None => return Ok(None),
            },
            Some(folder) => {
                let path: Vec<&str> = relative.split('/').collect();
                match folder.read(&path, MAX_FILE_BYTES) {
                    Ok(bytes) => bytes,
                    Err(OpenProblem::NotFound) => return Ok(None),
                    Err(problem) => return Err(self.plan_file_problem(&name, problem)),
                }
            }
        };
        String::from_utf8(bytes).map(Some).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.into_bytes()[..valid]).into_owned();
            let file = SourceFile::new(name.clone(), text);
            let end = file.text.len();
            Diagnostic::error(format!(
                "{name} is not UTF-8 text (an invalid byte follows this point)"
            ))
            .at(&file, end..end)
            .with_help("save the file as UTF-8; most editors have it under 'Save with encoding'")
        })
    }

    fn plan_file_problem(&self, name: &str, problem: OpenProblem) -> Diagnostic {
        match problem {
            OpenProblem::Link { at } => Diagnostic::error(format!(
                "{} is a symbolic link; udvalg reads a plan's files only from the plan folder \
                 itself, never through a link",
                self.source.file_name(&at)
            ))
            .with_help("copy the file itself into the plan folder"),
            OpenProblem::NotAFolder { at } => {
                Diagnostic::error(format!("{} is not a folder", self.source.file_name(&at)))
            }
            OpenProblem::NotAFile => Diagnostic::error(format!("{name} is not a file")),
            OpenProblem::TooLarge { size } => Diagnostic::error(format!(
                "{name} is {}; a plan file may be at most {} MB",
                megabytes(size),
                MAX_FILE_BYTES / MB
            ))
            .with_help("split the data over several files, or remove what is not plan data"),
            OpenProblem::NotFound => Diagnostic::error(format!("there is no {name}")),
            OpenProblem::Io(e) => Diagnostic::error(format!("cannot read {name}: {e}")),
        }
    }

    /// The `.toml` files directly in a folder of the plan, by name; none if there is no folder.
    fn list_toml(&self, folder: &str) -> Result<Vec<String>, Diagnostic> {
        let mut names: Vec<String> = match self.folder()? {
            None => EMBEDDED_PLAN
                .get_dir(folder)
                .map(|dir| {
                    dir.files()
                        .filter_map(|f| f.path().file_name()?.to_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            Some(plan) => match plan.list(&[folder]) {
                Ok(names) => names,
                Err(OpenProblem::NotFound) => Vec::new(),
                Err(OpenProblem::NotAFile) => {
                    return Err(Diagnostic::error(format!(
                        "{} is not a folder",
                        self.source.file_name(folder)
                    )));
                }
                Err(problem) => {
                    let name = self.source.file_name(folder);
                    return Err(self.plan_file_problem(&name, problem));
                }
            },
        };
        names.retain(|n| n.ends_with(".toml"));
        names.sort();
        Ok(names)
    }

    /// Reads a file an item attaches, once: its bytes, or why it cannot be attached.
    fn read_attachment(&self, relative: &str, limit: u64) -> Result<AttachedFile, FileProblem> {
        let rel = Path::new(relative);
        if relative.is_empty()
            || rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(FileProblem::Leaves);
        }
        let Some(folder) = self
            .folder()
            .map_err(|d| FileProblem::Unreadable(d.message))?
        else {
            return Err(FileProblem::BuiltIn);
        };
        let path: Vec<&str> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => name.to_str(),
                _ => None,
            })
            .collect();
        let bytes = folder.read(&path, limit).map_err(|problem| match problem {
            OpenProblem::NotFound => FileProblem::NotFound,
            OpenProblem::Link { at } => FileProblem::Link { at },
            OpenProblem::NotAFolder { at } => FileProblem::NotAFolder { at },
            OpenProblem::NotAFile => FileProblem::NotAFile,
            OpenProblem::TooLarge { size } => FileProblem::TooLarge { size, limit },
            OpenProblem::Io(e) => FileProblem::Unreadable(e.to_string()),
        })?;
        Ok(AttachedFile::new(bytes))
    }
}

const MB: u64 = 1024 * 1024;

/// A size as the diagnostics give it, e.g. `120.5 MB`.
pub(super) fn megabytes(size: u64) -> String {
    format!("{:.1} MB", size as f64 / MB as f64)
}

/// The source text of each plan file, for diagnostics that point into it.
#[derive(Debug)]
pub struct PlanSources {
    pub plan: SourceRef,
    pub meetings: SourceRef,
    pub strategy: Option<SourceRef>,
    pub implementation: Option<SourceRef>,
}

/// A plan file from a folder of like files: its id is the file name without `.toml`.
#[derive(Debug)]
pub struct Named<T> {
    pub id: String,
    pub file: SourceRef,
    pub data: T,
}

pub type Consultation = Named<ConsultationFile>;
pub type ActionPlan = Named<ActionPlanFile>;
pub type KeyFigures = Named<KeyFiguresFile>;
/// An edition's own content, `strategy/<edition id>.toml`.
pub type EditionContent = Named<StrategyContent>;

impl Consultation {
    /// The title of the consultation's summary (høringsnotat), as it is attached and printed.
    pub fn summary_title(&self) -> String {
        let title = &self.data.title;
        let subject = title.strip_prefix("Høring over ").unwrap_or(title);
        format!("Høringsnotat – {subject}")
    }
}

/// A loaded plan: the model, where it came from and a hash of its data.
#[derive(Debug)]
pub struct Plan {
    pub source: PlanSource,
    pub settings: PlanFile,
    pub meetings: Vec<Meeting>,
    pub strategy: Option<StrategyFile>,
    pub implementation: Option<ImplementationFile>,
    /// Each in file-name order.
    pub consultations: Vec<Consultation>,
    pub action_plans: Vec<ActionPlan>,
    pub key_figures: Vec<KeyFigures>,
    /// The strategy editions that have content of their own, by edition id.
    pub edition_contents: Vec<EditionContent>,
    /// Every file an item attaches, by the path the plan writes, read once as the plan is
    /// loaded: the build copies these bytes, never the path again.
    pub attached_files: HashMap<String, Result<AttachedFile, FileProblem>>,
    pub files: PlanSources,
    /// sha256 over every plan file, in a fixed order.
    pub data_hash: String,
    /// Which items handle the same case, found once when a paper first asks.
    pub cases: std::sync::OnceLock<super::case_history::Cases>,
}

impl Plan {
    /// Every plan file's text: plan.toml, meetings.toml, strategy.toml, implementation.toml,
    /// then the files of each folder.
    pub fn source_files(&self) -> Vec<SourceRef> {
        let files = &self.files;
        [Some(&files.plan), Some(&files.meetings)]
            .into_iter()
            .chain([files.strategy.as_ref(), files.implementation.as_ref()])
            .flatten()
            .cloned()
            .chain(self.consultations.iter().map(|c| c.file.clone()))
            .chain(self.action_plans.iter().map(|a| a.file.clone()))
            .chain(self.key_figures.iter().map(|k| k.file.clone()))
            .chain(self.edition_contents.iter().map(|e| e.file.clone()))
            .collect()
    }

    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.meetings.iter().find(|m| m.id.get_ref() == id)
    }

    pub fn stakeholder(&self, id: &str) -> Option<&Stakeholder> {
        self.settings
            .stakeholders
            .iter()
            .find(|s| s.id.get_ref() == id)
    }

    pub fn consultation(&self, id: &str) -> Option<&Consultation> {
        self.consultations.iter().find(|c| c.id == id)
    }

    pub fn action_plan(&self, id: &str) -> Option<&ActionPlan> {
        self.action_plans.iter().find(|a| a.id == id)
    }

    pub fn key_figures_for(&self, year: i32) -> Option<&KeyFigures> {
        self.key_figures
            .iter()
            .find(|k| *k.data.year.get_ref() == year)
    }

    /// The title of a seminar's summary (opsamling), as it is attached and printed.
    pub fn seminar_summary_title(&self, seminar: &Meeting) -> String {
        let name = seminar
            .title
            .clone()
            .unwrap_or_else(|| self.body_name(seminar));
        format!("Opsamling – {name}")
    }

    /// The meeting that meets a milestone, once one is named.
    /// Who meets: the meeting's own body, or the committee.
    pub fn body_name(&self, meeting: &Meeting) -> String {
        meeting
            .body
            .clone()
            .unwrap_or_else(|| self.settings.committee.name.clone())
    }

    /// The day a meeting's agenda goes to the members, by the plan's calendar rules: the day its
    /// papers speak from.
    pub fn send_out_date(&self, meeting: &Meeting) -> chrono::NaiveDate {
        crate::calendar::agenda_deadline(&self.settings.calendar, meeting.date.get_ref().0)
    }

    pub fn milestone_meeting(&self, milestone: &Milestone) -> Option<&Meeting> {
        self.meeting(milestone.meeting.as_ref()?.get_ref())
    }
}

impl Meeting {
    /// Committee and council meetings have agendas; seminars and theme meetings have programmes.
    pub fn has_agenda(&self) -> bool {
        matches!(self.kind, MeetingKind::Committee | MeetingKind::Council) && !self.items.is_empty()
    }
}

impl StrategyFile {
    /// The editions' ids, in the file's order.
    pub fn edition_ids(&self) -> Vec<&str> {
        self.editions
            .iter()
            .map(|e| e.id.get_ref().as_str())
            .collect()
    }

    pub fn edition(&self, id: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.id.get_ref() == id)
    }

    pub fn focus_area(&self, id: &str) -> Option<&FocusArea> {
        self.focus_areas.iter().find(|a| a.id.get_ref() == id)
    }

    pub fn goal(&self, id: &str) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id.get_ref() == id)
    }
}

/// Loads every plan file; all problems of all files are returned together.
pub fn load(source: &PlanSource) -> Result<Plan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut folder_errors = Vec::new();
    let mut hasher = crate::hash::Hasher::new();
    let reader = Reader::new(source);
    if let Err(unreadable) = reader.folder() {
        diagnostics.push(unreadable);
        return Err(diagnostics);
    }

    let mut read = |relative: &str, required: bool| -> Option<SourceRef> {
        match reader.read_text(relative) {
            Ok(Some(text)) => {
                hasher.part(relative, text.as_bytes());
                Some(SourceFile::new(source.file_name(relative), text))
            }
            Ok(None) if required => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "the plan has no {relative}: {} is not a plan directory",
                        source.display_name()
                    ))
                    .with_help("a plan is a folder with plan.toml and meetings.toml; see docs/plan-format.md"),
                );
                None
            }
            Ok(None) => None,
            Err(d) => {
                diagnostics.push(d);
                None
            }
        }
    };
    let plan_src = read("plan.toml", true);
    let meetings_src = read("meetings.toml", true);
    let strategy_src = read("strategy.toml", false);
    let implementation_src = read("implementation.toml", false);
    let mut folder = |name: &str| -> Vec<(String, SourceRef)> {
        match reader.list_toml(name) {
            Ok(names) => names
                .iter()
                .filter_map(|file| {
                    let text = read(&format!("{name}/{file}"), false)?;
                    Some((file.trim_end_matches(".toml").to_string(), text))
                })
                .collect(),
            Err(d) => {
                folder_errors.push(d);
                Vec::new()
            }
        }
    };
    let consultation_srcs = folder("consultations");
    let action_plan_srcs = folder("action-plans");
    let key_figure_srcs = folder("key-figures");
    let edition_srcs = folder("strategy");
    let data_hash = hasher.finish();

    let settings = plan_src
        .as_ref()
        .and_then(|s| parse::<PlanFile>(s, &mut diagnostics));
    let meetings = meetings_src
        .as_ref()
        .and_then(|s| parse::<MeetingsFile>(s, &mut diagnostics));
    let strategy = strategy_src
        .as_ref()
        .map(|s| parse::<StrategyFile>(s, &mut diagnostics));
    let implementation = implementation_src
        .as_ref()
        .map(|s| parse::<ImplementationFile>(s, &mut diagnostics));
    diagnostics.extend(folder_errors);
    let consultations = parse_all(consultation_srcs, &mut diagnostics);
    let action_plans = parse_all(action_plan_srcs, &mut diagnostics);
    let key_figures = parse_all(key_figure_srcs, &mut diagnostics);
    let edition_contents = parse_all(edition_srcs, &mut diagnostics);

    match (settings, meetings, plan_src, meetings_src) {
        (Some(settings), Some(meetings), Some(plan), Some(meetings_file))
            if !diagnostics.has_errors() =>
        {
            let attached_files = read_attachments(&reader, &settings, &meetings.meetings);
            Ok(Plan {
                source: source.clone(),
                settings,
                meetings: meetings.meetings,
                strategy: strategy.flatten(),
                implementation: implementation.flatten(),
                consultations,
                action_plans,
                key_figures,
                edition_contents,
                attached_files,
                files: PlanSources {
                    plan,
                    meetings: meetings_file,
                    strategy: strategy_src,
                    implementation: implementation_src,
                },
                data_hash,
                cases: Default::default(),
            })
        }
        _ => Err(diagnostics),
    }
}

/// Every file the items attach, each read once (by the path the plan writes): its bytes, or
/// why it cannot be attached, for validation to report at the attachment.
fn read_attachments(
    reader: &Reader,
    settings: &PlanFile,
    meetings: &[Meeting],
) -> HashMap<String, Result<AttachedFile, FileProblem>> {
    let limit = settings.plan.max_attachment_bytes();
    let mut files = HashMap::new();
    let paths = meetings
        .iter()
        .flat_map(|m| &m.items)
        .flat_map(|i| &i.attachments)
        .filter_map(|a| match &a.source {
            Ok(AttachmentSource::File { path }) => Some(path.get_ref()),
            _ => None,
        });
    for path in paths {
        if !files.contains_key(path) {
            files.insert(path.clone(), reader.read_attachment(path, limit));
        }
    }
    files
}

fn parse_all<T: DeserializeOwned>(
    files: Vec<(String, SourceRef)>,
    diagnostics: &mut Diagnostics,
) -> Vec<Named<T>> {
    files
        .into_iter()
        .filter_map(|(id, file)| {
            let data = parse::<T>(&file, diagnostics)?;
            Some(Named { id, file, data })
        })
        .collect()
}

fn parse<T: DeserializeOwned>(file: &SourceRef, diagnostics: &mut Diagnostics) -> Option<T> {
    if file.text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(format!("{} is empty", file.name))
                .at(file, 0..0)
                .with_help("see docs/plan-format.md for what the file holds"),
        );
        return None;
    }
    match toml::from_str::<T>(&file.text) {
        Ok(value) => Some(value),
        Err(error) => {
            let range = error.span().unwrap_or(0..0);
            diagnostics.push(toml_diagnostic(error.message(), file, range));
            None
        }
    }
}

/// Turns serde's and toml's messages into ones that say what would be right.
fn toml_diagnostic(message: &str, file: &SourceRef, range: std::ops::Range<usize>) -> Diagnostic {
    let message = message.trim().trim_end_matches('.');
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut d = Diagnostic::error(format!("unknown key `{key}`")).at(file, range);
        if let Some(best) = closest(key, &keys) {
            d.message = format!("unknown key `{key}`; did you mean `{best}`?");
        }
        if keys.is_empty() {
            return d.with_help("this table takes no keys");
        }
        return d.with_help(format!("the keys allowed here are: {}", keys.join(", ")));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(format!("missing key `{key}`"))
            .at(file, range)
            .with_help(format!(
                "add `{key} = ...` to this table; docs/plan-format.md lists every key"
            ));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((value, expected)) = rest.split_once('`')
    {
        let values: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut text = format!("`{value}` is not allowed here");
        if let Some(best) = closest(value, &values) {
            text.push_str(&format!("; did you mean `{best}`?"));
        }
        return Diagnostic::error(text)
            .at(file, range)
            .with_help(format!("write one of: {}", values.join(", ")));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let expected = match expected {
            "a boolean" => "`true` or `false`",
            other => other,
        };
        return Diagnostic::error(format!("wrong type: expected {expected}, found {found}"))
            .at(file, range);
    }
    Diagnostic::error(message.replace('\n', " ")).at(file, range)
}

/// The allowed name nearest to a misspelt one, if it is near enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    // Ties go to the name that starts like the word: a typo rarely hits the first letter.
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(distance, c)| *distance <= 2.max(c.len() / 3))
        .min_by_key(|(distance, c)| (*distance, c.chars().next() != word.chars().next()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let file = SourceFile::new("m.toml", "dato = 1");
        let d = toml_diagnostic(
            "unknown field `dato`, expected one of `id`, `date`, `start`",
            &file,
            0..4,
        );
        assert_eq!(d.message, "unknown key `dato`; did you mean `date`?");
        assert_eq!(d.help, vec!["the keys allowed here are: id, date, start"]);
    }

    #[test]
    fn attachment_paths_stay_inside_the_plan() {
        let source = PlanSource::Dir(PathBuf::from("/nonexistent"));
        let reader = Reader::new(&source);
        let read = |path: &str| reader.read_attachment(path, 100).unwrap_err();
        assert!(matches!(read("../x.pdf"), FileProblem::Leaves));
        assert!(matches!(read("bilag/../../x.pdf"), FileProblem::Leaves));
        assert!(matches!(read("/etc/passwd"), FileProblem::Leaves));
        assert!(matches!(read(""), FileProblem::Leaves));
        assert!(matches!(read("bilag/x.pdf"), FileProblem::NotFound));
        let embedded = Reader::new(&PlanSource::Embedded);
        assert!(matches!(
            embedded.read_attachment("bilag/x.pdf", 100),
            Err(FileProblem::BuiltIn)
        ));
    }

    /// A plan file reached through a link is refused before it is read: the diagnostic has no
    /// excerpt, so nothing of the link's target is shown.
    #[cfg(unix)]
    #[test]
    fn a_linked_plan_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("plan");
        std::fs::create_dir(&plan).unwrap();
        std::fs::write(dir.path().join("secret.toml"), "secret = \"kodeord\"\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.toml"), plan.join("plan.toml")).unwrap();
        let source = PlanSource::Dir(plan);
        let d = Reader::new(&source).read_text("plan.toml").unwrap_err();
        assert!(
            d.message.contains("plan.toml is a symbolic link"),
            "{}",
            d.message
        );
        assert!(d.location.is_none());
        assert!(!format!("{d:?}").contains("kodeord"));
    }

    #[test]
    fn embedded_plan_loads() {
        let plan = load(&PlanSource::Embedded).expect("the built-in plan loads");
        assert!(!plan.meetings.is_empty());
    }
}
