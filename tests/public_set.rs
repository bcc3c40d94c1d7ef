//! The public set cannot leak: for random plans with closed items (secret titles, texts,
//! decisions, reasons for disqualification and attachments; items of one case print each
//! other's history) and attachments not for publication on open items, nothing of
//! theirs is in any public file. Checked on a thousand plans through the views and files the
//! public papers are made from (a template reads nothing but its view), and on a smaller
//! number through the built files themselves: extracted text, raw bytes once decompressed,
//! metadata, bookmarks and tags, and through the website `publish` makes of them.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;
use proptest::prelude::*;
use udvalg::documents::{Selection, catalogue};
use udvalg::plan::{PlanSource, load_valid};

#[derive(Debug, Clone)]
struct Item {
    closed: bool,
    decided: bool,
    /// Attachments: (kept from publication, its number).
    attachments: Vec<bool>,
    /// Its case: items of one case print each other in their case history.
    case: u8,
    /// A closed item whose decision may be published (then the decision is no secret).
    public_decision: bool,
}

#[derive(Debug, Clone)]
struct Meeting {
    items: Vec<Item>,
}

fn item() -> impl Strategy<Value = Item> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(any::<bool>(), 0..3),
        0..3u8,
        any::<bool>(),
    )
        .prop_map(
            |(closed, decided, attachments, case, public_decision)| Item {
                closed,
                decided,
                attachments,
                case,
                public_decision,
            },
        )
}

fn plan() -> impl Strategy<Value = Vec<Meeting>> {
    prop::collection::vec(
        prop::collection::vec(item(), 1..4).prop_map(|items| Meeting { items }),
        1..3,
    )
}

/// A secret that must not be in any public file, unique per place it is written; ASCII, so that
/// it can be looked for in every encoding a PDF uses.
fn secret(kind: &str, meeting: usize, item: usize) -> String {
    format!("HEMMELIG{kind}M{meeting}I{item}X")
}

/// Writes the plan into `dir`: every closed item's words and attachments are secrets, and so
/// is every open item's attachment kept from publication.
fn write_plan(dir: &Path, meetings: &[Meeting]) -> BTreeSet<String> {
    let mut secrets = BTreeSet::new();
    std::fs::create_dir_all(dir.join("bilag")).unwrap();
    std::fs::write(
        dir.join("plan.toml"),
        "[plan]\ntitle = \"Lækprøve\"\ndate = 2024-06-28\n\n[municipality]\nname = \"Prøve Kommune\"\n\n\
         [website]\nurl = \"https://proeve.example/udvalg/\"\n\n\
         [committee]\nname = \"Prøveudvalget\"\n\n[[committee.member]]\nname = \"Anna Andersen\"\nrole = \"chair\"\n",
    )
    .unwrap();
    let mut toml = String::new();
    for (m, meeting) in meetings.iter().enumerate() {
        // Tuesdays in May and June 2024, all held by the plan's date.
        let day = 7 + 7 * m;
        let date = format!("2024-05-{day:02}");
        toml.push_str(&format!(
            "[[meeting]]\nid = \"pu-{date}\"\nkind = \"committee\"\ndate = {date}\nstart = \"15.00\"\nplace = \"Rådhuset\"\n\n"
        ));
        for (i, item) in meeting.items.iter().enumerate() {
            let (title, text, decision) = if item.closed {
                let mut words = vec![secret("T", m, i), secret("S", m, i)];
                let decision = if item.public_decision {
                    "Godkendt.".to_string()
                } else {
                    secret("B", m, i)
                };
                words.push(decision.clone());
                secrets.extend(words.iter().filter(|w| w.starts_with("HEMMELIG")).cloned());
                (words[0].clone(), words[1].clone(), decision)
            } else {
                (
                    format!("Åbent punkt {m} {i}"),
                    "Offentlig sagsfremstilling.".to_string(),
                    "Godkendt.".to_string(),
                )
            };
            toml.push_str(&format!(
                "[[meeting.item]]\nid = \"punkt-{i}\"\ntitle = \"{title}\"\nkind = \"decision\"\nclosed = {}\n\
                 case_number = \"24/0000{}\"\npublic_decision = {}\n\
                 presentation = \"{text}\"\nrecommendation = \"Administrationen indstiller, at udvalget beslutter.\"\n",
                item.closed, item.case, item.public_decision
            ));
            if item.decided {
                toml.push_str(&format!("decision = \"{decision}\"\n"));
            }
            toml.push('\n');
            // Who was disqualified for a closed item, and why, is as closed as the item.
            if item.closed {
                let reason = secret("R", m, i);
                secrets.insert(reason.clone());
                toml.push_str(&format!(
                    "[[meeting.item.disqualified]]\nmember = \"Anna Andersen\"\nreason = \"{reason}\"\n\n"
                ));
            }
            for (a, &kept) in item.attachments.iter().enumerate() {
                let name = format!("bilag/m{m}-i{i}-a{a}.txt");
                let hidden = item.closed || kept;
                let content = if hidden {
                    let word = secret("F", m, i * 10 + a);
                    secrets.insert(word.clone());
                    word
                } else {
                    format!("Offentligt bilag {m} {i} {a}")
                };
                std::fs::write(dir.join(&name), content).unwrap();
                toml.push_str(&format!(
                    "[[meeting.item.attachment]]\nfile = \"{name}\"\ntitle = \"Bilag {a}\"\n{}\n",
                    if kept && !item.closed {
                        "public = false\n"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    std::fs::write(dir.join("meetings.toml"), toml).unwrap();
    secrets
}

/// `secret` as a PDF may hold it: as it is, or in UTF-16 (big endian, as PDF text strings are).
fn holds(bytes: &[u8], secret: &str) -> bool {
    let plain = secret.as_bytes();
    let wide: Vec<u8> = secret
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    bytes.windows(plain.len()).any(|w| w == plain) || bytes.windows(wide.len()).any(|w| w == wide)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Every public paper's view, and every public copied file, holds no secret.
    #[test]
    fn no_public_view_or_file_holds_a_secret(meetings in plan()) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = write_plan(dir.path(), &meetings);
        let (plan, _) = load_valid(&PlanSource::Dir(dir.path().to_path_buf()))
            .map_err(|d| format!("{:?}", d.into_sorted()))
            .unwrap();
        let catalogue = catalogue(&plan, &Selection::default());
        let mut public = 0;
        for document in catalogue.documents.iter().filter(|d| d.public) {
            public += 1;
            for secret in &secrets {
                prop_assert!(!holds(document.json(), secret), "{} holds {}", document.path, secret);
            }
        }
        for file in catalogue.files.iter().filter(|f| f.public) {
            for secret in &secrets {
                prop_assert!(!holds(&file.bytes, secret), "{} holds {}", file.path, secret);
            }
        }
        prop_assert!(public > 0, "every plan has public papers");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The built public set, file by file: text, decompressed bytes, metadata; and every file
    /// of the website that `publish` makes of it (pages, feeds, the PDFs it copies).
    #[test]
    fn no_built_public_file_holds_a_secret(meetings in plan()) {
        let dir = tempfile::tempdir().unwrap();
        let plan_dir = dir.path().join("plan");
        let secrets = write_plan(&plan_dir, &meetings);
        let out = udvalg(dir.path(), &["publish", "--plan", plan_dir.to_str().unwrap(), "--out", "out"]);
        prop_assert!(out.status.success(), "{}", stderr(&out));
        let site = dir.path().join("out/site");
        let pages = tree_hashes(&site);
        prop_assert!(pages.contains_key("index.html"), "{pages:?}");
        for path in pages.keys() {
            let bytes = std::fs::read(site.join(path)).unwrap();
            for secret in &secrets {
                prop_assert!(!holds(&bytes, secret), "site/{path} holds {secret}");
            }
        }
        let listed = public_files(&dir.path().join("out"));
        prop_assert!(!listed.is_empty());
        for path in &listed {
            let file = dir.path().join("out").join(path);
            let mut seen = std::fs::read(&file).unwrap();
            if path.ends_with(".pdf") {
                seen.extend(pdf_text(&file).into_bytes());
                seen.extend(decompressed(&file));
                for key in ["Title", "Subject", "Keywords", "Author"] {
                    seen.extend(pdf_info(&file, key).into_bytes());
                }
            }
            for secret in &secrets {
                prop_assert!(!holds(&seen, secret), "{path} holds {secret}");
            }
        }
    }
}

/// Every file the output's public manifests list, relative to the output folder.
fn public_files(out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for (path, _) in tree_hashes(out) {
        // A meeting's public set, or the one of the papers outside meetings (not the site's
        // open data, whose files may end in the same word).
        if path == "offentlig.json"
            || (path.ends_with("/offentlig.json") && !path.starts_with("site/"))
        {
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join(&path)).unwrap()).unwrap();
            for file in manifest["files"].as_array().unwrap() {
                files.push(file["path"].as_str().unwrap().to_string());
            }
        }
    }
    files
}

/// The PDF with every stream uncompressed, as qpdf writes it.
fn decompressed(pdf: &Path) -> Vec<u8> {
    let out = Command::new("qpdf")
        .args([
            "--qdf",
            "--object-streams=disable",
            "--stream-data=uncompress",
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("qpdf is installed");
    out.stdout
}

#[test]
fn each_meeting_declares_its_public_set() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("valid/minimal");
    let out = udvalg(
        dir.path(),
        &["build", "--plan", plan.to_str().unwrap(), "--out", "out"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = dir.path().join("out");
    let set: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("pu-2024-02-06/offentlig.json")).unwrap())
            .unwrap();
    let paths: Vec<&str> = set["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // The meeting has a closed item: its members' agenda is not public, the public edition and
    // the open item's paper are.
    assert_eq!(
        paths,
        [
            "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-offentlig.pdf",
            "pu-2024-02-06/punkt-01-budgetopfoelgning-for-foerste-kvartal.pdf",
        ]
    );
    for file in set["files"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["size"].as_u64(), Some(bytes.len() as u64));
    }
    let top: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("offentlig.json")).unwrap()).unwrap();
    assert!(top["meeting"].is_null());
    assert_eq!(top["files"][0]["path"], "procesplan.pdf");
}
