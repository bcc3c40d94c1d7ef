//! All or nothing, whatever moment a run is killed: a build or a `consult` is stopped at every
//! step of putting its files in place (and at moments while it renders), while every file
//! changes; once the next run has opened the folder, it holds the whole old set or the whole
//! new set, and nothing of the stopped run is left.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// Everything in `out` but the lock file, which outlives runs by design.
fn state(out: &Path) -> BTreeMap<String, String> {
    let mut files = tree_hashes(out);
    files.remove(".udvalg-lock");
    files
}

fn leftovers(out: &Path) -> Vec<String> {
    tree_hashes(out)
        .into_keys()
        .filter(|p| p.contains(".udvalg-staging-") || p.ends_with(".tmp") || p.contains("journal"))
        .collect()
}

fn run(dir: &Path, args: &[String], crash_after: Option<usize>) -> std::process::ExitStatus {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udvalg"));
    command
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(step) = crash_after {
        command.env("UDVALG_CRASH_AFTER", step.to_string());
    }
    command.status().unwrap()
}

/// Opens the folder as every run does: the lock, then what a killed run left is finished.
fn next_run(dir: &Path, plan: &str) {
    let status = udvalg(
        dir,
        &[
            "status",
            "--plan",
            plan,
            "--out",
            "out",
            "--today",
            "2024-01-15",
        ],
    );
    assert!(status.status.success(), "{}", stderr(&status));
}

/// Two versions of one plan in which every paper differs (the municipality's name is in every
/// header) and one paper is renamed, so that a build of `new` over `old` moves every file and
/// removes one.
struct Versions {
    dir: tempfile::TempDir,
    old: String,
    new: String,
}

fn versions(fixture: &str, date: Option<(&str, &str)>) -> Versions {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    copy_dir(&fixture_path(fixture), &old);
    if let Some((from, to)) = date {
        edit(old.join("plan.toml"), from, to);
    }
    let new = dir.path().join("new");
    copy_dir(&old, &new);
    edit(new.join("plan.toml"), "Prøve Kommune", "Prøvested Kommune");
    Versions {
        old: old.to_string_lossy().into_owned(),
        new: new.to_string_lossy().into_owned(),
        dir,
    }
}

fn fixture_path(name: &str) -> std::path::PathBuf {
    fixture(name)
}

/// The state after a clean `args` run of `old`, and after one of `new` over it.
fn old_and_new(v: &Versions, args: &dyn Fn(&str) -> Vec<String>) -> [BTreeMap<String, String>; 2] {
    let reference = v.dir.path().join("reference");
    std::fs::create_dir_all(&reference).unwrap();
    assert!(run(&reference, &args(&v.old), None).success());
    let old = state(&reference.join("out"));
    assert!(run(&reference, &args(&v.new), None).success());
    let new = state(&reference.join("out"));
    assert_ne!(old, new);
    [old, new]
}

fn assert_old_or_new(out: &Path, sets: &[BTreeMap<String, String>; 2], moment: &str) {
    let now = state(out);
    assert!(
        now == sets[0] || now == sets[1],
        "after a kill {moment}, the folder is neither the old set nor the new:\n\
         differs from old: {:?}\ndiffers from new: {:?}",
        differing(&now, &sets[0]),
        differing(&now, &sets[1]),
    );
    assert!(leftovers(out).is_empty(), "{:?}", leftovers(out));
}

fn differing(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Kills `args` of `new` over the old set at every step of its commit, and at moments while it
/// renders; the moments counted.
fn kill_everywhere(v: &Versions, args: &dyn Fn(&str) -> Vec<String>) -> usize {
    let sets = old_and_new(v, args);
    let work = v.dir.path().join("work");
    let reset = || {
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        assert!(run(&work, &args(&v.old), None).success());
    };
    let mut moments = 0;
    // The commit's steps: 0 before the journal, 1 once it is written, then each move and
    // removal, then the journal's removal. Past the last step the run ends by itself.
    for step in 0.. {
        reset();
        let status = run(&work, &args(&v.new), Some(step));
        next_run(&work, &v.new);
        assert_old_or_new(
            &work.join("out"),
            &sets,
            &format!("after commit step {step}"),
        );
        moments += 1;
        if status.success() {
            assert_eq!(state(&work.join("out")), sets[1]);
            break;
        }
        assert!(step < 500, "the commit never ends");
    }
    for delay_ms in [1, 5, 10, 20, 40, 60, 90, 130, 180, 250] {
        reset();
        let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
            .args(args(&v.new))
            .current_dir(&work)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        next_run(&work, &v.new);
        assert_old_or_new(&work.join("out"), &sets, &format!("at {delay_ms} ms"));
        moments += 1;
    }
    moments
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_set_or_the_new() {
    let v = versions(
        "valid/minimal",
        Some(("date = 2024-03-01", "date = 2024-01-15")),
    );
    edit(
        Path::new(&v.new).join("meetings.toml"),
        "Budgetopfølgning for første kvartal",
        "Budgetopfølgning for 1. kvartal",
    );
    let args = |plan: &str| -> Vec<String> {
        ["build", "--plan", plan, "--out", "out"]
            .map(String::from)
            .to_vec()
    };
    let moments = kill_everywhere(&v, &args);
    assert!(moments >= 20, "{moments} moments");
}

#[test]
fn a_consult_killed_at_any_moment_leaves_the_old_package_or_the_new() {
    let v = versions("valid/consultation", None);
    let args = |plan: &str| -> Vec<String> {
        ["consult", "hoering", "--plan", plan, "--out", "out"]
            .map(String::from)
            .to_vec()
    };
    let moments = kill_everywhere(&v, &args);
    assert!(moments >= 20, "{moments} moments");
}
