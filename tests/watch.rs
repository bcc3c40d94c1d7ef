//! `udvalg watch`: rebuilds on save, shows bad input, keeps the last good papers.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

/// Generous: the test waits for events, it does not time them.
const PATIENCE: Duration = Duration::from_secs(60);

#[test]
fn watch_rebuilds_on_save_and_survives_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/minimal", dir.path());
    // The plan speaks from before the agenda goes out, so a save remakes it (an agenda that
    // has gone out gets a corrected edition instead: tests/corrections.rs).
    let settings = format!("{plan}/plan.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        text.replace("date = 2024-03-01", "date = 2024-01-15"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args(["watch", "--plan", &plan])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = out_tx.send(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(format!("stderr: {line}"));
        }
    });
    let wait_for = |what: &str| {
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(what) => {
                    seen.push(line);
                    return seen;
                }
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with `{what}`; saw: {seen:#?}"),
            }
        }
    };

    wait_for("rebuilt 4 of 4 papers");
    let agenda = dir
        .path()
        .join("output/pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf");
    assert!(agenda.is_file());

    let meetings = format!("{plan}/meetings.toml");
    let good = std::fs::read_to_string(&meetings).unwrap();
    std::fs::write(
        &meetings,
        good.replace(
            "Forbruget følger budgettet.",
            "Forbruget følger nu budgettet.",
        ),
    )
    .unwrap();
    wait_for("rebuilt 3 of 4 papers");
    let last_good = std::fs::read(&agenda).unwrap();

    std::fs::write(
        &meetings,
        good.replace("date = 2024-02-06", "date = 2024-02-30"),
    )
    .unwrap();
    // Standard output and standard error are read apart: their lines come in either order.
    let mut seen = wait_for("the plan has errors");
    if !seen.iter().any(|l| l.contains("meetings.toml:4:8")) {
        seen.extend(wait_for("meetings.toml:4:8"));
    }
    assert!(
        !seen.iter().any(|l| l.starts_with("rebuilt")),
        "nothing is rebuilt from a broken plan: {seen:#?}"
    );
    assert_eq!(
        std::fs::read(&agenda).unwrap(),
        last_good,
        "the last good papers stay"
    );

    std::fs::write(&meetings, &good).unwrap();
    wait_for("rebuilt 3 of 4 papers");
    let _ = child.kill();
    let _ = child.wait();
}
