//! The website's open data as OParl 1.1 (https://schema.oparl.org/1.1/): the municipality as
//! a Body, the committee and the other bodies that meet as Organizations, the members as
//! Persons with their Memberships, every meeting with a public paper as a Meeting with its
//! AgendaItems, each open item's own PDF as a Paper with its Consultation, every public PDF as
//! a File, the meeting places as Locations. Static files under `oparl/`, one per object at the
//! address that is its id, and the lists in OParl's list shape. Made from the same public
//! papers as the pages: nothing of a closed item.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use serde_json::{Value, json};

use super::papers::{Listed, newest, own_pdf, published_meetings};
use crate::documents::DocumentKind;
use crate::plan::Plan;
use crate::plan::model::{Meeting, Role};
use crate::text::{danish_date, slug};

const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// Each OParl file of the site: its path and its JSON.
pub fn files(plan: &Plan, base: &str, listed: &[Listed]) -> Vec<(String, Value)> {
    let mut out = Objects {
        base,
        today: stamp(plan.settings.plan.date.get_ref().0),
        files: Vec::new(),
        lists: BTreeMap::new(),
    };
    let meetings = published_meetings(plan, listed);
    members(&mut out, plan);
    organizations(&mut out, plan, &meetings);
    let file_ids = file_objects(&mut out, listed);
    for (meeting, papers) in &meetings {
        meeting_objects(&mut out, plan, meeting, papers, &file_ids);
    }
    body_and_system(&mut out, plan);
    out.finish()
}

/// What the objects are added to: each object's own file, and the lists they are in.
struct Objects<'a> {
    base: &'a str,
    /// The plan's day, as an object's `created` and `modified` where it has no day of its own.
    today: String,
    files: Vec<(String, Value)>,
    lists: BTreeMap<&'static str, Vec<Value>>,
}

impl Objects<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}oparl/{path}", self.base)
    }

    /// Object `kind` at `path` (its id), in the list `list`; the object as it is written.
    fn add(&mut self, list: &'static str, kind: &str, path: &str, object: Value) -> Value {
        let object = self.store(kind, path, object);
        self.lists.entry(list).or_default().push(object.clone());
        object
    }

    /// Object `kind` at `path` (its id), in no list; dated by its own day (`modified`), else
    /// the plan's, never the clock.
    fn store(&mut self, kind: &str, path: &str, mut object: Value) -> Value {
        object["id"] = json!(self.url(path));
        object["type"] = json!(format!("{SCHEMA}{kind}"));
        if object["modified"].is_null() {
            object["modified"] = json!(self.today);
        }
        object["created"] = object["modified"].clone();
        let object = without_nulls(object);
        self.files.push((format!("oparl/{path}"), object.clone()));
        object
    }

    /// The objects' files and every list in OParl's list shape, all on one page.
    fn finish(mut self) -> Vec<(String, Value)> {
        for (list, data) in std::mem::take(&mut self.lists) {
            let count = data.len();
            let page = json!({
                "data": data,
                "pagination": {
                    "totalElements": count,
                    "elementsPerPage": count.max(1),
                    "currentPage": 1,
                    "totalPages": 1,
                },
                "links": {},
            });
            self.files.push((format!("oparl/{list}"), page));
        }
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        self.files
    }
}

/// The committee's members as Persons, each with the Membership of their seat.
fn members(out: &mut Objects, plan: &Plan) {
    let committee = slug(&plan.settings.committee.name);
    for member in &plan.settings.committee.members {
        let person = slug(&member.name);
        let membership = format!("membership/{person}-{committee}.json");
        let role = match member.role {
            Role::Chair => "formand",
            Role::ViceChair => "næstformand",
            Role::Member => "medlem",
        };
        let seat = json!({
            "person": out.url(&format!("person/{person}.json")),
            "organization": out.url(&format!("organization/{committee}.json")),
            "role": role,
            "votingRight": true,
            "onBehalfOf": member.party,
        });
        out.add("memberships.json", "Membership", &membership, seat);
        let object = json!({
            "body": out.url("body.json"),
            "name": member.name,
            "membership": [out.url(&membership)],
        });
        out.add(
            "persons.json",
            "Person",
            &format!("person/{person}.json"),
            object,
        );
    }
}

/// The bodies that meet as Organizations: the committee, with its members' seats, and each
/// other body of a published meeting (the council).
fn organizations(out: &mut Objects, plan: &Plan, meetings: &[(&Meeting, Vec<&Listed>)]) {
    let settings = &plan.settings;
    let committee = slug(&settings.committee.name);
    let mut bodies: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    bodies.insert(
        committee.clone(),
        (settings.committee.name.clone(), Vec::new()),
    );
    for (meeting, _) in meetings {
        let name = plan.body_name(meeting);
        let meeting_url = out.url(&format!("meeting/{}.json", meeting.id.get_ref()));
        bodies
            .entry(slug(&name))
            .or_insert((name, Vec::new()))
            .1
            .push(meeting_url);
    }
    for (key, (name, meetings_of)) in bodies {
        let seats: Vec<String> = match key == committee {
            true => settings
                .committee
                .members
                .iter()
                .map(|m| out.url(&format!("membership/{}-{committee}.json", slug(&m.name))))
                .collect(),
            false => Vec::new(),
        };
        let object = json!({
            "body": out.url("body.json"),
            "name": name,
            "organizationType": "Gremium",
            "classification": if key == committee { "Udvalg" } else { "Organ" },
            "membership": seats,
            "meeting": meetings_of,
        });
        out.add(
            "organizations.json",
            "Organization",
            &format!("organization/{key}.json"),
            object,
        );
    }
}

/// Every published file as a File; each one, as written, by its path (a Meeting and a Paper
/// embed their Files).
fn file_objects<'l>(out: &mut Objects, listed: &[Listed<'l>]) -> BTreeMap<&'l str, Value> {
    let mut ids = BTreeMap::new();
    for l in listed {
        let path = format!(
            "file/{}.json",
            l.path.trim_end_matches(".pdf").replace('/', "--")
        );
        let name = l.path.rsplit('/').next().unwrap_or(l.path);
        let title = match l.entry.title.is_empty() {
            true => name.to_string(),
            false => l.entry.title.clone(),
        };
        let pdf = l.path.ends_with(".pdf");
        let object = json!({
            "name": title,
            "fileName": name,
            "mimeType": if pdf { "application/pdf" } else { "application/octet-stream" },
            "size": l.entry.size,
            "date": l.day().map(stamp),
            "modified": l.day().map(stamp),
            "accessUrl": format!("{}{}", out.base, l.path),
            "downloadUrl": format!("{}{}", out.base, l.path),
            "meeting": l.entry.meeting.as_ref().map(|m| vec![out.url(&format!("meeting/{m}.json"))]),
        });
        ids.insert(l.path, out.add("files.json", "File", &path, object));
    }
    ids
}

/// A published meeting as a Meeting, with its place, its files and its AgendaItems; each
/// open item's own PDF as a Paper with its Consultation.
fn meeting_objects(
    out: &mut Objects,
    plan: &Plan,
    meeting: &Meeting,
    papers: &[&Listed],
    file_ids: &BTreeMap<&str, Value>,
) {
    let id = meeting.id.get_ref();
    let meeting_url = out.url(&format!("meeting/{id}.json"));
    let organization = out.url(&format!(
        "organization/{}.json",
        slug(&plan.body_name(meeting))
    ));
    let location = format!("location/{}.json", slug(&meeting.place));
    let place = json!({ "id": out.url(&location), "type": format!("{SCHEMA}Location"), "description": meeting.place });
    let known = out
        .lists
        .get("locations.json")
        .into_iter()
        .flatten()
        .any(|l| l["id"] == place["id"]);
    if !known {
        out.add("locations.json", "Location", &location, place.clone());
    }
    let agenda = newest(papers, DocumentKind::Agenda, false);
    let supplement = newest(papers, DocumentKind::Agenda, true);
    let minutes = newest(papers, DocumentKind::Minutes, false);
    let decisions: BTreeMap<&str, &Value> = minutes
        .and_then(|m| m.view)
        .and_then(|v| v["items"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| Some((item["id"].as_str()?, item)))
        .collect();
    let mut items = Vec::new();
    for item in agenda
        .into_iter()
        .chain(supplement)
        .filter_map(|l| l.view)
        .flat_map(|view| view["items"].as_array().into_iter().flatten())
    {
        let number = item["number"].as_u64().unwrap_or(0);
        let key = format!("{id}-{number:02}");
        let hidden = item["hidden"].as_bool().unwrap_or(false);
        let decision = item["id"]
            .as_str()
            .and_then(|i| decisions.get(i))
            .and_then(|recorded| recorded["decision"].as_str());
        let mut object = json!({
            "meeting": meeting_url,
            "number": number.to_string(),
            "order": number,
            "name": item["title"],
            "public": !hidden,
            "resolutionText": decision.map(str::trim),
            "result": decision.map(|_| "behandlet"),
        });
        // The item's own PDF is the paper the committee considers (a closed item has none).
        let own = own_pdf(papers, item);
        if let (Some(own), false) = (own, hidden) {
            let consultation = json!({
                "id": out.url(&format!("consultation/{key}.json")),
                "type": format!("{SCHEMA}Consultation"),
                "paper": out.url(&format!("paper/{key}.json")),
                "agendaItem": out.url(&format!("agenda-item/{key}.json")),
                "meeting": meeting_url,
                "organization": [organization],
                "authoritative": false,
                "role": item["kind"],
            });
            let paper = json!({
                "body": out.url("body.json"),
                "name": item["title"],
                "reference": item["case_number"],
                "date": own.day().map(|d| d.to_string()),
                "modified": own.day().map(stamp),
                "paperType": item["kind"],
                "mainFile": file_ids.get(own.path),
                "consultation": [consultation],
            });
            object["consultation"] = consultation["id"].clone();
            out.add(
                "consultations.json",
                "Consultation",
                &format!("consultation/{key}.json"),
                consultation,
            );
            out.add("papers.json", "Paper", &format!("paper/{key}.json"), paper);
        }
        let path = format!("agenda-item/{key}.json");
        items.push(out.add("agenda-items.json", "AgendaItem", &path, object));
    }
    let auxiliary: Vec<&Value> = papers
        .iter()
        .filter(|l| l.path.contains("/bilag/"))
        .filter_map(|l| file_ids.get(l.path))
        .collect();
    // OParl's recommended states: invited until the minutes are out, then held.
    let state = if minutes.is_some() {
        "durchgeführt"
    } else {
        "eingeladen"
    };
    let (start, end) = times(meeting);
    let newest_day = papers.iter().filter_map(|l| l.day()).max();
    let object = json!({
        "modified": newest_day.map(stamp),
        "name": format!("{} {}", plan.body_name(meeting), danish_date(meeting.date.get_ref().0)),
        "meetingState": state,
        "cancelled": false,
        "start": start,
        "end": end,
        "location": place,
        "organization": [organization],
        "invitation": agenda.and_then(|l| file_ids.get(l.path)),
        "resultsProtocol": minutes.and_then(|l| file_ids.get(l.path)),
        "auxiliaryFile": auxiliary,
        "agendaItem": items,
        "web": format!("{}{id}/index.html", out.base),
    });
    out.add(
        "meetings.json",
        "Meeting",
        &format!("meeting/{id}.json"),
        object,
    );
}

/// The municipality as the Body, with the lists of its objects, and the System.
fn body_and_system(out: &mut Objects, plan: &Plan) {
    let settings = &plan.settings;
    let home = json!({
        "description": settings.municipality.address.as_deref().unwrap_or(&settings.municipality.name),
    });
    let home = out.add("locations.json", "Location", "location/body.json", home);
    let body = json!({
        "bodyLocation": home,
        "system": out.url("system.json"),
        "name": settings.municipality.name,
        "website": settings.municipality.web,
        "organization": out.url("organizations.json"),
        "person": out.url("persons.json"),
        "meeting": out.url("meetings.json"),
        "paper": out.url("papers.json"),
        "agendaItem": out.url("agenda-items.json"),
        "consultation": out.url("consultations.json"),
        "file": out.url("files.json"),
        "locationList": out.url("locations.json"),
        "membership": out.url("memberships.json"),
        "legislativeTerm": [],
        "web": format!("{}index.html", out.base),
    });
    out.add("bodies.json", "Body", "body.json", body);
    let system = json!({
        "oparlVersion": SCHEMA,
        "body": out.url("bodies.json"),
        "name": format!("{} – {}", settings.committee.name, settings.municipality.name),
        "website": format!("{}index.html", out.base),
        "vendor": "udvalg",
    });
    out.store("System", "system.json", system);
}

/// OParl leaves out what is not known rather than giving `null`.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Midnight of `day` in Denmark, with its offset.
fn stamp(day: NaiveDate) -> String {
    with_offset(day.and_time(chrono::NaiveTime::MIN))
}

/// The meeting's start and end in ISO 8601 with the Danish offset of that day.
fn times(meeting: &Meeting) -> (String, Option<String>) {
    let day = meeting.date.get_ref().0;
    let start = day.and_time(meeting.start.get_ref().0);
    let end_day = meeting.end_date.as_ref().map_or(day, |d| d.get_ref().0);
    let end = meeting
        .end
        .as_ref()
        .map(|end| end_day.and_time(end.get_ref().0));
    (with_offset(start), end.map(with_offset))
}

/// Local time in Denmark with its offset: +02:00 in summer time (from the last Sunday of March
/// to the last Sunday of October, as the EU has it), else +01:00.
fn with_offset(local: NaiveDateTime) -> String {
    let last_sunday = |month: u32| -> NaiveDate {
        let mut day = NaiveDate::from_ymd_opt(local.year(), month + 1, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(local.date());
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap_or(day);
        }
        day
    };
    let (from, to) = (last_sunday(3), last_sunday(10));
    let summer = local.date() > from && local.date() < to
        || (local.date() == from && local.hour_minute() >= (2, 0))
        || (local.date() == to && local.hour_minute() < (3, 0));
    let offset = if summer { "+02:00" } else { "+01:00" };
    format!("{}{offset}", local.format("%Y-%m-%dT%H:%M:%S"))
}

trait HourMinute {
    fn hour_minute(&self) -> (u32, u32);
}

impl HourMinute for NaiveDateTime {
    fn hour_minute(&self) -> (u32, u32) {
        use chrono::Timelike;
        (self.hour(), self.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_local_time_carries_the_offset_of_its_day() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            with_offset(at("2022-11-29 16:00")),
            "2022-11-29T16:00:00+01:00"
        );
        assert_eq!(
            with_offset(at("2022-05-31 16:00")),
            "2022-05-31T16:00:00+02:00"
        );
        // 2024: summer time from 31 March to 27 October.
        assert_eq!(
            with_offset(at("2024-03-30 12:00")),
            "2024-03-30T12:00:00+01:00"
        );
        assert_eq!(
            with_offset(at("2024-03-31 12:00")),
            "2024-03-31T12:00:00+02:00"
        );
        assert_eq!(
            with_offset(at("2024-10-26 12:00")),
            "2024-10-26T12:00:00+02:00"
        );
        assert_eq!(
            with_offset(at("2024-10-28 12:00")),
            "2024-10-28T12:00:00+01:00"
        );
    }

    #[test]
    fn unknown_values_are_left_out() {
        assert_eq!(
            without_nulls(json!({ "a": null, "b": [{ "c": null, "d": 1 }] })),
            json!({ "b": [{ "d": 1 }] })
        );
    }
}
