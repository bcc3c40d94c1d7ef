//! The plan files as plain serde types. Every table refuses unknown keys; fields that other
//! checks point back to keep their byte span (`Spanned`).

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use super::attachment::{
    AttachedFile, AttachmentProblem, AttachmentRef, AttachmentSource, FileProblem,
};
pub use super::proceedings::{
    AgendaSettings, Approval, DecisionAuthority, Disqualification, Dissent, Held, ItemSection,
    Substitute, Supplement, Vote, VoteResult,
};
use super::values::{Date, Time};
pub use crate::calendar::{CalendarRules, NoticeUnit};

/// Typst markup written in a plan file (case presentations, the vision, ...).
pub type Markup = Spanned<String>;

// ---------------------------------------------------------------- plan.toml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub plan: PlanInfo,
    pub municipality: Municipality,
    pub committee: Committee,
    #[serde(default)]
    pub mandate: Vec<Mandate>,
    #[serde(default)]
    pub calendar: CalendarRules,
    #[serde(default)]
    pub agenda: AgendaSettings,
    #[serde(default, rename = "stakeholder")]
    pub stakeholders: Vec<Stakeholder>,
    #[serde(default)]
    pub website: WebsiteSettings,
}

/// Where `udvalg publish`'s website is put on the web.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsiteSettings {
    /// The address the site folder is uploaded to, ending in `/`: the open data (OParl) names
    /// each object by its address, so it is written only when this is known.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInfo {
    /// The name of the process, e.g. "Udsattestrategi 2022-2029".
    pub title: String,
    /// The day the plan speaks from: what is done and what is planned is judged on this day,
    /// and documents without a date of their own carry it. Never the clock.
    pub date: Spanned<Date>,
    /// Printed on every document that uses invented data.
    #[serde(default)]
    pub example_note: Option<String>,
    /// The largest file an item may attach, in MB (of 1,048,576 bytes); see
    /// [`super::load::DEFAULT_MAX_ATTACHMENT_MB`].
    #[serde(default)]
    pub max_attachment_mb: Option<Spanned<u64>>,
    /// How long one paper may take to lay out, in seconds (`render::guard` has the default).
    #[serde(default)]
    pub layout_seconds: Option<Spanned<u64>>,
    /// How much memory the papers being laid out may hold, in MB.
    #[serde(default)]
    pub layout_memory_mb: Option<Spanned<u64>>,
    /// An agenda of more items than this is laid out in parts of about this many.
    #[serde(default)]
    pub agenda_part_items: Option<Spanned<u64>>,
}

/// The values `max_attachment_mb` may take: from 1 MB to 1 TB.
pub const ATTACHMENT_MB: std::ops::RangeInclusive<u64> = 1..=1_048_576;
/// How long one paper may take to lay out unless plan.toml says otherwise (`render::guard`): a
/// 5,000-item agenda lays out in about 30 s on one core.
pub const DEFAULT_LAYOUT_SECONDS: u64 = 120;
/// How much memory the papers being laid out may hold together in large blocks unless plan.toml
/// says otherwise (a 5,000-item meeting, its agendas laid out in parts, needs under 1 GB in all).
pub const DEFAULT_LAYOUT_MEMORY_MB: u64 = 4096;
/// How many items an agenda lays out at once unless plan.toml says otherwise: a part of 100
/// items needs about 100 MB, and an agenda of 5,000 items in parts about as long as whole.
pub const DEFAULT_AGENDA_PART_ITEMS: u64 = 100;
/// The values `agenda_part_items` may take.
pub const AGENDA_PART_ITEMS: std::ops::RangeInclusive<u64> = 1..=100_000;
/// The values `layout_seconds` may take: a paper of a day is no limit at all.
pub const LAYOUT_SECONDS: std::ops::RangeInclusive<u64> = 1..=86_400;
/// The values `layout_memory_mb` may take: from 256 MB to 1 TB.
pub const LAYOUT_MEMORY_MB: std::ops::RangeInclusive<u64> = 256..=1_048_576;

impl PlanInfo {
    /// The largest file an item may attach, in bytes.
    pub fn max_attachment_bytes(&self) -> u64 {
        let mb = self
            .max_attachment_mb
            .as_ref()
            .map_or(super::load::DEFAULT_MAX_ATTACHMENT_MB, |mb| *mb.get_ref());
        mb.saturating_mul(1024 * 1024)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub name: String,
    #[serde(default)]
    pub administration: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub web: Option<String>,
    /// The municipality's main phone number, for the letterhead.
    #[serde(default)]
    pub phone: Option<String>,
    /// The municipality's main e-mail address, for the letterhead.
    #[serde(default)]
    pub email: Option<String>,
    /// The council's name, where it is not "Kommunalbestyrelsen" ("Byrådet").
    #[serde(default)]
    pub council: Option<String>,
    /// The finance committee's name, where it is not "Økonomiudvalget".
    #[serde(default)]
    pub finance_committee: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Committee {
    pub name: String,
    #[serde(default)]
    pub formerly: Option<String>,
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Chair,
    ViceChair,
    Member,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub party: Option<String>,
    /// An invented person: the documents say so.
    #[serde(default)]
    pub example: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mandate {
    pub id: Spanned<String>,
    /// "Budget 2021"
    pub source: String,
    /// "1.4.2"
    pub item: String,
    pub quote: Markup,
    pub url: String,
    #[serde(default)]
    pub note: Option<Markup>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum StakeholderKind {
    CouncilOrBoard,
    Committee,
    Region,
    LocalActor,
    Citizens,
    Internal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stakeholder {
    pub id: Spanned<String>,
    pub name: String,
    pub kind: StakeholderKind,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// How a letter greets it, e.g. "Kære medlemmer af Ældrerådet"; default "Til <name>".
    #[serde(default)]
    pub salutation: Option<Spanned<String>>,
    #[serde(default)]
    pub example: bool,
}

// ---------------------------------------------------------------- meetings.toml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingsFile {
    #[serde(default, rename = "meeting")]
    pub meetings: Vec<Meeting>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingKind {
    Committee,
    Seminar,
    ThemeMeeting,
    Council,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub id: Spanned<String>,
    pub kind: MeetingKind,
    /// A name for meetings that are not ordinary committee meetings.
    #[serde(default)]
    pub title: Option<String>,
    /// Who meets, when it is not the committee (e.g. "Kommunalbestyrelsen").
    #[serde(default)]
    pub body: Option<String>,
    pub date: Spanned<Date>,
    #[serde(default)]
    pub end_date: Option<Spanned<Date>>,
    pub start: Spanned<Time>,
    #[serde(default)]
    pub end: Option<Spanned<Time>>,
    pub place: String,
    /// Time, place or case numbers are invented.
    #[serde(default)]
    pub example: bool,
    #[serde(default)]
    pub purpose: Option<Markup>,
    /// Who is invited to a seminar or theme meeting, beyond the committee.
    #[serde(default)]
    pub invited: Vec<String>,
    /// The programme of a seminar or theme meeting.
    #[serde(default, rename = "programme")]
    pub programme: Vec<ProgrammeEntry>,
    /// The administration's summary of a seminar's points ('opsamling'), a paper of its own.
    #[serde(default)]
    pub summary: Option<SeminarSummary>,
    /// Members who sent apologies ('afbud'), by name, for the minutes.
    #[serde(default)]
    pub apologies: Vec<Spanned<String>>,
    /// Members who were absent without apologies ('fraværende'), by name, for the minutes.
    #[serde(default)]
    pub absent: Vec<Spanned<String>>,
    /// Who met in an away member's place.
    #[serde(default, rename = "substitute")]
    pub substitutes: Vec<Substitute>,
    /// When the meeting opened and was adjourned.
    #[serde(default)]
    pub held: Option<Held>,
    /// The members' approvals of the minutes.
    #[serde(default, rename = "approval")]
    pub approvals: Vec<Approval>,
    /// The supplementary agenda, for items marked `supplementary`.
    #[serde(default)]
    pub supplement: Option<Supplement>,
    #[serde(default, rename = "item")]
    pub items: Vec<AgendaItem>,
}

/// 'Administrationens opsamling på pointer fra seminar': what the seminar found, point by point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeminarSummary {
    /// The day the first version is ready.
    pub date: Spanned<Date>,
    #[serde(default)]
    pub intro: Option<Markup>,
    #[serde(rename = "point")]
    pub points: Vec<SummaryPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryPoint {
    pub theme: String,
    pub text: Markup,
    /// A point added when the summary was adjusted: papers dated before it do not show it.
    #[serde(default)]
    pub added: Option<Spanned<Date>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeEntry {
    /// The day, for meetings over several days; default: the first.
    #[serde(default)]
    pub day: Option<Spanned<Date>>,
    pub start: Spanned<Time>,
    #[serde(default)]
    pub end: Option<Spanned<Time>>,
    pub text: Markup,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Information,
    Discussion,
    Approval,
    Decision,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub case_number: Option<String>,
    #[serde(default)]
    pub kle: Option<String>,
    pub kind: ItemKind,
    /// Closed items (personal data, contracts) are kept out of what is published.
    #[serde(default)]
    pub closed: bool,
    /// A closed item's title may stand in the public papers (else "Lukket punkt").
    #[serde(default)]
    pub public_title: bool,
    /// A closed item's decision may be published in the public minutes.
    #[serde(default)]
    pub public_decision: bool,
    /// An earlier item of the same case, as `meeting-id/item-id`, where the case number does
    /// not tie them.
    #[serde(default)]
    pub follows: Option<Spanned<String>>,
    /// Added after the agenda went out: in the meeting's supplementary agenda.
    #[serde(default)]
    pub supplementary: bool,
    /// Why a supplementary item cannot wait for the next meeting.
    #[serde(default)]
    pub late_reason: Option<Markup>,
    pub presentation: Markup,
    #[serde(default)]
    pub economic_consequences: Option<Markup>,
    #[serde(default)]
    pub decision_authority: Option<Spanned<DecisionAuthority>>,
    #[serde(default)]
    pub consultation: Option<Markup>,
    #[serde(default)]
    pub communication: Option<Markup>,
    #[serde(default)]
    pub legal_basis: Option<Markup>,
    #[serde(default)]
    pub earlier_decisions: Option<Markup>,
    #[serde(default)]
    pub recommendation: Option<Markup>,
    #[serde(default, rename = "attachment")]
    pub attachments: Vec<AttachmentRef>,
    /// Filled in after the meeting.
    #[serde(default)]
    pub decision: Option<Markup>,
    /// Members away while the item was handled.
    #[serde(default)]
    pub absent: Vec<Spanned<String>>,
    #[serde(default, rename = "disqualified")]
    pub disqualifications: Vec<Disqualification>,
    #[serde(default)]
    pub vote: Option<Vote>,
    #[serde(default, rename = "dissent")]
    pub dissents: Vec<Dissent>,
}

// ---------------------------------------------------------------- strategy.toml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    pub title: String,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The strategy's section headings, where they are not the neutral defaults.
    #[serde(default)]
    pub headings: StrategyHeadings,
    #[serde(rename = "edition")]
    pub editions: Vec<Edition>,
    pub vision: Vision,
    pub target_group: TargetGroup,
    #[serde(rename = "focus_area")]
    pub focus_areas: Vec<FocusArea>,
    #[serde(rename = "goal")]
    pub goals: Vec<Goal>,
    pub goal_process: GoalProcess,
    pub involvement: Involvement,
}

/// The headings of the strategy's sections; each has a neutral default (see
/// docs/plan-format.md), so that no plan's words are in the template.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyHeadings {
    #[serde(default)]
    pub mandate: Option<Spanned<String>>,
    #[serde(default)]
    pub vision: Option<Spanned<String>>,
    #[serde(default)]
    pub target_group: Option<Spanned<String>>,
    #[serde(default)]
    pub focus_areas: Option<Spanned<String>>,
    #[serde(default)]
    pub connections: Option<Spanned<String>>,
    #[serde(default)]
    pub goals: Option<Spanned<String>>,
    #[serde(default)]
    pub goal_process: Option<Spanned<String>>,
    #[serde(default)]
    pub involvement: Option<Spanned<String>>,
}

impl StrategyHeadings {
    /// Every heading the plan gives, with its key.
    pub fn given(&self) -> Vec<(&'static str, &Spanned<String>)> {
        [
            ("mandate", &self.mandate),
            ("vision", &self.vision),
            ("target_group", &self.target_group),
            ("focus_areas", &self.focus_areas),
            ("connections", &self.connections),
            ("goals", &self.goals),
            ("goal_process", &self.goal_process),
            ("involvement", &self.involvement),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .collect()
    }
}

/// The content of one edition, `strategy/<edition id>.toml`: the same tables as in
/// strategy.toml, from `[vision]` on. An edition without a file of its own has the content of
/// the edition before it (the first: strategy.toml's).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyContent {
    pub vision: Vision,
    pub target_group: TargetGroup,
    #[serde(rename = "focus_area")]
    pub focus_areas: Vec<FocusArea>,
    #[serde(rename = "goal")]
    pub goals: Vec<Goal>,
    pub goal_process: GoalProcess,
    pub involvement: Involvement,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    pub id: Spanned<String>,
    /// "Første udkast", "Høringsudkast", "Endelig strategi"
    pub label: String,
    pub version: String,
    pub date: Spanned<Date>,
    /// Drafts carry a visible UDKAST mark.
    pub draft: bool,
    /// The agenda item whose decision adopts this edition; the edition says it was adopted, by
    /// whom and when, on papers dated from that meeting on, once the decision is recorded.
    #[serde(default)]
    pub adopted: Option<ItemRef>,
}

/// An agenda item of a meeting, as other files point at it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    pub meeting: Spanned<String>,
    pub item: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vision {
    pub text: Markup,
    #[serde(default, rename = "tie")]
    pub ties: Vec<PolicyTie>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTie {
    pub policy: String,
    pub text: Markup,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub text: Markup,
    #[serde(default, rename = "group")]
    pub groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub text: Markup,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusArea {
    pub id: Spanned<String>,
    pub title: String,
    pub text: Markup,
    /// Other focus areas this one works together with.
    #[serde(default)]
    pub connects: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub id: Spanned<String>,
    pub title: String,
    /// 'Det modsatte af udsathed': what the opposite of vulnerability looks like here.
    pub opposite: Markup,
    #[serde(default)]
    pub text: Option<Markup>,
    pub focus_areas: Vec<Spanned<String>>,
    #[serde(default, rename = "sub_goal")]
    pub sub_goals: Vec<SubGoal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubGoal {
    pub id: Spanned<String>,
    pub text: Markup,
    /// The year by which the sub-goal should be reached.
    pub horizon: Spanned<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalProcess {
    pub text: Markup,
    #[serde(default, rename = "step")]
    pub steps: Vec<ProcessStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessStep {
    pub question: String,
    pub answer: Markup,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Involvement {
    pub text: Markup,
    #[serde(default)]
    pub internal: Vec<InvolvementEntry>,
    #[serde(default)]
    pub external: Vec<InvolvementEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementEntry {
    pub who: String,
    pub how: Markup,
}

// ---------------------------------------------------------------- implementation.toml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImplementationFile {
    /// The period the plan covers, e.g. "2022-2029"; default: its first to its last year.
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub intro: Option<Markup>,
    #[serde(rename = "year")]
    pub years: Vec<ImplementationYear>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImplementationYear {
    pub year: Spanned<i32>,
    #[serde(default)]
    pub summary: Option<Markup>,
    #[serde(default, rename = "milestone")]
    pub milestones: Vec<Milestone>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneKind {
    Strategy,
    ActionPlan,
    KeyFigures,
    HomelessCount,
    Status,
    Evaluation,
}

impl MilestoneKind {
    /// Whether the committee meets the milestone at a meeting. The homeless count is done by
    /// VIVE; its result reaches the committee through the key figures.
    pub fn needs_agenda_item(self) -> bool {
        !matches!(self, MilestoneKind::HomelessCount)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: Spanned<String>,
    pub kind: MilestoneKind,
    pub text: Markup,
    /// The window in which the milestone should be met.
    pub from: Spanned<Date>,
    pub to: Spanned<Date>,
    /// The meeting and agenda item that meet it, once planned.
    #[serde(default)]
    pub meeting: Option<Spanned<String>>,
    #[serde(default)]
    pub item: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<Markup>,
}

// ---------------------------------------------------------------- consultations/<id>.toml

/// A consultation ('høring'): a draft sent to consultees for their written response. The file
/// name (without `.toml`) is its id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationFile {
    /// "Høring over udkast til Udsattestrategi 2022-2029"
    pub title: String,
    /// The case number the letters and the summary carry ('sagsnr.').
    #[serde(default)]
    pub case_number: Option<Spanned<String>>,
    /// The strategy edition sent out.
    pub edition: Spanned<String>,
    /// The meeting that approved sending it.
    pub after_meeting: Spanned<String>,
    pub sent: Spanned<Date>,
    /// The last day for responses ('høringsfrist').
    pub deadline: Spanned<Date>,
    /// What is consulted and why: the body of every letter.
    pub purpose: Markup,
    /// How to respond: by e-mail, by letter, marked with what.
    pub how_to_respond: Markup,
    pub contact: Contact,
    /// Stakeholder ids from plan.toml.
    pub consultees: Vec<Spanned<String>>,
    #[serde(default, rename = "response")]
    pub responses: Vec<Response>,
    /// The changes made to the strategy after the consultation.
    #[serde(default, rename = "change")]
    pub changes: Vec<Markup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub example: bool,
}

/// One consultee's written answer ('høringssvar').
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub consultee: Spanned<String>,
    pub received: Spanned<Date>,
    #[serde(rename = "point")]
    pub points: Vec<ResponsePoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsePoint {
    /// What the point is about, for the summary by theme: "Bolig", "Sundhed", ...
    pub theme: String,
    pub text: Markup,
    /// The administration's comment.
    pub comment: Markup,
    /// Whether the strategy was changed because of this point.
    #[serde(default)]
    pub changed: bool,
    /// The part of the strategy that was changed because of it, as the difference between the
    /// consultation draft and the edition after it names it: `sub-goal:<id>`, `goal:<id>`,
    /// `focus-area:<id>`, `vision`, `target-group`, `goal-process` or `involvement`.
    #[serde(default)]
    pub change: Option<Spanned<String>>,
}

// ---------------------------------------------------------------- action-plans/<id>.toml

/// An action plan ('handleplan') for a period of the strategy. The file name is its id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanFile {
    /// "Handleplan 2023-24"
    pub title: String,
    /// "2023-2024"
    pub period: String,
    pub date: Spanned<Date>,
    pub version: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub intro: Option<Markup>,
    /// The actions are invented: the document says so.
    #[serde(default)]
    pub example: bool,
    #[serde(rename = "action")]
    pub actions: Vec<Action>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    Planned,
    Started,
    Done,
    Paused,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: Spanned<String>,
    /// A development goal of the strategy.
    pub goal: Spanned<String>,
    /// One of that goal's sub-goals.
    #[serde(default)]
    pub sub_goal: Option<Spanned<String>>,
    /// The focus area the action serves.
    pub focus_area: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub text: Option<Markup>,
    /// The unit that carries it out: a welfare centre, housing, ...
    pub responsible: String,
    pub start: Spanned<Date>,
    pub end: Spanned<Date>,
    /// The status on the action plan's date.
    pub status: Spanned<ActionStatus>,
    /// How progress is measured.
    pub indicator: String,
    /// Later statuses, each from its day on, in date order.
    #[serde(default)]
    pub progress: Vec<Progress>,
}

/// An action's status from a day on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub date: Spanned<Date>,
    pub status: ActionStatus,
}

impl Action {
    /// The status on `day`: the last progress dated on or before it, else the status the plan
    /// was made with.
    pub fn status_on(&self, day: chrono::NaiveDate) -> ActionStatus {
        self.progress
            .iter()
            .rev()
            .find(|p| p.date.get_ref().0 <= day)
            .map_or(*self.status.get_ref(), |p| p.status)
    }
}

// ---------------------------------------------------------------- key-figures/<year>.toml

/// The yearly key figures ('nøgletal') presented to the committee. The file name is the year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFiguresFile {
    pub year: Spanned<i32>,
    pub title: String,
    /// The day the figures are published: papers dated before it do not show them.
    pub date: Spanned<Date>,
    /// Figures not yet published, estimated: no warning when dated after the plan's date.
    #[serde(default)]
    pub forecast: bool,
    #[serde(default)]
    pub intro: Option<Markup>,
    #[serde(rename = "figure")]
    pub figures: Vec<Figure>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    Bar,
    Line,
    Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub id: Spanned<String>,
    pub title: String,
    /// "personer", "pct."
    pub unit: String,
    pub chart: ChartKind,
    /// Where the numbers come from.
    pub source: String,
    /// Not real published statistics: printed as example data.
    #[serde(default)]
    pub example: bool,
    /// The years the values are for, ascending.
    pub years: Spanned<Vec<i32>>,
    #[serde(rename = "series")]
    pub series: Vec<Series>,
    #[serde(default)]
    pub note: Option<Markup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub label: String,
    /// One value per year of the figure.
    pub values: Spanned<Vec<f64>>,
}
