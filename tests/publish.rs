//! `udvalg publish` on the built-in plan: the website's pages are accessible HTML (one `h1`,
//! `lang="da"`, a skip link to `main`), every link inside the site leads to a file of it, a
//! meeting shows what its public papers show as of the plan's day, the feeds are there, and
//! the site is the same bytes every time and is not rewritten when nothing changed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// The built-in plan published once for the tests of this file.
fn published() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let run = udvalg(&dir, &["--out", "out", "publish"]);
        assert!(run.status.success(), "{}", stderr(&run));
        dir.join("out/site")
    })
}

fn page(path: &str) -> String {
    let file = published().join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn html_pages() -> Vec<String> {
    tree_hashes(published())
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

/// The values of `attribute="…"` in `html`.
fn attributes<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn every_page_is_accessible_html_with_one_heading_and_a_skip_link() {
    let pages = html_pages();
    assert!(pages.len() >= 20, "{pages:?}");
    for path in pages {
        let html = page(&path);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"da\">"),
            "{path}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
        assert!(
            html.contains("<a class=\"skip\" href=\"#indhold\">"),
            "{path}"
        );
        assert!(html.contains("<main id=\"indhold\">"), "{path}");
        assert!(html.contains("<nav aria-label=\"Hovedmenu\">"), "{path}");
        assert!(
            !html.contains("{{") && !html.contains("{%"),
            "{path}: template text"
        );
    }
}

#[test]
fn every_link_inside_the_site_leads_to_one_of_its_files() {
    let site = published();
    let mut checked = 0;
    for path in html_pages() {
        let html = page(&path);
        let folder = Path::new(&path).parent().unwrap_or(Path::new(""));
        for href in attributes(&html, "href") {
            if href.starts_with("http") || href.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() {
                site.join(&path)
            } else {
                site.join(folder).join(file)
            };
            assert!(target.is_file(), "{path}: {href} leads nowhere");
            if !fragment.is_empty() {
                let text = std::fs::read_to_string(&target).unwrap();
                assert!(
                    text.contains(&format!("id=\"{fragment}\"")),
                    "{path}: {href}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} links");
}

#[test]
fn a_meeting_page_shows_its_items_and_once_the_minutes_are_public_their_decisions() {
    // Held, with minutes: the decision of each item.
    let held = page("su-2022-11-29/index.html");
    assert!(held.contains("<h2 id=\"punkter\">Dagsorden</h2>"), "{held}");
    assert!(held.contains("<h4>Beslutning</h4>"), "{held}");
    assert!(held.contains("<h4>Sagsfremstilling</h4>"), "{held}");
    assert!(
        held.contains("referat-socialudvalget-2022-11-29"),
        "links the minutes"
    );
    assert!(
        held.contains("<a class=\"item-pdf\" href=\"punkt-01-udsattestrategi-2022-2029-endelig-godkendelse.pdf\">"),
        "an item links its own PDF: {held}"
    );
    // Sent out, not yet held (the plan speaks from 20 November 2026): items, no decision.
    let ahead = page("su-2026-11-24/index.html");
    assert!(ahead.contains("<h4>Sagsfremstilling</h4>"), "{ahead}");
    assert!(
        !ahead.contains("<h4>Beslutning</h4>"),
        "no decision before the meeting: {ahead}"
    );
    assert!(
        ahead.contains("Beslutning: Godkendt."),
        "the case history has the earlier ones"
    );
    assert!(!ahead.contains("referat-"), "no minutes before the meeting");
    // Not yet sent out: no page of its own.
    let year = page("moeder-2027.html");
    assert!(year.contains("Udvalgsmøde"), "{year}");
    let site = published();
    for (path, _) in tree_hashes(site) {
        assert!(
            !path.starts_with("su-2027-"),
            "{path}: a 2027 meeting has no public paper yet"
        );
    }
}

#[test]
fn the_papers_are_linked_with_type_size_and_pages_and_copied_beside_the_page() {
    let meeting = page("su-2022-11-29/index.html");
    let listed = attributes(&meeting, "href")
        .into_iter()
        .filter(|h| h.ends_with(".pdf"))
        .count();
    assert!(listed >= 3, "{meeting}");
    assert!(meeting.contains("(PDF, "), "{meeting}");
    assert!(
        meeting.contains(" sider)") || meeting.contains(" side)"),
        "{meeting}"
    );
    let out = published().parent().unwrap();
    for href in attributes(&meeting, "href")
        .into_iter()
        .filter(|h| h.ends_with(".pdf"))
    {
        let (copied, built) = (
            published().join("su-2022-11-29").join(href),
            out.join("su-2022-11-29").join(href),
        );
        assert_eq!(
            std::fs::read(copied).unwrap(),
            std::fs::read(built).unwrap(),
            "{href}"
        );
    }
}

#[test]
fn the_feeds_use_the_plans_ids_and_dates() {
    let feed = page("feed.atom");
    assert!(
        feed.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
        "{feed}"
    );
    assert!(feed.contains("<id>urn:udvalg:ballerup-kommune:socialudvalget:su-2022-05-31/dagsorden-socialudvalget-2022-05-31.pdf</id>"), "{feed}");
    assert!(
        feed.contains("<updated>2022-05-24T00:00:00Z</updated>"),
        "its day of sending: {feed}"
    );
    let calendar = page("kalender.ics");
    let dir = tempfile::tempdir().unwrap();
    let run = udvalg(dir.path(), &["calendar", "--ics", "-"]);
    let full = stdout(&run);
    let uid = calendar
        .lines()
        .find(|l| l.starts_with("UID:meeting-su-2022-05-31"))
        .expect("the meeting's event");
    assert!(
        full.lines().any(|l| l == uid),
        "the same UID as calendar --ics: {uid}"
    );
    assert!(
        !calendar.contains("Frist:"),
        "the secretariat's own deadlines stay internal"
    );
}

#[test]
fn the_site_is_the_same_every_time_and_not_rewritten_when_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let run = udvalg(
        dir.path(),
        &["--out", "out", "publish", "--site", "elsewhere"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let again: BTreeMap<String, String> = tree_hashes(&dir.path().join("elsewhere"));
    assert_eq!(
        again,
        tree_hashes(published()),
        "the same bytes, wherever it is written"
    );
    let run = udvalg(
        dir.path(),
        &["--out", "out", "publish", "--site", "elsewhere"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains(" 0 written, 0 removed"),
        "{}",
        stdout(&run)
    );
}

/// `publish --serve` serves the site on this machine: its pages and PDFs, nothing outside it.
#[test]
fn publish_serve_serves_the_site_and_nothing_outside_it() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .current_dir(dir.path())
        .args(["--out", "out", "publish", "--serve", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("it says where it serves").unwrap();
        if let Some(rest) = line.strip_prefix("the website is served at http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let get = |path: &str| -> String {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    };
    let page = get("/su-2022-11-29/");
    let pdf = get("/su-2022-11-29/referat-socialudvalget-2022-11-29-offentlig.pdf");
    let outside = get("/../out/.udvalg-build.json");
    child.kill().unwrap();
    let _ = child.wait();
    let status = |answer: &str| answer.lines().next().unwrap_or_default().to_string();
    assert!(status(&page).ends_with(" 200 OK"), "{page}");
    assert!(
        page.contains("text/html; charset=utf-8") && page.contains("<h1>"),
        "{page}"
    );
    assert!(
        status(&pdf).ends_with(" 200 OK") && pdf.contains("%PDF-"),
        "{}",
        status(&pdf)
    );
    assert!(status(&outside).contains(" 404"), "{outside}");
}

/// Every OParl value that is an address inside the site.
fn site_urls<'a>(value: &'a serde_json::Value, base: &str, into: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) if s.starts_with(base) => into.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| site_urls(v, base, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| site_urls(v, base, into)),
        _ => {}
    }
}

/// The open data: each OParl object is at the address that is its id, every address it gives
/// inside the site leads to a file of it, lists have OParl's shape, and a closed item is only
/// its public line.
#[test]
fn the_open_data_is_oparl_with_every_object_at_its_id() {
    let base = "https://ballerup.dk/udvalg/socialudvalget/";
    let site = published();
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(site.join(path)).unwrap()).unwrap()
    };
    let system = read("oparl/system.json");
    assert_eq!(system["type"], "https://schema.oparl.org/1.1/System");
    assert_eq!(system["oparlVersion"], "https://schema.oparl.org/1.1/");
    let mut objects = 0;
    for path in tree_hashes(site)
        .into_keys()
        .filter(|p| p.starts_with("oparl/"))
    {
        let json = read(&path);
        if let Some(data) = json.get("data") {
            let count = data.as_array().unwrap().len();
            assert_eq!(json["pagination"]["totalElements"], count, "{path}");
        } else {
            assert_eq!(json["id"], format!("{base}{path}"), "{path}: at its id");
            let kind = json["type"].as_str().unwrap();
            let kind = kind
                .strip_prefix("https://schema.oparl.org/1.1/")
                .expect("an OParl type");
            // What the OParl schema requires of each type, and the dates every object has.
            let required: &[&str] = match kind {
                "System" => &["oparlVersion", "body"],
                "Body" => &[
                    "name",
                    "organization",
                    "person",
                    "meeting",
                    "paper",
                    "legislativeTerm",
                    "bodyLocation",
                ],
                "File" => &["fileName", "date", "modified", "size", "accessUrl"],
                _ => &[],
            };
            for key in required.iter().chain(&["created", "modified"]) {
                assert!(json.get(*key).is_some(), "{path}: a {kind} has `{key}`");
            }
            let modified = json["modified"].as_str().unwrap();
            assert!(
                modified.len() == 25 && modified.contains('T'),
                "{path}: a date-time: {modified}"
            );
            objects += 1;
        }
        let mut urls = Vec::new();
        site_urls(&json, base, &mut urls);
        for url in urls {
            let file = url.strip_prefix(base).unwrap();
            assert!(site.join(file).is_file(), "{path}: {url} leads nowhere");
        }
    }
    assert!(objects > 100, "{objects} objects");
    let meeting = read("oparl/meeting/su-2022-11-29.json");
    assert_eq!(meeting["start"], "2022-11-29T16:00:00+01:00");
    assert_eq!(meeting["meetingState"], "durchgeführt");
    assert_eq!(
        meeting["resultsProtocol"]["type"],
        "https://schema.oparl.org/1.1/File"
    );
    let items = meeting["agendaItem"].as_array().unwrap();
    let closed = items
        .iter()
        .find(|i| i["public"] == false)
        .expect("the closed item");
    assert_eq!(closed["name"], "Lukket punkt");
    assert!(
        closed.get("consultation").is_none(),
        "no paper of a closed item"
    );
    let ahead = read("oparl/meeting/su-2026-11-24.json");
    assert_eq!(ahead["meetingState"], "eingeladen");
    assert!(
        ahead.get("resultsProtocol").is_none(),
        "no minutes before the meeting"
    );
    assert!(
        !site.join("oparl/meeting/su-2027-04-20.json").exists(),
        "not yet published"
    );
}

/// The consultation's page gives what `udvalg consult` sent (the letters, the consultee list,
/// the draft), copied beside it, and only as the package's manifest lists it.
#[test]
fn a_consultation_page_gives_the_letters_that_were_sent() {
    let dir = tempfile::tempdir().unwrap();
    let run = udvalg(
        dir.path(),
        &["--out", "out", "consult", "hoering-udsattestrategi"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let letter = "hoeringsbrev-udsatteraadet.pdf";
    let list = "hoeringsliste.pdf";
    let package = dir.path().join("out/consultations/hoering-udsattestrategi");
    // A file changed after it was sent is not what was sent.
    let mut changed = std::fs::read(package.join(list)).unwrap();
    changed.extend_from_slice(b"\n% changed by hand\n");
    std::fs::write(package.join(list), changed).unwrap();
    let run = udvalg(dir.path(), &["--out", "out", "publish"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let site = dir.path().join("out/site/hoeringer");
    let page = std::fs::read_to_string(site.join("hoering-udsattestrategi.html")).unwrap();
    assert!(page.contains("Høringsmaterialet"), "{page}");
    assert!(page.contains(">Høringsbrev til Udsatterådet</a>"), "{page}");
    assert!(
        page.contains(&format!("href=\"hoering-udsattestrategi/{letter}\"")),
        "{page}"
    );
    assert_eq!(
        std::fs::read(site.join("hoering-udsattestrategi").join(letter)).unwrap(),
        std::fs::read(package.join(letter)).unwrap()
    );
    assert!(!page.contains(list), "the changed list is left out: {page}");
    assert!(!site.join("hoering-udsattestrategi").join(list).exists());
}
