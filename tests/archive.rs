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
    // The files on disk are still as built, but not from this plan: the archive would record a
    // plan the papers were not made from, so it refuses and says which file changed.
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains(
            "pu-2024-03-12: the plan has changed since its papers were built (meetings.toml changed)"
        ),
        "{}",
        stderr(&stale)
    );
    assert!(!dir.path().join("archive/pu-2024-03-12/2").exists());
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

/// The archived version of `meeting` in `dir`: its manifest.
fn manifest(dir: &Path, meeting: &str, version: u32) -> serde_json::Value {
    let path = dir.join(format!("archive/{meeting}/{version}/manifest.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn kinds(manifest: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_file_that_went_out_is_archived_and_an_attachment_swapped_since_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    // A file kept with the plan, attached to the last item (of pu-2024-03-12).
    std::fs::create_dir_all(format!("{plan}/bilag")).unwrap();
    std::fs::write(format!("{plan}/bilag/notat.pdf"), b"%PDF-1.7 notat, first").unwrap();
    let meetings = format!("{plan}/meetings.toml");
    let mut text = std::fs::read_to_string(&meetings).unwrap();
    text.push_str("\n[[meeting.item.attachment]]\nfile = \"bilag/notat.pdf\"\ntitle = \"Notat\"\n");
    std::fs::write(&meetings, text).unwrap();
    run_ok(dir.path(), &["build", "--plan", &plan]);
    run_ok(dir.path(), &["consult", "--plan", &plan, "hoering"]);
    run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--today", "2024-03-06"],
    );

    // The attached file, as copied.
    let v1 = manifest(dir.path(), "pu-2024-03-12", 1);
    assert_eq!(kinds(&v1)["bilag/notat.pdf"], "file", "{v1:#}");
    assert_eq!(
        std::fs::read(dir.path().join("archive/pu-2024-03-12/1/bilag/notat.pdf")).unwrap(),
        b"%PDF-1.7 notat, first"
    );
    // The consultation package belongs to the meeting that approved sending it.
    let sent_from = manifest(dir.path(), "pu-2024-02-06", 1);
    let package = kinds(&sent_from);
    for (path, kind) in [
        (
            "consultations/hoering/hoeringsbrev-raadet.pdf",
            "consultation-letter",
        ),
        ("consultations/hoering/hoeringsliste.pdf", "consultee-list"),
        (
            "consultations/hoering/proevestrategi-hoeringsudkast.pdf",
            "strategy",
        ),
        (
            "consultations/hoering/manifest.json",
            "consultation-manifest",
        ),
        (
            "consultations/hoering/hoeringspakke-hoering.zip",
            "consultation-package",
        ),
    ] {
        assert_eq!(
            package.get(path).map(String::as_str),
            Some(kind),
            "{path}: {package:?}"
        );
    }
    assert!(!kinds(&v1).keys().any(|p| p.starts_with("consultations/")));
    // Who sent it, and when.
    assert_eq!(sent_from["municipality"], "Prøve Kommune");
    assert_eq!(sent_from["committee"], "Prøveudvalget");
    assert_eq!(sent_from["meeting_date"], "2024-02-06");
    assert_eq!(sent_from["previous"], serde_json::Value::Null);
    // The plan's files as they were at the build: `sha256sum` of each gives them.
    for (file, sha) in v1["plan_files"].as_object().unwrap() {
        let bytes = std::fs::read(format!("{plan}/{file}")).unwrap();
        assert_eq!(sha.as_str().unwrap(), sha256_hex(&bytes), "{file}");
    }
    assert_eq!(v1["plan_files"].as_object().unwrap().len(), 4);

    // The log's days never go back.
    let earlier = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--today", "2024-03-01"],
    );
    assert_eq!(earlier.status.code(), Some(1));
    assert!(
        stderr(&earlier).contains("the archiving day 2024-03-01 is before the newest entry"),
        "{}",
        stderr(&earlier)
    );

    // The attachment swapped in the plan folder: the build copied the old one, so the archive
    // refuses, naming the file.
    std::fs::write(format!("{plan}/bilag/notat.pdf"), b"%PDF-1.7 notat, second").unwrap();
    let refused = udvalg(dir.path(), &["archive", "--plan", &plan]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(
            "pu-2024-03-12: the plan has changed since its papers were built (bilag/notat.pdf changed)"
        ),
        "{}",
        stderr(&refused)
    );
    // Built again, the swapped attachment is a new version, chained to the first.
    run_ok(dir.path(), &["build", "--plan", &plan]);
    let added = run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--today", "2024-03-07"],
    );
    assert!(
        added.contains("pu-2024-02-06: unchanged since version 1"),
        "{added}"
    );
    assert!(
        added.contains("pu-2024-03-12: version 2 archived"),
        "{added}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("archive/pu-2024-03-12/2/bilag/notat.pdf")).unwrap(),
        b"%PDF-1.7 notat, second"
    );
    let v2 = manifest(dir.path(), "pu-2024-03-12", 2);
    let v1_bytes = std::fs::read(dir.path().join("archive/pu-2024-03-12/1/manifest.json")).unwrap();
    assert_eq!(v2["previous"].as_str().unwrap(), sha256_hex(&v1_bytes));
    run_ok(dir.path(), &["archive", "verify"]);
}

#[test]
fn the_plan_recorded_is_the_one_the_papers_were_built_from() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    run_ok(dir.path(), &["build", "--plan", &plan]);
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/.udvalg-build.json")).unwrap(),
    )
    .unwrap();
    let built =
        record["documents"]["pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf"]["plan_data"]
            .as_str()
            .unwrap()
            .to_string();
    assert_eq!(built.len(), 64);
    assert!(
        record["plans"][&built]["meetings.toml"].is_string(),
        "{record:#}"
    );

    // A plan file changed and another added after the build: refused, saying which.
    let strategy = format!("{plan}/strategy.toml");
    let text = std::fs::read_to_string(&strategy).unwrap();
    std::fs::write(&strategy, format!("{text}\n# en kommentar\n")).unwrap();
    let out = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("the plan has changed since its papers were built (strategy.toml changed)"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("archive/pu-2024-03-12").exists());

    // A comment changes no paper, but the build records that the papers are this plan's.
    run_ok(dir.path(), &["build", "--plan", &plan]);
    run_ok(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    let archived = manifest(dir.path(), "pu-2024-03-12", 1);
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/.udvalg-build.json")).unwrap(),
    )
    .unwrap();
    let now =
        record["documents"]["pu-2024-03-12/dagsorden-proeveudvalget-2024-03-12.pdf"]["plan_data"]
            .as_str()
            .unwrap();
    assert_ne!(now, built);
    assert_eq!(archived["plan_data"], now);
    assert_eq!(
        record["plans"].as_object().unwrap().len(),
        1,
        "only plans an entry names are kept"
    );
}

#[test]
fn a_signed_archive_lists_its_versions_as_signed_and_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    let made = run_ok(dir.path(), &["archive", "key", "new", "archive-key"]);
    let secret = std::fs::read_to_string(dir.path().join("archive-key")).unwrap();
    let secret_hex = secret.lines().nth(1).unwrap();
    assert!(!made.contains(secret_hex), "the secret is never printed");
    let public = std::fs::read_to_string(dir.path().join("archive-key.pub")).unwrap();
    assert!(made.contains(public.lines().nth(1).unwrap()), "{made}");
    // Never overwritten, and never kept in the archive.
    let again = udvalg(dir.path(), &["archive", "key", "new", "archive-key"]);
    assert_eq!(again.status.code(), Some(2));
    std::fs::create_dir(dir.path().join("archive")).unwrap();
    let inside = udvalg(dir.path(), &["archive", "key", "new", "archive/key"]);
    assert_eq!(inside.status.code(), Some(2));
    assert!(
        stderr(&inside).contains("inside the archive"),
        "{}",
        stderr(&inside)
    );
    assert!(!dir.path().join("archive/key").exists());

    run_ok(dir.path(), &["build", "--plan", &plan]);
    run_ok(
        dir.path(),
        &[
            "archive",
            "--plan",
            &plan,
            "--meeting",
            "pu-2024-02-06",
            "--key",
            "archive-key",
        ],
    );
    // A run without the key would add an unsigned entry to a signed log: refused.
    let unsigned = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--meeting", "pu-2024-03-12"],
    );
    assert_eq!(unsigned.status.code(), Some(1));
    assert!(
        stderr(&unsigned).contains("is signed with the key"),
        "{}",
        stderr(&unsigned)
    );
    assert!(!dir.path().join("archive/pu-2024-03-12").exists());
    run_ok(
        dir.path(),
        &[
            "archive",
            "--plan",
            &plan,
            "--meeting",
            "pu-2024-03-12",
            "--key",
            "archive-key",
        ],
    );
    let list = run_ok(dir.path(), &["archive", "list"]);
    assert!(
        list.contains("pu-2024-02-06  version 1  archived ") && list.contains("files  signed"),
        "{list}"
    );
    assert!(!list.contains("unsigned"), "{list}");
    let verified = run_ok(
        dir.path(),
        &["archive", "verify", "--public-key", "archive-key.pub"],
    );
    assert!(
        verified.contains("2 log entries, 2 signed with the key"),
        "{verified}"
    );
    // A key others may read is refused.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("archive-key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let open = udvalg(
        dir.path(),
        &["archive", "--plan", &plan, "--key", "archive-key"],
    );
    assert_eq!(open.status.code(), Some(2));
    assert!(stderr(&open).contains("chmod 600"), "{}", stderr(&open));
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}
