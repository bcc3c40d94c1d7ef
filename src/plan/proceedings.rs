//! What a meeting records beyond its items' texts, as serde types: the standard item sections and
//! which of them a plan always prints, who decides a case, attendance (apologies, substitutes,
//! a member away for one item, disqualification), votes and dissent, when the meeting opened and
//! was adjourned, the approval of its minutes, and its supplementary agenda.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::values::{Date, Time};

/// The sections of an agenda item, in the order Danish agendas print them.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum ItemSection {
    Presentation,
    EconomicConsequences,
    DecisionAuthority,
    Consultation,
    Communication,
    LegalBasis,
    EarlierDecisions,
    Recommendation,
    Attachments,
    Decision,
}

impl ItemSection {
    pub const ALL: [ItemSection; 10] = [
        Self::Presentation,
        Self::EconomicConsequences,
        Self::DecisionAuthority,
        Self::Consultation,
        Self::Communication,
        Self::LegalBasis,
        Self::EarlierDecisions,
        Self::Recommendation,
        Self::Attachments,
        Self::Decision,
    ];

    /// The heading papers print.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Presentation => "Sagsfremstilling",
            Self::EconomicConsequences => "Økonomi",
            Self::DecisionAuthority => "Beslutningskompetence",
            Self::Consultation => "Høring",
            Self::Communication => "Kommunikation",
            Self::LegalBasis => "Lovgrundlag",
            Self::EarlierDecisions => "Tidligere beslutninger",
            Self::Recommendation => "Indstilling",
            Self::Attachments => "Bilag",
            Self::Decision => "Beslutning",
        }
    }

    /// The key in plan files and views.
    pub fn key(self) -> &'static str {
        match self {
            Self::Presentation => "presentation",
            Self::EconomicConsequences => "economic-consequences",
            Self::DecisionAuthority => "decision-authority",
            Self::Consultation => "consultation",
            Self::Communication => "communication",
            Self::LegalBasis => "legal-basis",
            Self::EarlierDecisions => "earlier-decisions",
            Self::Recommendation => "recommendation",
            Self::Attachments => "attachments",
            Self::Decision => "decision",
        }
    }
}

/// `[agenda]` in plan.toml: how the plan's agendas are laid out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaSettings {
    /// The sections every item prints, with "Ingen" where the item has none (the plan's
    /// standard item template); the others are printed only where an item has them.
    #[serde(default)]
    pub standard_sections: Vec<Spanned<ItemSection>>,
    /// How many working days before the meeting a supplementary agenda must go out at the
    /// latest; default [`DEFAULT_SUPPLEMENT_NOTICE`].
    #[serde(default)]
    pub supplement_notice: Option<Spanned<u32>>,
}

/// A supplementary agenda goes out no later than the working day before the meeting.
pub const DEFAULT_SUPPLEMENT_NOTICE: u32 = 1;
/// The values `supplement_notice` may take.
pub const SUPPLEMENT_NOTICE: std::ops::RangeInclusive<u32> = 0..=30;

/// Which body decides the case ('Sagen afgøres i').
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionAuthority {
    /// The body that meets.
    Committee,
    /// Økonomiudvalget.
    FinanceCommittee,
    /// The municipal council.
    Council,
}

/// A member's stand-in for the meeting ('stedfortræder').
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substitute {
    /// The member who is away.
    pub member: Spanned<String>,
    /// Who meets in the member's place.
    pub name: Spanned<String>,
    #[serde(default)]
    pub party: Option<String>,
}

/// A member who may not take part in one item ('inhabil').
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disqualification {
    pub member: Spanned<String>,
    /// Why, as the minutes say it: "er bestyrelsesmedlem i leverandøren".
    pub reason: String,
}

/// How the members voted on an item, by member or by party.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// Members (by name) or parties (by letter) who voted for.
    #[serde(default, rename = "for")]
    pub in_favour: Vec<Spanned<String>>,
    #[serde(default)]
    pub against: Vec<Spanned<String>>,
    #[serde(default)]
    pub abstaining: Vec<Spanned<String>>,
    pub result: Spanned<VoteResult>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum VoteResult {
    Adopted,
    Rejected,
}

/// A dissent entered in the minutes (styrelsesloven § 13): who, and their statement if any.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dissent {
    /// Members (by name) or parties (by letter).
    pub by: Vec<Spanned<String>>,
    /// The minority's brief statement ('mindretalsudtalelse').
    #[serde(default)]
    pub statement: Option<Spanned<String>>,
}

/// A member's approval of the minutes (signed on the signing sheet, or given by mail).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub member: Spanned<String>,
    pub date: Spanned<Date>,
}

/// Items added after the agenda went out: sent as a supplementary agenda ('tillægsdagsorden').
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplement {
    /// The day the supplementary agenda goes out.
    pub sent: Spanned<Date>,
}

/// When the meeting actually opened and was adjourned, for the minutes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Held {
    #[serde(default)]
    pub opened: Option<Spanned<Time>>,
    pub adjourned: Spanned<Time>,
}
