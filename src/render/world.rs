//! The Typst World of one layout: the run's shared library, fonts and templates, and the
//! document's view as `/view.json`; it notes which template files the layout read.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::Datelike;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use super::Shared;

pub(super) struct DocumentWorld<'a> {
    pub renderer: &'a Shared,
    pub main: FileId,
    pub view: Bytes,
    /// The template files the compilation asked for: the document's dependencies.
    pub read: Mutex<HashSet<FileId>>,
}

impl DocumentWorld<'_> {
    fn note_read(&self, id: FileId) {
        if let Ok(mut read) = self.read.lock() {
            read.insert(id);
        }
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.renderer.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.note_read(id);
        self.renderer
            .templates
            .source(id)
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.view_id {
            return Ok(self.view.clone());
        }
        self.note_read(id);
        self.renderer
            .templates
            .file(id)
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        let today = self.renderer.today;
        Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}
