//! The binary on small fixture plans: selection, exit codes, and invalid plans whose exact
//! diagnostics are kept as snapshots beside them.

mod common;

use common::*;

#[test]
fn minimal_plan_builds_agenda_public_agenda_and_open_item() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("valid/minimal");
    let out = udvalg(dir.path(), &["build", "--plan", plan.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = tree_hashes(&dir.path().join("output"));
    let names: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert_eq!(
        names,
        vec![
            "procesplan.pdf",
            "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-offentlig.pdf",
            "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf",
            "pu-2024-02-06/punkt-01-budgetopfoelgning-for-foerste-kvartal.pdf",
        ]
    );
    let agenda = dir
        .path()
        .join("output/pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf");
    let text = pdf_words(&agenda);
    assert!(
        text.contains("tirsdag den 6. februar 2024 kl. 15.30-17.00"),
        "{text}"
    );
    // Four working days before Tuesday 6 February 2024 is Wednesday 31 January.
    assert!(
        text.contains("Udsendt onsdag den 31. januar 2024"),
        "{text}"
    );
    assert!(
        text.contains("Løn 1.200.000"),
        "the Typst table in the prose is laid out: {text}"
    );
    assert!(
        !text.contains("Eksempeldata"),
        "a plan without example data says nothing of it"
    );
}

/// An item that runs over several pages is cut whole from the agenda, numbered within itself,
/// and the same whether the agenda is written too or only laid out for its items.
#[test]
fn a_long_item_is_cut_whole_from_its_agenda() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    std::fs::create_dir(&plan).unwrap();
    std::fs::copy(fixture("valid/minimal/plan.toml"), plan.join("plan.toml")).unwrap();
    let paragraph = "Udvalget har bedt om en grundig gennemgang af tilbuddene, og administrationen \
                     beskriver her hvert tilbud, dets målgruppe, dets kapacitet og dets økonomi.";
    let long = vec![paragraph; 60].join("\\n\\n");
    std::fs::write(
        plan.join("meetings.toml"),
        format!(
            r#"[[meeting]]
id = "pu-2024-02-06"
kind = "committee"
date = 2024-02-06
start = "15.30"
end = "17.00"
place = "Rådhuset"

[[meeting.item]]
id = "kort"
title = "Et kort punkt"
kind = "information"
presentation = "Kort."

[[meeting.item]]
id = "langt"
title = "Et langt punkt"
kind = "decision"
presentation = "{long}"

[[meeting.item]]
id = "sidste"
title = "Det sidste punkt"
kind = "information"
presentation = "Også kort."
"#
        ),
    )
    .unwrap();
    let all = dir.path().join("all");
    let items_only = dir.path().join("items");
    for (out, extra) in [(&all, None), (&items_only, Some("agenda-item"))] {
        let mut args = vec!["build", "--plan", "plan", "--out", out.to_str().unwrap()];
        args.extend(extra.map(|kind| ["--document", kind]).into_iter().flatten());
        let run = udvalg(dir.path(), &args);
        assert!(run.status.success(), "{}", stderr(&run));
    }

    let meeting = all.join("pu-2024-02-06");
    let agenda = meeting.join("dagsorden-proeveudvalget-2024-02-06.pdf");
    let long = meeting.join("punkt-02-et-langt-punkt.pdf");
    let count = pages(&long);
    assert!(count >= 2, "the long item has {count} pages");
    assert!(pdf_words(&long).contains(&format!("Punkt 2, side {count} af {count}")));
    // The front page with the contents, the first item, the long one, the last.
    assert_eq!(pages(&agenda), 1 + 1 + count + 1);
    assert_eq!(pdf_words(&long), pdf_page_words(&agenda, 3, 2 + count));
    let last = meeting.join("punkt-03-det-sidste-punkt.pdf");
    let last_page = pages(&agenda);
    assert_eq!(
        pdf_words(&last),
        pdf_page_words(&agenda, last_page, last_page)
    );
    assert!(pdf_words(&last).contains(&format!("Side {last_page} · Punkt 3, side 1 af 1")));

    let cut_alone = tree_hashes(&items_only);
    for (path, hash) in &cut_alone {
        if path.ends_with(".pdf") {
            assert_eq!(&tree_hashes(&all)[path], hash, "{path}");
        }
    }
    assert_eq!(cut_alone.keys().filter(|p| p.ends_with(".pdf")).count(), 3);
}

#[test]
fn selection_by_meeting_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(
        dir.path(),
        &[
            "build",
            "--meeting",
            "su-2022-11-08",
            "--document",
            "strategy",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = tree_hashes(&dir.path().join("output"))
        .into_keys()
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert_eq!(
        names,
        vec!["su-2022-11-08/bilag/udsattestrategi-2022-2029-hoeringsudkast.pdf"]
    );
}

#[test]
fn unknown_meeting_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = udvalg(dir.path(), &["build", "--meeting", "su-2022-13-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no meeting `su-2022-13-01`"));
    assert!(!dir.path().join("output").exists(), "nothing is written");
}

/// Templates that cannot be read stop the build before anything is written, and the plan's own
/// warnings are still shown beside the error.
#[test]
fn unreadable_templates_stop_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let plan = repo().join("plans/udsattestrategi");
    let out = udvalg(
        dir.path(),
        &[
            "build",
            "--plan",
            plan.to_str().unwrap(),
            "--templates",
            "no-such-folder",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cannot read templates from no-such-folder"),
        "{err}"
    );
    assert!(err.contains("the consultation period is 9 days"), "{err}");
    assert!(!dir.path().join("output").exists(), "nothing is written");
}

#[test]
fn check_passes_on_the_default_plan_and_warns_what_the_data_shows() {
    let out = udvalg(&repo(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "plans/udsattestrategi: 18 meetings, 1 consultations, 95 documents checked, 1 warning"
        ),
        "{}",
        stdout(&out)
    );
    // What changed between the editions, computed from their content.
    assert!(
        stdout(&out).contains(
            "strategy consultation-draft → final: 3 changes\n  \
             Indsatsområde »Sundhed og misbrug« omformuleret (focus-area:sundhed)\n"
        ),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("Delmål 1.4 tilføjet (sub-goal:eget-hjem-skaeve-boliger)"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    // The seeds send the strategy to consultation after 8 November and approve it finally on
    // 29 November: the period cannot reach the plan's minimum of 14 days.
    assert!(
        err.contains(
            "warning: the consultation period is 9 days (7 working days), shorter than the plan's minimum of 14"
        ),
        "{err}"
    );
    assert!(
        err.contains("consultations/hoering-udsattestrategi.toml:12:12"),
        "{err}"
    );
    // Every milestone of 2023-2028 has its meeting and agenda item.
    assert!(!err.contains("no agenda item meets the milestone"), "{err}");

    let denied = udvalg(&repo(), &["check", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
}

/// Each plan under tests/fixtures/invalid fails `check` with exit code 1 and exactly the
/// diagnostics in its snapshot (`expected.snap`, kept beside the plan).
#[test]
fn invalid_plans_give_their_expected_diagnostics() {
    let cases = corpus("invalid");
    assert!(
        cases.len() >= 40,
        "the invalid corpus has {} plans",
        cases.len()
    );
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let plan = format!("tests/fixtures/invalid/{name}");
        let templates = format!("{plan}/templates");
        let mut args = vec!["check", "--plan", &plan];
        if case.join("templates").is_dir() {
            args.extend(["--templates", &templates]);
        }
        let out = udvalg(&repo(), &args);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{name} panicked");
        assert_snapshot_in(&case, &stderr(&out));
    }
}

/// Each plan under tests/fixtures/warnings passes `check` (exit 0) with exactly the warnings in
/// its snapshot, and fails with `--deny-warnings`.
#[test]
fn plans_with_warnings_give_their_expected_warnings() {
    let cases = corpus("warnings");
    assert!(
        cases.len() >= 5,
        "the warnings corpus has {} plans",
        cases.len()
    );
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let plan = format!("tests/fixtures/warnings/{name}");
        let out = udvalg(&repo(), &["check", "--plan", &plan]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains("warning: "), "{name}");
        assert!(
            !stderr(&out).contains("error: "),
            "{name}: {}",
            stderr(&out)
        );
        assert_snapshot_in(&case, &stderr(&out));
        let denied = udvalg(&repo(), &["check", "--deny-warnings", "--plan", &plan]);
        assert_eq!(denied.status.code(), Some(1), "{name}");
    }
}

#[test]
fn json_format_gives_the_same_positions() {
    let out = udvalg(
        &repo(),
        &[
            "check",
            "--plan",
            "tests/fixtures/invalid/unknown-key",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["file"],
        "tests/fixtures/invalid/unknown-key/meetings.toml"
    );
    assert_eq!(json[0]["line"], 4);
    assert_eq!(json[0]["column"], 1);
    assert_eq!(
        json[0]["message"],
        "unknown key `dato`; did you mean `date`?"
    );
}

#[test]
fn a_failed_build_leaves_the_output_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    std::fs::create_dir(&plan).unwrap();
    for f in ["plan.toml", "meetings.toml"] {
        std::fs::copy(fixture("valid/minimal").join(f), plan.join(f)).unwrap();
    }
    assert!(
        udvalg(dir.path(), &["build", "--plan", "plan"])
            .status
            .success()
    );
    let before = tree_hashes(&dir.path().join("output"));

    // A template that fails for one document only must stop every write.
    let templates = dir.path().join("templates");
    copy_dir(&repo().join("templates"), &templates);
    std::fs::write(
        templates.join("process-plan.typ"),
        "#let view = json(\"/view.json\")\n#view.nope\n",
    )
    .unwrap();
    let meetings = std::fs::read_to_string(plan.join("meetings.toml")).unwrap();
    std::fs::write(
        plan.join("meetings.toml"),
        meetings.replace("Rådhuset, lokale 2", "Rådhuset, lokale 3"),
    )
    .unwrap();
    let out = udvalg(dir.path(), &["build", "--plan", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("templates/process-plan.typ:2:"), "{err}");
    assert!(
        err.contains("dictionary does not contain key \"nope\""),
        "{err}"
    );
    assert_eq!(before, tree_hashes(&dir.path().join("output")));
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".udvalg-staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Into a new folder, a failed build makes nothing at all.
    let out = udvalg(dir.path(), &["build", "--plan", "plan", "--out", "fresh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("fresh").exists());
}
