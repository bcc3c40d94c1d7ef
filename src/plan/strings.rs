//! Every string value of the plan files, with its place: how a paper that had to be stopped is
//! traced back to the prose field that it printed.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::SourceRef;

/// Where in `files` a string value equal to `text` is written: the first one, in file order.
pub fn find(files: &[SourceRef], text: &str) -> Option<(SourceRef, Range<usize>)> {
    files.iter().find_map(|file| {
        let root = DeTable::parse(&file.text).ok()?;
        let span = root.get_ref().values().find_map(|v| find_in(v, text))?;
        Some((file.clone(), span))
    })
}

fn find_in(value: &Spanned<DeValue>, text: &str) -> Option<Range<usize>> {
    match value.get_ref() {
        DeValue::String(s) if s == text => Some(value.span()),
        DeValue::Array(values) => values.iter().find_map(|v| find_in(v, text)),
        DeValue::Table(table) => table.values().find_map(|v| find_in(v, text)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    #[test]
    fn a_string_is_found_in_a_table_of_an_array() {
        let toml =
            "[[meeting]]\nid = \"a\"\n[[meeting.item]]\npresentation = \"\"\"\nTekst #x\n\"\"\"\n";
        let files = [SourceFile::new("meetings.toml", toml)];
        let (file, span) = find(&files, "Tekst #x\n").expect("found");
        assert_eq!(file.line_col(span.start), (4, 16));
        assert!(find(&files, "Tekst").is_none());
    }
}
