//! The website's pages and files, made from the public papers only (see [`super::papers`]):
//! each page shows what the views of the papers that may be published show (a public agenda's
//! items, a public minutes' decisions), and links to the public PDFs, copied beside the pages.
//! Nothing is read from a paper that is not public, so that a page never holds more than the
//! public set.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::html::Pages;
use super::papers::{Listed, newest, own_pdf, paper_link, published};
use super::{feeds, search};
use crate::diagnostics::Diagnostic;
use crate::documents::{self, Document, DocumentKind};
use crate::output::record::BuildRecord;
use crate::plan::Plan;
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

/// A paper `udvalg consult` sent to the consultees, as its package holds it.
pub struct SentFile {
    pub consultation: String,
    /// Relative to the output directory.
    pub path: String,
    pub title: String,
    pub size: u64,
}

/// The site as it is made: the pages' templates, what every page shows of the committee, the
/// published papers, and the files so far.
struct Builder<'a> {
    plan: &'a Plan,
    pages: &'a Pages,
    site: Value,
    listed: &'a [Listed<'a>],
    files: Vec<SiteFile>,
}

impl Builder<'_> {
    /// Page `path` from `template`; its links lead back up to the site's top folder.
    fn page(&mut self, path: &str, template: &str, page: Value) -> Result<(), Diagnostic> {
        let root = "../".repeat(path.matches('/').count());
        let html = self.pages.render(template, &self.site, &root, page)?;
        self.made(path, html.into_bytes());
        Ok(())
    }

    fn made(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.push(SiteFile::Made {
            path: path.to_string(),
            bytes,
        });
    }

    /// Whether a paper of `kind` outside the meetings is published.
    fn has_outside(&self, kind: DocumentKind) -> bool {
        self.listed
            .iter()
            .any(|l| l.entry.meeting.is_none() && l.entry.kind == kind.name() && l.view.is_some())
    }
}

/// Every file of the site, in the order of their paths.
pub fn site(
    plan: &Plan,
    public: &[Document],
    record: &BuildRecord,
    sent: &[SentFile],
    pages: &Pages,
) -> Result<Vec<SiteFile>, Diagnostic> {
    let listed = published(plan, public, record);
    let base = plan
        .settings
        .website
        .url
        .as_ref()
        .map(|url| url.get_ref().clone());
    let mut b = Builder {
        plan,
        pages,
        site: site_view(plan),
        listed: &listed,
        files: listed
            .iter()
            .map(|l| SiteFile::Copied {
                path: l.path.to_string(),
                from: l.path.to_string(),
            })
            .collect(),
    };
    b.site["has_process_plan"] = json!(b.has_outside(DocumentKind::ProcessPlan));
    b.site["has_key_figures"] = json!(b.has_outside(DocumentKind::KeyFigures));
    b.site["has_open_data"] = json!(base.is_some());
    for file in sent {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        b.files.push(SiteFile::Copied {
            path: format!("hoeringer/{}/{name}", file.consultation),
            from: file.path.clone(),
        });
    }

    let meetings = meeting_pages(&mut b)?;
    let mut front = plan_pages(&mut b, sent)?;
    front["members"] = documents::committee_members(plan);
    front["today"] = json!(danish_date(plan.settings.plan.date.get_ref().0));
    for (key, value) in meetings {
        front[key] = value;
    }
    b.page("index.html", "index.html", front)?;
    search_files(&mut b)?;
    for (name, text) in pages.static_files() {
        b.made(name, text.clone().into_bytes());
    }
    if let Some(base) = &base {
        for (path, object) in super::oparl::files(plan, base, &listed) {
            let mut bytes = serde_json::to_vec_pretty(&object)
                .map_err(|e| Diagnostic::system(format!("cannot write {path}: {e}")))?;
            bytes.push(b'\n');
            b.made(&path, bytes);
        }
    }
    b.made("feed.atom", feeds::atom_feed(plan, &listed).into_bytes());
    b.made("kalender.ics", feeds::public_calendar(plan)?.into_bytes());
    let mut files = b.files;
    files.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(files)
}

/// A page per meeting that has a published paper and per year; for the front page, the
/// meetings ahead and the years.
fn meeting_pages(b: &mut Builder) -> Result<Vec<(&'static str, Value)>, Diagnostic> {
    let (plan, listed) = (b.plan, b.listed);
    let today = plan.settings.plan.date.get_ref().0;
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
        if day >= today && upcoming.len() < 5 {
            upcoming.push(entry.clone());
        }
        use chrono::Datelike;
        by_year.entry(day.year()).or_default().push(entry);
        if !papers.is_empty() {
            let page = meeting_page(&summary, &papers, id);
            b.page(&format!("{id}/index.html"), "meeting.html", page)?;
        }
    }
    let years: Vec<Value> = by_year
        .iter()
        .rev()
        .map(|(year, meetings)| {
            json!({ "year": year, "href": format!("moeder-{year}.html"), "count": meetings.len() })
        })
        .collect();
    for (year, meetings) in &by_year {
        let page = json!({ "year": year, "meetings": meetings, "years": years });
        b.page(&format!("moeder-{year}.html"), "year.html", page)?;
    }
    Ok(vec![("upcoming", json!(upcoming)), ("years", json!(years))])
}

/// The pages of the papers outside the meetings (the process plan, the key figures, each
/// strategy edition) and of the consultations; for the front page, those papers and the
/// newest of all.
fn plan_pages(b: &mut Builder, sent: &[SentFile]) -> Result<Value, Diagnostic> {
    let listed = b.listed;
    let outside = |kind: DocumentKind| {
        listed
            .iter()
            .filter(move |l| l.entry.meeting.is_none() && l.entry.kind == kind.name())
    };
    if let Some((paper, view)) = outside(DocumentKind::ProcessPlan).find_map(|l| Some((l, l.view?)))
    {
        let page = json!({ "plan": view, "paper": paper_link(paper, "") });
        b.page("procesplan.html", "process-plan.html", page)?;
    }
    let figures: Vec<Value> = outside(DocumentKind::KeyFigures)
        .filter_map(|l| Some(json!({ "figures": l.view?, "paper": paper_link(l, "") })))
        .rev()
        .collect();
    if !figures.is_empty() {
        b.page(
            "noegletal.html",
            "key-figures.html",
            json!({ "years": figures }),
        )?;
    }
    // A page per strategy edition, under its title (an edition attached to two meetings is
    // one page).
    let mut strategies: Vec<Value> = Vec::new();
    for l in listed
        .iter()
        .filter(|l| l.entry.kind == DocumentKind::Strategy.name())
    {
        let Some(view) = l.view else { continue };
        let page = format!("strategi/{}.html", slug(&l.entry.title));
        if strategies.iter().any(|s| s["href"] == json!(page)) {
            continue;
        }
        let date = &view["meta"]["date"];
        strategies.push(
            json!({ "title": l.entry.title, "href": page, "date": date, "iso": date["iso"] }),
        );
        let content = json!({ "strategy": view, "paper": paper_link(l, "../") });
        b.page(&page, "strategy.html", content)?;
    }
    strategies.sort_by(|a, b| a["iso"].as_str().cmp(&b["iso"].as_str()));
    let consultations = consultations(b.plan, listed, sent);
    for consultation in &consultations {
        let page = consultation["href"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        b.page(
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
    Ok(json!({
        "latest": latest,
        "of_plan": outside_all(listed),
        "strategies": strategies,
        "consultations": consultations,
        "has_process_plan": b.has_outside(DocumentKind::ProcessPlan),
        "has_key_figures": !figures.is_empty(),
    }))
}

/// Every published paper outside the meetings, as links.
fn outside_all(listed: &[Listed]) -> Vec<Value> {
    listed
        .iter()
        .filter(|l| l.entry.meeting.is_none())
        .map(|l| paper_link(l, ""))
        .collect()
}

/// The search page and its index of every page made so far.
fn search_files(b: &mut Builder) -> Result<(), Diagnostic> {
    let indexed: Vec<search::Indexed> = b
        .files
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
    b.made(
        search::INDEX_SCRIPT,
        search::index_script(&indexed).into_bytes(),
    );
    b.page("soeg.html", "search.html", json!({}))
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
            // The item's own PDF, which a reader may want to pass on alone.
            if let Some(own) = own_pdf(papers, &item) {
                item["pdf"] = paper_link(own, &format!("{id}/"));
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

/// The consultations of the plan, each with its own page: what, the period and deadline, the
/// consultees, the responses received, and its public papers.
fn consultations(plan: &Plan, listed: &[Listed], sent: &[SentFile]) -> Vec<Value> {
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
                .map(|l| {
                    // The consultation's page is in hoeringer/, a folder below the top.
                    let mut link = paper_link(l, "");
                    link["href"] = json!(format!("../{}", l.path));
                    link
                })
                .collect();
            // What was sent, copied beside the consultation's page.
            let material: Vec<Value> = sent
                .iter()
                .filter(|f| f.consultation == c.id)
                .map(|f| {
                    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
                    json!({
                        "title": f.title,
                        "href": format!("{}/{name}", c.id),
                        "type": "PDF",
                        "size": documents::file_size_text(f.size),
                    })
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
                "material": material,
            })
        })
        .collect()
}
