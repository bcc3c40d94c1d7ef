//! The website's feeds: Atom for new and changed papers, iCalendar for the meetings.
use super::papers::Listed;
use crate::diagnostics::Diagnostic;
use crate::export::{atom, ics};
use crate::plan::Plan;
use crate::text::slug;

/// The Atom feed of the public papers: one entry per paper, its id made from the paper's
/// path and its date from the paper's own day, never the clock.
pub(super) fn atom_feed(plan: &Plan, listed: &[Listed]) -> String {
    let settings = &plan.settings;
    let base = format!(
        "urn:udvalg:{}:{}",
        slug(&settings.municipality.name),
        slug(&settings.committee.name)
    );
    let mut entries: Vec<atom::Entry> = listed
        .iter()
        .filter_map(|l| {
            let (view, day) = (l.view?, l.day()?);
            Some(atom::Entry {
                id: format!("{base}:{}", l.path),
                title: l.entry.title.clone(),
                updated: day,
                href: l.path.to_string(),
                summary: view["meta"]["kind"].as_str().map(String::from),
            })
        })
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    atom::write(
        &format!("{base}:papers"),
        &format!(
            "{} – {}",
            settings.committee.name, settings.municipality.name
        ),
        &entries,
    )
}

/// The calendar feed: the public events of `udvalg calendar --ics` under the same UIDs (the
/// meetings, consultations and milestones; not the secretariat's own deadlines), a meeting
/// with its items only once its agenda has gone out.
pub(super) fn public_calendar(plan: &Plan) -> Result<String, Diagnostic> {
    let today = plan.settings.plan.date.get_ref().0;
    let mut events = crate::export::events::plan_events(plan);
    events.retain(|event| event.category != "Frist");
    for event in &mut events {
        let meeting = plan.meetings.iter().find(|m| {
            event
                .uid
                .starts_with(&format!("meeting-{}@", m.id.get_ref()))
        });
        if let Some(meeting) = meeting
            && plan.send_out_date(meeting) > today
        {
            event.description = None;
        }
    }
    let stamp = today
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| Diagnostic::system("the plan's date has no midnight"))?;
    Ok(ics::write(&plan.settings.plan.title, &events, stamp))
}
