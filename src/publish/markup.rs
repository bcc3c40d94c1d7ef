//! A prose field of the plan (Typst markup) as HTML, for the website: parsed by Typst's own
//! parser, so that what a paper prints and what a page shows are read the same way. Markup a
//! page cannot show (code, maths) gives its plain text; every text is escaped, and a link only
//! goes to the web, to mail, or to a relative path.

use std::fmt::Write;

use typst_syntax::ast::{self, AstNode, Expr};

use crate::text::escape_markup as escape;

/// `markup` as HTML blocks: paragraphs and lists.
pub fn to_html(markup: &str) -> String {
    let root = typst_syntax::parse(markup);
    let Some(markup) = root.cast::<ast::Markup>() else {
        return paragraph(&escape(markup));
    };
    let mut blocks = Blocks::default();
    for expr in markup.exprs() {
        blocks.expr(expr);
    }
    blocks.finish()
}

/// `markup` as inline HTML (a title, a table cell): blocks run together.
pub fn to_inline_html(markup: &str) -> String {
    let root = typst_syntax::parse(markup);
    let mut out = String::new();
    if let Some(markup) = root.cast::<ast::Markup>() {
        for expr in markup.exprs() {
            inline(expr, &mut out);
        }
    }
    out.trim().to_string()
}

#[derive(Default)]
struct Blocks {
    out: String,
    paragraph: String,
    /// The open list: `ul` or `ol`, and its items.
    list: Option<(&'static str, Vec<String>)>,
}

impl Blocks {
    fn expr(&mut self, expr: Expr) {
        match expr {
            Expr::Parbreak(_) => self.flush(),
            Expr::ListItem(item) => self.item("ul", item.body()),
            Expr::EnumItem(item) => self.item("ol", item.body()),
            Expr::Space(_) if self.list.is_some() => {}
            Expr::Heading(heading) => {
                self.flush();
                let mut body = String::new();
                markup_inline(heading.body(), &mut body);
                let _ = write!(self.out, "<p><strong>{}</strong></p>", body.trim());
            }
            other => {
                self.close_list();
                inline(other, &mut self.paragraph);
            }
        }
    }

    fn item(&mut self, tag: &'static str, body: ast::Markup) {
        self.flush_paragraph();
        if self.list.as_ref().is_some_and(|(open, _)| *open != tag) {
            self.close_list();
        }
        let mut html = String::new();
        markup_inline(body, &mut html);
        let (_, items) = self.list.get_or_insert((tag, Vec::new()));
        items.push(html.trim().to_string());
    }

    fn flush_paragraph(&mut self) {
        let text = std::mem::take(&mut self.paragraph);
        if !text.trim().is_empty() {
            self.out.push_str(&paragraph(text.trim()));
        }
    }

    fn close_list(&mut self) {
        if let Some((tag, items)) = self.list.take() {
            let _ = write!(self.out, "<{tag}>");
            for item in items {
                let _ = write!(self.out, "<li>{item}</li>");
            }
            let _ = write!(self.out, "</{tag}>");
        }
    }

    fn flush(&mut self) {
        self.flush_paragraph();
        self.close_list();
    }

    fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

fn paragraph(html: &str) -> String {
    format!("<p>{html}</p>")
}

fn markup_inline(markup: ast::Markup, out: &mut String) {
    for expr in markup.exprs() {
        inline(expr, out);
    }
}

fn inline(expr: Expr, out: &mut String) {
    match expr {
        Expr::Text(text) => out.push_str(&escape(text.get())),
        Expr::Space(_) | Expr::Parbreak(_) => out.push(' '),
        Expr::Linebreak(_) => out.push_str("<br>"),
        Expr::Escape(escape_) => out.push_str(&escape(&escape_.get().to_string())),
        Expr::Shorthand(short) => out.push_str(&escape(&short.get().to_string())),
        // Danish quotes as Typst sets them (“…” and ‘…’): opening after a space or a
        // bracket, closing after a letter.
        Expr::SmartQuote(quote) => {
            let opens = out
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || "([{-–\u{a0}>".contains(c));
            out.push(match (quote.double(), opens) {
                (true, true) => '“',
                (true, false) => '”',
                (false, true) => '‘',
                (false, false) => '’',
            });
        }
        Expr::Strong(strong) => {
            out.push_str("<strong>");
            markup_inline(strong.body(), out);
            out.push_str("</strong>");
        }
        Expr::Emph(emph) => {
            out.push_str("<em>");
            markup_inline(emph.body(), out);
            out.push_str("</em>");
        }
        Expr::Raw(raw) => {
            out.push_str("<code>");
            let lines: Vec<String> = raw.lines().map(|line| escape(line.get())).collect();
            out.push_str(&lines.join(" "));
            out.push_str("</code>");
        }
        Expr::Link(link) => anchor(link.get(), &escape(link.get()), out),
        Expr::ListItem(item) => markup_inline(item.body(), out),
        Expr::EnumItem(item) => markup_inline(item.body(), out),
        Expr::Heading(heading) => markup_inline(heading.body(), out),
        Expr::FuncCall(call) => func_call(call, out),
        Expr::ContentBlock(block) => markup_inline(block.body(), out),
        Expr::Str(text) => out.push_str(&escape(&text.get())),
        Expr::Ref(reference) => out.push_str(&escape(&format!("@{}", reference.target()))),
        Expr::Equation(equation) => {
            out.push_str(&escape(equation.to_untyped().full_text().as_str()))
        }
        // Code that sets or computes (a `#let`, a `#set`) prints nothing of its own.
        _ => {}
    }
}

/// `#link("url")[text]` as a link; any other call by the text of its content arguments.
fn func_call(call: ast::FuncCall, out: &mut String) {
    let is_link = matches!(call.callee(), Expr::Ident(ident) if ident.as_str() == "link");
    let mut target = None;
    let mut body = String::new();
    for arg in call.args().items() {
        if let ast::Arg::Pos(expr) = arg {
            match expr {
                Expr::Str(text) if is_link && target.is_none() => target = Some(text.get()),
                Expr::ContentBlock(block) => markup_inline(block.body(), &mut body),
                _ => {}
            }
        }
    }
    match target {
        Some(url) => {
            let text = if body.trim().is_empty() {
                escape(&url)
            } else {
                body
            };
            anchor(&url, &text, out);
        }
        None => out.push_str(&body),
    }
}

fn anchor(url: &str, html: &str, out: &mut String) {
    if safe_url(url) {
        let _ = write!(out, "<a href=\"{}\">{html}</a>", escape(url));
    } else {
        out.push_str(html);
    }
}

/// A link to the web, to mail, or relative (no `javascript:` and the like).
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let html = to_html("Første *afsnit* med _vægt_.\n\nAndet:\n- et\n- to\n\nSlut.");
        assert_eq!(
            html,
            "<p>Første <strong>afsnit</strong> med <em>vægt</em>.</p><p>Andet:</p>\
             <ul><li>et</li><li>to</li></ul><p>Slut.</p>"
        );
    }

    #[test]
    fn links_go_only_to_the_web_mail_or_relative_paths() {
        assert_eq!(
            to_html(r#"Se #link("https://ballerup.dk")[kommunens side]."#),
            "<p>Se <a href=\"https://ballerup.dk\">kommunens side</a>.</p>"
        );
        assert_eq!(
            to_html(r#"#link("javascript:alert(1)")[klik]"#),
            "<p>klik</p>"
        );
        assert_eq!(
            to_html("https://example.org/a?b=1&c=2"),
            "<p><a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a></p>"
        );
    }

    #[test]
    fn text_is_escaped_and_code_prints_nothing() {
        assert_eq!(
            to_html("a < b & \"c\" > d #let x = 1\nslut"),
            "<p>a &lt; b &amp; “c” &gt; d slut</p>"
        );
        // `<script>` is a label to Typst, which the paper does not print either.
        assert_eq!(to_html("<script>x"), "<p>x</p>");
        assert_eq!(
            to_html("1~000 kr. -- i alt"),
            "<p>1\u{a0}000 kr. – i alt</p>"
        );
    }

    #[test]
    fn numbered_lists_and_inline_use() {
        assert_eq!(
            to_html("+ først\n+ så"),
            "<ol><li>først</li><li>så</li></ol>"
        );
        assert_eq!(
            to_inline_html("En *titel*\n\nto"),
            "En <strong>titel</strong> to"
        );
    }
}
