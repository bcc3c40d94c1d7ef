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

use super::site::{Listed, newest, published_meetings};
use crate::documents::DocumentKind;
use crate::plan::Plan;
use crate::plan::model::Meeting;
use crate::text::slug;

const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// Each OParl file of the site: its path and its JSON.
pub fn files(plan: &Plan, base: &str, listed: &[Listed]) -> Vec<(String, Value)> {
    let mut out = Objects {
        base,
        files: Vec::new(),
    };
    let today = plan.settings.plan.date.get_ref().0;
    let settings = &plan.settings;
    let body_id = out.url("body.json");
    let committee = slug(&settings.committee.name);

    // The bodies that meet: the committee, and each other body of a published meeting.
    let meetings = published_meetings(plan, listed);
    let mut organizations: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    organizations.insert(
        committee.clone(),
        (settings.committee.name.clone(), Vec::new()),
    );
    for (meeting, _) in &meetings {
        let name = plan.body_name(meeting);
        let key = slug(&name);
        organizations
            .entry(key)
            .or_insert((name, Vec::new()))
            .1
            .push(out.url(&format!("meeting/{}.json", meeting.id.get_ref())));
    }

    // Members and their memberships of the committee.
    let mut persons = Vec::new();
    let mut memberships = Vec::new();
    let committee_id = out.url(&format!("organization/{committee}.json"));
    for member in &settings.committee.members {
        let person = slug(&member.name);
        let membership_id = out.url(&format!("membership/{person}-{committee}.json"));
        let role = match member.role {
            crate::plan::model::Role::Chair => "formand",
            crate::plan::model::Role::ViceChair => "næstformand",
            crate::plan::model::Role::Member => "medlem",
        };
        let membership = json!({
            "id": membership_id,
            "type": format!("{SCHEMA}Membership"),
            "person": out.url(&format!("person/{person}.json")),
            "organization": committee_id,
            "role": role,
            "votingRight": true,
            "onBehalfOf": member.party,
        });
        out.object(
            &format!("membership/{person}-{committee}.json"),
            membership.clone(),
        );
        memberships.push(membership);
        let person_object = json!({
            "id": out.url(&format!("person/{person}.json")),
            "type": format!("{SCHEMA}Person"),
            "body": body_id,
            "name": member.name,
            "membership": [membership_id],
        });
        out.object(&format!("person/{person}.json"), person_object.clone());
        persons.push(person_object);
    }
    out.list("persons.json", persons);
    out.list("memberships.json", memberships);

    let mut organization_objects = Vec::new();
    for (key, (name, meetings_of)) in &organizations {
        let object = json!({
            "id": out.url(&format!("organization/{key}.json")),
            "type": format!("{SCHEMA}Organization"),
            "body": body_id,
            "name": name,
            "organizationType": "Gremium",
            "classification": if *key == committee { "Udvalg" } else { "Organ" },
            "membership": if *key == committee {
                settings.committee.members.iter().map(|m| out.url(&format!("membership/{}-{committee}.json", slug(&m.name)))).collect::<Vec<_>>()
            } else { Vec::new() },
            "meeting": meetings_of,
        });
        out.object(&format!("organization/{key}.json"), object.clone());
        organization_objects.push(object);
    }
    out.list("organizations.json", organization_objects);

    // Every public PDF as a File.
    let mut file_ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut file_objects = Vec::new();
    for l in listed {
        let key = file_key(l.path);
        let id = out.url(&format!("file/{key}.json"));
        let name = l.path.rsplit('/').next().unwrap_or(l.path);
        let mut file = json!({
            "id": id,
            "type": format!("{SCHEMA}File"),
            "name": if l.entry.title.is_empty() { name.to_string() } else { l.entry.title.clone() },
            "fileName": name,
            "mimeType": if l.path.ends_with(".pdf") { "application/pdf" } else { "application/octet-stream" },
            "size": l.entry.size,
            "accessUrl": format!("{base}{}", l.path),
            "downloadUrl": format!("{base}{}", l.path),
        });
        if let Some(day) = day_of(l) {
            file["date"] = json!(day.to_string());
        }
        if let Some(meeting) = &l.entry.meeting {
            file["meeting"] = json!([out.url(&format!("meeting/{meeting}.json"))]);
        }
        out.object(&format!("file/{key}.json"), file.clone());
        file_ids.insert(l.path, id);
        file_objects.push(file);
    }
    out.list("files.json", file_objects);

    // Meetings, their items, the items' papers and consultations, the places.
    let mut meeting_objects = Vec::new();
    let mut item_objects = Vec::new();
    let mut paper_objects = Vec::new();
    let mut consultation_objects = Vec::new();
    let mut locations: BTreeMap<String, Value> = BTreeMap::new();
    for (meeting, papers) in &meetings {
        let id = meeting.id.get_ref();
        let meeting_id = out.url(&format!("meeting/{id}.json"));
        let organization = out.url(&format!(
            "organization/{}.json",
            slug(&plan.body_name(meeting))
        ));
        let location_key = slug(&meeting.place);
        let location_id = out.url(&format!("location/{location_key}.json"));
        locations.entry(location_key.clone()).or_insert_with(|| {
            json!({
                "id": location_id,
                "type": format!("{SCHEMA}Location"),
                "description": meeting.place,
            })
        });
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
        for view in agenda.into_iter().chain(supplement).filter_map(|l| l.view) {
            for item in view["items"].as_array().into_iter().flatten() {
                let number = item["number"].as_u64().unwrap_or(0);
                let item_id = out.url(&format!("agenda-item/{id}-{number:02}.json"));
                let hidden = item["hidden"].as_bool().unwrap_or(false);
                let recorded = item["id"].as_str().and_then(|i| decisions.get(i));
                let mut object = json!({
                    "id": item_id,
                    "type": format!("{SCHEMA}AgendaItem"),
                    "meeting": meeting_id,
                    "number": number.to_string(),
                    "order": number,
                    "name": item["title"],
                    "public": !hidden,
                });
                if let Some(decision) = recorded.and_then(|r| r["decision"].as_str()) {
                    object["resolutionText"] = json!(decision.trim());
                    object["result"] = json!("behandlet");
                }
                // The item's own PDF is the paper the committee considers.
                let own = papers.iter().find(|l| {
                    l.entry.kind == DocumentKind::AgendaItem.name()
                        && l.view
                            .is_some_and(|v| v["item"]["number"] == item["number"])
                });
                if let (Some(own), false) = (own, hidden) {
                    let paper_id = out.url(&format!("paper/{id}-{number:02}.json"));
                    let consultation_id = out.url(&format!("consultation/{id}-{number:02}.json"));
                    let consultation = json!({
                        "id": consultation_id,
                        "type": format!("{SCHEMA}Consultation"),
                        "paper": paper_id,
                        "agendaItem": item_id,
                        "meeting": meeting_id,
                        "organization": [organization],
                        "authoritative": false,
                        "role": item["kind"],
                    });
                    let paper = json!({
                        "id": paper_id,
                        "type": format!("{SCHEMA}Paper"),
                        "body": body_id,
                        "name": item["title"],
                        "reference": item["case_number"],
                        "date": day_of(own).map(|d| d.to_string()),
                        "paperType": item["kind"],
                        "mainFile": file_ids.get(own.path),
                        "consultation": [consultation.clone()],
                    });
                    object["consultation"] = json!(consultation_id);
                    out.object(
                        &format!("consultation/{id}-{number:02}.json"),
                        consultation.clone(),
                    );
                    out.object(&format!("paper/{id}-{number:02}.json"), paper.clone());
                    consultation_objects.push(consultation);
                    paper_objects.push(paper);
                }
                out.object(
                    &format!("agenda-item/{id}-{number:02}.json"),
                    object.clone(),
                );
                item_objects.push(object.clone());
                items.push(object);
            }
        }
        let auxiliary: Vec<&String> = papers
            .iter()
            .filter(|l| l.path.contains("/bilag/"))
            .filter_map(|l| file_ids.get(l.path))
            .collect();
        let held = meeting.date.get_ref().0 < today;
        let (start, end) = times(meeting);
        let object = json!({
            "id": meeting_id,
            "type": format!("{SCHEMA}Meeting"),
            "name": format!("{} {}", plan.body_name(meeting), crate::text::danish_date(meeting.date.get_ref().0)),
            "meetingState": if held { "terminated" } else { "scheduled" },
            "cancelled": false,
            "start": start,
            "end": end,
            "location": locations[&location_key],
            "organization": [organization],
            "invitation": agenda.and_then(|l| file_ids.get(l.path)),
            "resultsProtocol": minutes.and_then(|l| file_ids.get(l.path)),
            "auxiliaryFile": auxiliary,
            "agendaItem": items,
            "web": format!("{base}{id}/index.html"),
        });
        out.object(&format!("meeting/{id}.json"), object.clone());
        meeting_objects.push(object);
    }
    out.list("meetings.json", meeting_objects);
    out.list("agenda-items.json", item_objects);
    out.list("papers.json", paper_objects);
    out.list("consultations.json", consultation_objects);
    let locations: Vec<Value> = locations.into_values().collect();
    for location in &locations {
        let key = location["id"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".json")
            .to_string();
        out.object(&format!("location/{key}.json"), location.clone());
    }
    out.list("locations.json", locations);

    let body = json!({
        "id": body_id,
        "type": format!("{SCHEMA}Body"),
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
        "web": format!("{base}index.html"),
    });
    out.object("body.json", body.clone());
    out.list("bodies.json", vec![body]);
    out.object(
        "system.json",
        json!({
            "id": out.url("system.json"),
            "type": format!("{SCHEMA}System"),
            "oparlVersion": SCHEMA,
            "body": out.url("bodies.json"),
            "name": format!("{} – {}", settings.committee.name, settings.municipality.name),
            "website": format!("{base}index.html"),
            "product": "https://github.com/udvalg/udvalg",
            "vendor": "udvalg",
        }),
    );
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.files
}

struct Objects<'a> {
    base: &'a str,
    files: Vec<(String, Value)>,
}

impl Objects<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}oparl/{path}", self.base)
    }

    fn object(&mut self, path: &str, object: Value) {
        self.files
            .push((format!("oparl/{path}"), without_nulls(object)));
    }

    /// An OParl list: every object on one page.
    fn list(&mut self, path: &str, data: Vec<Value>) {
        let count = data.len();
        let data: Vec<Value> = data.into_iter().map(without_nulls).collect();
        self.files.push((
            format!("oparl/{path}"),
            json!({
                "data": data,
                "pagination": {
                    "totalElements": count,
                    "elementsPerPage": count.max(1),
                    "currentPage": 1,
                    "totalPages": 1,
                },
                "links": {},
            }),
        ));
    }
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

/// A file's key in its object's address: its path with `/` as `--`.
fn file_key(path: &str) -> String {
    path.trim_end_matches(".pdf").replace('/', "--")
}

fn day_of(l: &Listed) -> Option<NaiveDate> {
    l.view?["meta"]["date"]["iso"].as_str()?.parse().ok()
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
