//! `archive export --bagit DIR`: the bag is one the Library of Congress validator (the Python
//! package `bagit`, which .ci/run installs) accepts, and catches a change to. The validator is
//! required: without it the test fails, saying how to install it.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = udvalg(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// `python3 -m bagit --validate DIR`: whether the bag is valid, and what it said.
fn validate(bag: &Path) -> (bool, String) {
    let out = Command::new("python3")
        .args(["-m", "bagit", "--validate"])
        .arg(bag)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => panic!(
            "python3 cannot be run ({e}); the BagIt test needs python3 with the bagit package \
             (`pip install bagit`, as .ci/run does)"
        ),
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !said.contains("No module named bagit"),
        "the Library of Congress BagIt validator is not installed: `pip install bagit` (as \
         .ci/run does)\n{said}"
    );
    (out.status.success(), said)
}

#[test]
fn an_exported_bag_is_valid_and_describes_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    run_ok(dir.path(), &["build", "--plan", &plan]);
    run_ok(dir.path(), &["consult", "--plan", &plan, "hoering"]);
    run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--today", "2024-03-06"],
    );

    let said = run_ok(
        dir.path(),
        &[
            "archive",
            "export",
            "--bagit",
            "bag",
            "--today",
            "2024-04-02",
        ],
    );
    assert!(
        said.contains("bag: a BagIt bag of 2 versions, 19 files"),
        "{said}"
    );
    let bag = dir.path().join("bag");
    let (valid, said) = validate(&bag);
    assert!(valid, "{said}");
    assert!(said.contains("is valid"), "{said}");
    assert_eq!(
        std::fs::read_to_string(bag.join("bagit.txt")).unwrap(),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    );
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    for line in [
        "Source-Organization: Prøve Kommune\n",
        "Bagging-Date: 2024-04-02\n",
        "Committee: Prøveudvalget\n",
        "Meeting: pu-2024-02-06 (meeting 2024-02-06, agenda sent 2024-01-31)\n",
        "Meeting-Dates: 2024-02-06 to 2024-03-12\n",
        "Archived-Dates: 2024-03-06 to 2024-03-06\n",
        "Payload-Oxum: ",
    ] {
        assert!(info.contains(line), "{line:?} is not in\n{info}");
    }
    // The payload is the archive as it is: each version and the log, byte for byte.
    let archived = tree_hashes(&dir.path().join("archive"));
    let payload = tree_hashes(&bag.join("data"));
    let mut expected = archived.clone();
    expected.remove(".udvalg-lock");
    assert_eq!(payload, expected);
    let manifest = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert!(
        manifest.contains(&format!(
            "{}  data/pu-2024-02-06/1/consultations/hoering/hoeringspakke-hoering.zip\n",
            archived["pu-2024-02-06/1/consultations/hoering/hoeringspakke-hoering.zip"]
        )),
        "{manifest}"
    );
    let tags = std::fs::read_to_string(bag.join("tagmanifest-sha256.txt")).unwrap();
    assert!(tags.contains("  bag-info.txt\n") && tags.contains("  manifest-sha256.txt\n"));
    // The payload is an archive that verifies on its own, and verifying it leaves it as it is.
    let payload_verified = run_ok(dir.path(), &["--archive", "bag/data", "archive", "verify"]);
    assert!(
        payload_verified.contains("all as archived"),
        "{payload_verified}"
    );
    assert!(
        validate(&bag).0,
        "verifying the payload added nothing to the bag"
    );

    // One meeting only; and a bag changed afterwards fails the validator.
    run_ok(
        dir.path(),
        &[
            "archive",
            "export",
            "--bagit",
            "one",
            "--meeting",
            "pu-2024-03-12",
        ],
    );
    let one = dir.path().join("one");
    assert!(validate(&one).0);
    assert!(one.join("data/pu-2024-03-12/1/manifest.json").is_file());
    assert!(!one.join("data/pu-2024-02-06").exists());
    assert!(one.join("data/log.jsonl").is_file());
    // Its payload holds the whole log, so the other meeting's versions are missing from it,
    // unless the check is of this meeting.
    let whole = udvalg(dir.path(), &["--archive", "one/data", "archive", "verify"]);
    assert_eq!(whole.status.code(), Some(1));
    assert!(
        stderr(&whole).contains("one/data/pu-2024-02-06/1: missing"),
        "{}",
        stderr(&whole)
    );
    run_ok(
        dir.path(),
        &[
            "--archive",
            "one/data",
            "archive",
            "verify",
            "--meeting",
            "pu-2024-03-12",
        ],
    );
    let agenda = one.join("data/pu-2024-03-12/1/dagsorden-proeveudvalget-2024-03-12.pdf");
    let mut bytes = std::fs::read(&agenda).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&agenda, bytes).unwrap();
    let (valid, said) = validate(&one);
    assert!(!valid, "{said}");

    // A bag is written to a new folder only, and nothing is left beside it.
    let exists = udvalg(dir.path(), &["archive", "export", "--bagit", "bag"]);
    assert_eq!(exists.status.code(), Some(2));
    assert!(
        stderr(&exists).contains("bag exists"),
        "{}",
        stderr(&exists)
    );
    let unknown = udvalg(
        dir.path(),
        &[
            "archive",
            "export",
            "--bagit",
            "none",
            "--meeting",
            "pu-2099-01-01",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(!dir.path().join("none").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".udvalg-bag-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn an_archive_that_does_not_verify_is_not_exported() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    run_ok(dir.path(), &["build", "--plan", &plan]);
    run_ok(dir.path(), &["archive", "--plan", &plan]);
    std::fs::write(dir.path().join("archive/stray.txt"), b"x").unwrap();
    let out = udvalg(dir.path(), &["archive", "export", "--bagit", "bag"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("archive/stray.txt: not part of the archive"),
        "{err}"
    );
    assert!(err.contains("nothing was exported"), "{err}");
    assert!(!dir.path().join("bag").exists());
}
