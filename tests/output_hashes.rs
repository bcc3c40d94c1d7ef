//! Every file that `build`, `consult`, `calendar --ics` and `status --json` write, for the
//! built-in plan and every fixture plan that builds, hashes as `tests/fixtures/output-hashes.txt`
//! records. A change that is meant to change no paper (a refactoring) must keep this test green;
//! a change that is meant to change papers rewrites the file (`UPDATE_OUTPUT_HASHES=1 cargo test
//! --test output_hashes`), and the diff of that file shows which papers it changed.

mod common;

#[test]
fn every_output_byte_is_as_recorded() {
    let expected_file = common::repo().join("tests/fixtures/output-hashes.txt");
    let output = std::process::Command::new(common::repo().join("scripts/output-hashes.sh"))
        .arg(env!("CARGO_BIN_EXE_udvalg"))
        .output()
        .expect("bash runs scripts/output-hashes.sh");
    let actual = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "scripts/output-hashes.sh failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if std::env::var_os("UPDATE_OUTPUT_HASHES").is_some() {
        std::fs::write(&expected_file, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_file).unwrap();
    let differences: Vec<String> = diff_lines(&expected, &actual);
    assert!(
        differences.is_empty(),
        "{} output files differ from tests/fixtures/output-hashes.txt:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// Lines only in `expected` (`-`) or only in `actual` (`+`), by path.
fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let index = |text: &str| -> std::collections::BTreeMap<String, String> {
        text.lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(hash, path)| (path.to_string(), hash.to_string()))
            .collect()
    };
    let (expected, actual) = (index(expected), index(actual));
    let mut out = Vec::new();
    for (path, hash) in &expected {
        match actual.get(path) {
            None => out.push(format!("- {path} (missing)")),
            Some(h) if h != hash => out.push(format!("~ {path}")),
            _ => {}
        }
    }
    for path in actual.keys().filter(|p| !expected.contains_key(*p)) {
        out.push(format!("+ {path} (new)"));
    }
    out
}
