//! Text as the papers write it: file names (slugs) and dates and numbers the Danish way. A leaf:
//! it imports nothing of the crate.

use chrono::{Datelike, NaiveDate, Weekday};

pub fn danish_weekday(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "mandag",
        Weekday::Tue => "tirsdag",
        Weekday::Wed => "onsdag",
        Weekday::Thu => "torsdag",
        Weekday::Fri => "fredag",
        Weekday::Sat => "lørdag",
        Weekday::Sun => "søndag",
    }
}

/// The Danish month names, January first.
pub const DANISH_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

pub fn danish_month(month: u32) -> &'static str {
    DANISH_MONTHS[(month as usize).clamp(1, 12) - 1]
}

/// '8. november 2022'
pub fn danish_date(date: NaiveDate) -> String {
    format!(
        "{}. {} {}",
        date.day(),
        danish_month(date.month()),
        date.year()
    )
}

/// 'tirsdag den 8. november 2022'
pub fn danish_date_long(date: NaiveDate) -> String {
    format!(
        "{} den {}",
        danish_weekday(date.weekday()),
        danish_date(date)
    )
}

/// '20.-21. maj 2022', '30. juni-1. juli 2022'
pub fn day_span(first: NaiveDate, last: NaiveDate) -> String {
    if first.year() == last.year() && first.month() == last.month() {
        format!("{}.-{}", first.day(), danish_date(last))
    } else if first.year() == last.year() {
        let month = danish_month(first.month());
        format!("{}. {month}-{}", first.day(), danish_date(last))
    } else {
        format!("{}-{}", danish_date(first), danish_date(last))
    }
}

/// 'november-december 2024', '2025', 'november 2022-januar 2023': a window of months.
pub fn window_label(from: NaiveDate, to: NaiveDate) -> String {
    let month = |d: NaiveDate| danish_month(d.month()).to_string();
    if from.year() == to.year() && from.month() == to.month() {
        format!("{} {}", month(from), from.year())
    } else if from.year() == to.year() {
        if from.month() == 1 && to.month() == 12 {
            format!("{}", from.year())
        } else {
            format!("{}-{} {}", month(from), month(to), from.year())
        }
    } else {
        format!(
            "{} {}-{} {}",
            month(from),
            from.year(),
            month(to),
            to.year()
        )
    }
}

/// 1.234,5: a full stop between thousands and a decimal comma; whole numbers without decimals.
pub fn danish_number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let whole = rounded.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let tenth = ((rounded.fract().abs()) * 10.0).round() as i64;
    if tenth == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{tenth}")
    }
}

/// 'Tirsdag' from 'tirsdag'.
/// `Dagsorden` → `dagsorden`: the first letter in lower case, as after a word before it.
/// `a`, `a og b`, `a, b og c`.
pub fn danish_list<S: AsRef<str>>(parts: &[S]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} og {}", rest.join(", "), last.as_ref())
        }
    }
}

pub fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Text as HTML or XML text and attribute value (the website's pages, the Atom feed).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Lower-case ASCII words joined by `-`, with æ→ae, ø→oe, å→aa; at most about 60 characters.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let piece: &str = match c {
            'æ' => "ae",
            'ø' => "oe",
            'å' => "aa",
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'é' | 'è' | 'ê' => "e",
            'á' | 'à' => "a",
            'ó' | 'ò' => "o",
            'í' => "i",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if piece == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(piece);
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > 60 {
        let cut = out[..60].rfind('-').unwrap_or(60);
        out.truncate(cut);
    }
    if out.is_empty() {
        "dokument".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn long_form() {
        assert_eq!(
            danish_date_long(d(2022, 11, 8)),
            "tirsdag den 8. november 2022"
        );
        assert_eq!(danish_date(d(2022, 5, 20)), "20. maj 2022");
    }

    #[test]
    fn windows_read_as_danish_months() {
        assert_eq!(
            window_label(d(2024, 11, 1), d(2024, 12, 31)),
            "november-december 2024"
        );
        assert_eq!(
            window_label(d(2024, 9, 1), d(2024, 9, 30)),
            "september 2024"
        );
        assert_eq!(window_label(d(2025, 1, 1), d(2025, 12, 31)), "2025");
        assert_eq!(
            window_label(d(2022, 11, 1), d(2023, 1, 31)),
            "november 2022-januar 2023"
        );
    }

    #[test]
    fn multi_day_meetings() {
        assert_eq!(day_span(d(2022, 5, 20), d(2022, 5, 21)), "20.-21. maj 2022");
        assert_eq!(
            day_span(d(2022, 6, 30), d(2022, 7, 1)),
            "30. juni-1. juli 2022"
        );
    }

    #[test]
    fn numbers_are_written_the_danish_way() {
        assert_eq!(danish_number(1234.0), "1.234");
        assert_eq!(danish_number(12.5), "12,5");
        assert_eq!(danish_number(1_234_567.25), "1.234.567,3");
        assert_eq!(danish_number(0.0), "0");
    }

    #[test]
    fn slugs_are_lower_case_ascii() {
        assert_eq!(
            slug("Udsattestrategi 2022-2029 – høringsudkast"),
            "udsattestrategi-2022-2029-hoeringsudkast"
        );
        assert_eq!(slug("Ældrerådet & Børn"), "aeldreraadet-boern");
        assert_eq!(slug("  "), "dokument");
        assert!(slug(&"ord ".repeat(40)).len() <= 60);
    }
}
