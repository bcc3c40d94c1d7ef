//! The website of `udvalg publish` in headless Chromium (tests/browser/check-site.mjs, with
//! Playwright and axe-core): one page of every kind passes axe-core's WCAG 2.1 A and AA rules,
//! the site works served from a sub-path, and a reader clicks from the front page to a
//! meeting, to an item, and to a PDF. Needs what `.ci/run` installs: Debian's `chromium` and
//! `npm install --prefix tests/browser` (playwright-core, axe-core).

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

#[test]
fn every_kind_of_page_passes_axe_and_a_reader_clicks_through_to_a_pdf() {
    let scripts = repo().join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        scripts.join("node_modules/playwright-core").is_dir()
            && scripts.join("node_modules/axe-core").is_dir()
            && Path::new(&chromium).is_file(),
        "the browser test needs Chromium at {chromium} and `npm install --prefix tests/browser` \
         (.ci/run installs both)"
    );
    let dir = tempfile::tempdir().unwrap();
    let run = udvalg(dir.path(), &["--out", "out", "publish"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let site = dir.path().join("out/site");
    let first_in = |folder: &str| -> String {
        let mut pages: Vec<String> = tree_hashes(&site.join(folder))
            .into_keys()
            .filter(|p| p.ends_with(".html"))
            .collect();
        pages.sort();
        format!("{folder}/{}", pages.first().expect("a page"))
    };
    let pages = [
        "index.html".to_string(),
        "moeder-2022.html".into(),
        "su-2022-11-29/index.html".into(),
        "su-2026-11-24/index.html".into(),
        "procesplan.html".into(),
        "noegletal.html".into(),
        first_in("strategi"),
        first_in("hoeringer"),
        "soeg.html".into(),
    ];
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    let out = Command::new("node")
        .arg(scripts.join("check-site.mjs"))
        .arg(&site)
        .arg(&shots)
        .args(&pages)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node is installed");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches(" violations\n").count(),
        pages.len(),
        "every page checked: {stdout}"
    );
    assert!(stdout.contains("clicked: front page"), "{stdout}");
    assert!(stdout.contains("searched: \"hjemløs\" → "), "{stdout}");
    assert!(shots.join("clicked-meeting.png").is_file());
}
