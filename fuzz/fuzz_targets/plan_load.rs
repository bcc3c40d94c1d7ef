//! Arbitrary bytes as a plan folder: load, validate, and everything a plan goes through short of
//! rendering (the catalogue and every view, the event list and iCalendar, the status, each
//! consultation's package, the printed and JSON diagnostics). None of it may panic or hang.
//!
//! The input is the plan's files one after another, each after a header line naming it:
//!
//! ```text
//! >>> plan.toml
//! [plan]
//! ...
//! >>> key-figures/2024.toml
//! ...
//! ```
//!
//! Bytes before the first header are plan.toml. A name is a relative path of at most four
//! components of `[A-Za-z0-9._-]` (no `.` or `..`); a header with any other name drops its file.
//! So every file lands inside this process's temporary plan folder, and attached files
//! (`bilag/x.pdf`) can be written too. fuzz/seed.sh writes the fixtures in this form.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;
use udvalg::documents::{Selection, catalogue, consultation};
use udvalg::output::OutputDir;
use udvalg::plan::{PlanSource, load, validate};
use udvalg::render::Templates;

const HEADER: &[u8] = b">>> ";

/// One folder per process (libFuzzer's jobs are processes), emptied for every input; in
/// /dev/shm when there is one, as the target writes and reads a plan per input.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("udvalg-fuzz-")
                .tempdir_in(shm)
                .unwrap()
        } else {
            tempfile::tempdir().unwrap()
        }
    })
    .path()
}

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(Templates::embedded)
}

/// A header's name as a path inside the plan folder, or none.
fn file_name(name: &[u8]) -> Option<PathBuf> {
    let name = std::str::from_utf8(name).ok()?.trim_end_matches('\r');
    let parts: Vec<&str> = name.split('/').collect();
    let ok = !parts.is_empty()
        && parts.len() <= 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.len() <= 64
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    ok.then(|| parts.iter().collect())
}

/// The files of an input, by path.
fn files(data: &[u8]) -> Vec<(PathBuf, &[u8])> {
    let mut out = Vec::new();
    let mut name = Some(PathBuf::from("plan.toml"));
    let mut start = 0;
    let mut at = 0;
    loop {
        let line_end = data[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |i| at + i);
        let line = &data[at..line_end];
        if let Some(header) = line.strip_prefix(HEADER) {
            if let Some(name) = name.take() {
                out.push((name, &data[start..at]));
            }
            name = file_name(header);
            start = (line_end + 1).min(data.len());
        }
        if line_end >= data.len() {
            break;
        }
        at = line_end + 1;
    }
    if let Some(name) = name {
        out.push((name, &data[start..]));
    }
    out
}

fn write_plan(dir: &Path, data: &[u8]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files(data) {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            // A name that is a folder of another file's (`a.toml` and `a.toml/b`): skipped.
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&path, text);
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch().join("plan");
    write_plan(&dir, data);
    let source = PlanSource::Dir(dir);
    let diagnostics = match load(&source) {
        Ok(plan) => {
            let diagnostics = validate(&plan);
            if !diagnostics.has_errors() {
                let catalogue = catalogue(&plan, &Selection::default());
                for document in &catalogue.documents {
                    let _ = document.view().to_string();
                }
                for c in &plan.consultations {
                    for document in consultation::package(&plan, c) {
                        let _ = document.view().to_string();
                    }
                }
                let events = udvalg::export::events::plan_events(&plan);
                let day = plan.settings.plan.date.get_ref().0;
                let stamp = day.and_hms_opt(0, 0, 0).unwrap_or_default();
                let _ = udvalg::export::ics::write(&plan.settings.plan.title, &events, stamp);
                let out = OutputDir::new(scratch().join("out"));
                for today in [day, chrono::NaiveDate::MIN, chrono::NaiveDate::MAX] {
                    let status =
                        udvalg::status::status(&plan, &out, templates().hashes(), today, true);
                    let _ = serde_json::to_string_pretty(&status);
                }
            }
            diagnostics.into_sorted()
        }
        Err(diagnostics) => diagnostics.into_sorted(),
    };
    let mut out = NoColor::new(Vec::new());
    udvalg::diagnostics::emit(&mut out, &diagnostics).unwrap();
    let _ = udvalg::diagnostics::to_json(&diagnostics);
});
