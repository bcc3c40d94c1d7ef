//! Print quality and plan-neutral templates (issue 25), read back from the papers of a second
//! plan that shares no words with the built-in one: Aarhus Kommune's Sundheds- og
//! Omsorgsudvalget and its Demensstrategi (tests/fixtures/valid/aarhus-demens).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

const PLAN: &str = "valid/aarhus-demens";

/// The fixture's papers: `build` and `consult hoering`, once for every test of this file.
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let plan = fixture(PLAN);
        let plan = plan.to_str().unwrap();
        let templates = repo().join("templates");
        let templates = templates.to_str().unwrap();
        for args in [&["build"][..], &["consult", "hoering"][..]] {
            let mut all = vec!["--plan", plan, "--templates", templates, "--out", "out"];
            all.extend_from_slice(args);
            let out = udvalg(&dir, &all);
            assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
        }
        dir.join("out")
    })
}

fn paper(path: &str) -> PathBuf {
    let file = built().join(path);
    assert!(file.exists(), "{path} is written");
    file
}

/// Every PDF the fixture's build and consultation write, except the file the plan attaches
/// as it is (its bytes are the plan's, not a template's).
fn papers() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = tree_hashes(built())
        .keys()
        .filter(|p| p.ends_with(".pdf") && !p.ends_with("bilag/oversigt-over-tilbud.pdf"))
        .map(|p| built().join(p))
        .collect();
    out.sort();
    out
}

#[test]
fn no_word_of_the_built_in_plan_is_in_another_plans_papers() {
    let papers = papers();
    assert!(papers.len() >= 20, "{} papers", papers.len());
    for pdf in papers {
        let text = pdf_words(&pdf).to_lowercase();
        for word in [
            "udsat",
            "ballerup",
            "socialudvalg",
            "udsatteråd",
            "hjemløs",
            "modsatte af",
            "kommunalbestyrelse",
            "vive",
        ] {
            assert!(
                !text.contains(word),
                "{} says `{word}`:\n{text}",
                pdf.display()
            );
        }
    }
}

#[test]
fn the_strategy_prints_its_own_headings_or_neutral_ones() {
    let text = pdf_words(&paper("demensstrategi-2025-2028.pdf"));
    for heading in [
        "3 Målgruppe Borgere med",
        "5 Udviklingsmål 5.1",
        "Inddragelse af interessenter",
    ] {
        assert!(text.contains(heading), "`{heading}` in:\n{text}");
    }
    // A mandate's reference that is no number stands as written.
    assert!(text.contains("Budgetforlig 2025, bilag 3"), "{text}");
    assert!(!text.contains("punkt bilag"), "{text}");
    // A quote inside the quoted mandate is set in ›...‹.
    assert!(text.contains("borgere med ›demens‹"), "{text}");
}

#[test]
fn a_council_agenda_names_its_body_and_a_meeting_its_own_title() {
    let council = pdf_words(&paper(
        "byraadet-2025-04-23/dagsorden-byraadet-2025-04-23.pdf",
    ));
    assert!(council.contains("Møde i Byrådet"), "{council}");
    for path in [
        "soa-2025-03-25/dagsorden-sundheds-og-omsorgsudvalget-2025-03-25.pdf",
        "soa-2025-03-25/referat-sundheds-og-omsorgsudvalget-2025-03-25.pdf",
    ] {
        let built = built().join(path);
        if !built.exists() {
            // The minutes are written once the meeting is held by the plan's date.
            continue;
        }
        let text = pdf_words(&built);
        assert!(
            text.contains("Udvalgsmøde · Ekstraordinært møde"),
            "{path}: {text}"
        );
    }
}

#[test]
fn drafts_copy_clean_the_watermark_is_no_text() {
    let draft = paper("consultations/hoering/demensstrategi-2025-2028-hoeringsudkast.pdf");
    // The draft says it is one, in words, once (the notice on its front page) ...
    let text = pdf_text(&draft);
    assert_eq!(text.matches("UDKAST").count(), 1, "{text}");
    // ... and no page gives letters of the mark, alone or run together.
    for line in text.lines() {
        let line = line.trim();
        assert!(
            !(line.len() <= 2 && line.chars().all(|c| "UDKAST".contains(c)) && !line.is_empty()),
            "a stray letter of the mark: `{line}` in:\n{text}"
        );
    }
    for page in 2..=pages(&draft) {
        let words = pdf_page_words(&draft, page, page);
        assert!(!words.contains("UDKAST"), "page {page}: {words}");
    }
}

#[test]
fn attachments_are_listed_by_title_as_links_with_type_and_size() {
    let agenda = paper("soa-2025-01-28/dagsorden-sundheds-og-omsorgsudvalget-2025-01-28.pdf");
    let text = pdf_words(&agenda);
    let size = std::fs::metadata(fixture(PLAN).join("bilag/oversigt-over-tilbud.pdf"))
        .unwrap()
        .len()
        .div_ceil(1024);
    assert!(
        text.contains(&format!(
            "2. Oversigt over tilbud til pårørende (PDF, {size} kB)"
        )),
        "{text}"
    );
    // The strategy draft is made by the same build: its size is that of the file written.
    let made = paper("soa-2025-01-28/bilag/demensstrategi-2025-2028-hoeringsudkast.pdf");
    let made = std::fs::metadata(made).unwrap().len().div_ceil(1024);
    let listed = format!("1. Demensstrategi 2025-2028 – Høringsudkast (PDF, {made} kB)");
    assert!(text.contains(&listed), "{text}");
    let item =
        paper("soa-2025-01-28/punkt-01-demensstrategi-2025-2028-godkendelse-til-hoering.pdf");
    assert!(pdf_words(&item).contains(&listed), "the item's PDF too");
    assert!(!text.contains("bilag/"), "no raw path: {text}");
    // The links are relative to the meeting's folder, and the item's PDF keeps them.
    for pdf in [
        agenda.clone(),
        paper("soa-2025-01-28/punkt-01-demensstrategi-2025-2028-godkendelse-til-hoering.pdf"),
    ] {
        let urls = pdf_links(&pdf);
        for url in [
            "bilag/oversigt-over-tilbud.pdf",
            "bilag/demensstrategi-2025-2028-hoeringsudkast.pdf",
        ] {
            assert!(
                urls.contains(&url.to_string()),
                "{}: {urls:?}",
                pdf.display()
            );
            assert!(
                agenda.parent().unwrap().join(url).exists(),
                "{url} is there"
            );
        }
    }
}

#[test]
fn pages_say_the_agendas_page_and_the_items_and_the_contents_give_pages() {
    let agenda = paper("soa-2025-01-28/dagsorden-sundheds-og-omsorgsudvalget-2025-01-28.pdf");
    assert_eq!(pages(&agenda), 3);
    // Two items: the front page with the contents, then each item on pages of its own.
    let first = pdf_page_words(&agenda, 1, 1);
    assert!(first.contains("Indhold"), "{first}");
    assert!(!first.contains("Sagsfremstilling"), "{first}");
    let second = pdf_page_words(&agenda, 2, 2);
    assert!(second.contains("Side 2 · Punkt 1, side 1 af 1"), "{second}");
    let third = pdf_page_words(&agenda, 3, 3);
    assert!(third.contains("Side 3 · Punkt 2, side 1 af 1"), "{third}");
    // The contents give each item's page.
    let flow = pdf_flow_words(&agenda);
    assert!(
        flow.contains("2. Budgetopfølgning for plejecentrene . ")
            && flow
                .split("2. Budgetopfølgning for plejecentrene")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .find(|w| *w != ".")
                .is_some_and(|w| w.trim_start_matches('\u{2060}') == "3"),
        "{flow}"
    );
    // An item's own PDF reads as the agenda's page and the item's.
    let item = paper("soa-2025-01-28/punkt-02-budgetopfoelgning-for-plejecentrene.pdf");
    let text = pdf_words(&item);
    assert!(text.contains("Side 3 · Punkt 2, side 1 af 1"), "{text}");
    assert!(!text.contains("Indhold"), "{text}");
    // An agenda of one item puts its contents and the item on the front page.
    let single = paper("soa-2025-03-25/dagsorden-sundheds-og-omsorgsudvalget-2025-03-25.pdf");
    let first = pdf_page_words(&single, 1, 1);
    assert!(first.contains("Indhold"), "{first}");
    assert!(first.contains("Sagsfremstilling"), "{first}");
    assert!(first.contains("Side 1 · Punkt 1, side 1 af"), "{first}");
}

#[test]
fn the_process_plan_spans_the_whole_process_and_lists_its_items_only() {
    let text = pdf_words(&paper("procesplan.pdf"));
    // The process runs into 2026: its last meetings are there.
    assert!(text.contains("Procesplan 2025-2026"), "{text}");
    assert!(text.contains("Handleplan for demensområdet"), "{text}");
    assert!(text.contains("Møde i Byrådet"), "{text}");
    // An item that is not part of the process is not.
    assert!(!text.contains("Budgetopfølgning"), "{text}");
}

#[test]
fn letters_greet_each_stakeholder_and_carry_the_case_number_and_letterhead() {
    let folder = "consultations/hoering";
    let own = pdf_words(&paper(&format!("{folder}/hoeringsbrev-aeldreraadet.pdf")));
    assert!(own.contains("Kære medlemmer af Ældrerådet"), "{own}");
    let default = pdf_words(&paper(&format!("{folder}/hoeringsbrev-klinik.pdf")));
    assert!(default.contains("Til Hukommelsesklinikken"), "{default}");
    assert!(!default.contains("Kære"), "{default}");
    for text in [&own, &default] {
        for expected in ["Sagsnr.: 25/00101", "Tlf. 89 40 20 00", "https://aarhus.dk"] {
            assert!(text.contains(expected), "`{expected}` in {text}");
        }
    }
    let summary = pdf_words(&paper(&format!("{folder}/hoeringsnotat.pdf")));
    assert!(summary.contains("Sagsnr. 25/00101"), "{summary}");
}

#[test]
fn charts_carry_alt_text_and_a_table_figure_has_no_legend() {
    let pdf = paper("noegletal/noegletal-2025.pdf");
    let text = pdf_words(&pdf);
    // The table figure's series are named once each: in its table, not in a legend.
    assert_eq!(text.matches("Gennemsnit").count(), 1, "{text}");
    let alts = alt_texts(&pdf);
    assert!(
        alts.iter()
            .any(|a| a.starts_with("Søjlediagram: Udredte borgere (personer). Udredte: 2023: 410")),
        "{alts:?}"
    );
    let strategy = paper("demensstrategi-2025-2028.pdf");
    let alts = alt_texts(&strategy);
    assert!(
        alts.iter()
            .any(|a| a.contains("Tidlig opsporing hænger sammen med: Støtte til pårørende.")),
        "{alts:?}"
    );
}

/// The `/Alt` texts of a PDF's structure tree (Typst writes them as UTF-16BE hex strings, in
/// objects it does not compress).
fn alt_texts(pdf: &Path) -> Vec<String> {
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.split("/Alt<")
        .skip(1)
        .filter_map(|rest| {
            let hex = rest.split('>').next()?;
            let units: Vec<u16> = (0..hex.len() / 4)
                .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
                .collect();
            let decoded = String::from_utf16_lossy(&units);
            Some(decoded.trim_start_matches('\u{feff}').to_string())
        })
        .collect()
}

#[test]
fn long_words_and_tags_stay_in_their_cells() {
    // "Alzheimerforeningens lokalafdeling" in a narrow column and the tag "Gennemført":
    // hyphenated and fitted, no word runs into the next cell.
    for path in [
        "handleplaner/handleplan-2025-26.pdf",
        "consultations/hoering/hoeringsnotat.pdf",
    ] {
        let words = word_boxes(&paper(path));
        for (i, a) in words.iter().enumerate() {
            for b in &words[i + 1..] {
                let height = (a.4 - a.2).min(b.4 - b.2);
                let same_line = a.0 == b.0 && a.4.min(b.4) - a.2.max(b.2) > 0.5 * height;
                let overlap = a.3.min(b.3) - a.1.max(b.1);
                assert!(
                    !(same_line && overlap > 0.5),
                    "{path}: `{}` and `{}` overlap",
                    a.5,
                    b.5
                );
            }
        }
    }
    // The tag sits inside its cell: its cell's and the next cell's insets lie between it and
    // the indicator beside it.
    let words = word_boxes(&paper("handleplaner/handleplan-2025-26.pdf"));
    let find = |text: &str| {
        words
            .iter()
            .rev()
            .find(|w| w.5 == text)
            .unwrap_or_else(|| panic!("`{text}` is one word on the page: {words:?}"))
    };
    let (tag, next) = (find("Gennemført"), find("Antal"));
    assert!(
        next.1 - tag.3 >= 12.0,
        "the tag reaches {} and the next cell begins at {}",
        tag.3,
        next.1
    );
}

/// Every word of a PDF with its page and box: (page, xMin, yMin, xMax, yMax, text).
fn word_boxes(pdf: &Path) -> Vec<(usize, f64, f64, f64, f64, String)> {
    let out = Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let mut page = 0;
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            rest.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0)
        };
        let text = rest
            .split('>')
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or("")
            .to_string();
        words.push((
            page,
            attr("xMin"),
            attr("yMin"),
            attr("xMax"),
            attr("yMax"),
            text,
        ));
    }
    words
}

#[test]
fn the_command_line_help_names_no_plan() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&udvalg(dir.path(), &["build", "--help"]));
    assert!(help.contains("--document"), "{help}");
    for word in ["Udsatte", "Ballerup", "2022"] {
        assert!(!help.contains(word), "`build --help` says {word}:\n{help}");
    }
}

/// Items whose case presentations end a little further down the page each time: somewhere
/// the heading "Indstilling" would be the last line of a page if headings did not keep with
/// what follows. No page ends with a heading, and no table row is split between pages.
#[test]
fn headings_keep_with_what_follows_and_table_rows_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    let meetings = std::fs::read_to_string(format!("{plan}/meetings.toml")).unwrap();
    let head = &meetings[..meetings.find("[[meeting.item]]").unwrap()];
    let mut items = String::new();
    for n in 30..60 {
        let lines = vec!["Forbruget følger budgettet på dette område."; n].join("\\n\\n");
        let rows: String = (0..12)
            .map(|r| {
                format!("[Post {r}], [Første linje af rækken\\\\ 2\\\\ 3\\\\ 4\\\\ 5\\\\ 6\\\\ 7\\\\ sidste linje], ")
            })
            .collect();
        items.push_str(&format!(
            "[[meeting.item]]\nid = \"punkt-{n}\"\ntitle = \"Punkt med {n} linjer\"\nkind = \"decision\"\n\
             presentation = \"{lines}\\n\\n#table(columns: 2, {rows})\"\n\
             recommendation = \"Administrationen indstiller, at udvalget godkender.\"\n\n"
        ));
    }
    std::fs::write(format!("{plan}/meetings.toml"), format!("{head}{items}")).unwrap();
    let out = udvalg(
        dir.path(),
        &[
            "--plan",
            &plan,
            "--out",
            "out",
            "build",
            "--document",
            "agenda",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let agenda = dir
        .path()
        .join("out/pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf");
    let text = pdf_text(&agenda);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 60, "{} pages", pages.len());
    for (number, page) in pages.iter().enumerate() {
        let body: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains("Side ") && !l.starts_with("Eksempeldata"))
            .collect();
        let last = body.last().copied().unwrap_or_default();
        for heading in ["Sagsfremstilling", "Indstilling", "Beslutning", "Bilag"] {
            assert_ne!(last, heading, "page {} ends with its heading", number + 1);
        }
        // A row's eight lines are on one page: never its first line without its last.
        let firsts = page.matches("Første linje af rækken").count();
        let lasts = page.matches("sidste linje").count();
        assert_eq!(firsts, lasts, "page {} splits a table row", number + 1);
    }
}

/// The connection matrix is on one page with its heading, in every edition of the strategy.
#[test]
fn the_connection_matrix_stays_on_one_page_with_its_heading() {
    let strategies: Vec<PathBuf> = papers()
        .into_iter()
        .filter(|p| pdf_words(p).contains("betyder, at indsatsområderne hænger sammen"))
        .collect();
    assert!(
        !strategies.is_empty(),
        "the fixture's strategy has a matrix"
    );
    for pdf in strategies {
        let on_one_page = (1..=pages(&pdf)).any(|page| {
            let words = pdf_page_words(&pdf, page, page);
            words.contains("Sammenhænge mellem indsatsområderne")
                && words.contains("betyder, at indsatsområderne hænger sammen")
        });
        assert!(on_one_page, "{} splits its matrix", pdf.display());
    }
}
