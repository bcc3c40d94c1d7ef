//! Strategy editions with content of their own, and what changed between two editions: focus
//! areas, development goals and sub-goals added, removed or reworded, and the sections whose
//! text changed. `check` and the papers both read the difference from here.

use super::load::Plan;
use super::model::*;

/// An edition's content, borrowed from strategy.toml or from the edition's own file.
#[derive(Clone, Copy)]
pub struct Content<'a> {
    pub vision: &'a Vision,
    pub target_group: &'a TargetGroup,
    pub focus_areas: &'a [FocusArea],
    pub goals: &'a [Goal],
    pub goal_process: &'a GoalProcess,
    pub involvement: &'a Involvement,
}

impl<'a> Content<'a> {
    /// strategy.toml's own content (the first edition's, unless that has a file of its own).
    pub fn of_file(strategy: &'a StrategyFile) -> Self {
        Content {
            vision: &strategy.vision,
            target_group: &strategy.target_group,
            focus_areas: &strategy.focus_areas,
            goals: &strategy.goals,
            goal_process: &strategy.goal_process,
            involvement: &strategy.involvement,
        }
    }

    fn of_edition(content: &'a StrategyContent) -> Self {
        Content {
            vision: &content.vision,
            target_group: &content.target_group,
            focus_areas: &content.focus_areas,
            goals: &content.goals,
            goal_process: &content.goal_process,
            involvement: &content.involvement,
        }
    }

    pub fn focus_area(&self, id: &str) -> Option<&'a FocusArea> {
        self.focus_areas.iter().find(|a| a.id.get_ref() == id)
    }

    pub fn goal(&self, id: &str) -> Option<&'a Goal> {
        self.goals.iter().find(|g| g.id.get_ref() == id)
    }
}

impl Plan {
    /// The content of the edition `edition_id`: its own file, else that of the nearest edition
    /// before it (in strategy.toml's order) that has one, else strategy.toml's.
    pub fn edition_content(&self, edition_id: &str) -> Option<Content<'_>> {
        let strategy = self.strategy.as_ref()?;
        let upto = strategy
            .editions
            .iter()
            .position(|e| e.id.get_ref() == edition_id)?;
        let own = strategy.editions[..=upto].iter().rev().find_map(|e| {
            self.edition_contents
                .iter()
                .find(|c| c.id == *e.id.get_ref())
        });
        Some(own.map_or_else(
            || Content::of_file(strategy),
            |c| Content::of_edition(&c.data),
        ))
    }

    /// The content of the newest edition: what action plans serve.
    pub fn current_content(&self) -> Option<Content<'_>> {
        let strategy = self.strategy.as_ref()?;
        let newest = strategy.editions.iter().max_by_key(|e| e.date.get_ref())?;
        self.edition_content(newest.id.get_ref())
    }

    /// The edition before `edition_id` in strategy.toml, if any.
    pub fn edition_before(&self, edition_id: &str) -> Option<&Edition> {
        let (editions, at) = self.edition_at(edition_id)?;
        editions.get(at.checked_sub(1)?)
    }

    /// The edition after `edition_id` in strategy.toml, if any.
    pub fn edition_after(&self, edition_id: &str) -> Option<&Edition> {
        let (editions, at) = self.edition_at(edition_id)?;
        editions.get(at + 1)
    }

    /// The editions, and where `edition_id` stands among them.
    fn edition_at(&self, edition_id: &str) -> Option<(&[Edition], usize)> {
        let editions = &self.strategy.as_ref()?.editions;
        let at = editions.iter().position(|e| e.id.get_ref() == edition_id)?;
        Some((editions, at))
    }

    /// The edition after `draft` and what changed from `draft` to it: what a consultation of
    /// `draft` led to.
    pub fn changes_after(&self, draft: &str) -> Option<(&Edition, Vec<Change>)> {
        let after = self.edition_after(draft)?;
        Some((after, self.edition_changes(draft, after.id.get_ref())))
    }

    /// What changed from the edition `from` to the edition `to`.
    pub fn edition_changes(&self, from: &str, to: &str) -> Vec<Change> {
        match (self.edition_content(from), self.edition_content(to)) {
            (Some(from), Some(to)) => changes(&from, &to),
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Reworded,
}

impl ChangeKind {
    pub fn danish(self) -> &'static str {
        match self {
            ChangeKind::Added => "tilføjet",
            ChangeKind::Removed => "udgået",
            ChangeKind::Reworded => "omformuleret",
        }
    }
}

/// One difference between two editions.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// How a consultation response names the part: `sub-goal:eget-hjem-boligplan`, `vision`, ...
    pub key: String,
    /// How the papers name it: 'Delmål 1.2', 'Indsatsområde »Et sted at bo«', 'Vision'.
    pub label: String,
    pub kind: ChangeKind,
    /// The part's text in the newer edition (in the older one, if it was removed): Typst markup.
    pub text: String,
}

/// The differences from `from` to `to`, in the order of the strategy: sections, focus areas,
/// goals and their sub-goals. Parts are matched by id; a part is reworded when any of its text
/// changed.
pub fn changes(from: &Content, to: &Content) -> Vec<Change> {
    let mut out = Vec::new();
    let mut section = |key: &str, label: &str, old: String, new: String| {
        if old != new {
            out.push(Change {
                key: key.into(),
                label: label.into(),
                kind: ChangeKind::Reworded,
                text: new,
            });
        }
    };
    section("vision", "Vision", vision_text(from), vision_text(to));
    section(
        "target-group",
        "Målgruppe",
        target_text(from),
        target_text(to),
    );
    section(
        "goal-process",
        "Arbejdet med udviklingsmålene",
        process_text(from),
        process_text(to),
    );
    section(
        "involvement",
        "Inddragelse",
        involvement_text(from),
        involvement_text(to),
    );

    let area = |a: &FocusArea| {
        let connects: Vec<&str> = a.connects.iter().map(|c| c.get_ref().as_str()).collect();
        format!("{}\n{}\n{}", a.title, a.text.get_ref(), connects.join(","))
    };
    compare(
        from.focus_areas,
        to.focus_areas,
        |a| a.id.get_ref().as_str(),
        area,
        |a, _| {
            (
                format!("focus-area:{}", a.id.get_ref()),
                format!("Indsatsområde »{}«", a.title),
                a.text.get_ref().clone(),
            )
        },
        &mut out,
    );
    for (number, goal) in to.goals.iter().enumerate() {
        let old = from.goals.iter().find(|g| g.id == goal.id);
        let label = format!("Udviklingsmål {}", number + 1);
        match old {
            None => out.push(Change {
                key: format!("goal:{}", goal.id.get_ref()),
                label: format!("{label}: {}", goal.title),
                kind: ChangeKind::Added,
                text: goal.opposite.get_ref().clone(),
            }),
            Some(old) => {
                if goal_text(old) != goal_text(goal) {
                    out.push(Change {
                        key: format!("goal:{}", goal.id.get_ref()),
                        label: format!("{label}: {}", goal.title),
                        kind: ChangeKind::Reworded,
                        text: goal.opposite.get_ref().clone(),
                    });
                }
                compare(
                    &old.sub_goals,
                    &goal.sub_goals,
                    |s| s.id.get_ref().as_str(),
                    |s| format!("{}\n{}", s.text.get_ref(), s.horizon.get_ref()),
                    |s, at| {
                        (
                            format!("sub-goal:{}", s.id.get_ref()),
                            match at {
                                Some(at) => format!("Delmål {}.{}", number + 1, at + 1),
                                None => format!("Delmål under udviklingsmål {}", number + 1),
                            },
                            s.text.get_ref().clone(),
                        )
                    },
                    &mut out,
                );
            }
        }
    }
    for goal in from
        .goals
        .iter()
        .filter(|g| !to.goals.iter().any(|n| n.id == g.id))
    {
        out.push(Change {
            key: format!("goal:{}", goal.id.get_ref()),
            label: format!("Udviklingsmål »{}«", goal.title),
            kind: ChangeKind::Removed,
            text: goal.opposite.get_ref().clone(),
        });
    }
    out
}

/// Parts of one kind matched by id: added and reworded in the newer order, then removed.
/// `describe` gives a part's key, label and text, from its place in the newer list (`None` for
/// a removed part).
fn compare<T>(
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &str,
    text: impl Fn(&T) -> String,
    describe: impl Fn(&T, Option<usize>) -> (String, String, String),
    out: &mut Vec<Change>,
) {
    for (at, part) in new.iter().enumerate() {
        let kind = match old.iter().find(|o| id(o) == id(part)) {
            None => ChangeKind::Added,
            Some(o) if text(o) != text(part) => ChangeKind::Reworded,
            Some(_) => continue,
        };
        let (key, label, text) = describe(part, Some(at));
        out.push(Change {
            key,
            label,
            kind,
            text,
        });
    }
    for part in old.iter().filter(|o| !new.iter().any(|n| id(n) == id(o))) {
        let (key, label, text) = describe(part, None);
        out.push(Change {
            key,
            label,
            kind: ChangeKind::Removed,
            text,
        });
    }
}

fn vision_text(c: &Content) -> String {
    let ties: Vec<String> = c
        .vision
        .ties
        .iter()
        .map(|t| format!("{}: {}", t.policy, t.text.get_ref()))
        .collect();
    format!("{}\n{}", c.vision.text.get_ref(), ties.join("\n"))
}

fn target_text(c: &Content) -> String {
    let groups: Vec<String> = c
        .target_group
        .groups
        .iter()
        .map(|g| format!("{}: {}", g.name, g.text.get_ref()))
        .collect();
    format!("{}\n{}", c.target_group.text.get_ref(), groups.join("\n"))
}

fn process_text(c: &Content) -> String {
    let steps: Vec<String> = c
        .goal_process
        .steps
        .iter()
        .map(|s| format!("{}: {}", s.question, s.answer.get_ref()))
        .collect();
    format!("{}\n{}", c.goal_process.text.get_ref(), steps.join("\n"))
}

fn involvement_text(c: &Content) -> String {
    let entries: Vec<String> = c
        .involvement
        .internal
        .iter()
        .chain(&c.involvement.external)
        .map(|e| format!("{}: {}", e.who, e.how.get_ref()))
        .collect();
    format!("{}\n{}", c.involvement.text.get_ref(), entries.join("\n"))
}

fn goal_text(goal: &Goal) -> String {
    let areas: Vec<&str> = goal
        .focus_areas
        .iter()
        .map(|a| a.get_ref().as_str())
        .collect();
    format!(
        "{}\n{}\n{}\n{}",
        goal.title,
        goal.opposite.get_ref(),
        goal.text.as_ref().map_or("", |t| t.get_ref()),
        areas.join(",")
    )
}
