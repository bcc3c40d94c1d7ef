//! Agendas and minutes as a Danish secretariat writes them (issue 24), read back from the papers
//! of tests/fixtures/valid/proceedings: the standard item sections in their order, sagens gang,
//! attendance and inhabilitet, a vote with a dissent, approval and the signing sheet, the
//! supplementary agenda, and closed items as one line in public papers.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

const PLAN: &str = "valid/proceedings";

fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let plan = fixture(PLAN);
        let templates = repo().join("templates");
        let out = udvalg(
            &dir,
            &[
                "--plan",
                plan.to_str().unwrap(),
                "--templates",
                templates.to_str().unwrap(),
                "--out",
                "out",
                "build",
            ],
        );
        assert!(out.status.success(), "build failed: {}", stderr(&out));
        dir.join("out")
    })
}

fn words_of(path: &str) -> String {
    let file = built().join(path);
    assert!(file.exists(), "{path} is written");
    pdf_words(&file)
}

/// `needles` appear in `text` in this order.
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("`{needle}` is not where expected (after byte {from}) in:\n{text}"),
        }
    }
}

const AGENDA: &str = "pu-2024-03-05/dagsorden-proeveudvalget-2024-03-05.pdf";
const PUBLIC_AGENDA: &str = "pu-2024-03-05/dagsorden-proeveudvalget-2024-03-05-offentlig.pdf";
const SUPPLEMENT: &str = "pu-2024-03-05/tillaegsdagsorden-proeveudvalget-2024-03-05.pdf";
const MINUTES: &str = "pu-2024-03-05/referat-proeveudvalget-2024-03-05.pdf";
const PUBLIC_MINUTES: &str = "pu-2024-03-05/referat-proeveudvalget-2024-03-05-offentlig.pdf";

#[test]
fn an_item_prints_its_sections_in_the_danish_order_and_no_decision() {
    let text = words_of(AGENDA);
    assert_in_order(
        &text,
        &[
            "1. Budgetomplacering på hjemmeplejen",
            "Sagsfremstilling",
            "Hjemmeplejen har et mindreforbrug",
            "Økonomi",
            "udgiftsneutral",
            "Beslutningskompetence",
            "Sagen afgøres i Byrådet.",
            "Høring",
            "Ældrerådet er hørt",
            "Kommunikation",
            "nyhedsbrevet",
            "Lovgrundlag",
            "styrelse § 40",
            "Tidligere beslutninger",
            "budgettet for 2024",
            "Sagen behandles herefter i Byrådet den 22. april 2024.",
            "Indstilling",
            "anbefaler omplaceringen",
        ],
    );
    // As of its day the agenda holds no decision, and no supplementary item.
    assert!(!text.contains("anbefaler Byrådet, at omplaceringen godkendes"));
    assert!(!text.contains("Vinterberedskab"));
}

#[test]
fn a_standard_section_an_item_lacks_prints_ingen() {
    // The closed item has no economy and no recommendation: the plan's standard item shows
    // both, empty; it has no communication, which is not standard, so that is left out.
    let text = words_of(AGENDA);
    let closed = &text[text.rfind("2. Køb af pladser").expect("the closed item")..];
    assert_in_order(closed, &["Økonomi Ingen.", "Indstilling Ingen."]);
    assert!(!closed.contains("Kommunikation"));
}

#[test]
fn the_case_history_quotes_the_earlier_decision_with_its_body_and_day() {
    let council = words_of("br-2024-04-22/dagsorden-byraadet-2024-04-22.pdf");
    assert!(
        council.contains(
            "Prøveudvalget den 5. marts 2024, punkt 1: Prøveudvalget anbefaler Byrådet, at omplaceringen godkendes."
        ),
        "{council}"
    );
    // An agenda that went out before the council met shows no decision of it, even though the
    // plan holds one now.
    let before = words_of("pu-2024-04-23/dagsorden-proeveudvalget-2024-04-23.pdf");
    assert!(
        before.contains(
            "Byrådet den 22. april 2024, punkt 1: Budgetomplacering på hjemmeplejen. Beslutningen foreligger endnu ikke."
        ),
        "{before}"
    );
    // An explicit link ties an item without a case number to the council's decision.
    let later = words_of("pu-2024-05-07/dagsorden-proeveudvalget-2024-05-07.pdf");
    assert!(
        later.contains("Byrådet den 22. april 2024, punkt 1: Godkendt."),
        "{later}"
    );
}

#[test]
fn the_minutes_record_attendance_votes_and_dissent() {
    let text = words_of(MINUTES);
    for phrase in [
        "Til stede Anna Andersen (A), Bo Berg (V), Cecilie Dahl (F), Erik Frandsen (C)",
        "Stedfortræder Erik Frandsen (C) for Dennis Eriksen",
        "Afbud Dennis Eriksen (C)",
        "startede kl. 15.35 og blev hævet kl. 16.50",
        "For stemte 3 (A, F og C).",
        "Imod stemte 1 (Bo Berg).",
        "Forslaget blev vedtaget.",
        "Bo Berg ønsker sin stemme ført til protokols.",
        "Mindretalsudtalelse: Mindreforbruget bør gå tilbage til kassen.",
        "Cecilie Dahl (F) var inhabil (bestyrelsesmedlem i Botilbuddet Lærken) og deltog ikke i behandlingen af punktet.",
        "Anna Andersen (A) deltog ikke i behandlingen af punktet.",
        "Mødet hævet kl. 16.50.",
    ] {
        assert!(text.contains(phrase), "`{phrase}` is missing from:\n{text}");
    }
    assert!(
        !text.contains("Fraværende"),
        "no one is absent without apologies"
    );
}

#[test]
fn approved_minutes_say_by_whom_and_when_and_end_with_the_signing_sheet() {
    let file = built().join(MINUTES);
    let text = pdf_words(&file);
    assert!(
        text.contains("Godkendt fredag den 11. marts 2024")
            || text.contains("Godkendt mandag den 11. marts 2024"),
        "{text}"
    );
    assert!(!text.contains("udkast"), "{text}");
    let last = pdf_page_words(&file, pages(&file), pages(&file));
    assert_in_order(
        &last,
        &[
            "Underskriftsblad",
            "Anna Andersen (A) 8. marts 2024",
            "Bo Berg (V) 8. marts 2024",
            "Cecilie Dahl (F) 11. marts 2024",
            "Erik Frandsen (C) 11. marts 2024",
        ],
    );
    // One of four has approved the later meeting's minutes: a draft.
    let draft = words_of("pu-2024-05-07/referat-proeveudvalget-2024-05-07.pdf");
    assert!(draft.contains("BESLUTNINGSPROTOKOL · UDKAST"), "{draft}");
    assert!(
        draft.contains("Protokollen er endnu ikke godkendt: 1 af 4 deltagere har godkendt den."),
        "{draft}"
    );
}

#[test]
fn a_supplementary_item_goes_in_the_supplementary_agenda_with_its_reason() {
    let text = words_of(SUPPLEMENT);
    assert_in_order(
        &text,
        &[
            "TILLÆGSDAGSORDEN",
            "Udsendt fredag den 1. marts 2024",
            "Supplerer dagsordenen udsendt",
            "3. Vinterberedskab for hjemløse",
            "Begrundelse for optagelse på tillægsdagsorden",
            "kan ikke vente til næste møde",
            "Natvarmestuen",
        ],
    );
    assert!(!text.contains("Budgetomplacering"));
    // Its item PDF is cut from the supplementary agenda, numbered after the agenda's items.
    let item = words_of("pu-2024-03-05/punkt-03-vinterberedskab-for-hjemloese.pdf");
    assert!(item.contains("3. Vinterberedskab for hjemløse"), "{item}");
    // The minutes hold every item, the supplementary one marked.
    assert!(words_of(MINUTES).contains("Orientering · tillægsdagsorden"));
}

#[test]
fn a_closed_item_is_one_line_in_public_papers_and_marked_in_the_members() {
    let public = built().join(PUBLIC_AGENDA);
    let text = pdf_words(&public);
    assert!(
        text.contains("2. Lukket punkt Punktet behandles for lukkede døre."),
        "{text}"
    );
    assert!(!text.contains("Lærken") && !text.contains("Køb af pladser"));
    // One line where it stands: on the last page of item 1, not a page of its own.
    let members = built().join(AGENDA);
    assert_eq!(
        pages(&public) + 1,
        pages(&members),
        "the closed item has no page of its own in public"
    );
    let page = (1..=pages(&public))
        .find(|&p| pdf_page_words(&public, p, p).contains("2. Lukket punkt Punktet"))
        .expect("a page with the closed line");
    assert!(pdf_page_words(&public, page, page).contains("Sagsfremstilling"));
    // The members' agenda marks it in the contents and on its page.
    let text = pdf_words(&members);
    let contents = pdf_page_words(&members, 1, 1);
    assert!(
        contents.contains("2. Køb af pladser hos Botilbuddet Lærken (lukket punkt)"),
        "{contents}"
    );
    assert!(
        text.contains(
            "Lukket punkt. Punktet behandles for lukkede døre og må ikke offentliggøres."
        )
    );
}

#[test]
fn a_closed_decision_is_published_only_where_the_plan_allows_and_nothing_else_of_it() {
    let text = words_of(PUBLIC_MINUTES);
    assert_in_order(
        &text,
        &[
            "2. Lukket punkt",
            "Punktet blev behandlet for lukkede døre.",
            "Godkendt.",
        ],
    );
    for secret in ["Lærken", "Køb af pladser", "inhabil", "priser"] {
        assert!(
            !text.contains(secret),
            "`{secret}` is in the public minutes:\n{text}"
        );
    }
}

#[test]
fn a_closed_items_title_stands_in_public_papers_only_where_the_plan_allows() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy(PLAN, dir.path());
    edit(
        format!("{plan}/meetings.toml"),
        "public_decision = true",
        "public_decision = true\npublic_title = true",
    );
    let templates = repo().join("templates");
    let out = udvalg(
        dir.path(),
        &[
            "--plan",
            &plan,
            "--templates",
            templates.to_str().unwrap(),
            "--out",
            "out",
            "build",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let public = pdf_words(&dir.path().join("out").join(PUBLIC_AGENDA));
    assert!(
        public.contains(
            "2. Køb af pladser hos Botilbuddet Lærken Punktet behandles for lukkede døre."
        ),
        "{public}"
    );
    assert!(!public.contains("Fortrolige oplysninger"), "{public}");
    // Without the permission the built fixture keeps it to "Lukket punkt".
    assert!(!words_of(PUBLIC_AGENDA).contains("Lærken"));
}

#[test]
fn status_gives_the_supplementary_agendas_day_among_the_deadlines() {
    let plan = fixture(PLAN);
    let out = udvalg(
        &repo(),
        &["--plan", plan.to_str().unwrap(), "status", "--all"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let meeting =
        &text[text.find("[pu-2024-03-05]").unwrap()..text.find("[br-2024-04-22]").unwrap()];
    assert_in_order(
        meeting,
        &[
            "agenda sent to members   ons 2024-02-28",
            "supplement sent",
            "fre 2024-03-01",
            "minutes public",
        ],
    );
}
