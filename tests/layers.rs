//! The layers of `src/` point down only (docs/architecture.md): a module may use the modules of
//! the layers below its own, never one of its own layer or above. This test reads every file of
//! `src/` and fails on a `crate::` path that goes up or sideways, so the rule holds as the code
//! grows.

use std::collections::BTreeMap;
use std::path::Path;

/// Lowest first. A module's layer is that of the first part of its path under `src/`.
const LAYERS: &[&[&str]] = &[
    &["text", "hash", "indexed", "diagnostics"],
    &["calendar"],
    &["plan"],
    &["documents"],
    &["export"],
    &["output"],
    &["render"],
    &["build", "archive", "package", "status"],
    &["publish"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules that the `crate::` paths of `source` name.
fn crate_paths(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            // Nested groups close early; their first names are still top-level ones.
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::` path in `src/` that breaks the layering, as `file: uses module`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            out.push(format!(
                "{}: module `{module}` has no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for used in crate_paths(&text) {
            match layer_of(&used) {
                _ if used == module => {}
                Some(layer) if layer < own => {}
                Some(_) => out.push(format!(
                    "{}: `{module}` uses `crate::{used}`, which is not below it",
                    relative.display()
                )),
                None => out.push(format!(
                    "{}: `crate::{used}` is not a module with a layer",
                    relative.display()
                )),
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let module = name.trim_end_matches(".rs").to_string();
        if module != "lib" && module != "main" {
            modules.insert(module.clone(), layer_of(&module));
        }
    }
    let missing: Vec<&String> = modules
        .iter()
        .filter(|(_, l)| l.is_none())
        .map(|(m, _)| m)
        .collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn an_upward_import_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plan")).unwrap();
    std::fs::write(
        dir.path().join("plan/values.rs"),
        "use crate::{text::slug, documents::Document};\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("calendar.rs"),
        "use crate::text::danish_date;\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("build.rs"), "use crate::status::x;\n").unwrap();
    let found = violations(dir.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("`build` uses `crate::status`"),
        "{found:?}"
    );
    assert!(
        found[1].contains("`plan` uses `crate::documents`"),
        "{found:?}"
    );
}
