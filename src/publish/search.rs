//! The website's search, which needs no server: the words of every page, as a script the
//! search page loads (a script, not a JSON file, so that it also works opened from disk), and
//! `soeg.js`, which finds the pages that have every word of a query. A query word matches the
//! words it begins: Danish inflects and compounds at the end of a word, so "hjemløs" finds
//! "hjemløse", "hjemløshed" and "hjemløsetællingen", with no stemmer to keep in step in two
//! languages.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

/// A page as the search knows it.
pub struct Indexed {
    pub path: String,
    pub title: String,
    /// The page's HTML; its `<main>` is what is indexed.
    pub html: String,
}

/// Where the index script is written, and the search page loads it from.
pub const INDEX_SCRIPT: &str = "soeg-data.js";

/// The index of `pages` as a script that sets `window.udvalgSoeg`: the pages (path, title and
/// the start of their text) and, for each word, the pages that have it, in a fixed order.
pub fn index_script(pages: &[Indexed]) -> String {
    let mut words: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut listed = Vec::with_capacity(pages.len());
    for (n, page) in pages.iter().enumerate() {
        let text = main_text(&page.html);
        for word in words_of(&text) {
            words.entry(word).or_default().insert(n);
        }
        // The excerpt starts below the heading, which the hit shows as its title.
        let below = page.html.split_once("</h1>").map_or("", |(_, rest)| rest);
        let excerpt: String = main_text(&format!("<main>{below}"))
            .chars()
            .take(180)
            .collect();
        listed.push(json!({ "u": page.path, "t": page.title, "x": excerpt.trim() }));
    }
    let words: BTreeMap<String, Vec<usize>> = words
        .into_iter()
        .map(|(word, pages)| (word, pages.into_iter().collect()))
        .collect();
    let data = json!({ "pages": listed, "words": words });
    format!("window.udvalgSoeg = {data};\n")
}

/// The words of `text`, lower-cased, of two letters or more.
fn words_of(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// The text of the page's `<main>`, without tags, its entities read, its spaces collapsed.
fn main_text(html: &str) -> String {
    let body = html
        .split_once("<main")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(html, |(_, rest)| rest);
    let body = body.split_once("</main>").map_or(body, |(main, _)| main);
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text)
}

/// HTML text as it reads: its entities decoded, its spaces collapsed.
pub fn unescape(html: &str) -> String {
    let text = html
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_holds_each_word_of_each_main_once_and_nothing_outside_main() {
        let page = |path: &str, main: &str| Indexed {
            path: path.into(),
            title: path.into(),
            html: format!(
                "<nav>Forside</nav><main id=\"indhold\"><h1>{main}</h1></main><footer>Ballerup</footer>"
            ),
        };
        let script = index_script(&[
            page("a.html", "Hjemløse borgere &amp; boliger"),
            page("b.html", "Hjemløshed i Ballerup, hjemløse"),
        ]);
        let json = script
            .strip_prefix("window.udvalgSoeg = ")
            .and_then(|s| s.strip_suffix(";\n"))
            .unwrap();
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(data["words"]["hjemløse"], json!([0, 1]));
        assert_eq!(data["words"]["hjemløshed"], json!([1]));
        assert_eq!(
            data["words"]["ballerup"],
            json!([1]),
            "only b's main says it"
        );
        assert!(
            data["words"].get("forside").is_none(),
            "the menu is not indexed"
        );
        assert_eq!(data["pages"][0]["t"], "a.html");
        assert_eq!(
            data["pages"][0]["x"], "",
            "the excerpt is below the heading"
        );
    }
}
