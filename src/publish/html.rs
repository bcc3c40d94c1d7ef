//! The site's page templates (`templates/site/*.html`, MiniJinja, HTML-escaped by default),
//! read from the run's templates like the papers' Typst templates, so that a plan's own
//! templates folder can restyle its website too.

use minijinja::{Environment, Value as Jinja};
use serde_json::Value;

use super::markup;
use crate::diagnostics::Diagnostic;
use crate::render::{SITE_TEMPLATES, Templates};

const PAGES: [&str; 9] = [
    "base.html",
    "index.html",
    "year.html",
    "meeting.html",
    "process-plan.html",
    "key-figures.html",
    "strategy.html",
    "consultation.html",
    "search.html",
];
/// Files of the site as they are: the stylesheet and the search's script.
pub const STATIC_FILES: [&str; 2] = ["stil.css", "soeg.js"];

pub struct Pages {
    env: Environment<'static>,
    statics: Vec<(&'static str, String)>,
}

impl Pages {
    pub fn new(templates: &Templates) -> Result<Self, Diagnostic> {
        let read = |name: &str| -> Result<String, Diagnostic> {
            let path = format!("{SITE_TEMPLATES}{name}");
            let bytes = templates.file_named(&path).ok_or_else(|| {
                Diagnostic::error(format!(
                    "there is no template {}/{path} for the website",
                    templates.display_root()
                ))
            })?;
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                Diagnostic::error(format!(
                    "{}/{path} is not UTF-8 text",
                    templates.display_root()
                ))
            })
        };
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // HTML-escaped as MiniJinja does, but without escaping `/`: links stay readable, and
        // a missing value prints nothing rather than "none".
        env.set_formatter(|out, state, value| {
            if value.is_safe() || !matches!(state.auto_escape(), minijinja::AutoEscape::Html) {
                return minijinja::escape_formatter(out, state, value);
            }
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            out.write_str(&crate::text::escape_markup(&value.to_string()))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
        });
        env.add_filter("prose", |text: Option<String>| {
            Jinja::from_safe_string(text.map(|t| markup::to_html(&t)).unwrap_or_default())
        });
        env.add_filter("inline", |text: Option<String>| {
            Jinja::from_safe_string(text.map(|t| markup::to_inline_html(&t)).unwrap_or_default())
        });
        for name in PAGES {
            let source = read(name)?;
            env.add_template_owned(name, source).map_err(|e| {
                Diagnostic::error(format!(
                    "{}/{SITE_TEMPLATES}{name}: {e}",
                    templates.display_root()
                ))
            })?;
        }
        let statics = STATIC_FILES
            .iter()
            .map(|name| Ok((*name, read(name)?)))
            .collect::<Result<_, Diagnostic>>()?;
        Ok(Self { env, statics })
    }

    /// Page `template` with `page`, under the site's own data; `root` leads from the page back
    /// to the site's top folder ("", "../").
    pub fn render(
        &self,
        template: &str,
        site: &Value,
        root: &str,
        page: Value,
    ) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(template)
            .map_err(|e| Diagnostic::error(format!("site template {template}: {e}")))?;
        let context = minijinja::context! {
            site => Jinja::from_serialize(site),
            root => root,
            page => Jinja::from_serialize(&page),
        };
        template
            .render(context)
            .map_err(|e| Diagnostic::error(format!("site template {}: {e:#}", template.name())))
    }

    /// The site's files that are no template: the stylesheet, the search's script.
    pub fn static_files(&self) -> &[(&'static str, String)] {
        &self.statics
    }
}
