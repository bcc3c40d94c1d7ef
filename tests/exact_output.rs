//! The output folder is a function of the plan: what the plan no longer makes is removed (and
//! only what udvalg wrote), the record matches the disk, one run at a time, and the exit code
//! tells a system problem (2) from a plan problem (1).

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The minimal fixture, speaking from before its meeting's agenda goes out: every paper can
/// still change (a sent one would be kept and corrected instead).
fn unsent_plan(dir: &Path) -> String {
    let plan = fixture_copy("valid/minimal", dir);
    edit(
        format!("{plan}/plan.toml"),
        "date = 2024-03-01",
        "date = 2024-01-15",
    );
    plan
}

fn build(dir: &Path, plan: &str, extra: &[&str]) -> String {
    let mut args = vec!["build", "--plan", plan, "--out", "out"];
    args.extend_from_slice(extra);
    let out = udvalg(dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out) + &stderr(&out)
}

/// The files of `out` that are papers (not udvalg's own bookkeeping).
fn papers(out: &Path) -> BTreeMap<String, String> {
    tree_hashes(out)
        .into_iter()
        .filter(|(path, _)| !path.rsplit('/').next().unwrap().starts_with('.'))
        .collect()
}

/// Every file the record lists is on disk as recorded, and every paper on disk is recorded.
fn assert_record_matches_disk(out: &Path) {
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".udvalg-build.json")).unwrap()).unwrap();
    let recorded: BTreeMap<String, String> = record["documents"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, entry)| (path.clone(), entry["sha256"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(recorded, papers(out));
}

#[test]
fn what_the_plan_no_longer_makes_is_removed_and_only_that() {
    let dir = tempfile::tempdir().unwrap();
    let plan = unsent_plan(dir.path());
    let out = dir.path().join("out");
    build(dir.path(), &plan, &[]);
    let old_item = "pu-2024-02-06/punkt-01-budgetopfoelgning-for-foerste-kvartal.pdf";
    assert!(out.join(old_item).is_file());
    // A file of the user's own in the output folder is never udvalg's to remove.
    std::fs::write(out.join("pu-2024-02-06/noter.txt"), "mine").unwrap();

    let meetings = format!("{plan}/meetings.toml");
    edit(
        &meetings,
        "Budgetopfølgning for første kvartal",
        "Budgetopfølgning for 1. kvartal",
    );
    let report = build(dir.path(), &plan, &[]);
    assert!(
        report.contains("removed 1 files the plan no longer makes:\n  ")
            && report.contains(old_item),
        "{report}"
    );
    assert!(!out.join(old_item).exists());
    assert!(
        out.join("pu-2024-02-06/punkt-01-budgetopfoelgning-for-1-kvartal.pdf")
            .is_file()
    );
    assert_eq!(
        std::fs::read_to_string(out.join("pu-2024-02-06/noter.txt")).unwrap(),
        "mine"
    );
    std::fs::remove_file(out.join("pu-2024-02-06/noter.txt")).unwrap();
    assert_record_matches_disk(&out);

    let status = udvalg(
        dir.path(),
        &[
            "status",
            "--plan",
            &plan,
            "--out",
            "out",
            "--today",
            "2024-01-15",
        ],
    );
    assert!(
        stdout(&status).contains(&format!("removed by the last build: {old_item}")),
        "{}",
        stdout(&status)
    );

    // A meeting taken out of the plan takes its papers along, and its folder.
    let text = std::fs::read_to_string(&meetings).unwrap();
    let copy = text
        .replace("pu-2024-02-06", "pu-2024-02-20")
        .replace("2024-02-06", "2024-02-20");
    std::fs::write(&meetings, copy).unwrap();
    build(dir.path(), &plan, &[]);
    assert!(!out.join("pu-2024-02-06").exists());
    assert!(out.join("pu-2024-02-20").is_dir());
    assert_record_matches_disk(&out);
}

#[test]
fn a_paper_changed_by_hand_is_left_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let plan = unsent_plan(dir.path());
    let out = dir.path().join("out");
    build(dir.path(), &plan, &[]);
    let item = out.join("pu-2024-02-06/punkt-01-budgetopfoelgning-for-foerste-kvartal.pdf");
    std::fs::write(&item, b"edited by hand").unwrap();
    edit(
        format!("{plan}/meetings.toml"),
        "Budgetopfølgning for første kvartal",
        "Budget",
    );
    let report = build(dir.path(), &plan, &[]);
    assert!(
        report.contains("it was changed after udvalg wrote it"),
        "{report}"
    );
    assert_eq!(std::fs::read(&item).unwrap(), b"edited by hand");
}

#[test]
fn a_build_of_one_meeting_removes_only_within_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/consultation", dir.path());
    let out = dir.path().join("out");
    build(dir.path(), &plan, &[]);
    let before = papers(&out);
    let strategy = before
        .keys()
        .find(|p| !p.contains('/') && p.ends_with(".pdf"))
        .expect("a paper outside any meeting")
        .clone();
    build(dir.path(), &plan, &["--meeting", "pu-2024-03-12"]);
    assert!(
        out.join(&strategy).is_file(),
        "{strategy} is not the meeting's"
    );
    assert_eq!(papers(&out), before);
}

#[test]
fn a_second_run_waits_for_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let plan = unsent_plan(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".udvalg-lock"))
        .unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args(["build", "--plan", &plan, "--out", "out"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let waited = std::thread::spawn(move || {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).unwrap();
        text
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the build waits for the lock"
    );
    assert!(
        papers(&out).is_empty(),
        "nothing is written while another run holds the lock"
    );
    held.unlock().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let said = waited.join().unwrap();
    assert!(
        said.contains("waiting for another udvalg run on out to finish"),
        "{said}"
    );
    assert!(!papers(&out).is_empty());
}

#[test]
fn a_folder_that_cannot_be_written_is_a_system_error() {
    let dir = tempfile::tempdir().unwrap();
    let plan = unsent_plan(dir.path());
    std::fs::write(
        dir.path().join("blocker"),
        "a file where a folder should be",
    )
    .unwrap();
    let out = udvalg(
        dir.path(),
        &["build", "--plan", &plan, "--out", "blocker/out"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("blocker/out") && err.contains("Not a directory"),
        "{err}"
    );
    // A problem in the plan stays exit code 1.
    edit(
        format!("{plan}/meetings.toml"),
        "date = 2024-02-06",
        "date = 2024-02-30",
    );
    let bad = udvalg(dir.path(), &["build", "--plan", &plan, "--out", "out"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn render_workers_end_with_the_build_that_started_them() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("synthetic");
    common::synthetic(&plan, &["--committees", "6"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args([
            "build",
            "--jobs",
            "2",
            "--plan",
            plan.to_str().unwrap(),
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let workers = loop {
        let workers = children_of(child.id());
        if !workers.is_empty() {
            break workers;
        }
        assert!(
            Instant::now() < deadline,
            "the build started no render workers"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before any worker"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while workers.iter().any(|pid| alive(*pid)) {
        assert!(
            Instant::now() < deadline,
            "workers {workers:?} outlived their build"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The processes whose parent is `parent`, from /proc.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let after = stat.rsplit_once(')')?.1;
                    after.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(parent)
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let state = stat
                .rsplit_once(')')
                .map(|(_, s)| s.trim_start().chars().next());
            !matches!(state, Some(Some('Z' | 'X')))
        })
        .unwrap_or(false)
}
