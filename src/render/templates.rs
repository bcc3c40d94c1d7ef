//! The template files a World serves: from a directory, or the ones built into the binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use typst::foundations::Bytes;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};

use crate::diagnostics::{Diagnostic, SourceFile, SourceRef};

static EMBEDDED_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Every template file, parsed once and shared by all documents of a run.
pub struct Templates {
    /// How diagnostics name the folder: `templates` or the directory given.
    display_root: String,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    /// For mapping Typst spans back to file and line.
    texts: HashMap<FileId, SourceRef>,
    /// Font files shipped under `fonts/`.
    pub fonts: Vec<Bytes>,
}

pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(format!("/{}", path.trim_start_matches('/'))).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Templates {
    pub fn embedded() -> Self {
        let mut files = Vec::new();
        collect_embedded(&EMBEDDED_TEMPLATES, &mut files);
        Self::from_files("templates", files)
    }

    pub fn from_dir(dir: &Path) -> Result<Self, Diagnostic> {
        let mut files = Vec::new();
        collect_dir(dir, dir, &mut files).map_err(|e| {
            Diagnostic::error(format!("cannot read templates from {}: {e}", dir.display()))
        })?;
        if files.is_empty() {
            return Err(Diagnostic::error(format!(
                "{} holds no templates",
                dir.display()
            )));
        }
        Ok(Self::from_files(&dir.display().to_string(), files))
    }

    fn from_files(display_root: &str, files: Vec<(String, Vec<u8>)>) -> Self {
        let mut templates = Templates {
            display_root: display_root.trim_end_matches('/').to_string(),
            sources: HashMap::new(),
            files: HashMap::new(),
            texts: HashMap::new(),
            fonts: Vec::new(),
        };
        for (path, bytes) in files {
            if path.ends_with(".ttf") || path.ends_with(".otf") {
                templates.fonts.push(Bytes::new(bytes));
                continue;
            }
            let Some(id) = file_id(&path) else { continue };
            if path.ends_with(".typ")
                && let Ok(text) = String::from_utf8(bytes.clone())
            {
                let name = format!("{}/{path}", templates.display_root);
                templates
                    .texts
                    .insert(id, SourceFile::new(name, text.clone()));
                templates.sources.insert(id, Source::new(id, text));
            }
            templates.files.insert(id, Bytes::new(bytes));
        }
        templates
    }

    pub fn source(&self, id: FileId) -> Option<Source> {
        self.sources.get(&id).cloned()
    }

    pub fn file(&self, id: FileId) -> Option<Bytes> {
        self.files.get(&id).cloned()
    }

    pub fn text(&self, id: FileId) -> Option<&SourceRef> {
        self.texts.get(&id)
    }

    pub fn has(&self, path: &str) -> bool {
        file_id(path).is_some_and(|id| self.sources.contains_key(&id))
    }

    pub fn display_root(&self) -> &str {
        &self.display_root
    }

    /// A hash over every template file, for archive manifests and stale checks.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut entries: Vec<(String, &Bytes)> = self
            .files
            .iter()
            .map(|(id, bytes)| (id.vpath().get_with_slash().to_string(), bytes))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = Sha256::new();
        for (path, bytes) in entries {
            hasher.update(path.as_bytes());
            hasher.update([0]);
            hasher.update(bytes.as_slice());
        }
        format!("{:x}", hasher.finalize())
    }
}

fn collect_embedded(dir: &Dir, out: &mut Vec<(String, Vec<u8>)>) {
    for file in dir.files() {
        out.push((
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        ));
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            collect_dir(root, &path, out)?;
        } else if meta.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(&path)?));
        }
    }
    Ok(())
}
