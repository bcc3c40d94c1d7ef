//! The prose markup check over arbitrary text, as a plan file holds it: the text is written
//! into a TOML file as a basic, literal or multi-line string (the first byte chooses), read back
//! with its span, and checked. The check, and the mapping of each problem's place through the
//! string's escapes back into the file, may not panic; each problem's range must lie in the file
//! and print.

#![no_main]

use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;
use udvalg::diagnostics::{Diagnostics, SourceFile};
use udvalg::plan::markup;
use udvalg::plan::model::Markup;

#[derive(serde::Deserialize)]
struct Field {
    text: Markup,
}

/// `text` as a TOML string of the given style, or none where the style cannot hold it.
fn quoted(style: u8, text: &str) -> Option<String> {
    match style % 5 {
        // A basic string, escaped by the toml crate itself.
        0 => Some(toml::Value::String(text.to_string()).to_string()),
        1 if !text.contains(['\'', '\n', '\r']) => Some(format!("'{text}'")),
        2 if !text.contains("'''") => Some(format!("'''\n{text}'''")),
        3 if !text.contains("\"\"\"") && !text.ends_with('\\') => {
            Some(format!("\"\"\"\n{text}\"\"\""))
        }
        // The raw bytes as the inside of a basic string: their own escapes, if any parse.
        4 => Some(format!("\"{text}\"")),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&style, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Some(value) = quoted(style, text) else {
        return;
    };
    let file_text = format!("# a plan file\ntext = {value}\n");
    let Ok(field) = toml::from_str::<Field>(&file_text) else {
        return;
    };
    let file = SourceFile::new("plan.toml", file_text);
    let mut diagnostics = Diagnostics::default();
    markup::check(&file, &field.text, &mut diagnostics);
    let diagnostics = diagnostics.into_sorted();
    let literal = field.text.span();
    for d in &diagnostics {
        let at = &d
            .location
            .as_ref()
            .expect("a markup problem has a place")
            .range;
        assert!(
            literal.start <= at.start && at.start <= at.end && at.end <= literal.end,
            "{at:?} is outside the string {literal:?}"
        );
        assert!(file.text.is_char_boundary(at.start) && file.text.is_char_boundary(at.end));
    }
    let mut out = NoColor::new(Vec::new());
    udvalg::diagnostics::emit(&mut out, &diagnostics).unwrap();
    let _ = udvalg::diagnostics::to_json(&diagnostics);
});
