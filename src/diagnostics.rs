//! One diagnostic type for every stage: plan files, prose markup and templates.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::{Deserialize, Serialize};

/// A text file that diagnostics can point into, named by the path the user knows it by.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

pub type SourceRef = Arc<SourceFile>;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceRef {
        Arc::new(Self {
            name: name.into(),
            text: text.into(),
        })
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem is: a byte range in a source file.
#[derive(Clone, Debug)]
pub struct Location {
    pub file: SourceRef,
    pub range: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// What would be right, or where else to look.
    pub help: Vec<String>,
    /// A problem of the system (a folder that cannot be written, a full disk), not of the plan:
    /// the run exits 2.
    pub system: bool,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            help: Vec::new(),
            system: false,
        }
    }

    /// A problem of the system, naming the path and the system's reason.
    pub fn system(message: impl Into<String>) -> Self {
        Self {
            system: true,
            ..Self::error(message)
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    pub fn at(mut self, file: &SourceRef, range: Range<usize>) -> Self {
        self.location = Some(Location {
            file: file.clone(),
            range,
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or the empty string for a problem that is not in a file.
    pub fn position(&self) -> String {
        match &self.location {
            Some(loc) => {
                let (line, col) = loc.file.line_col(loc.range.start);
                format!("{}:{line}:{col}", loc.file.name)
            }
            None => String::new(),
        }
    }

    /// A one-line form, stable for snapshots: `file:line:col: error: message`.
    pub fn short(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = match &self.location {
            Some(_) => format!("{}: {severity}: {}", self.position(), self.message),
            None => format!("{severity}: {}", self.message),
        };
        for help in &self.help {
            out.push_str(&format!("\n  help: {help}"));
        }
        out
    }
}

/// The problems of one run, collected rather than stopping at the first.
#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorted by file and position, so that a run reports in a stable order.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.name.clone(), l.range.start))
            };
            key(a).cmp(&key(b))
        });
        self.0
    }
}

/// One diagnostic for a problem reported several times at the same place (a template error
/// meets every document that uses the template), with the help lines of all, the first few
/// kept when there are many.
pub fn merge_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    const SHOWN: usize = 3;
    let mut merged: Vec<(Diagnostic, usize)> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let same = |m: &Diagnostic| {
            m.severity == d.severity
                && m.message == d.message
                && match (&m.location, &d.location) {
                    (Some(a), Some(b)) => a.file.name == b.file.name && a.range == b.range,
                    (None, None) => true,
                    _ => false,
                }
        };
        match merged.iter_mut().find(|(m, _)| same(m)) {
            Some((first, hidden)) => {
                for line in d.help {
                    if first.help.contains(&line) {
                        continue;
                    }
                    if first.help.len() < SHOWN {
                        first.help.push(line);
                    } else {
                        *hidden += 1;
                    }
                }
            }
            None => merged.push((d, 0)),
        }
    }
    merged
        .into_iter()
        .map(|(mut d, hidden)| {
            if hidden > 0 {
                d.help.push(format!("and {hidden} more like these"));
            }
            d
        })
        .collect()
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Draws diagnostics on standard error, in colour only when it is a terminal.
pub fn emit_to_stderr(diagnostics: &[Diagnostic]) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    let choice = if io::IsTerminal::is_terminal(&io::stderr()) {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stderr = StandardStream::stderr(choice);
    let _ = emit(&mut stderr, diagnostics);
    let _ = io::Write::flush(&mut stderr);
}

/// At most this many diagnostics are drawn for one file; a line says how many more there are.
pub const SHOWN_PER_FILE: usize = 20;

/// A source line longer than this many characters is shown as an excerpt around the problem.
const LONGEST_LINE: usize = 160;
/// How many characters of a long line are shown before the problem.
const BEFORE: usize = 40;

/// The first [`SHOWN_PER_FILE`] diagnostics of each file, in their order, each file's last one
/// followed by a note of how many more errors and warnings it has: a plan with a thousand
/// mistakes of one kind shows the first ones and the count, not pages of the same.
pub fn first_per_file(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut shown: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut hidden: Vec<(String, usize, usize)> = Vec::new();
    let mut kept = Vec::with_capacity(diagnostics.len().min(1000));
    for d in diagnostics {
        let Some(name) = d.location.as_ref().map(|l| l.file.name.clone()) else {
            kept.push(d);
            continue;
        };
        let count = shown.entry(name.clone()).or_default();
        *count += 1;
        if *count <= SHOWN_PER_FILE {
            kept.push(d);
            continue;
        }
        let at = match hidden.iter().position(|(file, _, _)| *file == name) {
            Some(at) => at,
            None => {
                hidden.push((name, 0, 0));
                hidden.len() - 1
            }
        };
        match d.severity {
            Severity::Error => hidden[at].1 += 1,
            Severity::Warning => hidden[at].2 += 1,
        }
    }
    for (file, errors, warnings) in hidden {
        let count = |n: usize, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            count(errors, "more error", "more errors"),
            count(warnings, "more warning", "more warnings"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let severity = if errors > 0 {
            Diagnostic::error
        } else {
            Diagnostic::warning
        };
        kept.push(
            severity(format!("{}: {} not shown", file, parts.join(" and ")))
                .with_help("fix the ones above and run again, or use `--format json` for all"),
        );
    }
    kept
}

/// Writes diagnostics as codespan-reporting draws them: the position, the source line, the help.
/// A problem in a very long line (a prose field written on one line) shows an excerpt of it.
pub fn emit(writer: &mut dyn WriteColor, diagnostics: &[Diagnostic]) -> io::Result<()> {
    let config = term::Config::default();
    for diagnostic in diagnostics {
        if let Some(loc) = &diagnostic.location
            && let Some(excerpt) = Excerpt::of_long_line(loc)
        {
            excerpt.write(writer, diagnostic)?;
            continue;
        }
        let mut files = SimpleFiles::new();
        let mut cs_diag = match diagnostic.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_message(&diagnostic.message)
        .with_notes(
            diagnostic
                .help
                .iter()
                .map(|h| format!("help: {h}"))
                .collect(),
        );
        if let Some(loc) = &diagnostic.location {
            let id = files.add(loc.file.name.as_str(), loc.file.text.as_str());
            let end = loc.range.end.min(loc.file.text.len());
            let start = loc.range.start.min(end);
            cs_diag = cs_diag.with_labels(vec![cs::Label::primary(id, start..end)]);
        }
        term::emit(writer, &config, &files, &cs_diag).map_err(io::Error::other)?;
    }
    Ok(())
}

/// The part of a long line around a problem, drawn as codespan-reporting draws a short one.
struct Excerpt {
    name: String,
    line: usize,
    column: usize,
    /// The characters shown, with `…` where the line goes on.
    shown: String,
    /// Where the problem is in `shown`, in characters.
    marked: std::ops::Range<usize>,
}

impl Excerpt {
    /// The excerpt of the problem's first line, if that line is too long to show whole.
    fn of_long_line(loc: &Location) -> Option<Self> {
        let text = &loc.file.text;
        let start = floor_char_boundary(text, loc.range.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[line_start..line_end];
        if line.chars().count() <= LONGEST_LINE {
            return None;
        }
        let (number, column) = loc.file.line_col(start);
        let chars: Vec<char> = line.chars().collect();
        let at = column - 1;
        let end_in_line = floor_char_boundary(text, loc.range.end.clamp(start, line_end));
        let width = text[start..end_in_line].chars().count().max(1);
        let from = at.saturating_sub(BEFORE);
        let to = (from + LONGEST_LINE).min(chars.len());
        let mut shown: String = if from > 0 {
            "…".into()
        } else {
            String::new()
        };
        let offset = shown.chars().count();
        shown.extend(&chars[from..to]);
        if to < chars.len() {
            shown.push('…');
        }
        let marked_start = offset + at - from;
        let marked_end = (marked_start + width)
            .min(offset + to - from)
            .max(marked_start + 1);
        Some(Self {
            name: loc.file.name.clone(),
            line: number,
            column,
            shown,
            marked: marked_start..marked_end,
        })
    }

    fn write(&self, writer: &mut dyn WriteColor, diagnostic: &Diagnostic) -> io::Result<()> {
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let gutter = " ".repeat(self.line.to_string().len());
        writeln!(writer, "{severity}: {}", diagnostic.message)?;
        writeln!(
            writer,
            "{gutter} ┌─ {}:{}:{}",
            self.name, self.line, self.column
        )?;
        writeln!(writer, "{gutter} │")?;
        writeln!(writer, "{} │ {}", self.line, self.shown)?;
        writeln!(
            writer,
            "{gutter} │ {}{}",
            " ".repeat(self.marked.start),
            "^".repeat(self.marked.len())
        )?;
        if !diagnostic.help.is_empty() {
            writeln!(writer, "{gutter} │")?;
        }
        for help in &diagnostic.help {
            writeln!(writer, "{gutter} = help: {help}")?;
        }
        writeln!(writer)
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: &'a [String],
}

/// The same diagnostics for tools: a JSON array.
pub fn to_json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| {
            let position = d
                .location
                .as_ref()
                .map(|l| (l.file.name.as_str(), l.file.line_col(l.range.start)));
            JsonDiagnostic {
                severity: d.severity,
                file: position.map(|p| p.0),
                line: position.map(|p| p.1.0),
                column: position.map(|p| p.1.1),
                message: &d.message,
                help: &d.help,
            }
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("a.toml", "x = 1\nø = \"æ\"\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        // 'ø' is two bytes, one column.
        assert_eq!(file.line_col(9), (2, 3));
    }

    #[test]
    fn short_form_names_file_line_and_column() {
        let file = SourceFile::new("plans/p/meetings.toml", "a = 1\nb = 2\n");
        let d = Diagnostic::error("unknown key `b`")
            .at(&file, 6..7)
            .with_help("did you mean `a`?");
        assert_eq!(
            d.short(),
            "plans/p/meetings.toml:2:1: error: unknown key `b`\n  help: did you mean `a`?"
        );
    }

    #[test]
    fn repeats_at_one_place_merge_into_one() {
        let file = SourceFile::new("templates/agenda.typ", "#title-blok()\n");
        let at = |doc: usize| {
            Diagnostic::error("unknown variable: title-blok")
                .at(&file, 1..11)
                .with_help(format!("while rendering {doc}.pdf"))
        };
        let elsewhere = Diagnostic::error("unknown variable: title-blok").at(&file, 0..1);
        let merged = merge_repeats(vec![at(1), at(2), elsewhere, at(3), at(4), at(5)]);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0].help,
            vec![
                "while rendering 1.pdf",
                "while rendering 2.pdf",
                "while rendering 3.pdf",
                "and 2 more like these"
            ]
        );
    }
}
