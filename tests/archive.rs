//! `udvalg archive`: append-only versions with manifests, `verify` and `list`. (Builds killed in
//! the middle: tests/fault_injection.rs.)

mod common;

use std::path::Path;

use common::*;

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = udvalg(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn archiving_is_append_only_and_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    run_ok(dir.path(), &["build", "--plan", &plan]);
    let first = run_ok(
        dir.path(),
        &[
            "archive",
            "--plan",
            &plan,
            "--meeting",
            "pu-2024-03-12",
            "--today",
            "2024-03-06",
        ],
    );
    assert!(
        first.contains("pu-2024-03-12: version 1 archived, 5 files"),
        "{first}"
    );
    let version1 = dir.path().join("archive/pu-2024-03-12/1");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(version1.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["archived"], "2024-03-06");
    assert_eq!(manifest["plan_data"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["templates"].as_str().unwrap().len(), 64);
    let agenda = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "agenda")
        .unwrap();
    assert_eq!(agenda["path"], "dagsorden-proeveudvalget-2024-03-12.pdf");
    let built = tree_hashes(&dir.path().join("output/pu-2024-03-12"));
    assert_eq!(
        agenda["sha256"].as_str().unwrap(),
        built["dagsorden-proeveudvalget-2024-03-12.pdf"]
    );
    let v1_before = tree_hashes(&version1);

    let again = run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert!(
        again.contains("unchanged since version 1; nothing added"),
        "{again}"
    );
    assert!(!dir.path().join("archive/pu-2024-03-12/2").exists());

    // A changed item gives a new build, and the archive a second version beside the first.
    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    std::fs::write(
        &meetings,
        text.replace("samlet i høringsnotatet", "samlet i notatet"),
    )
    .unwrap();
    let stale = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert!(
        stale.status.success(),
        "the files on disk are still as built"
    );
    assert!(stdout(&stale).contains("unchanged"), "{}", stdout(&stale));
    run_ok(dir.path(), &["build", "--plan", &plan]);
    let second = run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert!(second.contains("version 2 archived"), "{second}");
    assert_eq!(
        tree_hashes(&version1),
        v1_before,
        "version 1 is never touched"
    );

    let list = run_ok(dir.path(), &["archive", "list"]);
    assert!(
        list.contains("pu-2024-03-12  version 1  archived 2024-03-06  5 files"),
        "{list}"
    );
    assert!(list.contains("pu-2024-03-12  version 2"), "{list}");
    // The agenda went out before the change: version 2 holds it as it went out, and the
    // corrected edition beside it.
    let v2 = dir.path().join("archive/pu-2024-03-12/2");
    assert_eq!(
        std::fs::read(v2.join("dagsorden-proeveudvalget-2024-03-12.pdf")).unwrap(),
        std::fs::read(version1.join("dagsorden-proeveudvalget-2024-03-12.pdf")).unwrap(),
    );
    assert!(
        v2.join("dagsorden-proeveudvalget-2024-03-12-rettet.pdf")
            .is_file()
    );
    let clean = run_ok(dir.path(), &["archive", "verify"]);
    assert!(
        clean.contains("12 files checked, all as archived"),
        "{clean}"
    );

    // Tamper: one file altered, one removed, one added.
    let mut bytes = std::fs::read(v2.join("dagsorden-proeveudvalget-2024-03-12.pdf")).unwrap();
    bytes[100] ^= 1;
    std::fs::write(v2.join("dagsorden-proeveudvalget-2024-03-12.pdf"), bytes).unwrap();
    std::fs::remove_file(version1.join("bilag/proevestrategi-endelig-strategi.pdf")).unwrap();
    std::fs::write(version1.join("extra.pdf"), b"x").unwrap();
    let bad = udvalg(dir.path(), &["archive", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = stderr(&bad);
    assert!(
        err.contains("archive/pu-2024-03-12/2/dagsorden-proeveudvalget-2024-03-12.pdf: modified"),
        "{err}"
    );
    assert!(
        err.contains("archive/pu-2024-03-12/1/bilag/proevestrategi-endelig-strategi.pdf: missing"),
        "{err}"
    );
    assert!(
        err.contains("archive/pu-2024-03-12/1/extra.pdf: not in its manifest"),
        "{err}"
    );
}

#[test]
fn a_paper_changed_by_hand_is_not_archived() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    run_ok(dir.path(), &["build", "--plan", &plan]);
    let agenda = dir
        .path()
        .join("output/pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf");
    std::fs::write(&agenda, b"not the paper").unwrap();
    let out = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("changed on disk since the build"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("archive/pu-2024-03-12").exists());
}
