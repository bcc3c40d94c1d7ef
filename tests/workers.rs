//! Rendering in worker processes (`udvalg render-worker`): the same PDFs as rendering in
//! threads, template errors still at their file and line, and threads when no worker starts.

mod common;

use std::path::PathBuf;

use serde_json::json;
use udvalg::documents::{Document, DocumentKind};
use udvalg::render::{Limits, RenderRun, Renderer, Templates};

/// More layouts than a run needs before it starts workers.
const DOCUMENTS: usize = 120;

const MINUTES: &str = "#set document(title: \"Referat\", date: datetime.today())\nReferat\n";

fn templates(minutes: &str) -> Templates {
    let process_plan = "#let view = json(\"/view.json\")\n\
        #set document(title: view.title, date: datetime.today())\n\
        #set page(width: 12cm, height: 8cm)\n\
        = #view.title\n\
        #view.text\n";
    Templates::from_files(
        "templates",
        vec![
            ("process-plan.typ".into(), process_plan.into()),
            ("minutes.typ".into(), minutes.into()),
        ],
    )
}

/// Papers of 40 meetings, three each; the last one's minutes use `minutes.typ`.
fn documents() -> Vec<Document> {
    (0..DOCUMENTS)
        .map(|n| {
            let kind = if n == DOCUMENTS - 1 {
                DocumentKind::Minutes
            } else {
                DocumentKind::ProcessPlan
            };
            let path = format!("m{}/papir-{n}.pdf", n / 3);
            let view = json!({ "title": format!("Papir {n}"), "text": "Tekst. ".repeat(n) });
            Document::new(
                kind,
                Some(format!("m{}", n / 3)),
                path,
                format!("Papir {n}"),
                view,
            )
        })
        .collect()
}

/// Renders on two threads, or in two workers started from `workers`.
fn render(templates: Templates, documents: &[Document], workers: Option<PathBuf>) -> RenderRun {
    render_within(templates, documents, workers, Limits::default())
}

fn render_within(
    templates: Templates,
    documents: &[Document],
    workers: Option<PathBuf>,
    limits: Limits,
) -> RenderRun {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let renderer = Renderer::new(templates, date)
        .with_workers(workers)
        .with_limits(limits);
    let documents: Vec<&Document> = documents.iter().collect();
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .stack_size(64 * 1024 * 1024)
        .build()
        .unwrap()
        .install(|| renderer.render_all_with(&documents, &|_, _| {}))
}

fn udvalg() -> Option<PathBuf> {
    Some(PathBuf::from(env!("CARGO_BIN_EXE_udvalg")))
}

#[test]
fn workers_make_the_same_pdfs_as_threads() {
    let documents = documents();
    let in_workers = render(templates(MINUTES), &documents, udvalg());
    let in_threads = render(templates(MINUTES), &documents, None);
    assert_eq!(in_workers.workers, 2);
    assert_eq!(in_threads.workers, 0);
    for ((doc, a), b) in documents
        .iter()
        .zip(in_workers.results)
        .zip(in_threads.results)
    {
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.pdf, b.pdf, "{} differs", doc.path);
        assert_eq!(a.pages, b.pages);
        assert_eq!(a.templates, b.templates);
        assert!(
            a.templates.contains_key("process-plan.typ") != (doc.kind == DocumentKind::Minutes)
        );
    }
}

#[test]
fn a_template_error_in_a_worker_points_at_its_line() {
    let broken = format!("{MINUTES}#let x = (1 +\n");
    let documents = documents();
    let run = render(templates(&broken), &documents, udvalg());
    assert_eq!(run.workers, 2);
    let (ok, failed): (Vec<_>, Vec<_>) = run.results.into_iter().partition(|r| r.is_ok());
    assert_eq!(ok.len(), DOCUMENTS - 1);
    let errors = failed.into_iter().next().unwrap().unwrap_err();
    let at = errors[0].location.as_ref().expect("the error has a place");
    assert_eq!(at.file.name, "templates/minutes.typ");
    assert_eq!(at.file.line_col(at.range.start).0, 3, "{:?}", errors[0]);
    assert!(
        errors[0]
            .help
            .iter()
            .any(|h| h.contains(&format!("papir-{}.pdf", DOCUMENTS - 1))),
        "{:?}",
        errors[0]
    );
}

#[test]
fn threads_render_when_no_worker_starts() {
    let documents = documents();
    // A program that is not udvalg's render worker: it ends without a word.
    let run = render(templates(MINUTES), &documents, Some("true".into()));
    assert_eq!(run.workers, 0);
    assert!(run.results.iter().all(Result::is_ok));
}

#[test]
fn workers_that_stop_fail_the_run_with_a_reason_and_do_not_hang() {
    // Says it is udvalg's render worker, then quits (after its setup has been sent) without
    // rendering anything.
    let hello = format!("udvalg render-worker {}", env!("CARGO_PKG_VERSION"));
    let mut message = vec![u8::try_from(hello.len()).unwrap()];
    message.extend(hello.as_bytes());
    let mut framed = (message.len() as u64).to_le_bytes().to_vec();
    framed.extend(message);
    let escaped: String = framed.iter().map(|b| format!("\\{b:03o}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let quitter = dir.path().join("quitter");
    std::fs::write(
        &quitter,
        format!("#!/bin/sh\nprintf '{escaped}'\nsleep 1\n"),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&quitter).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&quitter, permissions).unwrap();

    let documents = documents();
    let run = render(templates(MINUTES), &documents, Some(quitter));
    assert_eq!(run.workers, 2);
    let messages: Vec<String> = run
        .results
        .into_iter()
        .map(|r| r.unwrap_err()[0].message.clone())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("a render worker stopped"))
    );
    assert!(
        messages.iter().all(|m| m.contains("render worker")),
        "{messages:?}"
    );
}

/// The command line renders a municipality-sized run in worker processes, and writes what one
/// thread writes, byte for byte.
#[test]
fn a_large_build_renders_in_processes_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    common::synthetic(
        &dir.path().join("plan"),
        &["--committees", "10", "--items", "1"],
    );
    let build = |jobs: &str, to: &str| {
        let out = common::udvalg(
            dir.path(),
            &["--plan", "plan", "--out", to, "--jobs", jobs, "build"],
        );
        assert!(out.status.success(), "{}", common::stderr(&out));
        common::stdout(&out)
    };
    let two = build("2", "two");
    let one = build("1", "one");
    assert!(two.contains("in 2 processes"), "{two}");
    assert!(!one.contains("processes"), "{one}");
    let (two, one) = (
        common::tree_hashes(&dir.path().join("two")),
        common::tree_hashes(&dir.path().join("one")),
    );
    assert!(two.len() > 200, "{}", two.len());
    assert_eq!(two, one);
}

/// A layout that would run for hours is stopped at the time limit, in threads and in workers
/// alike; every other document is rendered, and the run returns.
#[test]
fn a_layout_past_its_time_limit_is_stopped_and_the_rest_render() {
    let endless = format!("{MINUTES}#for _ in range(100000) {{ for _ in range(100000) {{ }} }}\n");
    let limits = Limits {
        time: std::time::Duration::from_secs(2),
        ..Limits::default()
    };
    for workers in [udvalg(), None] {
        // Run beside the test, so that a run that never ends fails the test instead of
        // hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        let templates = templates(&endless);
        let in_workers = workers.clone();
        std::thread::spawn(move || {
            let _ = tx.send(render_within(templates, &documents(), in_workers, limits));
        });
        let run = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the run ends within two minutes");
        let (ok, failed): (Vec<_>, Vec<_>) = run.results.into_iter().partition(|r| r.is_ok());
        assert_eq!(ok.len(), DOCUMENTS - 1, "in workers: {}", workers.is_some());
        let errors = failed.into_iter().next().unwrap().unwrap_err();
        assert!(
            errors[0].message.contains("took longer than 2 s"),
            "{:?}",
            errors[0]
        );
    }
}

/// A layout that asks for more memory than the limit ends its worker, which is reported and
/// replaced; the rest render. (In threads, the binary's allocator stops it: the fixture
/// invalid/prose-needs-too-much-memory.)
#[test]
fn a_layout_past_its_memory_limit_is_stopped_and_the_rest_render() {
    let greedy = format!("{MINUTES}#range(2000000000).len()\n");
    let limits = Limits {
        memory_mb: 256,
        ..Limits::default()
    };
    let run = render_within(templates(&greedy), &documents(), udvalg(), limits);
    let (ok, failed): (Vec<_>, Vec<_>) = run.results.into_iter().partition(|r| r.is_ok());
    assert_eq!(ok.len(), DOCUMENTS - 1);
    let errors = failed.into_iter().next().unwrap().unwrap_err();
    assert!(
        errors[0].message.contains("needed more than 256 MB"),
        "{:?}",
        errors[0]
    );
}
