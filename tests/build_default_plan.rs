//! The built-in Ballerup plan, built by the binary into a temporary directory and read back.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// One build of the default plan shared by the tests of this file (it is the slow part).
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = udvalg(&dir, &["build"]);
        assert!(out.status.success(), "build failed: {}", stderr(&out));
        assert!(
            stdout(&out).contains("85 files in output: 85 rendered"),
            "{}",
            stdout(&out)
        );
        dir.join("output")
    })
}

#[test]
fn every_paper_of_the_2022_process_is_written() {
    let files = tree_hashes(built());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for expected in [
        "su-2022-05-31/dagsorden-socialudvalget-2022-05-31.pdf",
        "su-2022-08-09/dagsorden-socialudvalget-2022-08-09.pdf",
        "su-2022-09-06/dagsorden-socialudvalget-2022-09-06.pdf",
        "su-2022-10-04/dagsorden-socialudvalget-2022-10-04.pdf",
        "su-2022-10-04/bilag/udsattestrategi-2022-2029-foerste-udkast.pdf",
        "su-2022-11-08/dagsorden-socialudvalget-2022-11-08.pdf",
        "su-2022-11-08/bilag/udsattestrategi-2022-2029-hoeringsudkast.pdf",
        "su-2022-11-08/bilag/procesplan.pdf",
        "su-2022-11-29/dagsorden-socialudvalget-2022-11-29.pdf",
        "su-2022-11-29/dagsorden-socialudvalget-2022-11-29-offentlig.pdf",
        "su-2022-11-29/bilag/udsattestrategi-2022-2029-endelig-strategi.pdf",
        "kb-2022-12-19/dagsorden-kommunalbestyrelsen-2022-12-19.pdf",
        "udsattestrategi-2022-2029.pdf",
        "procesplan.pdf",
    ] {
        assert!(
            names.contains(&expected),
            "missing {expected}; have {names:#?}"
        );
    }
    assert!(
        names.iter().all(|n| n
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-./".contains(&b))),
        "file names are lower-case ASCII: {names:#?}"
    );
}

#[test]
fn agenda_front_page_speaks_danish() {
    let agenda = built().join("su-2022-11-08/dagsorden-socialudvalget-2022-11-08.pdf");
    let text = pdf_words(&agenda);
    for phrase in [
        "BALLERUP KOMMUNE",
        "Socialudvalget",
        "tirsdag den 8. november 2022 kl. 16.00-18.00",
        "Ballerup Rådhus, mødelokale C",
        "Udsendt onsdag den 2. november 2022",
        "Mette Lindberg (A), formand",
        "Indhold",
        "1. Udsattestrategi 2022-2029 – godkendelse og udsendelse i høring",
        "Sagsnr. KLE-nr. Sagstype Behandling 22/08761 27.00.00 Godkendelse Åbent punkt",
        "Sagsfremstilling",
        "Indstilling",
        "Administrationen indstiller, at Socialudvalget",
        "Bilag",
        "Udsattestrategi 2022-2029 – Høringsudkast",
        // The case history (Tidligere beslutninger) takes the item onto a second page.
        "Tidligere beslutninger",
        "Side 1 · Punkt 1, side 1 af 2",
        "Eksempeldata:",
    ] {
        assert!(text.contains(phrase), "agenda lacks {phrase:?}:\n{text}");
    }
    // Sent on 2 November, before the meeting: the decision is the minutes'.
    assert!(!text.contains("Beslutning Godkendt."), "{text}");
    // One item: the contents and the item share the front page (the item goes on to a second).
    assert_eq!(pages(&agenda), 2);
    assert_eq!(
        pdf_info(&agenda, "Title"),
        "Dagsorden – Socialudvalget 8. november 2022"
    );
    assert_eq!(pdf_info(&agenda, "Author"), "Ballerup Kommune");
}

#[test]
fn closed_items_stay_out_of_what_is_published() {
    let dir = built().join("su-2022-11-29");
    let members = pdf_words(&dir.join("dagsorden-socialudvalget-2022-11-29.pdf"));
    let public = pdf_words(&dir.join("dagsorden-socialudvalget-2022-11-29-offentlig.pdf"));
    assert!(members.contains("2. Kontrakt om midlertidigt botilbud"));
    assert!(members.contains("Lukket punkt"));
    assert!(public.contains("2. Lukket punkt"));
    assert!(public.contains("behandles for lukkede døre"));
    assert!(
        !public.contains("botilbud"),
        "public agenda leaks the closed item: {public}"
    );
    let mut items: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("punkt-"))
        .collect();
    items.sort();
    assert_eq!(
        items,
        vec![
            "punkt-01-udsattestrategi-2022-2029-endelig-godkendelse.pdf",
            "punkt-03-vinterberedskab-for-hjemloese-2022-23.pdf"
        ]
    );
}

/// Every item's PDF is its pages of the meeting's agenda, cut from the agenda's own layout:
/// the same words, page for page, numbered within the item.
#[test]
fn agenda_item_pdfs_are_their_pages_of_the_agenda() {
    let mut checked = 0;
    for (path, _) in tree_hashes(built()) {
        let Some((meeting, file)) = path.split_once('/') else {
            continue;
        };
        let Some(number) = file
            .strip_prefix("punkt-")
            .and_then(|rest| rest.get(..2))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        let dir = built().join(meeting);
        let item = dir.join(file);
        let count = pages(&item);
        let first_footer = format!("Punkt {number}, side 1 af {count}");
        // The agenda's items are cut from it, the supplementary items from the supplementary
        // agenda.
        let (agenda, start) = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                (name.starts_with("dagsorden-") || name.starts_with("tillaegsdagsorden-"))
                    && !name.contains("offentlig")
            })
            .find_map(|agenda| {
                (1..=pages(&agenda))
                    .find(|&page| pdf_page_words(&agenda, page, page).contains(&first_footer))
                    .map(|page| (agenda, page))
            })
            .unwrap_or_else(|| panic!("{meeting}: no agenda page with {first_footer}"));
        assert_eq!(
            pdf_words(&item),
            pdf_page_words(&agenda, start, start + count - 1),
            "{path}"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} item PDFs");
}

#[test]
fn agenda_item_pdf_is_the_item_alone() {
    // An agenda of more than one item starts its items on pages of their own: an item's PDF
    // is the item alone.
    let item =
        built().join("su-2022-11-29/punkt-01-udsattestrategi-2022-2029-endelig-godkendelse.pdf");
    let text = pdf_words(&item);
    assert!(
        text.contains("1. Udsattestrategi 2022-2029 – endelig godkendelse"),
        "{text}"
    );
    assert!(text.contains("Dagsorden · "), "{text}");
    assert!(
        !text.contains("Indhold"),
        "an item PDF has no contents list"
    );
    assert!(!text.contains("Mødetidspunkt"), "{text}");
    // An agenda of one item puts it on the front page: that item's PDF is those pages, front
    // page and all, and says so in its footer.
    let item = built().join("su-2022-10-04/punkt-01-udsattestrategi-2022-2029-foerste-udkast.pdf");
    let text = pdf_words(&item);
    assert!(text.contains("1. Udsattestrategi 2022-2029 – første udkast"));
    assert!(text.contains("Drøftelse"));
    assert!(text.contains("Mødetidspunkt"), "{text}");
    assert!(text.contains("Side 1 · Punkt 1, side 1 af 2"), "{text}");
    assert_eq!(pages(&item), 2);
    assert_eq!(
        pdf_info(&item, "Title"),
        "Dagsorden – Socialudvalget 4. oktober 2022 – punkt 1: Udsattestrategi 2022-2029 – første udkast"
    );
}

#[test]
fn strategy_drafts_are_marked_and_the_final_is_not() {
    let dir = built();
    let first =
        pdf_words(&dir.join("su-2022-10-04/bilag/udsattestrategi-2022-2029-foerste-udkast.pdf"));
    let consultation =
        pdf_words(&dir.join("su-2022-11-08/bilag/udsattestrategi-2022-2029-hoeringsudkast.pdf"));
    let last =
        pdf_words(&dir.join("su-2022-11-29/bilag/udsattestrategi-2022-2029-endelig-strategi.pdf"));
    assert!(
        first.contains("UDKAST · Første udkast, version 0.1"),
        "{first}"
    );
    assert!(consultation.contains("UDKAST · Høringsudkast, version 0.9"));
    assert!(
        !last.contains("UDKAST"),
        "the final strategy carries no draft mark"
    );
    assert!(last.contains("Endelig strategi"));
    for part in [
        "Baggrund og politisk opdrag",
        "Budget 2021, punkt 1.4.2",
        "Budget 2022, punkt 1.3.5",
        "Vision og sammenhæng til øvrige politikker",
        "Målgruppe for udsattestrategien",
        "Hjemløse borgere",
        "Indsatsområder",
        "Sammenhænge mellem indsatsområderne",
        "Udviklingsmål: det modsatte af udsathed",
        "Delmål Beskrivelse Tidshorisont",
        "Proces for arbejdet med udviklingsmål",
        "Aktivering af interessenter",
        "Versionshistorik",
    ] {
        assert!(last.contains(part), "the strategy lacks {part:?}");
    }
}

#[test]
fn process_plan_shows_2022_meetings_and_the_years_to_2029() {
    let text = pdf_words(&built().join("procesplan.pdf"));
    for phrase in [
        "PROCES- OG IMPLEMENTERINGSPLAN",
        "status pr. 20. november 2026",
        "Procesplan 2022-2028 – politiske møder",
        "20.-21. maj 2022",
        "19. september 2022",
        "Temamøde",
        "AFHOLDT",
        "Implementeringsplan 2022-2029",
        "GENNEMFØRT",
        "Behandlet: Socialudvalget 29. november 2022, punkt 1",
        "november-december 2024",
        "handleplan (2026-28)",
        "evalueres",
    ] {
        assert!(
            text.contains(phrase),
            "the process plan lacks {phrase:?}:\n{text}"
        );
    }
    // Attached on 31 May, the plan shows that meeting as not yet held.
    let early = pdf_words(&built().join("su-2022-05-31/bilag/procesplan.pdf"));
    assert!(early.contains("status pr. 24. maj 2022"), "{early}");
    assert!(early.contains("PLANLAGT"));
}

#[test]
fn pdfs_declare_title_author_language_and_pdf_a() {
    let pdf = built().join("udsattestrategi-2022-2029.pdf");
    assert_eq!(pdf_info(&pdf, "Title"), "Udsattestrategi 2022-2029");
    assert_eq!(pdf_info(&pdf, "Author"), "Ballerup Kommune");
    let raw = uncompressed(&pdf);
    assert!(raw.contains("/Lang (da-DK)"), "no document language da");
    assert!(
        raw.contains("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"),
        "no PDF/A-2b identification in the XMP metadata"
    );
    assert!(
        raw.contains("<pdfuaid:part>1</pdfuaid:part>"),
        "no PDF/UA-1 identification in the XMP metadata"
    );
    assert!(raw.contains("/StructTreeRoot"), "not tagged");
    assert!(raw.contains("/Type /Outlines"), "no bookmarks");
}

/// The PDF with its object streams unpacked, so that its dictionaries can be read as text.
fn uncompressed(pdf: &Path) -> String {
    let out = std::process::Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("qpdf is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn qpdf_finds_no_damage() {
    for (name, _) in tree_hashes(built())
        .into_iter()
        .filter(|(n, _)| n.ends_with(".pdf"))
    {
        common::assert_qpdf_check(&built().join(&name));
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    let second = tempfile::tempdir().unwrap();
    let out = udvalg(second.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        tree_hashes(built()),
        tree_hashes(&second.path().join("output"))
    );
}

#[test]
fn rebuilding_in_place_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        udvalg(dir.path(), &["build", "--meeting", "su-2022-09-06"])
            .status
            .success()
    );
    let out = udvalg(dir.path(), &["build", "--meeting", "su-2022-09-06"]);
    assert!(
        stdout(&out).contains("0 rendered (0 pages), 3 unchanged"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn action_plans_group_actions_by_goal_and_are_attached_where_presented() {
    let dir = built();
    let attached = dir.join("su-2023-06-13/bilag/handleplan-2023-24.pdf");
    let top = dir.join("handleplaner/handleplan-2023-24.pdf");
    let text = pdf_flow_words(&attached);
    // The same plan, with each action's status on the day the agenda went out.
    let top = pdf_flow_words(&top);
    assert!(top.contains("Status pr. 1. juni 2023"), "{top}");
    assert!(text.contains("Status pr. 7. juni 2023"), "{text}");
    assert_eq!(
        text.replace("7. juni 2023", "1. juni 2023"),
        top,
        "the attached action plan reads as the action plan"
    );
    for expected in [
        "Handleplan 2023-24",
        "Udviklingsmål 1: Fra hjemløshed til eget hjem",
        "Delmål 1.1 (2024)",
        "Boligplan inden 30 dage",
        "Indsatsområde: Et sted at bo",
        "Bolig og Velfærdscenter Nord",
        "august 2023",
        "Igangsat",
        "Andel hjemløse borgere med boligplan inden 30 dage",
        "Udviklingsmål 5: Én plan, én indgang",
        "6 planlagt, 3 igangsat",
        "Eksempeldata.",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let later = pdf_flow_words(&dir.join("su-2024-11-26/bilag/handleplan-2024-26.pdf"));
    assert!(later.contains("Handleplan 2024-26"), "{later}");
    assert!(later.contains("Indsatser på tværs af delmålene"), "{later}");
    let agenda = pdf_words(&dir.join("su-2023-06-13/dagsorden-socialudvalget-2023-06-13.pdf"));
    assert!(agenda.contains("Bilag 1. Handleplan 2023-24"), "{agenda}");
}

#[test]
fn key_figures_have_charts_tables_sources_and_say_they_are_examples() {
    let dir = built();
    // Each year's figures are where a meeting presents them, published or (2027, 2028) planned.
    let presented = [
        (2023, "su-2023-04-25"),
        (2024, "su-2024-10-01"),
        (2025, "su-2025-04-22"),
        (2026, "su-2026-10-06"),
        (2027, "su-2027-04-20"),
        (2028, "su-2028-10-03"),
    ];
    for (year, meeting) in presented {
        let pdf = dir.join(format!("{meeting}/bilag/noegletal-{year}.pdf"));
        let text = pdf_words(&pdf);
        assert!(
            text.contains(&format!("Nøgletal på udsatteområdet {year}")),
            "{text}"
        );
        assert!(
            text.contains("Figur 1. Hjemløse borgere i VIVE’s hjemløsetælling"),
            "{text}"
        );
        assert!(
            text.contains("Kilde: VIVE, hjemløsetællingen (eksempeltal) Eksempeldata"),
            "{text}"
        );
        assert!(text.contains(". Ventetid til misbrugsbehandling"), "{text}");
        assert!(pages(&pdf) >= 2, "{year}");
    }
    let text = pdf_words(&dir.join("su-2024-10-01/bilag/noegletal-2024.pdf"));
    // The VIVE count of 2024 feeds that year's figures: the table under the chart has it.
    assert!(
        text.contains("personer 2017 2019 2022 2024 Hjemløse borgere 95 88 81 74"),
        "{text}"
    );
    assert!(
        text.contains("Årets tal omfatter VIVE’s hjemløsetælling"),
        "{text}"
    );
    // Danish decimals in the waiting times.
    assert!(text.contains("12,9"), "{text}");
    let odd = pdf_words(&dir.join("su-2025-04-22/bilag/noegletal-2025.pdf"));
    assert!(
        !odd.contains("Årets tal omfatter VIVE"),
        "no count in 2025: {odd}"
    );
}

#[test]
fn minutes_record_attendance_and_decisions() {
    let dir = built();
    let text = pdf_words(&dir.join("su-2022-11-08/referat-socialudvalget-2022-11-08.pdf"));
    assert!(text.contains("Beslutningsprotokol"), "{text}");
    assert!(text.contains("Afbud Birgitte Juhl (C)"), "{text}");
    assert!(
        text.contains(
            "Til stede Mette Lindberg (A), Jens Holm (V), Sara Nielsen (F), Ali Demir (A), Karen Vestergaard (C)"
        ),
        "{text}"
    );
    assert!(
        text.contains("Stedfortræder Karen Vestergaard (C) for Birgitte Juhl"),
        "{text}"
    );
    assert!(text.contains("Beslutning: Godkendt."), "{text}");
    let full = pdf_words(&dir.join("su-2022-11-29/referat-socialudvalget-2022-11-29.pdf"));
    let public =
        pdf_words(&dir.join("su-2022-11-29/referat-socialudvalget-2022-11-29-offentlig.pdf"));
    assert!(full.contains("Kontrakt om midlertidigt botilbud"), "{full}");
    assert!(
        !public.contains("Kontrakt om midlertidigt botilbud"),
        "{public}"
    );
    // The plan lets the closed item's decision be published, and nothing else of it.
    assert!(
        public.contains("2. Lukket punkt Punktet blev behandlet for lukkede døre. Beslutning: Orienteringen blev taget til efterretning."),
        "{public}"
    );
    assert!(!public.contains("inhabil"), "{public}");
    // The implementation years up to the plan's date have minutes; the meeting ahead has none.
    let held = pdf_words(&dir.join("su-2024-10-01/referat-socialudvalget-2024-10-01.pdf"));
    assert!(
        held.contains("Beslutning: Drøftet. Udvalget ønsker, at handleplan 2024-26"),
        "{held}"
    );
    assert!(
        !dir.join("su-2026-11-24/referat-socialudvalget-2026-11-24.pdf")
            .exists(),
        "no minutes before decisions are recorded"
    );
}

#[test]
fn seminar_and_theme_meeting_have_invitations_with_programmes() {
    let dir = built();
    let seminar =
        pdf_words(&dir.join("seminar-2022-05-20/invitation-seminar-om-udsattestrategien.pdf"));
    for expected in [
        "INVITATION Seminar om udsattestrategien 20.-21. maj 2022",
        "Fredag 20. maj 2022",
        "Lørdag 21. maj 2022",
        "08.30-10.00 Udsattestrategi – for hvem?",
        "Udsattestrategi – hvilke fokusområder?",
    ] {
        assert!(seminar.contains(expected), "{expected}: {seminar}");
    }
    let theme =
        pdf_words(&dir.join("temamoede-2022-09-19/invitation-temamoede-om-udsattestrategien.pdf"));
    assert!(
        theme.contains("Formandskaberne for alle kommunens udvalg"),
        "{theme}"
    );
    assert!(theme.contains("Halvdagsworkshop"), "{theme}");
    assert!(theme.contains("13.00-13.20"), "{theme}");
}

#[test]
fn agendas_of_planned_meetings_say_when_they_go_out_at_the_latest() {
    let text = pdf_words(&built().join("su-2027-04-20/dagsorden-socialudvalget-2027-04-20.pdf"));
    assert!(
        text.contains("Udsendes senest onsdag den 14. april 2027"),
        "{text}"
    );
    let sent = pdf_words(&built().join("su-2022-11-29/dagsorden-socialudvalget-2022-11-29.pdf"));
    assert!(
        sent.contains("Udsendt onsdag den 23. november 2022"),
        "{sent}"
    );
    // The plan's date is two days after the agenda of 24 November 2026 went out.
    let ahead = pdf_words(&built().join("su-2026-11-24/dagsorden-socialudvalget-2026-11-24.pdf"));
    assert!(
        ahead.contains("Udsendt onsdag den 18. november 2026"),
        "{ahead}"
    );
}

#[test]
fn the_process_plan_names_the_meeting_that_meets_each_milestone() {
    let text = pdf_words(&built().join("procesplan.pdf"));
    assert!(
        text.contains("Socialudvalget 26. november 2024, punkt 1"),
        "{text}"
    );
    assert!(
        text.contains("Socialudvalget 3. oktober 2028, punkt 2"),
        "{text}"
    );
}
