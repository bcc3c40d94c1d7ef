//! `archive` stopped at every step of writing, and `archive` run beside a build: afterwards (once
//! the next `archive` has finished or cleared what a stopped run left) the archive verifies, no
//! staging folder or pending note is left, and it holds exactly what an unstopped run writes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "`{from}` is in {}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = udvalg(dir, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The archive's files, but the lock file, which outlives runs by design.
fn state(archive: &Path) -> BTreeMap<String, String> {
    let mut files = tree_hashes(archive);
    files.remove(".udvalg-lock");
    files
}

fn leftovers(archive: &Path) -> Vec<String> {
    tree_hashes(archive)
        .into_keys()
        .filter(|p| p.contains(".udvalg-") && p != ".udvalg-lock")
        .collect()
}

fn archive_args(plan: &str, day: &str) -> Vec<String> {
    ["archive", "--plan", plan, "--key", "../key", "--today", day]
        .map(String::from)
        .to_vec()
}

fn run_crashing(dir: &Path, args: &[String], step: usize) -> std::process::ExitStatus {
    Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args(args)
        .current_dir(dir)
        .env("UDVALG_ARCHIVE_CRASH_AFTER", step.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
}

/// `verify` right after a stop: clean, or every problem is one that the stopped run left and
/// the next run finishes or clears.
fn only_what_a_stopped_run_leaves(dir: &Path, moment: &str) {
    let out = udvalg(dir, &["archive", "verify", "--public-key", "../key.pub"]);
    if out.status.success() {
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{moment}: {}", stderr(&out));
    for line in stderr(&out).lines().filter(|l| l.starts_with("error:")) {
        assert!(
            line.contains("stopped"),
            "{moment}: a problem no stopped run explains: {line}"
        );
    }
}

/// A folder with the plan, its papers built and its consultation package written, as the base
/// of each run; `then` makes the state every stop starts from.
struct Setup {
    dir: tempfile::TempDir,
    plan: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    ok(dir.path(), &["archive", "key", "new", "key"]);
    let base = dir.path().join("base");
    std::fs::create_dir(&base).unwrap();
    ok(&base, &["build", "--plan", &plan]);
    ok(&base, &["consult", "--plan", &plan, "hoering"]);
    Setup { dir, plan }
}

/// Stops `args` at every step in a copy of `start`; after each stop the next `archive` finishes
/// it, and the archive is as `expected`. The moments counted.
fn stop_everywhere(
    setup: &Setup,
    start: &Path,
    args: &[String],
    expected: &BTreeMap<String, String>,
) -> usize {
    let mut moments = 0;
    for step in 0.. {
        let work = setup.dir.path().join(format!("work-{step}"));
        copy_dir(start, &work);
        let status = run_crashing(&work, args, step);
        let moment = format!("after step {step}");
        only_what_a_stopped_run_leaves(&work, &moment);
        let again = udvalg(&work, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(again.status.success(), "{moment}: {}", stderr(&again));
        let verified = udvalg(&work, &["archive", "verify", "--public-key", "../key.pub"]);
        assert!(verified.status.success(), "{moment}: {}", stderr(&verified));
        let archive = work.join("archive");
        assert!(
            leftovers(&archive).is_empty(),
            "{moment}: {:?}",
            leftovers(&archive)
        );
        assert_eq!(&state(&archive), expected, "{moment}");
        std::fs::remove_dir_all(&work).unwrap();
        moments += 1;
        if status.success() {
            break;
        }
        assert!(step < 500, "the archive run never ends");
    }
    moments
}

#[test]
fn an_archive_run_stopped_at_any_step_is_finished_by_the_next() {
    let setup = setup();
    let base = setup.dir.path().join("base");
    // The reference: what unstopped runs write, from an empty archive and then after a change.
    let reference = setup.dir.path().join("reference");
    copy_dir(&base, &reference);
    let first = archive_args(&setup.plan, "2024-03-06");
    ok(
        &reference,
        &first.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let after_first = state(&reference.join("archive"));
    let second_start = setup.dir.path().join("second-start");
    copy_dir(&reference, &second_start);
    edit(
        &PathBuf::from(&setup.plan).join("meetings.toml"),
        "samlet i høringsnotatet",
        "samlet i notatet",
    );
    ok(&second_start, &["build", "--plan", &setup.plan]);
    let reference2 = setup.dir.path().join("reference-2");
    copy_dir(&second_start, &reference2);
    let second = archive_args(&setup.plan, "2024-03-07");
    let added = ok(
        &reference2,
        &second.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        added.contains("pu-2024-03-12: version 2 archived"),
        "{added}"
    );
    let after_second = state(&reference2.join("archive"));

    // The first run, from an empty archive, with the plan it was built from.
    let first_plan = setup.dir.path().join("plan-1");
    copy_dir(&fixture("valid/consultation"), &first_plan);
    let first = archive_args(first_plan.to_str().unwrap(), "2024-03-06");
    let moments = stop_everywhere(&setup, &base, &first, &after_first)
        + stop_everywhere(&setup, &second_start, &second, &after_second);
    eprintln!("{moments} moments");
    assert!(moments >= 20, "{moments} moments");
}

#[test]
fn archiving_beside_a_build_always_gives_versions_that_verify() {
    // The templates change every round, the plan never: the archive is never refused for a
    // changed plan, and copies while the build rewrites every paper, unless the locks keep them
    // apart.
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    let house = dir.path().join("templates/lib/house.typ");
    let build = ["build", "--plan", &plan, "--templates", "templates"];
    ok(dir.path(), &build);
    let mut added = 0;
    for round in 0..20 {
        let (from, to) = if round % 2 == 0 {
            ("[Side #shown af #total]", "[side #shown af #total]")
        } else {
            ("[side #shown af #total]", "[Side #shown af #total]")
        };
        edit(&house, from, to);
        // The archive's copying is slowed down, by more in later rounds, so that the build's
        // commit falls in the middle of it if nothing keeps them apart.
        let spawn = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_udvalg"))
                .args(args)
                .current_dir(dir.path())
                .env("UDVALG_ARCHIVE_STEP_MS", (5 + 2 * round).to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        // The archive starts first in even rounds and second in odd ones.
        let (archive, build) = if round % 2 == 0 {
            let a = spawn(&["archive", "--plan", &plan]);
            (a, spawn(&build))
        } else {
            let b = spawn(&build);
            (spawn(&["archive", "--plan", &plan]), b)
        };
        let build = build.wait_with_output().unwrap();
        let archive = archive.wait_with_output().unwrap();
        assert!(build.status.success(), "round {round}: {}", stderr(&build));
        assert!(
            archive.status.success(),
            "round {round}: {}",
            stderr(&archive)
        );
        added += stdout(&archive).matches("archived, ").count();
        let verified = udvalg(dir.path(), &["archive", "verify"]);
        assert!(
            verified.status.success(),
            "round {round}: {}",
            stderr(&verified)
        );
        assert!(leftovers(&dir.path().join("archive")).is_empty());
    }
    eprintln!("{added} versions archived in 20 rounds beside a build");
    assert!(added >= 10, "{added} versions archived");
}
