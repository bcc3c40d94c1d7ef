//! Incremental builds: a rebuild renders exactly the papers whose data or template files
//! changed, and nothing when nothing did.

mod common;

use common::*;

fn build(dir: &std::path::Path, plan: &str, templates: &str) -> String {
    let out = udvalg(dir, &["build", "--plan", plan, "--templates", templates]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_rebuild_renders_only_what_a_change_touches() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture_copy("valid/followup", dir.path());
    let templates = dir.path().join("templates");
    copy_dir(&repo().join("templates"), &templates);
    let templates = templates.to_string_lossy().into_owned();

    let first = build(dir.path(), &plan, &templates);
    assert!(first.contains("11 files in output: 11 rendered"), "{first}");
    let again = build(dir.path(), &plan, &templates);
    assert!(
        again.contains("0 rendered (0 pages), 11 unchanged"),
        "{again}"
    );

    // One template: only the papers that read it.
    let action_plan = format!("{templates}/action-plan.typ");
    let text = std::fs::read_to_string(&action_plan).unwrap();
    std::fs::write(&action_plan, format!("{text}\n// a comment\n")).unwrap();
    let after_template = build(dir.path(), &plan, &templates);
    assert!(
        after_template.contains(" 1 rendered"),
        "only the action plan reads action-plan.typ: {after_template}"
    );

    // A shared template: every paper.
    let house = format!("{templates}/lib/house.typ");
    let text = std::fs::read_to_string(&house).unwrap();
    std::fs::write(&house, format!("{text}\n// a comment\n")).unwrap();
    let after_house = build(dir.path(), &plan, &templates);
    assert!(after_house.contains("11 rendered"), "{after_house}");

    // One agenda item: the papers of that meeting that show it.
    let meetings = format!("{plan}/meetings.toml");
    let text = std::fs::read_to_string(&meetings).unwrap();
    std::fs::write(
        &meetings,
        text.replace("Udkastet sendes i høring.", "Udkastet sendes nu i høring."),
    )
    .unwrap();
    let after_item = build(dir.path(), &plan, &templates);
    assert!(
        after_item.contains(" 2 rendered"),
        "the agenda and the item's own PDF of 6 February: {after_item}"
    );

    // An item's PDF alone: cut again from its agenda's layout, byte for byte the same.
    let items: Vec<_> = tree_hashes(&dir.path().join("output"))
        .into_iter()
        .filter(|(path, _)| path.contains("/punkt-"))
        .collect();
    let (item, hash) = items.first().expect("the plan has an open item");
    std::fs::remove_file(dir.path().join("output").join(item)).unwrap();
    let after_removal = build(dir.path(), &plan, &templates);
    assert!(
        after_removal.contains(" 1 rendered"),
        "only the removed item: {after_removal}"
    );
    assert_eq!(&tree_hashes(&dir.path().join("output"))[item], hash);
}
