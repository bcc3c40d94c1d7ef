//! Attachments by identity, and nothing read through a link: the binary on the attachment
//! fixtures (tests/fixtures/warnings/attachment-*, valid/attachment-shared, and plans made here
//! with links and large files, since links to system files and large files are made at run
//! time), and the library for what a build copies.

mod common;

use std::path::Path;

use common::*;

fn build(cwd: &Path, plan: &str, out: &str) -> std::process::Output {
    udvalg(cwd, &["--plan", plan, "--out", out, "build"])
}

fn build_ok(plan: &Path, out: &Path) {
    let run = udvalg(
        &repo(),
        &[
            "--plan",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "build",
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree_hashes(dir)
        .into_keys()
        .map(|path| {
            let bytes = std::fs::read(dir.join(&path)).unwrap();
            (path, bytes)
        })
        .collect()
}

/// `a/notat.pdf` and `b/notat.pdf`, and `Notat 1.pdf` and `notat-1.pdf`, are four files: each
/// is written under a name of its own, and each item lists its own title with its own file.
#[test]
fn different_files_with_one_name_are_all_written() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("warnings/attachment-same-name");
    let out = dir.path().join("out");
    let run = build(dir.path(), plan.to_str().unwrap(), "out");
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("this one is written as bilag/notat-2.pdf"),
        "the build shows the warning too: {}",
        stderr(&run)
    );
    let bilag = out.join("pu-2024-02-06/bilag");
    for (written, source) in [
        ("notat.pdf", "a/notat.pdf"),
        ("notat-2.pdf", "b/notat.pdf"),
        ("notat-1.pdf", "bilag/Notat 1.pdf"),
        ("notat-1-2.pdf", "bilag/notat-1.pdf"),
    ] {
        assert_eq!(
            std::fs::read(bilag.join(written)).unwrap(),
            std::fs::read(plan.join(source)).unwrap(),
            "bilag/{written} is {source}"
        );
    }
    assert_eq!(std::fs::read_dir(&bilag).unwrap().count(), 4);
    let agenda = pdf_words(&out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf"));
    let _ = agenda;
    assert_lists_attachments(
        &out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf"),
        &[
            ("1. Notat fra afdeling A", "bilag/notat.pdf"),
            ("1. Notat fra afdeling B", "bilag/notat-2.pdf"),
            ("1. Første notat", "bilag/notat-1.pdf"),
            ("2. Andet notat", "bilag/notat-1-2.pdf"),
        ],
    );
    let item_pdf = out.join("pu-2024-02-06/punkt-02-budget-for-afdeling-b.pdf");
    assert_lists_attachments(&item_pdf, &[("Notat fra afdeling B", "bilag/notat-2.pdf")]);
    let item = pdf_words(&item_pdf);
    assert!(!item.contains("afdeling A"), "{item}");
}

/// One file attached by two items, and a byte-identical copy of it under another path, is one
/// file in the meeting's folder; the process plan attached twice is made once.
#[test]
fn the_same_file_attached_twice_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("valid/attachment-shared");
    let out = dir.path().join("out");
    build_ok(&plan, &out);
    let bilag = out.join("pu-2024-02-06/bilag");
    let mut names: Vec<String> = std::fs::read_dir(&bilag)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["notat.pdf", "procesplan.pdf"]);
    assert_eq!(
        std::fs::read(bilag.join("notat.pdf")).unwrap(),
        std::fs::read(plan.join("bilag/notat.pdf")).unwrap()
    );
    let agenda = pdf_words(&out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf"));
    let made = std::fs::metadata(bilag.join("procesplan.pdf"))
        .unwrap()
        .len();
    let both = format!(
        "1. Fælles notat (PDF, 1 kB) 2. Procesplan – Prøveplan (PDF, {} kB)",
        made.div_ceil(1024)
    );
    for (listed, count) in [
        (both.as_str(), 2),
        ("1. Kopi af det fælles notat (PDF, 1 kB)", 1),
    ] {
        assert_eq!(agenda.matches(listed).count(), count, "{listed}: {agenda}");
    }
    assert_lists_attachments(
        &out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf"),
        &[
            ("1. Fælles notat", "bilag/notat.pdf"),
            ("2. Procesplan – Prøveplan", "bilag/procesplan.pdf"),
            ("1. Fælles notat", "bilag/notat.pdf"),
            ("2. Procesplan – Prøveplan", "bilag/procesplan.pdf"),
            ("1. Kopi af det fælles notat", "bilag/notat.pdf"),
        ],
    );
}

/// Not one public paper (the public agendas and minutes, the open items' own PDFs) shows an
/// attachment that may not be published: not its title, not its file, not its bytes; the
/// members' agenda lists each, an open item's marked '(ikke offentligt)'.
#[test]
fn no_public_paper_shows_an_attachment_that_may_not_be_published() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("warnings/attachment-not-public");
    let out = dir.path().join("out");
    build_ok(&plan, &out);
    let withheld = [
        "Intern vurdering",
        "intern-vurdering",
        "Bilag til tilsynet",
        "tilsyn-bilag",
        "Klagen fra borgeren",
        "ikke offentligt",
        "INTERN-VURDERING",
        "FORTROLIG-KLAGE",
    ];
    let mut public_papers = Vec::new();
    for meeting in ["pu-2024-02-06", "pu-2024-02-20"] {
        let folder = out.join(meeting);
        let date = &meeting[3..];
        for name in [
            format!("dagsorden-proeveudvalget-{date}-offentlig.pdf"),
            format!("referat-proeveudvalget-{date}-offentlig.pdf"),
        ] {
            public_papers.push(folder.join(name));
        }
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("punkt-")
            {
                public_papers.push(path);
            }
        }
    }
    assert_eq!(public_papers.len(), 6, "{public_papers:?}");
    for paper in &public_papers {
        let text = pdf_words(paper);
        let bytes = String::from_utf8_lossy(&std::fs::read(paper).unwrap()).into_owned();
        for word in withheld {
            assert!(
                !text.contains(word),
                "{} shows {word}: {text}",
                paper.display()
            );
            assert!(!bytes.contains(word), "{} holds {word}", paper.display());
        }
    }
    // What may be published is there.
    assert_lists_attachments(
        &out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06-offentlig.pdf"),
        &[("1. Budgetnotat", "bilag/budgetnotat.pdf")],
    );
    assert_lists_attachments(
        &out.join("pu-2024-02-20/punkt-01-tilsyn-med-botilbuddet.pdf"),
        &[("1. Tilsynsrapport", "bilag/tilsynsrapport.pdf")],
    );

    let members = out.join("pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf");
    assert_lists_attachments(
        &members,
        &[
            ("1. Budgetnotat", "bilag/budgetnotat.pdf"),
            (
                "2. Intern vurdering af tilbuddene",
                "bilag/intern-vurdering.pdf",
            ),
        ],
    );
    let words = pdf_words(&members);
    assert!(
        words.contains("2. Intern vurdering af tilbuddene (PDF, 1 kB) · ikke offentligt"),
        "{words}"
    );
    let members = out.join("pu-2024-02-20/dagsorden-proeveudvalget-2024-02-20.pdf");
    assert_lists_attachments(
        &members,
        &[
            ("2. Bilag til tilsynet", "bilag/tilsyn-bilag.pdf"),
            ("1. Klagen fra borgeren", "bilag/tilsyn-bilag.pdf"),
        ],
    );
    let words = pdf_words(&members);
    assert!(
        words.contains("2. Bilag til tilsynet (PDF, 1 kB) · ikke offentligt"),
        "{words}"
    );
    // The files themselves are written, for the members.
    assert_eq!(
        std::fs::read(out.join("pu-2024-02-06/bilag/intern-vurdering.pdf")).unwrap(),
        std::fs::read(plan.join("bilag/intern-vurdering.pdf")).unwrap()
    );
}

/// A plan with one attached file, under `dir/plan`, whose meetings.toml attaches `file`.
fn plan_attaching(dir: &Path, file: &str) -> String {
    let plan = fixture_copy("valid/minimal", dir);
    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    let attached = text.replacen(
        "\n[[meeting.item]]\nid = \"personsag\"",
        &format!(
            "\n[[meeting.item.attachment]]\nfile = \"{file}\"\ntitle = \"Notat\"\n\n[[meeting.item]]\nid = \"personsag\""
        ),
        1,
    );
    assert_ne!(text, attached, "the fixture has its closed item");
    std::fs::write(&meetings, attached).unwrap();
    plan
}

/// No file of the output holds `secret`.
fn assert_nothing_holds(out: &Path, secret: &[u8]) {
    for (path, bytes) in files(out) {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "{path} holds the file outside the plan"
        );
    }
}

/// `bilag` is a link to a folder outside the plan folder (a system folder, or any other): a
/// file reached through it is refused by `check` at the attachment, and `build` writes nothing.
#[cfg(unix)]
#[test]
fn a_link_in_an_attachments_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let secret = b"HEMMELIGT-UDENFOR-PLANEN".as_slice();
    std::fs::write(outside.join("notat.pdf"), secret).unwrap();
    for (link, target, file) in [
        ("bilag", outside.as_path(), "bilag/notat.pdf"),
        ("bilag", Path::new("/etc"), "bilag/hostname"),
        ("bilag", Path::new("/etc"), "bilag/passwd"),
    ] {
        let case = tempfile::tempdir_in(dir.path()).unwrap();
        let plan = plan_attaching(case.path(), file);
        std::os::unix::fs::symlink(target, Path::new(&plan).join(link)).unwrap();
        let check = udvalg(case.path(), &["check", "--plan", "plan"]);
        assert_eq!(check.status.code(), Some(1), "{file}: {}", stderr(&check));
        let err = stderr(&check);
        assert!(
            err.contains(&format!(
                "error: `bilag` is a symbolic link, and `{file}` is reached through it"
            )),
            "{err}"
        );
        assert!(err.contains("plan/meetings.toml:18:8"), "{err}");
        let run = build(case.path(), "plan", "out");
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        assert!(!case.path().join("out").exists(), "nothing is written");
    }
    // Through a link that stays inside the plan folder, too: a plan holds its files itself.
    let case = tempfile::tempdir_in(dir.path()).unwrap();
    let plan = plan_attaching(case.path(), "bilag/notat.pdf");
    std::fs::create_dir(Path::new(&plan).join("filer")).unwrap();
    std::fs::write(Path::new(&plan).join("filer/notat.pdf"), secret).unwrap();
    std::os::unix::fs::symlink("filer", Path::new(&plan).join("bilag")).unwrap();
    let check = udvalg(case.path(), &["check", "--plan", "plan"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let run = build(case.path(), "plan", "out");
    assert_eq!(run.status.code(), Some(1));
    assert!(!case.path().join("out").exists());
    // Without the link, the same plan builds and copies the file.
    std::fs::remove_file(Path::new(&plan).join("bilag")).unwrap();
    std::fs::rename(
        Path::new(&plan).join("filer"),
        Path::new(&plan).join("bilag"),
    )
    .unwrap();
    let run = build(case.path(), "plan", "out");
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        std::fs::read(case.path().join("out/pu-2024-02-06/bilag/notat.pdf")).unwrap(),
        secret
    );
}

/// meetings.toml (or a folder of plan files) as a link to a system file: refused before it is
/// read, so no diagnostic shows a line of what it points at, and nothing is written.
#[cfg(unix)]
#[test]
fn a_linked_plan_file_is_refused_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret.toml");
    std::fs::write(
        &secret_file,
        "[[meeting]]\nid = \"HEMMELIG-LINJE\"\nadgangskode = \"HEMMELIGT-KODEORD\"\n",
    )
    .unwrap();
    let mut targets = vec![secret_file.clone()];
    if Path::new("/etc/passwd").is_file() {
        targets.push("/etc/passwd".into());
    }
    for target in &targets {
        let content = std::fs::read_to_string(target).unwrap();
        for (link, what) in [
            ("meetings.toml", "plan/meetings.toml"),
            ("consultations", "plan/consultations"),
        ] {
            let case = tempfile::tempdir_in(dir.path()).unwrap();
            let plan = fixture_copy("valid/minimal", case.path());
            let at = Path::new(&plan).join(link);
            let _ = std::fs::remove_file(&at);
            match link {
                "consultations" => {
                    std::os::unix::fs::symlink(target.parent().unwrap(), &at).unwrap()
                }
                _ => std::os::unix::fs::symlink(target, &at).unwrap(),
            }
            for args in [
                vec!["check", "--plan", "plan"],
                vec!["--plan", "plan", "--out", "out", "build"],
                vec!["check", "--plan", "plan", "--format", "json"],
            ] {
                let run = udvalg(case.path(), &args);
                assert_eq!(
                    run.status.code(),
                    Some(1),
                    "{link} {args:?}: {}",
                    stderr(&run)
                );
                let shown = format!("{}{}", stdout(&run), stderr(&run));
                assert!(
                    shown.contains(&format!("{what} is a symbolic link")),
                    "{shown}"
                );
                for line in content.lines().map(str::trim).filter(|l| l.len() > 3) {
                    assert!(
                        !shown.contains(line),
                        "{link} {args:?} shows `{line}`:\n{shown}"
                    );
                }
                assert!(!case.path().join("out").exists(), "nothing is written");
            }
        }
    }
    // The snapshot of the diagnostic: no excerpt of the link's target.
    let case = tempfile::tempdir_in(dir.path()).unwrap();
    let plan = fixture_copy("valid/minimal", case.path());
    std::fs::remove_file(format!("{plan}/meetings.toml")).unwrap();
    std::os::unix::fs::symlink(&secret_file, format!("{plan}/meetings.toml")).unwrap();
    let run = udvalg(case.path(), &["check", "--plan", "plan"]);
    assert_snapshot_in(&fixture("generated/linked-plan-file"), &stderr(&run));
}

/// An attachment over the plan's `max_attachment_mb`, or over the default 100 MB, is an error
/// at the attachment, found from its size without reading it.
#[test]
fn an_attachment_over_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_attaching(dir.path(), "bilag/stor.pdf");
    std::fs::create_dir(format!("{plan}/bilag")).unwrap();
    let settings = format!("{plan}/plan.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let limited = text.replacen(
        "date = 2024-03-01",
        "date = 2024-03-01\nmax_attachment_mb = 1",
        1,
    );
    assert_ne!(text, limited);
    std::fs::write(&settings, limited).unwrap();
    std::fs::write(
        format!("{plan}/bilag/stor.pdf"),
        vec![b'x'; 1024 * 1024 + 1],
    )
    .unwrap();
    let run = udvalg(dir.path(), &["check", "--plan", "plan"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_snapshot_in(&fixture("generated/oversized-attachment"), &stderr(&run));
    let run = build(dir.path(), "plan", "out");
    assert_eq!(run.status.code(), Some(1));
    assert!(!dir.path().join("out").exists());

    // At the limit, it is attached.
    std::fs::write(format!("{plan}/bilag/stor.pdf"), vec![b'x'; 1024 * 1024]).unwrap();
    let run = build(dir.path(), "plan", "out");
    assert!(run.status.success(), "{}", stderr(&run));

    // The default: 100 MB. A sparse file takes no room on the disk.
    std::fs::write(&settings, &text).unwrap();
    let file = std::fs::File::create(format!("{plan}/bilag/stor.pdf")).unwrap();
    file.set_len(100 * 1024 * 1024 + 1).unwrap();
    let run = udvalg(dir.path(), &["check", "--plan", "plan"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "error: `bilag/stor.pdf` is 100.0 MB (104857601 bytes); an attached file may be \
             at most 100.0 MB (104857600 bytes)"
        ),
        "{}",
        stderr(&run)
    );
    file.set_len(100 * 1024 * 1024).unwrap();
    let run = udvalg(dir.path(), &["check", "--plan", "plan", "--data-only"]);
    assert!(run.status.success(), "{}", stderr(&run));
}

/// The build writes the bytes that were read (and checked) when the plan was loaded: a file
/// changed or swapped for a link afterwards is not opened again.
#[test]
fn the_file_that_was_checked_is_the_file_that_is_copied() {
    use udvalg::build::{BuildOptions, build};
    use udvalg::documents::Selection;
    use udvalg::output::OutputDir;
    use udvalg::plan::{PlanSource, load_valid};
    use udvalg::render::Templates;

    let dir = tempfile::tempdir().unwrap();
    let plan = plan_attaching(dir.path(), "bilag/notat.pdf");
    std::fs::create_dir(format!("{plan}/bilag")).unwrap();
    std::fs::write(format!("{plan}/bilag/notat.pdf"), b"checked").unwrap();
    let (loaded, _) = load_valid(&PlanSource::Dir(plan.clone().into())).unwrap();

    std::fs::remove_file(format!("{plan}/bilag/notat.pdf")).unwrap();
    let outside = dir.path().join("outside.pdf");
    std::fs::write(&outside, b"swapped").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, format!("{plan}/bilag/notat.pdf")).unwrap();
    #[cfg(not(unix))]
    std::fs::write(format!("{plan}/bilag/notat.pdf"), b"swapped").unwrap();

    let out = OutputDir::new(dir.path().join("out"));
    let templates = Templates::from_dir(&repo().join("templates")).unwrap();
    build(
        &loaded,
        templates,
        &Selection::default(),
        &out,
        BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("out/pu-2024-02-06/bilag/notat.pdf")).unwrap(),
        b"checked"
    );
    assert_nothing_holds(&dir.path().join("out"), b"swapped");
}

/// A document the build makes and an item attaches (here the process plan) is listed with the
/// size of the file written: in a full build, in a build of the agendas alone (which lays the
/// attachment out to learn its size but does not write it), and again once the attachment
/// changes, in an incremental build that then lays the agenda out anew.
#[test]
fn a_made_attachment_is_listed_with_the_size_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    copy_dir(&fixture("valid/attachment-shared"), &plan);
    // Before the agenda goes out: once it has, its attachments are kept as they went out.
    edit(
        plan.join("plan.toml"),
        "date = 2024-03-01",
        "date = 2024-01-15",
    );
    let agenda_path = "pu-2024-02-06/dagsorden-proeveudvalget-2024-02-06.pdf";
    let made_path = "pu-2024-02-06/bilag/procesplan.pdf";
    let listed = |out: &Path| {
        let size = std::fs::metadata(out.join(made_path)).unwrap().len();
        format!("Procesplan – Prøveplan (PDF, {} kB)", size.div_ceil(1024))
    };
    let out = dir.path().join("out");
    build_ok(&plan, &out);
    let agenda = pdf_words(&out.join(agenda_path));
    assert_eq!(agenda.matches(&listed(&out)).count(), 2, "{agenda}");
    let item = pdf_words(&out.join("pu-2024-02-06/punkt-01-budgetopfoelgning.pdf"));
    assert!(item.contains(&listed(&out)), "{item}");

    let agendas_only = dir.path().join("agendas-only");
    let run = udvalg(
        &repo(),
        &[
            "--plan",
            plan.to_str().unwrap(),
            "--out",
            agendas_only.to_str().unwrap(),
            "build",
            "--document",
            "agenda",
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!agendas_only.join(made_path).exists(), "not written");
    assert_eq!(
        std::fs::read(agendas_only.join(agenda_path)).unwrap(),
        std::fs::read(out.join(agenda_path)).unwrap(),
        "the same agenda as a full build's"
    );

    // More meetings of the process: a longer process plan, the first agenda's items unchanged.
    let before = std::fs::metadata(out.join(made_path)).unwrap().len();
    let mut meetings = std::fs::read_to_string(plan.join("meetings.toml")).unwrap();
    for day in [
        "2024-03-05",
        "2024-04-09",
        "2024-05-07",
        "2024-06-11",
        "2024-08-13",
        "2024-09-10",
        "2024-10-08",
    ] {
        meetings.push_str(&format!(
            "\n[[meeting]]\nid = \"pu-{day}\"\nkind = \"committee\"\ndate = {day}\n\
             start = \"15.30\"\nend = \"17.00\"\nplace = \"Rådhuset, lokale 2\"\n\n\
             [[meeting.item]]\nid = \"opfoelgning\"\n\
             title = \"Opfølgning på budgettet og regnskabet, møde {day}\"\n\
             kind = \"information\"\npresentation = \"Se notatet.\"\n\n\
             [[meeting.item.attachment]]\ndocument = \"process-plan\"\n"
        ));
    }
    std::fs::write(plan.join("meetings.toml"), meetings).unwrap();
    build_ok(&plan, &out);
    let after = std::fs::metadata(out.join(made_path)).unwrap().len();
    assert!(
        after.div_ceil(1024) != before.div_ceil(1024),
        "the process plan grew from {before} to {after} bytes"
    );
    let agenda = pdf_words(&out.join(agenda_path));
    assert_eq!(agenda.matches(&listed(&out)).count(), 2, "{agenda}");
}
