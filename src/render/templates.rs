//! The template files a World serves: from a directory, or the ones built into the binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use typst::foundations::Bytes;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};

use crate::diagnostics::{Diagnostic, SourceFile, SourceRef};
use crate::hash::{Hasher, hash_of, sha256, sha256_hex};

static EMBEDDED_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Every template file, parsed once and shared by all documents of a run.
pub struct Templates {
    /// How diagnostics name the folder: `templates` or the directory given.
    display_root: String,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    /// For mapping Typst spans back to file and line.
    texts: HashMap<FileId, SourceRef>,
    /// Font files shipped under `fonts/`, by path.
    fonts: Vec<(String, Bytes)>,
    /// sha256 of each file by its path, and of all fonts together under `fonts/`: what a
    /// build record compares to tell whether a paper's templates changed.
    hashes: std::collections::BTreeMap<String, String>,
}

/// The key under which the fonts' hash is recorded: every paper depends on them.
pub const FONTS_KEY: &str = "fonts/";

/// The folder of the website's page templates (`udvalg publish`).
pub const SITE_TEMPLATES: &str = "site/";

pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(format!("/{}", path.trim_start_matches('/'))).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Templates {
    /// Every file by path, as [`Self::from_files`] takes them: how a worker process gets the
    /// very templates of the run that started it.
    pub fn files(&self) -> Vec<(String, Bytes)> {
        let mut files: Vec<(String, Bytes)> = self
            .files
            .iter()
            .map(|(id, bytes)| (Self::path_of(*id), bytes.clone()))
            .chain(self.fonts.iter().cloned())
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

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

    pub fn from_files(display_root: &str, files: Vec<(String, Vec<u8>)>) -> Self {
        let mut templates = Templates {
            display_root: display_root.trim_end_matches('/').to_string(),
            sources: HashMap::new(),
            files: HashMap::new(),
            texts: HashMap::new(),
            fonts: Vec::new(),
            hashes: std::collections::BTreeMap::new(),
        };
        let mut fonts_hasher = Hasher::new();
        let mut files = files;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, bytes) in files {
            if path.ends_with(".ttf") || path.ends_with(".otf") {
                fonts_hasher.update(path.as_bytes());
                fonts_hasher.update(&sha256(&bytes));
                templates.fonts.push((path, Bytes::new(bytes)));
                continue;
            }
            templates.hashes.insert(path.clone(), sha256_hex(&bytes));
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
            .hashes
            .insert(FONTS_KEY.into(), fonts_hasher.finish());
        templates
    }

    /// Each template file's sha256 by path, and the fonts' under [`FONTS_KEY`].
    pub fn hashes(&self) -> &std::collections::BTreeMap<String, String> {
        &self.hashes
    }

    /// The path of a template file as the hashes name it.
    pub fn path_of(id: FileId) -> String {
        id.vpath().get_without_slash().to_string()
    }

    pub fn source(&self, id: FileId) -> Option<Source> {
        self.sources.get(&id).cloned()
    }

    pub fn file(&self, id: FileId) -> Option<Bytes> {
        self.files.get(&id).cloned()
    }

    /// A template file by its path in the templates folder (the website's page templates).
    pub fn file_named(&self, path: &str) -> Option<Bytes> {
        self.file(file_id(path)?)
    }

    pub fn text(&self, id: FileId) -> Option<&SourceRef> {
        self.texts.get(&id)
    }

    /// The template file that diagnostics name `name`.
    pub fn text_named(&self, name: &str) -> Option<&SourceRef> {
        self.texts.values().find(|text| text.name == name)
    }

    pub fn fonts(&self) -> impl Iterator<Item = &Bytes> {
        self.fonts.iter().map(|(_, bytes)| bytes)
    }

    pub fn has(&self, path: &str) -> bool {
        file_id(path).is_some_and(|id| self.sources.contains_key(&id))
    }

    pub fn display_root(&self) -> &str {
        &self.display_root
    }

    /// One hash over every template file the papers are made from and the fonts, for
    /// manifests: not the website's (`site/`), so that restyling the site changes no paper's
    /// record of what made it.
    pub fn hash(&self) -> String {
        let papers: std::collections::BTreeMap<String, String> = self
            .hashes
            .iter()
            .filter(|(path, _)| !path.starts_with(SITE_TEMPLATES))
            .map(|(path, hash)| (path.clone(), hash.clone()))
            .collect();
        hash_of(&papers)
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
