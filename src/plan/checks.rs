//! The checks that every plan file's validation shares: ids used once, references to names
//! that exist (with the nearest one as a hint), spans of days in order.

use std::collections::HashMap;

use toml::Spanned;

use super::load::closest;
use super::values::{Date, check_id};
use crate::diagnostics::{Diagnostic, Diagnostics, SourceRef};
use crate::text::danish_date;

/// Ids of one kind: each well-formed and used once.
pub(super) struct Ids<'a> {
    kind: &'static str,
    seen: HashMap<&'a str, std::ops::Range<usize>>,
}

impl<'a> Ids<'a> {
    pub(super) fn new(kind: &'static str) -> Self {
        Self {
            kind,
            seen: HashMap::new(),
        }
    }

    pub(super) fn add(&mut self, file: &SourceRef, id: &'a Spanned<String>, d: &mut Diagnostics) {
        if let Err(message) = check_id(id.get_ref()) {
            d.push(Diagnostic::error(message).at(file, id.span()));
            return;
        }
        if let Some(first) = self.seen.get(id.get_ref().as_str()) {
            let (line, _) = file.line_col(first.start);
            d.push(
                Diagnostic::error(format!("duplicate {} id `{}`", self.kind, id.get_ref()))
                    .at(file, id.span())
                    .with_help(format!(
                        "it is already used on line {line}; ids must be unique"
                    )),
            );
        } else {
            self.seen.insert(id.get_ref(), id.span());
        }
    }

    pub(super) fn names(&self) -> Vec<&'a str> {
        let mut names: Vec<&str> = self.seen.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// Reports a reference to an id that does not exist.
    pub(super) fn check_ref(
        &self,
        file: &SourceRef,
        reference: &Spanned<String>,
        d: &mut Diagnostics,
    ) {
        if self.seen.contains_key(reference.get_ref().as_str()) {
            return;
        }
        d.push(unknown(self.kind, file, reference, &self.names()));
    }
}

pub(super) fn unknown(
    kind: &str,
    file: &SourceRef,
    reference: &Spanned<String>,
    names: &[&str],
) -> Diagnostic {
    let name = reference.get_ref();
    let mut message = format!("there is no {kind} `{name}`");
    if let Some(best) = closest(name, names) {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    let help = if names.is_empty() {
        format!("no {kind} is defined")
    } else if names.len() <= 12 {
        format!("the {kind}s are: {}", names.join(", "))
    } else {
        format!("{} {kind}s are defined; check the spelling", names.len())
    };
    Diagnostic::error(message)
        .at(file, reference.span())
        .with_help(help)
}

/// As [`unknown`], for a name that is looked up within something: "... in meeting `x`".
pub(super) fn unknown_in(
    kind: &str,
    file: &SourceRef,
    reference: &Spanned<String>,
    names: &[&str],
    place: &str,
) -> Diagnostic {
    let mut diagnostic = unknown(kind, file, reference, names);
    let at = diagnostic
        .message
        .find(';')
        .unwrap_or(diagnostic.message.len());
    diagnostic.message.insert_str(at, &format!(" {place}"));
    diagnostic
}

/// A span of days whose end must not come before its start: "the {what} ends on ... before it
/// {begins} on ...", at the end.
pub(super) fn check_span(
    file: &SourceRef,
    what: &str,
    begins: &str,
    start: &Spanned<Date>,
    end: &Spanned<Date>,
    d: &mut Diagnostics,
) {
    if end.get_ref() < start.get_ref() {
        d.push(
            Diagnostic::error(format!(
                "the {what} ends on {} before it {begins} on {}",
                danish_date(end.get_ref().0),
                danish_date(start.get_ref().0)
            ))
            .at(file, end.span()),
        );
    }
}
