//! The website's pages and files, made from the public papers only: each page shows what the
//! views of the papers that may be published show (a public agenda's items, a public minutes'
//! decisions), and links to the public PDFs, copied beside the pages. Nothing is read from a
//! paper that is not public, so that a page never holds more than the public set.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::html::Pages;
use super::search;
use crate::diagnostics::Diagnostic;
use crate::documents::{self, Document, DocumentKind};
use crate::export::{atom, ics};
use crate::output::public::PUBLIC_SET_KIND;
use crate::output::record::{BuildRecord, RecordEntry};
use crate::plan::Plan;
use crate::plan::model::Meeting;
use crate::text::{danish_date, slug};

/// One file of the site: its path inside the site folder and its bytes, or the output file
/// whose bytes it copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteFile {
    Made { path: String, bytes: Vec<u8> },
    Copied { path: String, from: String },
}

impl SiteFile {
    pub fn path(&self) -> &str {
        match self {
            SiteFile::Made { path, .. } | SiteFile::Copied { path, .. } => path,
        }
    }
}

/// A public file as the pages link to it: where it is, what the record says of it, and the
/// view it was made from (none for a file copied as it is).
pub(super) struct Listed<'a> {
    pub path: &'a str,
    pub entry: &'a RecordEntry,
    pub view: Option<&'a Value>,
}

/// The meetings that have a published paper, in the plan's order, each with its papers.
pub(super) fn published_meetings<'p, 'l>(
    plan: &'p Plan,
    listed: &'l [Listed<'l>],
) -> Vec<(&'p Meeting, Vec<&'l Listed<'l>>)> {
    plan.meetings
        .iter()
        .map(|meeting| {
            let id = meeting.id.get_ref();
            let papers: Vec<&Listed> = listed
                .iter()
                .filter(|l| l.entry.meeting.as_deref() == Some(id.as_str()))
                .collect();
            (meeting, papers)
        })
        .filter(|(_, papers)| !papers.is_empty())
        .collect()
}

/// Every file of the site.
pub fn site(
    plan: &Plan,
    public: &[Document],
    record: &BuildRecord,
    pages: &Pages,
) -> Result<Vec<SiteFile>, Diagnostic> {
    let views: BTreeMap<&str, &Document> = public.iter().map(|d| (d.path.as_str(), d)).collect();
    let today = plan.settings.plan.date.get_ref().0;
    let listed: Vec<Listed> = record
        .documents
        .iter()
        .filter(|(_, entry)| entry.public && entry.kind != PUBLIC_SET_KIND)
        .map(|(path, entry)| Listed {
            path,
            entry,
            view: views.get(path.as_str()).map(|d| d.view()),
        })
        .filter(|listed| published_from(plan, listed).is_some_and(|day| day <= today))
        .collect();
    let mut files: Vec<SiteFile> = listed
        .iter()
        .map(|l| SiteFile::Copied {
            path: l.path.to_string(),
            from: l.path.to_string(),
        })
        .collect();
    let outside_of_kind = |kind: DocumentKind| {
        listed
            .iter()
            .any(|l| l.entry.meeting.is_none() && l.entry.kind == kind.name() && l.view.is_some())
    };
    let mut site = site_view(plan);
    site["has_process_plan"] = json!(outside_of_kind(DocumentKind::ProcessPlan));
    site["has_key_figures"] = json!(outside_of_kind(DocumentKind::KeyFigures));
    let base = plan
        .settings
        .website
        .url
        .as_ref()
        .map(|url| url.get_ref().clone());
    site["has_open_data"] = json!(base.is_some());
    let mut made = |path: &str, template: &str, page: Value| -> Result<(), Diagnostic> {
        let depth = path.matches('/').count();
        let html = pages.render(template, &site, &"../".repeat(depth), page)?;
        files.push(SiteFile::Made {
            path: path.to_string(),
            bytes: html.into_bytes(),
        });
        Ok(())
    };

    // The meetings that have a public paper, each with its page.
    let mut by_year: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
    let mut upcoming = Vec::new();
    for meeting in &plan.meetings {
        let id = meeting.id.get_ref();
        let papers: Vec<&Listed> = listed
            .iter()
            .filter(|l| l.entry.meeting.as_deref() == Some(id.as_str()))
            .collect();
        let summary = documents::meeting_view(plan, meeting);
        let day = meeting.date.get_ref().0;
        let entry = json!({
            "meeting": summary,
            "href": format!("{id}/index.html"),
            "has_page": !papers.is_empty(),
        });
        if day >= today {
            upcoming.push(entry.clone());
        }
        use chrono::Datelike;
        by_year.entry(day.year()).or_default().push(entry);
        if papers.is_empty() {
            continue;
        }
        made(
            &format!("{id}/index.html"),
            "meeting.html",
            meeting_page(&summary, &papers, id),
        )?;
    }
    let years: Vec<Value> = by_year
        .iter()
        .rev()
        .map(|(year, meetings)| json!({ "year": year, "href": format!("moeder-{year}.html"), "count": meetings.len() }))
        .collect();
    for (year, meetings) in &by_year {
        made(
            &format!("moeder-{year}.html"),
            "year.html",
            json!({ "year": year, "meetings": meetings, "years": years }),
        )?;
    }

    // The papers outside meetings: the strategy, the process plan, action plans, key figures.
    let of_plan: Vec<Value> = listed
        .iter()
        .filter(|l| l.entry.meeting.is_none())
        .map(|l| paper_link(l, ""))
        .collect();
    let process_plan = listed
        .iter()
        .find(|l| l.entry.meeting.is_none() && l.entry.kind == DocumentKind::ProcessPlan.name());
    if let Some(plan_paper) = process_plan.and_then(|l| l.view.map(|v| (l, v))) {
        let (paper, view) = plan_paper;
        made(
            "procesplan.html",
            "process-plan.html",
            json!({ "plan": view, "paper": paper_link(paper, "") }),
        )?;
    }
    let figures: Vec<Value> = listed
        .iter()
        .filter(|l| l.entry.meeting.is_none() && l.entry.kind == DocumentKind::KeyFigures.name())
        .filter_map(|l| Some(json!({ "figures": l.view?, "paper": paper_link(l, "") })))
        .rev()
        .collect();
    if !figures.is_empty() {
        made(
            "noegletal.html",
            "key-figures.html",
            json!({ "years": figures }),
        )?;
    }
    let mut strategies: Vec<(String, Value)> = Vec::new();
    for l in listed
        .iter()
        .filter(|l| l.entry.kind == DocumentKind::Strategy.name())
    {
        let Some(view) = l.view else { continue };
        let page = format!("strategi/{}.html", slug(&l.entry.title));
        if strategies.iter().any(|(p, _)| *p == page) {
            continue;
        }
        let date = view["meta"]["date"]["iso"].as_str().unwrap_or_default();
        strategies.push((
            page.clone(),
            json!({ "title": l.entry.title, "href": page, "date": view["meta"]["date"], "iso": date }),
        ));
        made(
            &page,
            "strategy.html",
            json!({ "strategy": view, "paper": paper_link(l, "../") }),
        )?;
    }
    strategies.sort_by(|a, b| a.1["iso"].as_str().cmp(&b.1["iso"].as_str()));
    let consultations = consultations(plan, &listed);
    for consultation in &consultations {
        let page = consultation["href"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        made(
            &page,
            "consultation.html",
            json!({ "consultation": consultation }),
        )?;
    }

    // Newest first, by the day each paper carries.
    let mut latest: Vec<Value> = listed
        .iter()
        .filter(|l| l.view.is_some())
        .map(|l| paper_link(l, ""))
        .collect();
    latest.sort_by(|a, b| {
        b["iso"]
            .as_str()
            .cmp(&a["iso"].as_str())
            .then(a["href"].as_str().cmp(&b["href"].as_str()))
    });
    latest.truncate(10);
    upcoming.truncate(5);
    made(
        "index.html",
        "index.html",
        json!({
            "members": documents::committee_members(plan),
            "upcoming": upcoming,
            "latest": latest,
            "years": years,
            "of_plan": of_plan,
            "strategies": strategies.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "consultations": consultations,
            "has_process_plan": process_plan.is_some(),
            "has_key_figures": !figures.is_empty(),
            "today": danish_date(today),
        }),
    )?;
    // The search: every page so far, by its words.
    let indexed: Vec<search::Indexed> = files
        .iter()
        .filter_map(|file| match file {
            SiteFile::Made { path, bytes } if path.ends_with(".html") => {
                let html = String::from_utf8_lossy(bytes).into_owned();
                let title = html
                    .split_once("<h1>")
                    .and_then(|(_, rest)| rest.split_once("</h1>"))
                    .map_or_else(|| path.clone(), |(title, _)| search::unescape(title));
                Some(search::Indexed {
                    path: path.clone(),
                    title,
                    html,
                })
            }
            _ => None,
        })
        .collect();
    files.push(SiteFile::Made {
        path: search::INDEX_SCRIPT.into(),
        bytes: search::index_script(&indexed).into_bytes(),
    });
    let html = pages.render("search.html", &site, "", json!({}))?;
    files.push(SiteFile::Made {
        path: "soeg.html".into(),
        bytes: html.into_bytes(),
    });
    for (name, text) in pages.static_files() {
        files.push(SiteFile::Made {
            path: (*name).to_string(),
            bytes: text.clone().into_bytes(),
        });
    }
    if let Some(base) = &base {
        for (path, object) in super::oparl::files(plan, base, &listed) {
            let mut bytes = serde_json::to_vec_pretty(&object)
                .map_err(|e| Diagnostic::system(format!("cannot write {path}: {e}")))?;
            bytes.push(b'\n');
            files.push(SiteFile::Made { path, bytes });
        }
    }
    files.push(SiteFile::Made {
        path: "feed.atom".into(),
        bytes: atom_feed(plan, &listed).into_bytes(),
    });
    files.push(SiteFile::Made {
        path: "kalender.ics".into(),
        bytes: public_calendar(plan)?.into_bytes(),
    });
    files.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(files)
}

/// The day a public paper goes on the website: a meeting's papers on the day its agenda is
/// published (`agenda_published_after` working days after it is sent), its minutes on the day
/// they are public (`minutes_public_after` working days after the meeting); a paper dated later
/// (a corrected edition, a supplementary agenda) on its own day; a paper outside the meetings
/// on its day. `None` for a paper of a meeting the plan no longer has.
fn published_from(plan: &Plan, listed: &Listed) -> Option<chrono::NaiveDate> {
    let own_day = listed
        .view
        .and_then(|view| view["meta"]["date"]["iso"].as_str())
        .and_then(|iso| iso.parse::<chrono::NaiveDate>().ok());
    let Some(id) = &listed.entry.meeting else {
        return Some(own_day.unwrap_or(chrono::NaiveDate::MIN));
    };
    let meeting = plan.meeting(id)?;
    let due = crate::calendar::meeting_deadlines(&plan.settings.calendar, meeting.date.get_ref().0);
    let rule = if listed.entry.kind == DocumentKind::Minutes.name() {
        due.minutes_public
    } else {
        due.agenda_published
    };
    Some(own_day.map_or(rule, |day| day.max(rule)))
}

/// What every page shows of the committee: its name, the municipality, the plan's title.
fn site_view(plan: &Plan) -> Value {
    let settings = &plan.settings;
    json!({
        "municipality": settings.municipality.name,
        "committee": settings.committee.name,
        "title": settings.plan.title,
        "web": settings.municipality.web,
    })
}

/// A meeting's page: its public agenda (and supplementary agenda), each item with the decision
/// of the public minutes once they are there, and every public paper of the meeting.
fn meeting_page(summary: &Value, papers: &[&Listed], id: &str) -> Value {
    let agenda = newest(papers, DocumentKind::Agenda, false).and_then(|l| l.view);
    let supplement = newest(papers, DocumentKind::Agenda, true).and_then(|l| l.view);
    let minutes = newest(papers, DocumentKind::Minutes, false).and_then(|l| l.view);
    let decisions: BTreeMap<&str, &Value> = minutes
        .and_then(|m| m["items"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| Some((item["id"].as_str()?, item)))
        .collect();
    let items: Vec<Value> = agenda
        .into_iter()
        .chain(supplement)
        .filter_map(|view| view["items"].as_array())
        .flatten()
        .map(|item| {
            let mut item = item.clone();
            let recorded = item["id"].as_str().and_then(|id| decisions.get(id));
            if let Some(recorded) = recorded {
                item["decision"] = recorded["decision"].clone();
                item["proceedings"] = recorded["proceedings"].clone();
            }
            item
        })
        .collect();
    // The agenda and the minutes first, then the items' own PDFs, then the attachments.
    let order = |l: &&&Listed| match DocumentKind::from_name(&l.entry.kind) {
        Some(DocumentKind::Agenda | DocumentKind::Invitation) => 0,
        Some(DocumentKind::Minutes) => 1,
        Some(DocumentKind::AgendaItem) => 2,
        _ => 3,
    };
    let mut ordered: Vec<&&Listed> = papers.iter().collect();
    ordered.sort_by_key(|l| (order(l), l.path));
    let listed: Vec<Value> = ordered
        .into_iter()
        .map(|l| paper_link(l, &format!("{id}/")))
        .collect();
    json!({
        "meeting": summary,
        "items": items,
        "has_agenda": agenda.is_some(),
        "has_minutes": minutes.is_some(),
        "minutes": minutes.map(|m| json!({
            "present": m["present"], "apologies": m["apologies"], "absent": m["absent"],
            "substitutes": m["substitutes"], "held": m["held"], "approval": m["approval"],
        })),
        "papers": listed,
    })
}

/// The newest edition (a corrected edition has the higher number) of a meeting's paper of
/// `kind`; of agendas, of the agenda or of the supplementary agenda.
pub(super) fn newest<'l>(
    papers: &[&'l Listed<'l>],
    kind: DocumentKind,
    supplement: bool,
) -> Option<&'l Listed<'l>> {
    papers
        .iter()
        .copied()
        .filter(|l| l.entry.kind == kind.name())
        .filter(|l| {
            l.view
                .is_some_and(|v| (v["supplement"] == json!(true)) == supplement)
        })
        .max_by_key(|l| {
            l.view
                .and_then(|v| v["meta"]["correction"]["number"].as_u64())
                .unwrap_or(0)
        })
}

/// A public file as a link: its title, type, size and pages, and the day it carries. `base`
/// is the folder of the linking page, which the link is relative to.
fn paper_link(l: &Listed, base: &str) -> Value {
    let href = l.path.strip_prefix(base).unwrap_or(l.path);
    let title = match (&l.entry.title, l.view) {
        (t, _) if !t.is_empty() => t.clone(),
        (_, Some(view)) => view["meta"]["title"].as_str().unwrap_or(l.path).to_string(),
        _ => l.path.rsplit('/').next().unwrap_or(l.path).to_string(),
    };
    let date = l.view.map_or(Value::Null, |v| v["meta"]["date"].clone());
    json!({
        "title": title,
        "href": href,
        "kind": l.view.map_or(Value::Null, |v| v["meta"]["kind"].clone()),
        "type": l.path.rsplit_once('.').map_or("fil".to_string(), |(_, e)| e.to_uppercase()),
        "size": documents::file_size_text(l.entry.size),
        "pages": (l.entry.pages > 0).then_some(l.entry.pages),
        "date": date,
        "iso": date["iso"],
    })
}

/// The consultations of the plan, each with its own page: what, the period and deadline, the
/// consultees, the responses received, and its public papers.
fn consultations(plan: &Plan, listed: &[Listed]) -> Vec<Value> {
    let today = plan.settings.plan.date.get_ref().0;
    plan.consultations
        .iter()
        .filter(|c| c.data.sent.get_ref().0 <= today)
        .map(|c| {
            let data = &c.data;
            let consultees: Vec<Value> = data
                .consultees
                .iter()
                .filter_map(|id| plan.stakeholder(id.get_ref()))
                .map(|s| json!(s.name))
                .collect();
            let responses: Vec<Value> = data
                .responses
                .iter()
                .filter(|r| r.received.get_ref().0 <= today)
                .map(|r| {
                    let name = plan
                        .stakeholder(r.consultee.get_ref())
                        .map_or_else(|| r.consultee.get_ref().clone(), |s| s.name.clone());
                    json!({ "from": name, "received": danish_date(r.received.get_ref().0) })
                })
                .collect();
            let papers: Vec<Value> = listed
                .iter()
                .filter(|l| {
                    l.entry.kind == DocumentKind::ConsultationSummary.name()
                        && l.view
                            .is_some_and(|v| v["consultation"]["id"] == json!(c.id))
                })
                .map(|l| paper_link(l, "hoeringer/"))
                .map(|mut link| {
                    link["href"] =
                        json!(format!("../{}", link["href"].as_str().unwrap_or_default()));
                    link
                })
                .collect();
            let (sent, deadline) = (data.sent.get_ref().0, data.deadline.get_ref().0);
            json!({
                "id": c.id,
                "title": data.title,
                "href": format!("hoeringer/{}.html", c.id),
                "purpose": data.purpose.get_ref(),
                "how_to_respond": data.how_to_respond.get_ref(),
                "sent": danish_date(sent),
                "deadline": danish_date(deadline),
                "open": deadline >= today,
                "consultees": consultees,
                "responses": responses,
                "papers": papers,
            })
        })
        .collect()
}

/// The Atom feed of the public papers: one entry per paper, its id made from the paper's
/// path and its date from the paper's own day, never the clock.
fn atom_feed(plan: &Plan, listed: &[Listed]) -> String {
    let settings = &plan.settings;
    let base = format!(
        "urn:udvalg:{}:{}",
        slug(&settings.municipality.name),
        slug(&settings.committee.name)
    );
    let mut entries: Vec<atom::Entry> = listed
        .iter()
        .filter_map(|l| {
            let view = l.view?;
            let day = view["meta"]["date"]["iso"].as_str()?.parse().ok()?;
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
fn public_calendar(plan: &Plan) -> Result<String, Diagnostic> {
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
