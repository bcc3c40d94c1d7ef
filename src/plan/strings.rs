//! Every string value of the plan files, with its place: how a paper that had to be stopped is
//! traced back to the prose field that it printed.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::SourceRef;

/// Where in `files` each of `texts` is written as a string value (the first place, in file
/// order), in the order of `texts`; a text written nowhere is left out. Each file is parsed
/// once. A paper's text has no-break spaces where the plan has spaces
/// (`documents::common::keep_together`), so the two are compared as spaces.
pub fn places(files: &[SourceRef], texts: &[String]) -> Vec<(SourceRef, Range<usize>)> {
    let wanted: Vec<String> = texts.iter().map(|t| spaced(t)).collect();
    let mut found: Vec<Option<(SourceRef, Range<usize>)>> = vec![None; texts.len()];
    for file in files {
        let Ok(root) = DeTable::parse(&file.text) else {
            continue;
        };
        for value in root.get_ref().values() {
            visit(value, &mut |written, span| {
                for (at, text) in wanted.iter().enumerate() {
                    if found[at].is_none() && spaced(written) == *text {
                        found[at] = Some((file.clone(), span.clone()));
                    }
                }
            });
        }
    }
    found.into_iter().flatten().collect()
}

fn spaced(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

/// Calls `each` with every string value below `value` and its span.
fn visit(value: &Spanned<DeValue>, each: &mut impl FnMut(&str, Range<usize>)) {
    match value.get_ref() {
        DeValue::String(s) => each(s, value.span()),
        DeValue::Array(values) => values.iter().for_each(|v| visit(v, each)),
        DeValue::Table(table) => table.values().for_each(|v| visit(v, each)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    #[test]
    fn a_string_is_found_in_a_table_of_an_array() {
        let toml = "[[meeting]]\nid = \"a\"\n[[meeting.item]]\npresentation = \"\"\"\nDen 19. maj #x\n\"\"\"\n";
        let files = [SourceFile::new("meetings.toml", toml)];
        // As a paper prints it: a no-break space between the day and the month.
        let texts = ["Den 19.\u{a0}maj #x\n".to_string(), "Tekst".to_string()];
        let found = places(&files, &texts);
        assert_eq!(found.len(), 1, "the second text is written nowhere");
        assert_eq!(found[0].0.line_col(found[0].1.start), (4, 16));
    }
}
