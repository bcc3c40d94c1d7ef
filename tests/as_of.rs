//! Every paper as it stood on its day: an agenda never shows a decision (the minutes do), an
//! edition lists only itself and the editions before it, the process plan speaks in the tense
//! of its day, an action plan shows each action's status on its date, and key figures stand on
//! their own only once published.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{fixture_copy, pdf_words, tree_hashes, udvalg};

fn build(dir: &Path, plan: &str, out: &str) -> BTreeMap<String, String> {
    let result = udvalg(dir, &["--plan", plan, "--out", out, "build"]);
    assert!(result.status.success(), "{}", common::stderr(&result));
    // The papers; udvalg's own files and the public sets (which list every public paper's
    // hash) change with any paper.
    tree_hashes(&dir.join(out))
        .into_iter()
        .filter(|(path, _)| {
            let name = path.rsplit('/').next().unwrap_or(path);
            !name.starts_with('.') && name != "offentlig.json"
        })
        .collect()
}

/// The files that differ between two builds, by path (added, removed or changed).
fn changed(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut paths: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn a_decision_recorded_after_the_meeting_changes_its_minutes_and_no_agenda() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    let before = build(dir.path(), &plan, "out");
    assert!(!before.keys().any(|p| p.contains("referat")), "{before:?}");

    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    let decided = text.replacen(
        "recommendation = \"Administrationen indstiller, at udvalget tager orienteringen til efterretning.\"",
        "recommendation = \"Administrationen indstiller, at udvalget tager orienteringen til efterretning.\"\ndecision = \"Orienteringen blev taget til efterretning.\"",
        1,
    );
    assert_ne!(
        text, decided,
        "the fixture's recommendation is where the test expects it"
    );
    std::fs::write(&meetings, &decided).unwrap();
    let first = build(dir.path(), &plan, "out");
    let new: Vec<String> = changed(&before, &first);
    assert!(
        !new.is_empty() && new.iter().all(|p| p.contains("/referat-")),
        "{new:?}"
    );

    // The decision is reworded: only the minutes change again.
    std::fs::write(
        &meetings,
        decided.replace(
            "taget til efterretning.\"",
            "taget til efterretning med bemærkninger.\"",
        ),
    )
    .unwrap();
    let second = build(dir.path(), &plan, "out");
    let again = changed(&first, &second);
    assert!(
        !again.is_empty() && again.iter().all(|p| p.contains("/referat-")),
        "{again:?}"
    );
    let minutes = dir.path().join("out").join(&again[0]);
    assert!(pdf_words(&minutes).contains("med bemærkninger"));
    for agenda in second
        .keys()
        .filter(|p| p.contains("dagsorden") || p.contains("punkt-"))
    {
        let words = pdf_words(&dir.path().join("out").join(agenda));
        assert!(
            !words.contains("efterretning med bemærkninger"),
            "{agenda}: {words}"
        );
    }
}

/// The built-in plan, built once for the checks below.
fn built_in() -> &'static Path {
    static BUILT: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let plan = common::repo().join("plans/udsattestrategi");
            let result = udvalg(
                dir.path(),
                &["--plan", plan.to_str().unwrap(), "--out", "out", "build"],
            );
            assert!(result.status.success(), "{}", common::stderr(&result));
            dir
        })
        .path()
}

fn paper(path: &str) -> String {
    pdf_words(&built_in().join("out").join(path))
}

/// An agenda shows no decision of its own meeting or of a later one: only the case history of
/// meetings held before it went out.
#[test]
fn sent_agendas_hold_no_decisions() {
    let out = built_in().join("out");
    let agendas: Vec<String> = tree_hashes(&out)
        .into_keys()
        .filter(|p| p.contains("/dagsorden-") || p.contains("/punkt-"))
        .collect();
    assert!(agendas.len() > 20, "{agendas:?}");
    // Each decision with the day of the first meeting that took it.
    let decisions = [
        ("Socialudvalget anbefaler Kommunalbestyrelsen", "2022-11-29"),
        ("Udvalget ønsker delmålene", "2022-10-04"),
        ("Orienteringen blev taget til efterretning", "2022-09-06"),
        ("Vedtaget.", "2022-12-19"),
    ];
    let mut shown_later = 0;
    for agenda in agendas {
        // The built-in plan's meeting ids end in their day.
        let folder = agenda.split('/').next().unwrap();
        let day = &folder[folder.len() - 10..];
        let words = pdf_words(&out.join(&agenda));
        for (decision, decided) in decisions {
            if day <= decided {
                assert!(
                    !words.contains(decision),
                    "{agenda} shows the decision {decision:?} of {decided}"
                );
            } else if words.contains(decision) {
                shown_later += 1;
            }
        }
    }
    // Later agendas quote them in the case history.
    assert!(shown_later > 0);
    // The minutes do.
    let minutes = paper("su-2022-11-29/referat-socialudvalget-2022-11-29.pdf");
    assert!(
        minutes.contains(
            "Socialudvalget anbefaler Kommunalbestyrelsen, at Udsattestrategi 2022-2029 vedtages."
        ),
        "{minutes}"
    );
}

#[test]
fn an_edition_lists_only_itself_and_earlier_editions_and_says_when_it_was_adopted() {
    let first = paper("su-2022-10-04/bilag/udsattestrategi-2022-2029-foerste-udkast.pdf");
    let history = first
        .rsplit("Versionshistorik")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(history.contains("Første udkast"), "{history}");
    assert!(
        !history.contains("Høringsudkast") && !history.contains("Endelig strategi"),
        "{history}"
    );
    assert!(!first.contains("Vedtaget"), "{first}");

    // Attached for final approval in committee, before the council adopts it.
    let attached = paper("su-2022-11-29/bilag/udsattestrategi-2022-2029-endelig-strategi.pdf");
    assert!(!attached.contains("Vedtaget"), "{attached}");
    // As the plan stands now: adopted by the council on 19 December 2022.
    let current = paper("udsattestrategi-2022-2029.pdf");
    assert!(
        current.contains("Vedtaget af Kommunalbestyrelsen mandag den 19. december 2022"),
        "{current}"
    );
    let history = current
        .rsplit("Versionshistorik")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        history.contains("Høringsudkast") && history.contains("Vedtaget 19. december 2022"),
        "{history}"
    );
}

#[test]
fn the_process_plan_speaks_in_the_tense_of_its_day() {
    // Attached in May 2022: the meetings of 2023 are ahead.
    let may = paper("su-2022-05-31/bilag/procesplan.pdf");
    assert!(
        may.contains("Behandles: Socialudvalget 13. juni 2023"),
        "{may}"
    );
    assert!(
        !may.contains("Behandlet: Socialudvalget 13. juni 2023"),
        "{may}"
    );
    // On the plan's date (20 November 2026) the status of October 2026 is behind it and the
    // action plan of 24 November ahead.
    let current = paper("procesplan.pdf");
    for expected in [
        "Behandlet: Socialudvalget 29. november 2022",
        "Behandlet: Socialudvalget 6. oktober 2026",
        "Behandles: Socialudvalget 24. november 2026",
        "Behandles: Socialudvalget 20. april 2027",
    ] {
        assert!(current.contains(expected), "`{expected}` in {current}");
    }
    assert!(
        !current.contains("Behandles: Socialudvalget 13. juni 2023"),
        "{current}"
    );
}

#[test]
fn an_action_plan_shows_each_status_on_its_date() {
    let plan = paper("handleplaner/handleplan-2023-24.pdf");
    assert!(plan.contains("Status pr. 1. juni 2023"), "{plan}");
    assert!(
        !plan.contains("Gennemført"),
        "nothing is done on the plan's first day: {plan}"
    );
}

#[test]
fn key_figures_stand_on_their_own_only_once_published() {
    // The plan speaks from 20 November 2026: the figures of 2023-2026 are published, those of
    // 2027 and 2028 are not.
    let out = built_in().join("out/noegletal");
    for year in 2023..=2026 {
        assert!(
            out.join(format!("noegletal-{year}.pdf")).is_file(),
            "{year}"
        );
    }
    for year in [2027, 2028] {
        assert!(
            !out.join(format!("noegletal-{year}.pdf")).exists(),
            "{year}"
        );
    }
}

#[test]
fn the_changes_between_editions_are_computed_from_their_content() {
    use udvalg::plan::{PlanSource, load_valid};
    let dir = common::repo().join("plans/udsattestrategi");
    let (plan, _) = load_valid(&PlanSource::Dir(dir)).unwrap();
    let keys = |from: &str, to: &str| -> Vec<(String, &'static str)> {
        plan.edition_changes(from, to)
            .into_iter()
            .map(|c| (c.key, c.kind.danish()))
            .collect()
    };
    assert_eq!(
        keys("first-draft", "consultation-draft"),
        [
            ("sub-goal:eget-hjem-boligplan".to_string(), "omformuleret"),
            (
                "sub-goal:eget-hjem-fastholdelse".to_string(),
                "omformuleret"
            ),
        ]
    );
    assert_eq!(
        keys("consultation-draft", "final"),
        [
            ("focus-area:sundhed".to_string(), "omformuleret"),
            ("focus-area:faellesskab".to_string(), "omformuleret"),
            ("sub-goal:eget-hjem-skaeve-boliger".to_string(), "tilføjet"),
        ]
    );
    assert!(keys("final", "final").is_empty());
    // And back: what was added is gone.
    assert!(
        keys("final", "consultation-draft")
            .contains(&("sub-goal:eget-hjem-skaeve-boliger".to_string(), "udgået"))
    );
}

#[test]
fn editions_have_their_own_content_and_list_what_changed() {
    let first = paper("su-2022-10-04/bilag/udsattestrategi-2022-2029-foerste-udkast.pdf");
    let draft = paper("su-2022-11-08/bilag/udsattestrategi-2022-2029-hoeringsudkast.pdf");
    let fin = paper("su-2022-11-29/bilag/udsattestrategi-2022-2029-endelig-strategi.pdf");
    assert!(first.contains("har en boligplan senest 30 dage"), "{first}");
    assert!(!first.contains("Ændringer siden"), "{first}");
    assert!(
        draft.contains("skriftlig boligplan og en fast kontaktperson"),
        "{draft}"
    );
    assert!(draft.contains("Ændringer siden første udkast"), "{draft}");
    assert!(!draft.contains("skæve boliger"), "{draft}");
    assert!(
        fin.contains("Delmål 1.4 (tilføjet): Der er mindst 20 skæve boliger"),
        "{fin}"
    );
    // The consultation summary lists the real differences, with the comments that led to them.
    let summary =
        paper("su-2022-11-29/bilag/hoeringsnotat-udkast-til-udsattestrategi-2022-2029.pdf");
    let changes = summary
        .rsplit("Ændringer i strategien efter høringen")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        changes.contains("Indsatsområde »Sundhed og misbrug« (omformuleret)")
            && changes.contains("Administrationens bemærkning: Samarbejdet med psykiatrien"),
        "{changes}"
    );
}

#[test]
fn the_seminar_summary_is_a_paper_of_its_own_as_of_where_it_is_attached() {
    // Discussed on 31 May: the first version.
    let first = paper("su-2022-05-31/bilag/opsamling-paa-seminar.pdf");
    assert!(
        first.contains("ADMINISTRATIONENS OPSAMLING Seminar om udsattestrategien"),
        "{first}"
    );
    assert!(first.contains("Hvilke fokusområder?"), "{first}");
    assert!(!first.contains("Borgernes egne erfaringer"), "{first}");
    assert!(!first.contains("Justeret"), "{first}");
    // Approved on 9 August: adjusted after the committee's discussion.
    let adjusted = paper("su-2022-08-09/bilag/opsamling-paa-seminar.pdf");
    assert!(adjusted.contains("Borgernes egne erfaringer"), "{adjusted}");
    assert!(
        adjusted.contains("Justeret efter udvalgets drøftelse, tirsdag den 14. juni 2022"),
        "{adjusted}"
    );
    let agenda = paper("su-2022-05-31/dagsorden-socialudvalget-2022-05-31.pdf");
    assert!(
        agenda.contains("Opsamling – Seminar om udsattestrategien"),
        "{agenda}"
    );
    assert!(
        built_in()
            .join("out/seminar-2022-05-20/opsamling-paa-seminar.pdf")
            .exists()
    );
}
