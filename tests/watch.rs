//! `udvalg watch`: rebuilds on save, shows bad input, keeps the last good papers.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

/// Generous: the test waits for events, it does not time them.
const PATIENCE: Duration = Duration::from_secs(60);

/// The minimal fixture copied into `dir`, speaking from before its agenda goes out, so that a
/// save remakes the agenda (one that has gone out gets a corrected edition instead:
/// tests/corrections.rs); `settings` go under [plan].
fn plan_before_send_out(dir: &std::path::Path, settings: &str) -> String {
    let plan = fixture_copy("valid/minimal", dir);
    edit(
        format!("{plan}/plan.toml"),
        "date = 2024-03-01",
        &format!("date = 2024-01-15\n{settings}"),
    );
    plan
}

/// A running `udvalg watch` and the lines it writes.
struct Watching {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Watching {
    fn start(cwd: &std::path::Path, plan: &str) -> Self {
        Self::start_with(cwd, plan, &[])
    }

    fn start_with(cwd: &std::path::Path, plan: &str, more: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
            .args(["watch", "--plan", plan])
            .args(more)
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel::<String>();
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
        Self { child, lines }
    }

    /// The lines up to and with the first that contains `what`.
    fn wait_for(&self, what: &str) -> Vec<String> {
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => {
                    seen.push(line);
                    return seen;
                }
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with `{what}`; saw: {seen:#?}"),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The plan folder moved away and back (as a branch switch or a sync tool does), a file
/// deleted and written again, and a paper that runs past its time limit: the watch says so
/// and goes on watching.
#[test]
fn watch_survives_a_replaced_folder_a_recreated_file_and_a_runaway_paper() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_before_send_out(dir.path(), "layout_seconds = 2");
    let meetings = format!("{plan}/meetings.toml");
    let good = std::fs::read_to_string(&meetings).unwrap();
    let watch = Watching::start(dir.path(), &plan);
    watch.wait_for("rebuilt 4 of 4 papers");

    let away = dir.path().join("away");
    std::fs::rename(&plan, &away).unwrap();
    watch.wait_for("is gone");
    watch.wait_for("the plan has errors");
    let edited = good.replace(
        "Forbruget følger budgettet.",
        "Forbruget følger nu budgettet.",
    );
    std::fs::write(away.join("meetings.toml"), &edited).unwrap();
    std::fs::rename(&away, &plan).unwrap();
    watch.wait_for("was replaced; watching it again");
    watch.wait_for("rebuilt 3 of 4 papers");

    std::fs::remove_file(&meetings).unwrap();
    watch.wait_for("the plan has errors");
    std::fs::write(&meetings, &good).unwrap();
    watch.wait_for("rebuilt 3 of 4 papers");

    let endless =
        "#for _ in range(100000) { for _ in range(100000) { for _ in range(100000) { } } }";
    std::fs::write(
        &meetings,
        good.replace(
            "Se *tabellen* nedenfor.",
            &format!("{endless} Se *tabellen*."),
        ),
    )
    .unwrap();
    // Standard output and standard error are read apart: their lines come in either order.
    let mut seen = watch.wait_for("a paper could not be made");
    if !seen.iter().any(|l| l.contains("meetings.toml:14:")) {
        seen.extend(watch.wait_for("meetings.toml:14:"));
    }
    assert!(
        seen.iter().any(|l| l.contains("took longer than 2 s")),
        "{seen:#?}"
    );
    std::fs::write(&meetings, &good).unwrap();
    watch.wait_for("rebuilt");
}

#[test]
fn watch_rebuilds_on_save_and_survives_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_before_send_out(dir.path(), "");
    let watch = Watching::start(dir.path(), &plan);
    let wait_for = |what: &str| watch.wait_for(what);

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
}

/// `watch --publish` writes the website after each rebuild, and again after a save.
#[test]
fn watch_publish_republishes_the_website_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_before_send_out(dir.path(), "");
    let watch = Watching::start_with(dir.path(), &plan, &["--publish"]);
    watch.wait_for("the website: ");
    let front = dir.path().join("output/site/index.html");
    let before = std::fs::read_to_string(&front).unwrap();
    assert!(before.contains("Prøveudvalget"), "{before}");
    edit(
        format!("{plan}/plan.toml"),
        "name = \"Prøveudvalget\"",
        "name = \"Forsøgsudvalget\"",
    );
    let seen = watch.wait_for("the website: ");
    assert!(seen.iter().any(|l| l.starts_with("rebuilt")), "{seen:#?}");
    let after = std::fs::read_to_string(&front).unwrap();
    assert!(after.contains("Forsøgsudvalget"), "{after}");
}
