//! The tamper corpus: an archive of two meetings (three versions, every log entry signed), and
//! each kind of change to it that `archive verify` must catch, named with its path and with
//! exit 1. The kinds a verifier without the public key cannot catch (a consistent rewrite of the
//! newest version and the log) are shown to pass without it and to fail with it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;
use udvalg::archive::keys;
use udvalg::archive::log::LogEntry;

const MEETING: &str = "pu-2024-03-12";
const OTHER: &str = "pu-2024-02-06";
const AGENDA: &str = "dagsorden-proeveudvalget-2024-03-12.pdf";

/// The archive every case starts from, made once: version 1 of both meetings (the first with
/// the consultation package sent after it), then, after the plan changed and was built again,
/// version 2 of the second; signed with `key`.
fn base() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // The bases of earlier runs whose process is gone.
        for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("archive-tamper-")
                && !Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("archive-tamper-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let plan = fixture_copy("valid/consultation", &dir);
        let ok = |args: &[&str]| {
            let out = udvalg(&dir, args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        };
        ok(&["archive", "key", "new", "key"]);
        ok(&["archive", "key", "new", "attacker"]);
        ok(&["build", "--plan", &plan]);
        ok(&["consult", "--plan", &plan, "hoering"]);
        ok(&[
            "archive",
            "--plan",
            &plan,
            "--key",
            "key",
            "--today",
            "2024-03-06",
        ]);
        let meetings = format!("{plan}/meetings.toml");
        let text = std::fs::read_to_string(&meetings).unwrap();
        std::fs::write(
            &meetings,
            text.replace("samlet i høringsnotatet", "samlet i notatet"),
        )
        .unwrap();
        ok(&["build", "--plan", &plan]);
        ok(&[
            "archive",
            "--plan",
            &plan,
            "--key",
            "key",
            "--today",
            "2024-03-07",
        ]);
        assert!(dir.join(format!("archive/{MEETING}/2")).is_dir());
        dir
    })
}

/// A fresh copy of the base archive (and the keys) to tamper with.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&base().join("archive"), &dir.path().join("archive"));
        for key in ["key", "key.pub", "attacker", "attacker.pub"] {
            std::fs::copy(base().join(key), dir.path().join(key)).unwrap();
        }
        Case { dir }
    }

    fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    fn version(&self, meeting: &str, version: u32) -> PathBuf {
        self.archive().join(meeting).join(version.to_string())
    }

    fn verify(&self, extra: &[&str]) -> Output {
        let mut args = vec!["archive", "verify"];
        args.extend_from_slice(extra);
        udvalg(self.dir.path(), &args)
    }

    /// `verify` (with the public key when `keyed`) exits 1 and names every `expected` problem.
    fn caught(&self, keyed: bool, expected: &[&str]) {
        let out = self.verify(if keyed {
            &["--public-key", "key.pub"]
        } else {
            &[]
        });
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "not caught:\n{}\n{err}",
            stdout(&out)
        );
        assert!(stdout(&out).contains("problems found"), "{}", stdout(&out));
        for what in expected {
            assert!(err.contains(what), "`{what}` is not among:\n{err}");
        }
    }

    fn passes(&self, extra: &[&str]) {
        let out = self.verify(extra);
        assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("all as archived"), "{}", stdout(&out));
    }

    fn manifest(&self, meeting: &str, version: u32) -> Value {
        let path = self.version(meeting, version).join("manifest.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn write_manifest(&self, meeting: &str, version: u32, manifest: &Value) -> String {
        let mut json = serde_json::to_vec_pretty(manifest).unwrap();
        json.push(b'\n');
        let path = self.version(meeting, version).join("manifest.json");
        std::fs::write(path, &json).unwrap();
        sha256_hex(&json)
    }

    fn edit_manifest(&self, meeting: &str, version: u32, edit: impl FnOnce(&mut Value)) -> String {
        let mut manifest = self.manifest(meeting, version);
        edit(&mut manifest);
        self.write_manifest(meeting, version, &manifest)
    }

    fn log_lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.archive().join("log.jsonl"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn write_log(&self, lines: &[String]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(self.archive().join("log.jsonl"), text).unwrap();
    }

    /// The newest version's agenda changed, its manifest rewritten to match, and the log's
    /// last entry rewritten to name the new manifest: signed as `sign` says.
    fn rewrite_newest(&self, sign: Resign) {
        let agenda = self.version(MEETING, 2).join(AGENDA);
        let mut bytes = std::fs::read(&agenda).unwrap();
        bytes[500] ^= 0x20;
        std::fs::write(&agenda, &bytes).unwrap();
        let sha = self.edit_manifest(MEETING, 2, |m| {
            for file in m["files"].as_array_mut().unwrap() {
                if file["path"] == AGENDA {
                    file["sha256"] = Value::String(sha256_hex(&bytes));
                }
            }
        });
        let mut lines = self.log_lines();
        let last = lines.last_mut().unwrap();
        let mut entry: LogEntry = serde_json::from_str(last).unwrap();
        entry.manifest = sha;
        match sign {
            Resign::KeepOldSignature => {}
            Resign::Unsigned => {
                entry.key = None;
                entry.signature = None;
            }
            Resign::WithOtherKey => {
                entry.sign(&keys::load_secret(&self.dir.path().join("attacker")).unwrap())
            }
        }
        *last = entry.line();
        self.write_log(&lines);
    }
}

enum Resign {
    KeepOldSignature,
    Unsigned,
    WithOtherKey,
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// A path in the archive as `verify` names it: relative, as `--archive` (here the default
/// `archive`) is.
fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    match text.find("/archive/") {
        Some(at) => text[at + 1..].to_string(),
        None => text,
    }
}

#[test]
fn the_untouched_archive_verifies_with_and_without_the_key() {
    let case = Case::new();
    case.passes(&[]);
    case.passes(&["--public-key", "key.pub"]);
    let out = case.verify(&[]);
    assert!(
        stdout(&out).contains(": 23 files checked"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("3 versions, 3 log entries, 3 signed"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_deleted_version_is_caught() {
    let case = Case::new();
    std::fs::remove_dir_all(case.version(MEETING, 1)).unwrap();
    case.caught(
        false,
        &[
            &format!(
                "{}: missing: the log holds it",
                shown(&case.version(MEETING, 1))
            ),
            &format!(
                "{}: missing: version 2 follows it",
                shown(&case.version(MEETING, 1))
            ),
        ],
    );
}

#[test]
fn the_newest_version_deleted_is_caught() {
    let case = Case::new();
    std::fs::remove_dir_all(case.version(MEETING, 2)).unwrap();
    case.caught(
        false,
        &[&format!(
            "{}: missing: the log holds it (line 3)",
            shown(&case.version(MEETING, 2))
        )],
    );
}

#[test]
fn a_deleted_meeting_is_caught() {
    let case = Case::new();
    std::fs::remove_dir_all(case.archive().join(OTHER)).unwrap();
    case.caught(
        false,
        &[&format!(
            "{}: missing: the log holds it (line 1)",
            shown(&case.version(OTHER, 1))
        )],
    );
}

#[test]
fn a_version_folder_renamed_is_caught() {
    let case = Case::new();
    std::fs::rename(case.version(OTHER, 1), case.version(OTHER, 7)).unwrap();
    case.caught(
        false,
        &[
            &format!(
                "{}: the manifest is of version 1, not 7: renamed?",
                shown(&case.version(OTHER, 7))
            ),
            &format!("{}: not in the log", shown(&case.version(OTHER, 7))),
            &format!(
                "{}: missing: the log holds it",
                shown(&case.version(OTHER, 1))
            ),
        ],
    );
}

#[test]
fn a_meeting_folder_renamed_is_caught() {
    let case = Case::new();
    std::fs::rename(
        case.archive().join(OTHER),
        case.archive().join("pu-2024-02-07"),
    )
    .unwrap();
    case.caught(
        false,
        &[
            "the manifest is of meeting pu-2024-02-06, not of pu-2024-02-07",
            &format!("{}: missing", shown(&case.version(OTHER, 1))),
        ],
    );
}

#[test]
fn another_meetings_version_copied_in_is_caught() {
    let case = Case::new();
    copy_dir(&case.version(OTHER, 1), &case.version(MEETING, 3));
    case.caught(
        false,
        &[
            &format!(
                "{}: the manifest is of meeting {OTHER}, not of {MEETING}",
                shown(&case.version(MEETING, 3))
            ),
            &format!("{}: not in the log", shown(&case.version(MEETING, 3))),
        ],
    );
}

#[test]
fn an_extra_version_chained_to_the_newest_is_caught() {
    // A whole version made to look right: its manifest names its meeting, its number and the
    // newest manifest before it. Only the log knows it was never archived.
    let case = Case::new();
    copy_dir(&case.version(MEETING, 2), &case.version(MEETING, 3));
    let previous =
        sha256_hex(&std::fs::read(case.version(MEETING, 2).join("manifest.json")).unwrap());
    case.edit_manifest(MEETING, 3, |m| {
        m["version"] = 3.into();
        m["previous"] = Value::String(previous);
    });
    case.caught(
        false,
        &[&format!(
            "{}: not in the log: added, copied in or renamed",
            shown(&case.version(MEETING, 3))
        )],
    );
}

#[test]
fn an_extra_version_appended_to_the_log_is_caught_with_the_key() {
    // The version above, and an unsigned log entry for it: consistent, so only a signature can
    // tell. Without the public key the archive cannot say who archived it.
    let case = Case::new();
    copy_dir(&case.version(MEETING, 2), &case.version(MEETING, 3));
    let previous =
        sha256_hex(&std::fs::read(case.version(MEETING, 2).join("manifest.json")).unwrap());
    let sha = case.edit_manifest(MEETING, 3, |m| {
        m["version"] = 3.into();
        m["previous"] = Value::String(previous);
    });
    let mut lines = case.log_lines();
    let mut entry: LogEntry = serde_json::from_str(lines.last().unwrap()).unwrap();
    entry.seq = 4;
    entry.version = 3;
    entry.manifest = sha;
    entry.previous = Some(sha256_hex(lines.last().unwrap().as_bytes()));
    entry.key = None;
    entry.signature = None;
    lines.push(entry.line());
    case.write_log(&lines);
    case.passes(&[]);
    case.caught(
        true,
        &["line 4: not signed with the given public key, though entries before it are"],
    );
}

#[test]
fn an_edited_archiving_day_is_caught() {
    let case = Case::new();
    case.edit_manifest(MEETING, 1, |m| m["archived"] = "2024-01-01".into());
    case.caught(
        false,
        &[&format!(
            "{}: not the manifest the log holds (line 2)",
            shown(&case.version(MEETING, 1).join("manifest.json"))
        )],
    );
}

#[test]
fn an_edited_plan_hash_is_caught() {
    let case = Case::new();
    case.edit_manifest(OTHER, 1, |m| m["plan_data"] = "0".repeat(64).into());
    case.caught(
        false,
        &[&format!(
            "{}: not the manifest the log holds (line 1)",
            shown(&case.version(OTHER, 1).join("manifest.json"))
        )],
    );
}

#[test]
fn an_edited_previous_version_hash_is_caught() {
    let case = Case::new();
    case.edit_manifest(MEETING, 2, |m| m["previous"] = "0".repeat(64).into());
    case.caught(
        false,
        &[
            "does not name the manifest of version 1 as its previous one",
            "not the manifest the log holds (line 3)",
        ],
    );
}

#[test]
fn a_file_deleted_with_its_manifest_entry_is_caught() {
    let case = Case::new();
    std::fs::remove_file(case.version(MEETING, 1).join(AGENDA)).unwrap();
    case.edit_manifest(MEETING, 1, |m| {
        m["files"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["path"] != AGENDA)
    });
    case.caught(false, &["not the manifest the log holds (line 2)"]);
}

#[test]
fn a_file_replaced_by_a_link_is_caught() {
    // The link points at the very same bytes, outside the archive: still not archived.
    let case = Case::new();
    let agenda = case.version(MEETING, 1).join(AGENDA);
    let outside = case.dir.path().join("outside.pdf");
    std::fs::copy(&agenda, &outside).unwrap();
    std::fs::remove_file(&agenda).unwrap();
    std::os::unix::fs::symlink(&outside, &agenda).unwrap();
    case.caught(false, &[&format!("{}: a link", shown(&agenda))]);
}

#[test]
fn a_manifest_replaced_by_a_link_is_caught() {
    let case = Case::new();
    let manifest = case.version(MEETING, 1).join("manifest.json");
    let outside = case.dir.path().join("manifest.json");
    std::fs::copy(&manifest, &outside).unwrap();
    std::fs::remove_file(&manifest).unwrap();
    std::os::unix::fs::symlink(&outside, &manifest).unwrap();
    case.caught(false, &[&format!("{}: cannot be read", shown(&manifest))]);
}

#[test]
fn a_version_folder_replaced_by_a_link_is_caught() {
    let case = Case::new();
    let version = case.version(MEETING, 1);
    let outside = case.dir.path().join("elsewhere");
    std::fs::rename(&version, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &version).unwrap();
    case.caught(false, &[&format!("{}: a link", shown(&version))]);
}

#[test]
fn files_added_outside_version_folders_are_caught() {
    let case = Case::new();
    std::fs::write(case.archive().join("notes.txt"), b"x").unwrap();
    std::fs::write(case.archive().join(MEETING).join("extra.pdf"), b"x").unwrap();
    std::fs::create_dir(case.archive().join(".hidden")).unwrap();
    case.caught(
        false,
        &[
            &format!(
                "{}: not part of the archive",
                shown(&case.archive().join("notes.txt"))
            ),
            &format!(
                "{}: not a version folder",
                shown(&case.archive().join(MEETING).join("extra.pdf"))
            ),
            &format!(
                "{}: not part of the archive",
                shown(&case.archive().join(".hidden"))
            ),
        ],
    );
}

#[test]
fn a_file_added_inside_a_version_is_caught() {
    let case = Case::new();
    let extra = case.version(MEETING, 1).join("bilag/extra.pdf");
    std::fs::write(&extra, b"x").unwrap();
    case.caught(false, &[&format!("{}: not in its manifest", shown(&extra))]);
}

#[test]
fn a_file_listed_twice_is_caught() {
    let case = Case::new();
    case.edit_manifest(MEETING, 1, |m| {
        let files = m["files"].as_array_mut().unwrap();
        let first = files[0].clone();
        files.push(first);
    });
    case.caught(false, &["listed more than once in the manifest"]);
}

#[test]
fn a_manifest_path_with_dotdot_is_not_followed() {
    // The file it names exists outside the archive with the listed hash: following it would
    // pass.
    let case = Case::new();
    let version = case.version(MEETING, 1);
    std::fs::copy(version.join(AGENDA), case.dir.path().join("outside.pdf")).unwrap();
    case.edit_manifest(MEETING, 1, |m| {
        for file in m["files"].as_array_mut().unwrap() {
            if file["path"] == AGENDA {
                file["path"] = "../../../outside.pdf".into();
            }
        }
    });
    std::fs::remove_file(version.join(AGENDA)).unwrap();
    case.caught(
        false,
        &[&format!(
            "{}: the manifest names a path that leaves the version folder (`..`); it is not followed",
            shown(&version.join("../../../outside.pdf"))
        )],
    );
    // Of the base's 23 files, the one named so is not read.
    let out = case.verify(&[]);
    assert!(
        stdout(&out).contains(": 22 files checked"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_absolute_manifest_path_is_not_followed() {
    let case = Case::new();
    let version = case.version(MEETING, 1);
    let outside = case.dir.path().join("outside.pdf");
    std::fs::copy(version.join(AGENDA), &outside).unwrap();
    case.edit_manifest(MEETING, 1, |m| {
        for file in m["files"].as_array_mut().unwrap() {
            if file["path"] == AGENDA {
                file["path"] = Value::String(shown(&outside));
            }
        }
    });
    std::fs::remove_file(version.join(AGENDA)).unwrap();
    case.caught(
        false,
        &["the manifest names an absolute path; it is not followed"],
    );
    let out = case.verify(&[]);
    assert!(
        stdout(&out).contains(": 22 files checked"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_manifest_with_a_wrong_version_number_is_caught() {
    let case = Case::new();
    case.edit_manifest(MEETING, 2, |m| m["version"] = 5.into());
    case.caught(
        false,
        &[&format!(
            "{}: the manifest is of version 5, not 2",
            shown(&case.version(MEETING, 2))
        )],
    );
}

#[test]
fn a_bit_flip_is_caught() {
    let case = Case::new();
    let file = case
        .version(OTHER, 1)
        .join("consultations/hoering/hoeringspakke-hoering.zip");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[200] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    case.caught(false, &[&format!("{}: modified", shown(&file))]);
}

#[test]
fn a_bit_flip_in_a_manifest_is_caught() {
    let case = Case::new();
    let file = case.version(OTHER, 1).join("manifest.json");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.iter().position(|&b| b == b'1').unwrap();
    bytes[at] ^= 0x01; // '1' becomes '0'
    std::fs::write(&file, bytes).unwrap();
    case.caught(false, &[&shown(&file)]);
}

#[test]
fn a_truncated_file_is_caught() {
    let case = Case::new();
    let file = case.version(MEETING, 2).join(AGENDA);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    case.caught(false, &[&format!("{}: modified", shown(&file))]);
}

#[test]
fn a_modified_file_with_its_hash_rewritten_in_the_manifest_is_caught_by_the_log() {
    let case = Case::new();
    let file = case.version(MEETING, 1).join(AGENDA);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[300] ^= 0x04;
    std::fs::write(&file, &bytes).unwrap();
    case.edit_manifest(MEETING, 1, |m| {
        for f in m["files"].as_array_mut().unwrap() {
            if f["path"] == AGENDA {
                f["sha256"] = Value::String(sha256_hex(&bytes));
            }
        }
    });
    case.caught(
        false,
        &[&format!(
            "{}: not the manifest the log holds (line 2)",
            shown(&case.version(MEETING, 1).join("manifest.json"))
        )],
    );
}

#[test]
fn the_newest_version_and_the_log_rewritten_with_the_old_signature_are_caught() {
    let case = Case::new();
    case.rewrite_newest(Resign::KeepOldSignature);
    case.caught(false, &["line 3: the signature does not hold"]);
}

#[test]
fn the_newest_version_and_the_log_rewritten_unsigned_are_caught_with_the_key() {
    let case = Case::new();
    case.rewrite_newest(Resign::Unsigned);
    // Consistent: without the public key there is nothing to tell it by.
    case.passes(&[]);
    case.caught(
        true,
        &["line 3: not signed with the given public key, though entries before it are"],
    );
}

#[test]
fn the_newest_version_and_the_log_rewritten_and_signed_with_another_key_are_caught_with_the_key() {
    let case = Case::new();
    case.rewrite_newest(Resign::WithOtherKey);
    case.passes(&[]);
    case.caught(
        true,
        &["line 3: not signed with the given public key, though entries before it are"],
    );
}

#[test]
fn every_entry_rewritten_with_another_key_is_caught_with_the_key() {
    let case = Case::new();
    let attacker = keys::load_secret(&case.dir.path().join("attacker")).unwrap();
    let mut lines = case.log_lines();
    let mut previous = None;
    for line in &mut lines {
        let mut entry: LogEntry = serde_json::from_str(line).unwrap();
        entry.previous = previous;
        entry.sign(&attacker);
        *line = entry.line();
        previous = Some(sha256_hex(line.as_bytes()));
    }
    case.write_log(&lines);
    case.passes(&[]);
    case.caught(true, &["no entry is signed with the public key"]);
}

#[test]
fn an_edited_log_entry_is_caught() {
    let case = Case::new();
    let mut lines = case.log_lines();
    lines[0] = lines[0].replace("\"archived\":\"2024-03-06\"", "\"archived\":\"2024-03-01\"");
    case.write_log(&lines);
    case.caught(
        false,
        &[
            "line 1: the signature does not hold",
            "line 2: does not name the line before it",
        ],
    );
}

#[test]
fn a_log_line_removed_from_the_middle_is_caught() {
    let case = Case::new();
    let mut lines = case.log_lines();
    lines.remove(1);
    case.write_log(&lines);
    case.caught(
        false,
        &[
            "line 2: the entry says it is number 3",
            "line 2: does not name the line before it",
            &format!("{}: not in the log", shown(&case.version(MEETING, 1))),
        ],
    );
}

#[test]
fn reordered_log_lines_are_caught() {
    let case = Case::new();
    let mut lines = case.log_lines();
    lines.swap(0, 1);
    case.write_log(&lines);
    case.caught(false, &["line 1: the entry says it is number 2"]);
}

#[test]
fn a_cut_off_log_is_caught() {
    let case = Case::new();
    let mut lines = case.log_lines();
    lines.pop();
    case.write_log(&lines);
    case.caught(
        false,
        &[&format!(
            "{}: not in the log",
            shown(&case.version(MEETING, 2))
        )],
    );
}

#[test]
fn the_newest_version_removed_with_its_log_entry_is_caught_by_a_head_kept_elsewhere() {
    let case = Case::new();
    let head = sha256_hex(case.log_lines().last().unwrap().as_bytes());
    case.passes(&["--head", &head]);
    let mut lines = case.log_lines();
    lines.pop();
    case.write_log(&lines);
    std::fs::remove_dir_all(case.version(MEETING, 2)).unwrap();
    // Consistent, and signed to the end: only the head kept elsewhere tells.
    case.passes(&["--public-key", "key.pub"]);
    let out = case.verify(&["--head", &head]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("holds no entry whose sha256 is {head}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_deleted_log_is_caught() {
    let case = Case::new();
    std::fs::remove_file(case.archive().join("log.jsonl")).unwrap();
    case.caught(
        false,
        &[
            &format!(
                "{}: missing: the archive holds versions",
                shown(&case.archive().join("log.jsonl"))
            ),
            &format!("{}: not in the log", shown(&case.version(OTHER, 1))),
        ],
    );
}

#[test]
fn a_torn_last_log_line_is_caught() {
    let case = Case::new();
    let path = case.archive().join("log.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"seq\":4,\"meet");
    std::fs::write(&path, text).unwrap();
    case.caught(false, &["ends in the middle of an entry"]);
}

#[test]
fn leftover_staging_folders_and_a_pending_note_are_reported() {
    let case = Case::new();
    let staging = case.archive().join(".udvalg-staging-abc123");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join(AGENDA), b"x").unwrap();
    let old_layout = case.archive().join(MEETING).join(".udvalg-xyz.tmp");
    std::fs::write(&old_layout, b"x").unwrap();
    std::fs::write(case.archive().join(".udvalg-pending.json"), b"{}").unwrap();
    case.caught(
        false,
        &[
            &format!(
                "{}: left by an archive run that was stopped",
                shown(&staging)
            ),
            &format!(
                "{}: left by an archive run that was stopped",
                shown(&old_layout)
            ),
            "an archive run was stopped before it finished",
        ],
    );
    let list = udvalg(case.dir.path(), &["archive", "list"]);
    assert!(
        stdout(&list).contains(&format!(
            "{}: left by a stopped archive run",
            shown(&staging)
        )),
        "{}",
        stdout(&list)
    );
}

#[test]
fn the_newest_version_redated_before_the_one_before_it_is_caught() {
    // A consistent rewrite, unsigned, but the days of the log go back.
    let case = Case::new();
    let sha = case.edit_manifest(MEETING, 2, |m| m["archived"] = "2024-03-01".into());
    let mut lines = case.log_lines();
    let last = lines.last_mut().unwrap();
    let mut entry: LogEntry = serde_json::from_str(last).unwrap();
    entry.manifest = sha;
    entry.archived = "2024-03-01".into();
    entry.key = None;
    entry.signature = None;
    *last = entry.line();
    case.write_log(&lines);
    case.caught(
        false,
        &["line 3: archived on 2024-03-01, before the entry before it (2024-03-06)"],
    );
}
