//! Bad input never panics: random and mutated plan files go through loading, validation, the
//! catalogue of views and the printing of diagnostics. Plus the oversized file, generated here
//! rather than kept in the repository.

mod common;

use std::path::Path;

use codespan_reporting::term::termcolor::NoColor;
use common::*;
use proptest::prelude::*;
use udvalg::documents::{Selection, catalogue};
use udvalg::plan::{PlanSource, load, validate};

const FILES: &[&str] = &[
    "plan.toml",
    "meetings.toml",
    "strategy.toml",
    "implementation.toml",
    "consultations/hoering-udsattestrategi.toml",
    "strategy/consultation-draft.toml",
    "strategy/final.toml",
    "action-plans/handleplan-2023-24.toml",
    "action-plans/handleplan-2026-28.toml",
    "key-figures/2024.toml",
    "key-figures/2028.toml",
];

/// Cases per property; fixed, so that a run is the same work every time.
const CASES: u32 = 1000;

fn original(file: &str) -> String {
    std::fs::read_to_string(repo().join("plans/udsattestrategi").join(file)).unwrap()
}

/// Writes the Ballerup plan (every file of it) to `dir` with `file` replaced by `text`, and runs
/// every stage a plan goes through before rendering.
fn exercise(dir: &Path, file: &str, text: &[u8]) {
    copy_dir(&repo().join("plans/udsattestrategi"), dir);
    std::fs::write(dir.join(file), text).unwrap();
    let source = PlanSource::Dir(dir.to_path_buf());
    let diagnostics = match load(&source) {
        Ok(plan) => {
            let diagnostics = validate(&plan);
            if !diagnostics.has_errors() {
                let _ = catalogue(&plan, &Selection::default());
            }
            diagnostics.into_sorted()
        }
        Err(diagnostics) => diagnostics.into_sorted(),
    };
    let mut out = NoColor::new(Vec::new());
    udvalg::diagnostics::emit(&mut out, &diagnostics).unwrap();
    let _ = udvalg::diagnostics::to_json(&diagnostics);
}

/// An edit of a plan file: cut a range, insert text, or repeat or drop a line.
#[derive(Debug, Clone)]
enum Edit {
    Cut(usize, usize),
    Insert(usize, String),
    RepeatLine(usize),
    DropLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let pieces = prop_oneof![
        Just("\"".to_string()),
        Just("[".to_string()),
        Just("]]".to_string()),
        Just("=".to_string()),
        Just("\n".to_string()),
        Just("#".to_string()),
        Just("*".to_string()),
        Just("\"\"\"".to_string()),
        Just("ø".to_string()),
        Just("2022-02-30".to_string()),
        Just("25.00".to_string()),
        Just("[[meeting]]\n".to_string()),
        Just("id = \"x\"\n".to_string()),
        "[ -~æøåÆØÅ\n]{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Cut(at, len)),
        (any::<usize>(), pieces).prop_map(|(at, text)| Edit::Insert(at, text)),
        any::<usize>().prop_map(Edit::RepeatLine),
        any::<usize>().prop_map(Edit::DropLine),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    for edit in edits {
        let boundary = |at: usize, text: &str| {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match edit {
            Edit::Cut(at, len) => {
                let start = boundary(*at, &text);
                let end = boundary(start + len, &text).max(start);
                text.replace_range(start..end, "");
            }
            Edit::Insert(at, piece) => {
                let at = boundary(*at, &text);
                text.insert_str(at, piece);
            }
            Edit::RepeatLine(n) | Edit::DropLine(n) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let i = n % lines.len();
                if matches!(edit, Edit::RepeatLine(_)) {
                    lines.insert(i, lines[i]);
                } else {
                    lines.remove(i);
                }
                text = lines.join("\n");
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_plan_files_never_panic(
        file in prop::sample::select(FILES),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let text = apply(&original(file), &edits);
        exercise(dir.path(), file, text.as_bytes());
    }

    #[test]
    fn random_bytes_never_panic(
        file in prop::sample::select(FILES),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let dir = tempfile::tempdir().unwrap();
        exercise(dir.path(), file, &bytes);
    }
}

/// A 50 MB meetings.toml is refused before it is read, with its size.
#[test]
fn a_50_mb_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    let line = "# ".to_string() + &"x".repeat(98) + "\n";
    let text = line.repeat(50 * 1024 * 1024 / line.len());
    std::fs::write(format!("{plan}/meetings.toml"), text).unwrap();
    let out = udvalg(dir.path(), &["check", "--plan", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert_snapshot_in(&fixture("generated/huge-file"), &stderr(&out));
}
