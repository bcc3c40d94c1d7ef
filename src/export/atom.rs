//! An Atom feed (RFC 4287) of papers: stable ids and dates from the data, never the clock, so
//! that the same plan gives the same feed. Written by hand, as the iCalendar file is: the
//! format is a few elements, and a feed crate would stamp it with the time of writing.

use chrono::NaiveDate;

use crate::text::escape_markup as escape;

pub struct Entry {
    /// Stable across runs: made from the paper's path.
    pub id: String,
    pub title: String,
    /// The paper's own day.
    pub updated: NaiveDate,
    /// The paper, relative to the feed.
    pub href: String,
    pub summary: Option<String>,
}

/// The feed `id` titled `title`, its entries in the order given; the feed is as new as its
/// newest entry.
pub fn write(id: &str, title: &str, entries: &[Entry]) -> String {
    let updated = entries.iter().map(|e| e.updated).max();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"da\">\n");
    out.push_str(&format!("  <id>{}</id>\n", escape(id)));
    out.push_str(&format!("  <title>{}</title>\n", escape(title)));
    out.push_str(&format!("  <updated>{}</updated>\n", stamp(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape(title)
    ));
    out.push_str("  <link rel=\"self\" href=\"feed.atom\"/>\n");
    for entry in entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", escape(&entry.id)));
        out.push_str(&format!("    <title>{}</title>\n", escape(&entry.title)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            stamp(Some(entry.updated))
        ));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"application/pdf\" href=\"{}\"/>\n",
            escape(&entry.href)
        ));
        if let Some(summary) = &entry.summary {
            out.push_str(&format!("    <summary>{}</summary>\n", escape(summary)));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Midnight UTC of the day: a paper carries a day, not a time.
fn stamp(day: Option<NaiveDate>) -> String {
    match day {
        Some(day) => format!("{}T00:00:00Z", day.format("%Y-%m-%d")),
        None => "1970-01-01T00:00:00Z".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_is_dated_by_its_newest_paper_and_escapes_its_text() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let feed = write(
            "urn:udvalg:x:papers",
            "Udvalg & råd",
            &[
                Entry {
                    id: "urn:udvalg:x:a.pdf".into(),
                    title: "Dagsorden <1>".into(),
                    updated: day("2022-05-24"),
                    href: "m/a.pdf".into(),
                    summary: Some("Dagsorden".into()),
                },
                Entry {
                    id: "urn:udvalg:x:b.pdf".into(),
                    title: "Referat".into(),
                    updated: day("2022-06-01"),
                    href: "m/b.pdf".into(),
                    summary: None,
                },
            ],
        );
        assert!(feed.contains("<title>Udvalg &amp; råd</title>"), "{feed}");
        assert!(
            feed.contains("<title>Dagsorden &lt;1&gt;</title>"),
            "{feed}"
        );
        assert!(
            feed.contains("  <updated>2022-06-01T00:00:00Z</updated>\n  <author>"),
            "{feed}"
        );
        assert_eq!(feed.matches("<entry>").count(), 2);
    }
}
