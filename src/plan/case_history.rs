//! Sagens gang: the items of the plan that handle the same case (the same case number, or one
//! item that `follows` another), so that each item can print the earlier meetings that handled
//! its case and the meeting it goes to next.

use std::collections::HashMap;

use super::load::Plan;
use super::model::{AgendaItem, Meeting};

/// One item of a case: where it stands in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handling {
    pub meeting: usize,
    pub item: usize,
}

/// Every case of the plan that more than one item handles, each in the order of its meetings.
#[derive(Debug, Default)]
pub struct Cases {
    case_of: HashMap<(usize, usize), usize>,
    cases: Vec<Vec<Handling>>,
}

impl Cases {
    pub fn of(plan: &Plan) -> Self {
        let mut items: Vec<Handling> = Vec::new();
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for (m, meeting) in plan.meetings.iter().enumerate() {
            for (i, item) in meeting.items.iter().enumerate() {
                index.insert((meeting.id.get_ref(), item.id.get_ref()), items.len());
                items.push(Handling {
                    meeting: m,
                    item: i,
                });
            }
        }
        let mut parent: Vec<usize> = (0..items.len()).collect();
        let mut by_number: HashMap<&str, usize> = HashMap::new();
        for (n, handling) in items.iter().enumerate() {
            let item = item_at(plan, *handling);
            if let Some(number) = item.case_number.as_deref().map(str::trim)
                && !number.is_empty()
            {
                let first = *by_number.entry(number).or_insert(n);
                union(&mut parent, first, n);
            }
            let earlier = item
                .follows
                .as_ref()
                .and_then(|f| f.get_ref().split_once('/'))
                .and_then(|key| index.get(&key));
            if let Some(&earlier) = earlier {
                union(&mut parent, earlier, n);
            }
        }
        let mut groups: HashMap<usize, Vec<Handling>> = HashMap::new();
        for (n, handling) in items.iter().enumerate() {
            groups
                .entry(find(&mut parent, n))
                .or_default()
                .push(*handling);
        }
        let mut cases: Vec<Vec<Handling>> = groups.into_values().filter(|g| g.len() > 1).collect();
        for case in &mut cases {
            case.sort_by_key(|h| (plan.meetings[h.meeting].date.get_ref().0, h.meeting, h.item));
        }
        cases.sort_by_key(|case| (case[0].meeting, case[0].item));
        let mut case_of = HashMap::new();
        for (c, case) in cases.iter().enumerate() {
            for h in case {
                case_of.insert((h.meeting, h.item), c);
            }
        }
        Self { case_of, cases }
    }

    /// The other items of the case of `item` of `meeting` (by their index in the plan): those
    /// in earlier meetings, and those in later ones, each in the order of their meetings.
    pub fn around(
        &self,
        plan: &Plan,
        meeting: usize,
        item: usize,
    ) -> (Vec<Handling>, Vec<Handling>) {
        let Some(&case) = self.case_of.get(&(meeting, item)) else {
            return (Vec::new(), Vec::new());
        };
        let day = plan.meetings[meeting].date.get_ref().0;
        let others = self.cases[case].iter().filter(|h| h.meeting != meeting);
        let (earlier, later): (Vec<Handling>, Vec<Handling>) =
            others.partition(|h| plan.meetings[h.meeting].date.get_ref().0 < day);
        (earlier, later)
    }
}

pub fn item_at(plan: &Plan, h: Handling) -> &AgendaItem {
    &plan.meetings[h.meeting].items[h.item]
}

pub fn meeting_at(plan: &Plan, h: Handling) -> &Meeting {
    &plan.meetings[h.meeting]
}

impl Plan {
    /// The plan's cases, found on first use.
    pub fn cases(&self) -> &Cases {
        self.cases.get_or_init(|| Cases::of(self))
    }
}

fn find(parent: &mut [usize], mut n: usize) -> usize {
    while parent[n] != n {
        parent[n] = parent[parent[n]];
        n = parent[n];
    }
    n
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b)] = a.min(b);
    }
}
