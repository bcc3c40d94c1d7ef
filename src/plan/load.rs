//! Reading a plan directory (or the plan built into the binary) into the model, with every
//! TOML problem reported at its place.

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::de::DeserializeOwned;

use super::model::*;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, SourceRef};

static EMBEDDED_PLAN: Dir = include_dir!("$CARGO_MANIFEST_DIR/plans/udsattestrategi");

/// Plan files larger than this are refused before they are read: a plan is a few hundred kB.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

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

    /// Reads a file of the plan as UTF-8 text; `Ok(None)` when it does not exist.
    fn read_text(&self, relative: &str) -> Result<Option<String>, Diagnostic> {
        let name = self.file_name(relative);
        let bytes = match self {
            PlanSource::Embedded => match EMBEDDED_PLAN.get_file(relative) {
                Some(file) => file.contents().to_vec(),
                None => return Ok(None),
            },
            PlanSource::Dir(dir) => {
                let path = dir.join(relative);
                let meta = match std::fs::metadata(&path) {
                    Ok(meta) => meta,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(Diagnostic::error(format!("cannot read {name}: {e}"))),
                };
                if !meta.is_file() {
                    return Err(Diagnostic::error(format!("{name} is not a file")));
                }
                if meta.len() > MAX_FILE_BYTES {
                    return Err(Diagnostic::error(format!(
                        "{name} is {:.1} MB; a plan file may be at most {} MB",
                        meta.len() as f64 / (1024.0 * 1024.0),
                        MAX_FILE_BYTES / (1024 * 1024)
                    ))
                    .with_help(
                        "split the data over several files, or remove what is not plan data",
                    ));
                }
                std::fs::read(&path)
                    .map_err(|e| Diagnostic::error(format!("cannot read {name}: {e}")))?
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

    /// The `.toml` files directly in a folder of the plan, by name; none if there is no folder.
    fn list_toml(&self, folder: &str) -> Result<Vec<String>, Diagnostic> {
        let mut names: Vec<String> = match self {
            PlanSource::Embedded => EMBEDDED_PLAN
                .get_dir(folder)
                .map(|dir| {
                    dir.files()
                        .filter_map(|f| f.path().file_name()?.to_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            PlanSource::Dir(dir) => match std::fs::read_dir(dir.join(folder)) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    return Err(Diagnostic::error(format!(
                        "cannot read {}: {e}",
                        self.file_name(folder)
                    )));
                }
            },
        };
        names.retain(|n| n.ends_with(".toml"));
        names.sort();
        Ok(names)
    }

    /// Resolves a file an attachment names, refusing paths that leave the plan directory.
    pub fn attachment_path(&self, relative: &str) -> Result<PathBuf, String> {
        let rel = Path::new(relative);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(format!(
                "`{relative}` leaves the plan directory; name a file inside it, e.g. `bilag/notat.pdf`"
            ));
        }
        let PlanSource::Dir(dir) = self else {
            return Err(format!("the built-in plan has no file `{relative}`"));
        };
        let path = dir.join(rel);
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|_| format!("there is no file `{relative}` in the plan directory"))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "`{relative}` is a symbolic link; copy the file itself into the plan directory"
            ));
        }
        if !meta.is_file() {
            return Err(format!("`{relative}` is not a file"));
        }
        Ok(path)
    }
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
    pub files: PlanSources,
    /// sha256 over every plan file, in a fixed order.
    pub data_hash: String,
}

impl Plan {
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

    let mut read = |relative: &str, required: bool| -> Option<SourceRef> {
        match source.read_text(relative) {
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
        match source.list_toml(name) {
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
                files: PlanSources {
                    plan,
                    meetings: meetings_file,
                    strategy: strategy_src,
                    implementation: implementation_src,
                },
                data_hash,
            })
        }
        _ => Err(diagnostics),
    }
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
        assert!(
            source
                .attachment_path("../x.pdf")
                .unwrap_err()
                .contains("leaves")
        );
        assert!(
            source
                .attachment_path("/etc/passwd")
                .unwrap_err()
                .contains("leaves")
        );
        assert!(
            source
                .attachment_path("bilag/x.pdf")
                .unwrap_err()
                .contains("no file")
        );
    }

    #[test]
    fn embedded_plan_loads() {
        let plan = load(&PlanSource::Embedded).expect("the built-in plan loads");
        assert!(!plan.meetings.is_empty());
    }
}
