//! Prose fields are Typst markup. They are checked here, at load time, so that a stray `*` or
//! an unknown function is reported at its line in the TOML file and not as an error inside a
//! generated document.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use typst::syntax::{LinkedNode, Source, SyntaxKind, ast};
use typst::{Library, LibraryExt};

use super::model::Markup;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceRef};
use crate::text::DANISH_MONTHS;

static LIBRARY: LazyLock<Library> = LazyLock::new(Library::default);

/// Checks one prose field and reports its problems at their place in `file`.
pub fn check(file: &SourceRef, markup: &Markup, diagnostics: &mut Diagnostics) {
    let text = markup.get_ref();
    let source = Source::detached(text.as_str());
    let to_file = |range: Range<usize>| map_range(file, markup, range);

    let (errors, _) = source.root().errors_and_warnings();
    for error in &errors {
        let range = match error.span.get() {
            typst::syntax::DiagSpanKind::Number { num, sub_range, .. } => {
                source.range(num, sub_range).unwrap_or(0..0)
            }
            typst::syntax::DiagSpanKind::Range { range, .. } => range,
            typst::syntax::DiagSpanKind::Detached => 0..0,
        };
        let mut d = Diagnostic::error(format!("in Typst markup: {}", error.message))
            .at(file, to_file(range));
        for hint in &error.hints {
            d = d.with_help(hint.v.to_string());
        }
        if error.message.starts_with("unclosed delimiter") {
            d = d.with_help("close it, or write `\\*`, `\\_` or `\\$` for the character itself");
        }
        diagnostics.push(d);
    }
    if !errors.is_empty() {
        return;
    }

    // Only names the standard library knows, or that the text itself binds, can be called.
    let root = LinkedNode::new(source.root());
    let mut bound = HashSet::new();
    collect_bindings(&root, &mut bound);
    let mut unknown = Vec::new();
    collect_unknown_idents(&root, &bound, &mut unknown);
    let mut found = Found::default();
    collect_refs_and_lists(&root, text, &mut found);
    // Prose has no labels of its own: `@kommune` in `navn@kommune.dk` would be a reference.
    for (target, range) in found.refs {
        if !found.labels.contains(&target) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "in Typst markup: `@{target}` is a reference to a label, and there is none"
                ))
                .at(file, to_file(range))
                .with_help(format!(
                    "for an e-mail address write `\\@`, as in `navn\\@{target}`"
                )),
            );
        }
    }
    // A line that begins `2028. ` or `8. november` is a numbered list item in Typst.
    for (number, next, range) in found.numbered {
        let next = next.to_lowercase();
        let month = DANISH_MONTHS.iter().any(|m| next.starts_with(m));
        if number > 31 || month {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "in Typst markup: this line begins a numbered list (item {number}), \
                     not the text `{number}.`"
                ))
                .at(file, to_file(range))
                .with_help(format!(
                    "write `{number}\\.` for the number itself, or move it into the line"
                )),
            );
        }
    }
    for (name, range) in unknown {
        let known: Vec<&str> = LIBRARY
            .global
            .scope()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        let mut d = Diagnostic::error(format!(
            "in Typst markup: unknown variable or function `{name}`"
        ))
        .at(file, to_file(range));
        d = match super::load::closest(&name, &known) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")),
            None => d.with_help("write `\\#` for a literal `#`"),
        };
        diagnostics.push(d);
    }
}

fn collect_bindings(node: &LinkedNode, bound: &mut HashSet<String>) {
    if let Some(binding) = node.cast::<ast::LetBinding>() {
        for pattern in binding.kind().bindings() {
            bound.insert(pattern.get().to_string());
        }
    }
    // `#for i in range(3) [#i]`, `#for (k, v) in d [...]`.
    if let Some(for_loop) = node.cast::<ast::ForLoop>() {
        for pattern in for_loop.pattern().bindings() {
            bound.insert(pattern.get().to_string());
        }
    }
    if let Some(closure) = node.cast::<ast::Closure>() {
        for param in closure.params().children() {
            match param {
                ast::Param::Pos(pattern) => {
                    for id in pattern.bindings() {
                        bound.insert(id.get().to_string());
                    }
                }
                ast::Param::Named(named) => {
                    bound.insert(named.name().get().to_string());
                }
                ast::Param::Spread(spread) => {
                    if let Some(id) = spread.sink_ident() {
                        bound.insert(id.get().to_string());
                    }
                }
            }
        }
    }
    for child in node.children() {
        collect_bindings(&child, bound);
    }
}

/// What one walk of the tree finds besides names.
#[derive(Default)]
struct Found {
    /// The labels the text defines.
    labels: HashSet<String>,
    /// Its references, with their range.
    refs: Vec<(String, Range<usize>)>,
    /// Numbered list items with an explicit number: the number, the text after the marker,
    /// the marker's range.
    numbered: Vec<(u64, String, Range<usize>)>,
}

fn collect_refs_and_lists(node: &LinkedNode, text: &str, found: &mut Found) {
    match node.kind() {
        SyntaxKind::Label => {
            let text = node.get().leaf_text();
            let name = text.trim_start_matches('<').trim_end_matches('>');
            found.labels.insert(name.to_string());
        }
        SyntaxKind::RefMarker => {
            let target = node.get().leaf_text().trim_start_matches('@').to_string();
            found.refs.push((target, node.range()));
        }
        SyntaxKind::EnumMarker => {
            let marker = node.get().leaf_text().to_string();
            if let Ok(number) = marker.trim_end_matches('.').parse::<u64>() {
                let item = node
                    .parent()
                    .and_then(|item| text.get(item.range()))
                    .unwrap_or_default();
                let next = item
                    .strip_prefix(marker.as_str())
                    .unwrap_or(item)
                    .trim_start()
                    .to_string();
                found.numbered.push((number, next, node.range()));
            }
        }
        _ => {}
    }
    for child in node.children() {
        collect_refs_and_lists(&child, text, found);
    }
}

fn collect_unknown_idents(
    node: &LinkedNode,
    bound: &HashSet<String>,
    out: &mut Vec<(String, Range<usize>)>,
) {
    if matches!(node.kind(), SyntaxKind::Ident | SyntaxKind::MathIdent) {
        let name = node.get().leaf_text().to_string();
        let is_field = node
            .prev_sibling()
            .is_some_and(|p| p.kind() == SyntaxKind::Dot);
        let is_named_arg = node.parent_kind() == Some(SyntaxKind::Named)
            && node.next_sibling_kind() == Some(SyntaxKind::Colon);
        let in_math = node.kind() == SyntaxKind::MathIdent;
        let known = LIBRARY.global.scope().get(&name).is_some()
            || (in_math && LIBRARY.math.scope().get(&name).is_some())
            || bound.contains(&name);
        if !known && !is_field && !is_named_arg {
            out.push((name, node.range()));
        }
    }
    for child in node.children() {
        collect_unknown_idents(&child, bound, out);
    }
}

/// Maps a byte range in the decoded string to one in the TOML file, through escapes and the
/// line-ending backslashes of multi-line strings.
fn map_range(file: &SourceRef, markup: &Markup, range: Range<usize>) -> Range<usize> {
    let literal = markup.span();
    let raw = file.text.get(literal.clone()).unwrap_or("");
    let offsets = decoded_offsets(raw);
    let at = |decoded: usize| {
        let raw_offset = offsets
            .iter()
            .find(|(d, _)| *d >= decoded)
            .map_or(raw.len(), |(_, r)| *r);
        (literal.start + raw_offset).min(literal.end)
    };
    at(range.start)..at(range.end).max(at(range.start))
}

/// For each character of the decoded string, its byte offset there and in the raw literal.
fn decoded_offsets(raw: &str) -> Vec<(usize, usize)> {
    let (quote, multi) = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        (&raw[..3], true)
    } else {
        (raw.get(..1).unwrap_or(""), false)
    };
    let literal = quote.starts_with('\'');
    let mut i = quote.len();
    if multi {
        if raw[i..].starts_with("\r\n") {
            i += 2;
        } else if raw[i..].starts_with('\n') {
            i += 1;
        }
    }
    let body_end = raw.len().saturating_sub(quote.len()).max(i);
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut decoded = 0;
    while i < body_end {
        let c = raw[i..].chars().next().unwrap_or(' ');
        if !literal && c == '\\' {
            let next = bytes.get(i + 1).copied().unwrap_or(b' ');
            let (raw_len, decoded_len) = match next {
                b'u' => (6, 1),
                b'U' => (10, 1),
                b'\n' | b'\r' | b' ' | b'\t' if multi => {
                    // A line-ending backslash removes the newline and the white space after it.
                    let rest = &raw[i + 1..body_end];
                    let skipped = rest.len() - rest.trim_start().len();
                    (1 + skipped, 0)
                }
                _ => (2, 1),
            };
            if decoded_len > 0 {
                out.push((decoded, i));
            }
            decoded += decoded_len;
            i += raw_len;
            continue;
        }
        out.push((decoded, i));
        decoded += c.len_utf8();
        i += c.len_utf8();
    }
    out.push((decoded, i.min(body_end)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    fn check_text(toml_text: &str) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct T {
            text: Markup,
        }
        let t: T = toml::from_str(toml_text).unwrap();
        let file = SourceFile::new("x.toml", toml_text);
        let mut d = Diagnostics::default();
        check(&file, &t.text, &mut d);
        d.into_sorted().iter().map(|d| d.short()).collect()
    }

    #[test]
    fn valid_markup_passes() {
        assert!(
            check_text(
                "text = \"Et *fedt* ord og #emph[mere] og #link(\\\"https://x.dk\\\")[her].\""
            )
            .is_empty()
        );
        assert!(check_text("text = '''\n#let x = 2\nVi har #x mål og $a + b$.\n'''").is_empty());
    }

    #[test]
    fn unclosed_strong_points_into_the_toml() {
        let out = check_text("text = \"Et *fedt ord\"");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("x.toml:1:12: error: in Typst markup: unclosed delimiter"),
            "{out:?}"
        );
    }

    #[test]
    fn unknown_function_is_named_with_a_suggestion() {
        let out = check_text("text = '''\nSe #lnk(\"https://x.dk\")'''");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with(
                "x.toml:2:5: error: in Typst markup: unknown variable or function `lnk`"
            ),
            "{out:?}"
        );
        assert!(out[0].contains("did you mean `link`?"), "{out:?}");
    }

    #[test]
    fn loop_variables_and_parameters_are_bound() {
        assert!(check_text("text = '#for i in range(3) [#i]'").is_empty());
        assert!(check_text("text = '#for (k, v) in (a: 1) [#k #v]'").is_empty());
        assert!(check_text("text = '#let f(x, y: 2, ..rest) = x + y; #f(1)'").is_empty());
    }

    #[test]
    fn an_email_address_is_reported_where_it_is() {
        let out = check_text("text = 'Skriv til navn@kommune.dk.'");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("x.toml:1:23: error: in Typst markup: `@kommune.dk` is a reference"),
            "{out:?}"
        );
        assert!(check_text("text = 'Skriv til navn\\@kommune.dk.'").is_empty());
    }

    #[test]
    fn a_year_at_the_start_of_a_line_is_warned_about() {
        let out = check_text("text = '''\nHandleplanen løber til\n2028. Derefter evalueres.'''");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0]
                .contains("warning: in Typst markup: this line begins a numbered list (item 2028)"),
            "{out:?}"
        );
        let date = check_text("text = '''\nMødet holdes\n8. november.'''");
        assert_eq!(date.len(), 1, "{date:?}");
        assert!(check_text("text = '''\n1. Første punkt\n2. Andet punkt'''").is_empty());
    }

    #[test]
    fn positions_survive_escapes() {
        let out = check_text("text = \"A\\n\\\"B\\\" *C\"");
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("x.toml:1:18: error: in Typst markup: unclosed delimiter"),
            "{out:?}"
        );
    }
}
