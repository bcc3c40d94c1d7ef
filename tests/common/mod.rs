//! Helpers shared by the integration tests: run the binary, read PDFs with poppler.

#![allow(
    dead_code,
    reason = "each test crate uses a different part of the helpers"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(path: &str) -> PathBuf {
    repo().join("tests/fixtures").join(path)
}

/// Runs `udvalg` in `cwd` with the given arguments; colour off, no terminal.
pub fn udvalg(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the udvalg binary runs")
}

/// Writes the benchmark's synthetic plan at `plan` (`udvalg-synthetic PLAN ARGS...`).
pub fn synthetic(plan: &Path, args: &[&str]) {
    let made = Command::new(env!("CARGO_BIN_EXE_udvalg-synthetic"))
        .arg(plan)
        .args(args)
        .output()
        .expect("the udvalg-synthetic binary runs");
    assert!(made.status.success(), "{}", stderr(&made));
}

/// Asserts that `qpdf --check` finds no damage in `pdf`.
pub fn assert_qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf is installed");
    assert!(
        out.status.success(),
        "qpdf --check {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// pdftotext's text of `pdf` with `options`.
fn pdftotext(pdf: &Path, options: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(options)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The words of `text`, with runs of white space folded and a word that is hyphenated at a
/// line's end (Typst writes a soft hyphen there) joined again.
fn words(text: &str) -> String {
    text.replace("\u{ad}\n", "")
        .replace('\u{ad}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a PDF, as `pdftotext -layout` reads it.
pub fn pdf_text(pdf: &Path) -> String {
    pdftotext(pdf, &["-layout"])
}

/// The text with runs of white space folded, for phrases that may wrap.
pub fn pdf_words(pdf: &Path) -> String {
    words(&pdf_text(pdf))
}

/// The words of pages `first..=last` (from 1), as [`pdf_words`] folds them.
pub fn pdf_page_words(pdf: &Path, first: usize, last: usize) -> String {
    let (first, last) = (first.to_string(), last.to_string());
    words(&pdftotext(pdf, &["-layout", "-f", &first, "-l", &last]))
}

/// The words of a PDF in the order they were laid out (no `-layout`): table cells stay whole
/// instead of interleaving with their neighbours.
pub fn pdf_flow_words(pdf: &Path) -> String {
    words(&pdftotext(pdf, &[]))
}

/// A value from `pdfinfo`, e.g. "Pages" or "Title".
pub fn pdf_info(pdf: &Path, key: &str) -> String {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{key}:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default()
}

pub fn pages(pdf: &Path) -> usize {
    pdf_info(pdf, "Pages")
        .parse()
        .expect("pdfinfo reports a page count")
}

/// Every file below `dir`, by relative path, with its sha256.
pub fn tree_hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&path).unwrap();
            out.insert(rel, format!("{:x}", Sha256::digest(bytes)));
        }
    }
}

/// Copies a folder and everything below it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Replaces the first `from` in `file` with `to`; `from` must be there.
pub fn edit(file: impl AsRef<Path>, from: &str, to: &str) {
    let file = file.as_ref();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "`{from}` is in {}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// A fixture plan copied to `dir/plan`, to be edited by a test; its path as a string.
pub fn fixture_copy(name: &str, dir: &Path) -> String {
    let plan = dir.join("plan");
    copy_dir(&fixture(name), &plan);
    plan.to_string_lossy().into_owned()
}

/// The plan folders of a corpus under tests/fixtures, in name order.
pub fn corpus(name: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixture(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `text` must equal the snapshot `expected.snap` kept in `dir`.
pub fn assert_snapshot_in(dir: &Path, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("expected", text));
}

/// The URLs of a PDF's link annotations, in the order `pdfinfo -url` lists them (page by page,
/// in layout order).
pub fn pdf_links(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdfinfo")
        .arg("-url")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

/// `pdf` lists each attachment by its title (numbered, then its type and size in brackets) as a
/// link to its file, in this order.
pub fn assert_lists_attachments(pdf: &Path, listed: &[(&str, &str)]) {
    let words = pdf_words(pdf);
    let links = pdf_links(pdf);
    let mut from = 0;
    for (title, file) in listed {
        assert!(
            words.contains(&format!("{title} (")),
            "{} lists `{title}`: {words}",
            pdf.display()
        );
        let at = links[from..].iter().position(|l| l == file);
        assert!(
            at.is_some(),
            "{} links `{title}` to {file} (after the ones before): {links:?}",
            pdf.display()
        );
        from += at.unwrap() + 1;
    }
}
