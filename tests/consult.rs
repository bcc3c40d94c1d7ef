//! `udvalg consult`: the consultation package (letters, list, draft, summary, manifest, zip),
//! on a small fixture plan and on the built-in Ballerup plan.

mod common;

use std::io::Read;
use std::path::Path;

use common::*;
use sha2::{Digest, Sha256};

fn consult(dir: &Path, plan: Option<&str>, id: &str) -> std::process::Output {
    let mut args = vec!["consult", id];
    if let Some(plan) = plan {
        args.extend(["--plan", plan]);
    }
    let out = udvalg(dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

fn fixture_plan() -> String {
    fixture("valid/consultation").to_string_lossy().into_owned()
}

#[test]
fn the_package_holds_every_letter_the_list_and_the_draft_with_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), Some(&fixture_plan()), "hoering");
    let folder = dir.path().join("output/consultations/hoering");
    let files = tree_hashes(&folder);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![
            "hoeringsbrev-foreningen.pdf",
            "hoeringsbrev-raadet.pdf",
            "hoeringsbrev-regionen.pdf",
            "hoeringsliste.pdf",
            "hoeringsnotat.pdf",
            "hoeringspakke-hoering.zip",
            "manifest.json",
            "proevestrategi-hoeringsudkast.pdf",
        ]
    );

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["consultation"], "hoering");
    assert_eq!(manifest["plan_data"].as_str().unwrap().len(), 64);
    let listed: Vec<(&str, &str, u64)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["sha256"].as_str().unwrap(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 5, "three letters, the list and the draft");
    for (name, sha, size) in &listed {
        assert_eq!(files[*name], *sha, "{name} on disk matches the manifest");
        assert_eq!(std::fs::metadata(folder.join(name)).unwrap().len(), *size);
    }

    let zip_file = std::fs::File::open(folder.join("hoeringspakke-hoering.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(zip_file).unwrap();
    let entries: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a readable name").into_owned())
        .collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "zip entries are sorted");
    assert_eq!(
        entries.len(),
        listed.len() + 1,
        "the files and manifest.json"
    );
    for name in &entries {
        let mut entry = zip.by_name(name).unwrap();
        let stamp = entry.last_modified().unwrap();
        assert_eq!(
            (stamp.year(), stamp.month(), stamp.day()),
            (2024, 2, 7),
            "entries carry the day the consultation is sent, not the clock"
        );
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let sha = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(
            files[name.as_str()],
            sha,
            "{name} in the zip is the file on disk"
        );
    }
}

#[test]
fn each_letter_is_addressed_and_gives_the_deadline_as_a_danish_date() {
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), Some(&fixture_plan()), "hoering");
    let folder = dir.path().join("output/consultations/hoering");
    for (file, name) in [
        ("hoeringsbrev-raadet.pdf", "Prøverådet"),
        ("hoeringsbrev-foreningen.pdf", "Prøveforeningen"),
        ("hoeringsbrev-regionen.pdf", "Region Prøve"),
    ] {
        let text = pdf_words(&folder.join(file));
        // Without a salutation of its own, a letter is addressed as to an organisation.
        assert!(text.contains(&format!("Til {name}")), "{file}: {text}");
        assert!(!text.contains("Kære"), "{file}: {text}");
        assert!(
            text.contains("Høringsfrist senest fredag den 23. februar 2024"),
            "{file}: {text}"
        );
        assert!(
            text.contains("Høring over udkast til Prøvestrategi"),
            "{text}"
        );
        // Danish practice counts the period in working days too.
        assert!(
            text.contains("(16 dages høring, heraf 12 arbejdsdage)"),
            "{file}: {text}"
        );
        assert!(text.contains("Send høringssvaret pr. e-mail."), "{text}");
        assert!(text.contains("Karin Kontakt"), "{text}");
        assert!(text.contains("strategi@proeve.example"), "{text}");
        assert!(
            text.contains("Prøvestrategi – Høringsudkast (version 0.9)"),
            "{text}"
        );
        assert_eq!(pages(&folder.join(file)), 1, "{file}");
    }
    let list = pdf_words(&folder.join("hoeringsliste.pdf"));
    for name in [
        "Prøverådet",
        "Prøveforeningen",
        "Region Prøve",
        "Råd og nævn",
        "Regionen",
    ] {
        assert!(list.contains(name), "{list}");
    }
}

#[test]
fn the_summary_marks_late_responses_and_silent_consultees() {
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), Some(&fixture_plan()), "hoering");
    let summary = dir
        .path()
        .join("output/consultations/hoering/hoeringsnotat.pdf");
    let text = pdf_words(&summary);
    assert!(
        text.contains("2 af 3 høringsparter, heraf 1 efter fristen"),
        "{text}"
    );
    // Prøveforeningen answered on 26 February, after the deadline of 23 February.
    let late = text
        .find("Modtaget efter fristen")
        .expect("a late response is marked");
    let foreningen = text.rfind("Prøveforeningen Modtaget").unwrap();
    assert!(foreningen < late, "{text}");
    assert!(
        text.contains("ikke afgivet høringssvar: • Region Prøve"),
        "a consultee who did not respond is listed: {text}"
    );
    for theme in ["Bolig", "Frivillighed"] {
        assert!(text.contains(theme), "{text}");
    }
    assert!(text.contains("Afsnittet om boliger er uddybet."), "{text}");
    assert!(
        text.contains("Forelægges Prøveudvalget 12. marts 2024"),
        "{text}"
    );
}

#[test]
fn the_summary_is_attached_to_the_final_approval() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["build", "--plan", &fixture_plan()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meeting = dir.path().join("output/pu-2024-03-12");
    let summary = meeting.join("bilag/hoeringsnotat-udkast-til-proevestrategi.pdf");
    assert!(summary.is_file(), "{:?}", tree_hashes(&meeting));
    let agenda = pdf_words(&meeting.join("dagsorden-proeveudvalget-2024-03-12.pdf"));
    assert!(
        agenda.contains("Høringsnotat – udkast til Prøvestrategi"),
        "{agenda}"
    );
}

#[test]
fn every_paper_of_the_package_passes_qpdf() {
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), None, "hoering-udsattestrategi");
    let folder = dir
        .path()
        .join("output/consultations/hoering-udsattestrategi");
    for (name, _) in tree_hashes(&folder)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".pdf"))
    {
        common::assert_qpdf_check(&folder.join(&name));
    }
}

#[test]
fn consulting_twice_gives_identical_bytes() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    consult(first.path(), Some(&fixture_plan()), "hoering");
    consult(second.path(), Some(&fixture_plan()), "hoering");
    let a = tree_hashes(&first.path().join("output"));
    let b = tree_hashes(&second.path().join("output"));
    assert_eq!(a.keys().filter(|k| !k.starts_with(".udvalg-")).count(), 8);
    assert_eq!(a, b);
}

#[test]
fn the_ballerup_consultation_goes_to_eight_consultees() {
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), None, "hoering-udsattestrategi");
    let folder = dir
        .path()
        .join("output/consultations/hoering-udsattestrategi");
    let letters: Vec<String> = tree_hashes(&folder)
        .into_keys()
        .filter(|n| n.starts_with("hoeringsbrev-"))
        .collect();
    assert_eq!(letters.len(), 8, "{letters:?}");
    let letter = pdf_words(&folder.join("hoeringsbrev-udsatteraadet.pdf"));
    assert!(
        letter.contains("senest fredag den 18. november 2022"),
        "{letter}"
    );
    let summary = pdf_words(&folder.join("hoeringsnotat.pdf"));
    assert!(summary.contains("Ældrerådet"), "{summary}");
}

#[test]
fn an_unknown_consultation_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["consult", "hoering-2099"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the consultations are: hoering-udsattestrategi"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("output").exists());
}

/// Over the summer holiday the letter gives the working days, and `check` warns how few of them
/// lie outside the holiday.
#[test]
fn a_summer_consultation_counts_its_working_days_and_is_warned() {
    let plan = fixture("warnings/consultation-over-summer");
    let plan = plan.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    consult(dir.path(), Some(plan), "hoering");
    let letter = pdf_words(
        &dir.path()
            .join("output/consultations/hoering/hoeringsbrev-raadet.pdf"),
    );
    assert!(
        letter.contains("(58 dages høring, heraf 42 arbejdsdage)"),
        "{letter}"
    );
    let out = udvalg(dir.path(), &["check", "--plan", plan]);
    assert!(
        stderr(&out)
            .contains("of its 58 days, 42 are working days, but only 12 outside the holiday"),
        "{}",
        stderr(&out)
    );
    // On 1 August it is open, with 15 days and 11 working days left (2 August, 5-16 August).
    let out = udvalg(
        dir.path(),
        &["status", "--plan", plan, "--today", "2024-08-01", "--json"],
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["consultations"][0]["state"], "open");
    assert_eq!(status["consultations"][0]["days_left"], 15);
    assert_eq!(status["consultations"][0]["working_days_left"], 11);
    let out = udvalg(
        dir.path(),
        &["status", "--plan", plan, "--today", "2024-08-01"],
    );
    assert!(
        stdout(&out).contains("(in 15 days, 11 working days)"),
        "{}",
        stdout(&out)
    );
}
