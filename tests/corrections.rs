//! A paper that has gone out is never replaced: a change afterwards is a corrected edition
//! ("Rettet dagsorden") beside it, and `check` warns about it at the meeting.

mod common;

use std::path::Path;

use common::*;

const MEETING: &str = "pu-2024-02-06";
const AGENDA: &str = "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf";
const CORRECTED: &str = "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-rettet.pdf";
const SECOND: &str = "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-rettet-2.pdf";
const PUBLIC_CORRECTED: &str =
    "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-offentlig-rettet.pdf";
const ITEM: &str = "pu-2024-02-06/punkt-01-budgetopfoelgning-for-foerste-kvartal.pdf";

fn build(dir: &Path, plan: &str) -> String {
    let out = udvalg(dir, &["build", "--plan", plan, "--out", "out"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out) + &stderr(&out)
}

fn out_hashes(dir: &Path) -> std::collections::BTreeMap<String, String> {
    tree_hashes(&dir.join("out"))
}

#[test]
fn a_sent_agenda_stays_as_it_went_out_and_the_change_goes_out_corrected() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    build(dir.path(), &plan);
    let sent = out_hashes(dir.path());
    assert!(
        sent.contains_key(AGENDA) && !sent.contains_key(CORRECTED),
        "{sent:?}"
    );

    let meetings = format!("{plan}/meetings.toml");
    edit(
        &meetings,
        "Forbruget følger budgettet.",
        "Forbruget ligger under budgettet.",
    );

    let check = udvalg(dir.path(), &["check", "--plan", &plan, "--out", "out"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let warned = stderr(&check);
    assert!(
        warned.contains(&format!("papers of {MEETING} went out on 31. januar 2024"))
            && warned.contains("meetings.toml:2:6")
            && warned.contains(CORRECTED),
        "{warned}"
    );
    let denied = udvalg(
        dir.path(),
        &["check", "--plan", &plan, "--out", "out", "--deny-warnings"],
    );
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));

    let report = build(dir.path(), &plan);
    assert!(report.contains("went out on"), "{report}");
    let after = out_hashes(dir.path());
    for (path, hash) in &sent {
        if !path.starts_with('.') && !path.ends_with("offentlig.json") {
            assert_eq!(after.get(path), Some(hash), "{path} went out and must stay");
        }
    }
    let out = dir.path().join("out");
    assert!(pdf_words(&out.join(AGENDA)).contains("Forbruget følger budgettet."));
    let corrected = pdf_words(&out.join(CORRECTED));
    for expected in [
        "RETTET DAGSORDEN · fredag den 1. marts 2024",
        "Denne udgave afløser udgaven af onsdag den 31. januar 2024.",
        "Punkt 1 »Budgetopfølgning for første kvartal«: sagsfremstillingen er ændret.",
        "Forbruget ligger under budgettet.",
        "Rettet dagsorden · 1. marts 2024",
    ] {
        assert!(corrected.contains(expected), "`{expected}` in {corrected}");
    }
    // The item's own paper is corrected too, cut from the corrected agenda.
    let item = pdf_words(&out.join(ITEM.replace(".pdf", "-rettet.pdf")));
    assert!(item.contains("Forbruget ligger under budgettet."), "{item}");
    assert!(item.contains("Rettet dagsorden · 1. marts 2024"), "{item}");
    // The public edition is corrected with nothing of the closed item.
    let public = pdf_words(&out.join(PUBLIC_CORRECTED));
    assert!(public.contains("sagsfremstillingen er ændret"), "{public}");
    assert!(
        !public.contains("personsag") && !public.contains("Fortroligt"),
        "{public}"
    );

    let again = build(dir.path(), &plan);
    assert!(again.contains(" 0 rendered"), "{again}");
    assert_eq!(out_hashes(dir.path()), after);
    let quiet = udvalg(dir.path(), &["check", "--plan", &plan, "--out", "out"]);
    assert!(!stderr(&quiet).contains("went out"), "{}", stderr(&quiet));
}

#[test]
fn a_change_the_same_day_replaces_the_correction_and_a_later_one_adds_another() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    let meetings = format!("{plan}/meetings.toml");
    build(dir.path(), &plan);
    edit(
        &meetings,
        "Forbruget følger budgettet.",
        "Forbruget er lavere.",
    );
    build(dir.path(), &plan);
    // The same day: the correction has not gone out yet, so it is remade.
    edit(
        &meetings,
        "Forbruget er lavere.",
        "Forbruget er lavere end ventet.",
    );
    build(dir.path(), &plan);
    let out = dir.path().join("out");
    assert!(!out.join(SECOND).exists());
    let first = std::fs::read(out.join(CORRECTED)).unwrap();
    assert!(pdf_words(&out.join(CORRECTED)).contains("Forbruget er lavere end ventet."));

    // Three days on, another change is a second correction; the first stays.
    edit(
        format!("{plan}/plan.toml"),
        "date = 2024-03-01",
        "date = 2024-03-04",
    );
    edit(&meetings, "lokale 2", "lokale 5");
    build(dir.path(), &plan);
    assert_eq!(std::fs::read(out.join(CORRECTED)).unwrap(), first);
    let second = pdf_words(&out.join(SECOND));
    for expected in [
        "RETTET DAGSORDEN · mandag den 4. marts 2024",
        "Denne udgave afløser udgaven af fredag den 1. marts 2024.",
        "Mødestedet er nu Rådhuset, lokale 5.",
    ] {
        assert!(second.contains(expected), "`{expected}` in {second}");
    }
    assert!(!second.contains("sagsfremstillingen"), "{second}");
}

#[test]
fn an_agenda_not_yet_sent_is_simply_remade() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    edit(
        format!("{plan}/plan.toml"),
        "date = 2024-03-01",
        "date = 2024-01-15",
    );
    build(dir.path(), &plan);
    edit(
        format!("{plan}/meetings.toml"),
        "Forbruget følger budgettet.",
        "Forbruget er lavere.",
    );
    let status = udvalg(
        dir.path(),
        &[
            "status",
            "--plan",
            &plan,
            "--out",
            "out",
            "--today",
            "2024-01-15",
        ],
    );
    let stale = stdout(&status);
    assert!(
        stale
            .lines()
            .any(|l| l.contains(AGENDA) && l.ends_with("stale: the plan data changed")),
        "{stale}"
    );
    build(dir.path(), &plan);
    let out = dir.path().join("out");
    assert!(!out.join(CORRECTED).exists());
    assert!(pdf_words(&out.join(AGENDA)).contains("Forbruget er lavere."));
}

#[test]
fn a_sent_item_that_the_plan_drops_stays_and_the_correction_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    build(dir.path(), &plan);
    let item = std::fs::read(dir.path().join("out").join(ITEM)).unwrap();
    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    let start = text.find("[[meeting.item]]\nid = \"budget\"").unwrap();
    let end = text.find("[[meeting.item]]\nid = \"personsag\"").unwrap();
    std::fs::write(&meetings, format!("{}{}", &text[..start], &text[end..])).unwrap();
    build(dir.path(), &plan);
    let out = dir.path().join("out");
    assert_eq!(std::fs::read(out.join(ITEM)).unwrap(), item);
    let corrected = pdf_words(&out.join(CORRECTED));
    assert!(
        corrected
            .contains("Punkt 1 »Budgetopfølgning for første kvartal« er taget af dagsordenen."),
        "{corrected}"
    );
    let status = udvalg(
        dir.path(),
        &[
            "status",
            "--plan",
            &plan,
            "--out",
            "out",
            "--today",
            "2024-02-01",
            "--json",
        ],
    );
    let json = stdout(&status);
    assert!(
        json.contains(CORRECTED) && !json.contains("not-built") && !json.contains("stale"),
        "{json}"
    );
}

#[test]
fn a_change_undone_the_same_day_withdraws_the_correction() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    let meetings = format!("{plan}/meetings.toml");
    build(dir.path(), &plan);
    edit(
        &meetings,
        "Forbruget følger budgettet.",
        "Forbruget er lavere.",
    );
    build(dir.path(), &plan);
    edit(
        &meetings,
        "Forbruget er lavere.",
        "Forbruget følger budgettet.",
    );
    let again = build(dir.path(), &plan);
    assert!(!again.contains("went out on"), "{again}");
    let status = udvalg(
        dir.path(),
        &[
            "status",
            "--plan",
            &plan,
            "--out",
            "out",
            "--today",
            "2024-02-01",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    let listed: Vec<&str> = json["meetings"][0]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&AGENDA) && !listed.contains(&CORRECTED),
        "{listed:?}"
    );
    // The withdrawn correction's file goes too: the plan no longer makes it.
    assert!(!dir.path().join("out").join(CORRECTED).exists());
    assert!(
        json["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == CORRECTED),
        "{json}"
    );
}
