//! Plans built from their parts, not mutated text: every file kind the loader reads (plan.toml,
//! meetings.toml, strategy.toml and its editions, implementation.toml, consultations, action
//! plans, key figures, an attached file), with arbitrary and extreme values in every field:
//! numbers (0, negative, `u32::MAX`, `i64::MIN`, NaN, infinities), days (Feb 29, the first and
//! last day chrono knows, out of order), times, ids (empty, Danish letters, `../x`, 65
//! characters), file names, and text (Typst's own characters, control characters, 20,000
//! characters, markup that loops or recurses).
//!
//! Each case is driven through what the commands do, in this process, through
//! `udvalg::cli::run` as `main` calls it: `check --data-only`, `status` (table and `--json`, on
//! an arbitrary day; the catalogue and every document's view), `calendar` and `calendar --ics`;
//! and each consultation's package. A sample is run through the binary with rendering:
//! `check`, `build` and `consult`, as a user would.
//!
//! Nothing may panic or hang (each case has a time limit), the exit code is 0 or 1 (2 is for a
//! problem of the system, and this test's system has none), a plan with errors fails and a
//! valid one succeeds, and nothing is written outside the output folder: the plan folder is as
//! it was and nothing appears beside it.
//!
//! `UDVALG_PROPTEST_CASES` sets the number of in-process cases (default 10,000);
//! `UDVALG_PROPTEST_RENDER_CASES` the number of rendered ones (default: one per 100).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use clap::Parser;
use codespan_reporting::term::termcolor::NoColor;
use common::*;
use proptest::prelude::*;
use proptest::strategy::Union;
use toml::Value;
use udvalg::cli::{Cli, Outcome};
use udvalg::documents::consultation;
use udvalg::plan::{PlanSource, load, validate};

type S<T> = BoxedStrategy<T>;

// ---------------------------------------------------------------- how many, how long

fn env_count(name: &str) -> Option<u32> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// In-process cases: 10,000 unless `UDVALG_PROPTEST_CASES` says otherwise.
fn cases() -> u32 {
    env_count("UDVALG_PROPTEST_CASES").unwrap_or(10_000)
}

/// Cases through the binary with rendering: one per 100 in-process cases, at least 4.
fn render_cases() -> u32 {
    env_count("UDVALG_PROPTEST_RENDER_CASES").unwrap_or((cases() / 100).max(4))
}

/// The longest a case may take in this process (a debug build, on a busy machine).
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// The longest one run of the binary may take, rendering included.
const RUN_LIMIT: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------- profiles

/// How a case's values are drawn: `wild` is the chance that a value is an extreme or broken
/// one; dates lie within `spread` days after `base`. A profile of 0 and 0 gives a plan whose
/// parts refer to each other and whose days agree, so that many cases are valid plans and go
/// on to the catalogue, the status and the calendar.
#[derive(Clone, Copy, Debug)]
struct Profile {
    wild: f64,
    base: NaiveDate,
    spread: u64,
}

fn base_day() -> S<NaiveDate> {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    prop_oneof![
        8 => (1995i32..2040, 1u32..=12, 1u32..=28).prop_map(move |(y, m, d)| ymd(y, m, d)),
        1 => prop::sample::select(vec![
            ymd(2024, 2, 29),
            ymd(2023, 12, 31),
            ymd(1970, 1, 1),
            ymd(2000, 2, 29),
            ymd(9999, 12, 20),
            ymd(0, 1, 1),
            ymd(1, 1, 1),
            NaiveDate::MAX - Days::new(3),
            NaiveDate::MIN,
        ]),
    ]
    .boxed()
}

fn profile() -> S<Profile> {
    let wild = prop_oneof![4 => Just(0.0), 2 => Just(0.02), 1 => Just(0.1), 1 => Just(0.4)];
    let spread = prop_oneof![4 => Just(0u64), 1 => 1u64..90, 1 => Just(20_000u64)];
    (wild, base_day(), spread, 1995i32..2040)
        .prop_map(|(wild, base, spread, year)| {
            // A tame profile's days are ordinary ones.
            let base = if wild == 0.0 && !(1990..=2100).contains(&base.year()) {
                NaiveDate::from_ymd_opt(year, 6, 1).unwrap()
            } else {
                base
            };
            Profile { wild, base, spread }
        })
        .boxed()
}

/// `normal`, or with the profile's chance `wild`.
fn pick<T: std::fmt::Debug + Clone + 'static>(p: Profile, normal: S<T>, wild: S<T>) -> S<T> {
    let w = (p.wild * 1000.0) as u32;
    if w == 0 {
        return normal;
    }
    Union::new_weighted(vec![(1000 - w, normal), (w, wild)]).boxed()
}

// ---------------------------------------------------------------- values

fn text_value(s: S<String>) -> S<Value> {
    s.prop_map(Value::String).boxed()
}

/// Text that is valid Typst markup and valid plain text: letters, digits, Danish letters and
/// harmless punctuation.
fn clean_text() -> S<String> {
    "[A-Za-zæøåÆØÅ][A-Za-zæøåÆØÅ0-9 ,;:!?()]{0,30}".boxed()
}

/// Text a user could write by mistake or on purpose.
fn wild_text() -> S<String> {
    prop_oneof![
        "[#*_$@<>\\[\\]{}\\\\`=+/~ -]{1,16}",
        prop::collection::vec(any::<char>(), 0..24).prop_map(|c| c.into_iter().collect()),
        (1usize..4000).prop_map(|n| "Lang tekst #emph[x] "
            .repeat(n)
            .chars()
            .take(20_000)
            .collect()),
        prop::sample::select(vec![
            "",
            " ",
            "#panic(\"x\")",
            "#let f() = f(); #f()",
            "#while true {}",
            "#for i in range(2000) [#i ]",
            "#set page(height: 1pt, width: 1pt)",
            "#set text(size: 100000pt)",
            "#read(\"../../../../etc/passwd\")",
            "#image(\"/etc/passwd\")",
            "#include \"../plan.toml\"",
            "#import \"/templates/lib/house.typ\": *",
            "#link(\"file:///etc/passwd\")[x]",
            "$ a^(b^(c^(d^e))) $",
            "$",
            "= Overskrift\n== Under",
            "- punkt\n+ punkt\n/ term: beskrivelse",
            "2028. Derefter",
            "8. november",
            "navn@kommune.dk",
            "navn\\@kommune.dk",
            "<label> @label",
            "\u{202e}omvendt\u{202c}",
            "\u{0}\u{1}\u{7}\u{1b}[31m\u{7f}\u{85}\u{2028}\u{2029}\u{feff}",
            "😀😀😀 👨‍👩‍👧 🇩🇰",
            "\r\n\r\n\t\u{b}\u{c}",
            "\\",
            "\"\"\"",
            "'''",
            "CON",
            "a/../../b",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

fn text(p: Profile) -> S<Value> {
    text_value(pick(p, clean_text(), wild_text()))
}

/// A whole number where the plan wants a small one (days, megabytes).
fn small_number(p: Profile, normal: std::ops::RangeInclusive<i64>) -> S<Value> {
    pick(
        p,
        normal.prop_map(Value::Integer).boxed(),
        prop_oneof![
            prop::sample::select(vec![
                0,
                -1,
                1,
                366,
                367,
                i64::from(u32::MAX),
                i64::from(u32::MAX) + 1,
                i64::from(i32::MAX),
                i64::from(i32::MIN),
                i64::MAX,
                i64::MIN,
            ])
            .prop_map(Value::Integer),
            any::<i64>().prop_map(Value::Integer),
            Just(Value::Float(1.5)),
            Just(Value::String("4".into())),
        ]
        .boxed(),
    )
}

/// A year, for a key figure, a sub-goal's horizon or an implementation year.
fn year(p: Profile) -> S<Value> {
    let y = i64::from(p.base.year());
    pick(
        p,
        (y..=y + 2).prop_map(Value::Integer).boxed(),
        prop_oneof![
            prop::sample::select(vec![
                0,
                -1,
                1,
                9999,
                10_000,
                262_143,
                262_144,
                i64::from(i32::MAX),
                i64::from(i32::MIN),
                i64::MAX,
                i64::MIN,
            ])
            .prop_map(Value::Integer),
            any::<i32>().prop_map(|y| Value::Integer(y.into())),
            Just(Value::String("2024".into())),
        ]
        .boxed(),
    )
}

fn float(p: Profile) -> S<Value> {
    pick(
        p,
        (0.0f64..10_000.0).prop_map(Value::Float).boxed(),
        prop_oneof![
            prop::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                5e-324,
                -0.0,
                1e300,
                -1e300,
            ])
            .prop_map(Value::Float),
            any::<f64>().prop_map(Value::Float),
            any::<i64>().prop_map(Value::Integer),
        ]
        .boxed(),
    )
}

/// A day as a plan file writes it: a bare TOML date for years 0 to 9999, else chrono's text.
fn day_value(day: NaiveDate) -> Value {
    if (0..=9999).contains(&day.year()) {
        let date = toml::value::Date {
            year: day.year() as u16,
            month: day.month() as u8,
            day: day.day() as u8,
        };
        Value::Datetime(toml::value::Datetime {
            date: Some(date),
            time: None,
            offset: None,
        })
    } else {
        Value::String(day.format("%Y-%m-%d").to_string())
    }
}

fn day(p: Profile) -> S<Value> {
    let base = p.base;
    let normal = (0..=p.spread)
        .prop_map(move |offset| day_value(base.checked_add_days(Days::new(offset)).unwrap_or(base)))
        .boxed();
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    pick(
        p,
        normal,
        prop_oneof![
            prop::sample::select(vec![
                ymd(2024, 2, 29),
                ymd(0, 1, 1),
                ymd(9999, 12, 31),
                ymd(1, 1, 1),
                NaiveDate::MAX,
                NaiveDate::MIN,
                NaiveDate::MAX - Days::new(1),
                NaiveDate::MIN + Days::new(1),
            ])
            .prop_map(day_value),
            (-262_000i32..262_000, 1u32..=12, 1u32..=28)
                .prop_map(move |(y, m, d)| day_value(ymd(y, m, d))),
            prop::sample::select(vec![
                "2023-02-29",
                "2024-13-01",
                "2024-00-10",
                "",
                "i morgen",
                "+262144-01-01",
                "-262145-12-31",
                "99999999-01-01",
                "2024-1-1",
            ])
            .prop_map(|s| Value::String(s.into())),
            Just(Value::Integer(20_240_101)),
            Just(
                "2024-01-01T10:00:00"
                    .parse::<toml::value::Datetime>()
                    .unwrap()
            )
            .prop_map(Value::Datetime),
        ]
        .boxed(),
    )
}

/// A day `after` days after the profile's days, as a deadline is after its sending.
fn later_day(p: Profile, after: u64) -> S<Value> {
    let later = Profile {
        base: p.base.checked_add_days(Days::new(after)).unwrap_or(p.base),
        ..p
    };
    day(later)
}

fn time(p: Profile, normal: &'static str) -> S<Value> {
    pick(
        p,
        Just(Value::String(normal.into())).boxed(),
        prop_oneof![
            prop::sample::select(vec![
                "00.00",
                "23.59",
                "24.00",
                "9.5",
                "-1.00",
                "",
                "16:00:00",
                "23:59:60",
                "99.99",
                "16.00.00.00",
                "x",
            ])
            .prop_map(|s| Value::String(s.into())),
            (0u32..24, 0u32..60).prop_map(|(h, m)| Value::String(format!("{h:02}.{m:02}"))),
            Just(Value::Integer(16)),
            Just("16:00:00".parse::<toml::value::Datetime>().unwrap()).prop_map(Value::Datetime),
        ]
        .boxed(),
    )
}

fn boolean(p: Profile) -> S<Value> {
    pick(
        p,
        any::<bool>().prop_map(Value::Boolean).boxed(),
        Just(Value::String("ja".into())).boxed(),
    )
}

fn one_of(p: Profile, values: &'static [&'static str]) -> S<Value> {
    pick(
        p,
        prop::sample::select(values)
            .prop_map(|s| Value::String(s.into()))
            .boxed(),
        prop::sample::select(vec!["", "bogus", "Committee", "chair ", "ø"])
            .prop_map(|s| Value::String(s.into()))
            .boxed(),
    )
}

/// An id that is not a good one.
fn wild_id() -> S<String> {
    prop_oneof![
        prop::sample::select(vec![
            "", "../x", "..", ".", "møde", "A", "-a", "a-", "a/b", "a b", "con", "x\u{0}", "m-0",
            "m-1", "e-0", "i-0", "st-0",
        ])
        .prop_map(String::from),
        Just("a".repeat(65)),
        Just("a".repeat(64)),
        "[a-z0-9-]{1,8}",
    ]
    .boxed()
}

/// The id of a list's element: `@`, made `<prefix>-<index>` by [`number`], or a wild one.
fn own_id(p: Profile) -> S<Value> {
    text_value(pick(p, Just("@".to_string()).boxed(), wild_id()))
}

/// `usual`, or in a wild profile now and then one of `odd`.
fn usual_or_odd(p: Profile, usual: &'static str, odd: Vec<&'static str>) -> S<Value> {
    let odd = prop::sample::select(odd).prop_map(String::from).boxed();
    text_value(pick(p, Just(usual.to_string()).boxed(), odd))
}

/// A reference to the first element of a list, or a wild one.
fn reference(p: Profile, to: &'static str) -> S<Value> {
    text_value(pick(p, Just(to.to_string()).boxed(), wild_id()))
}

// ---------------------------------------------------------------- tables

type Entry = (&'static str, S<Option<Value>>);

/// A required key: left out only now and then in a wild profile.
fn req(p: Profile, key: &'static str, value: S<Value>) -> Entry {
    if p.wild == 0.0 {
        return (key, value.prop_map(Some).boxed());
    }
    (
        key,
        prop::option::weighted(1.0 - p.wild / 20.0, value).boxed(),
    )
}

/// An optional key, there half the time.
fn opt(key: &'static str, value: S<Value>) -> Entry {
    (key, prop::option::of(value).boxed())
}

/// An optional key only a wild profile writes: one whose value must agree with others.
fn opt_wild(p: Profile, key: &'static str, value: S<Value>) -> Entry {
    if p.wild == 0.0 {
        return (key, Just(None).boxed());
    }
    opt(key, value)
}

fn table(entries: Vec<Entry>) -> S<Value> {
    entries
        .into_iter()
        .map(|(key, value)| value.prop_map(move |v| (key, v)).boxed())
        .collect::<Vec<_>>()
        .prop_map(|entries| {
            Value::Table(
                entries
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_string(), v?)))
                    .collect(),
            )
        })
        .boxed()
}

/// A list of `element`s whose `@` ids become `<prefix>-<index>`.
fn list(element: S<Value>, prefix: &'static str, len: std::ops::Range<usize>) -> S<Value> {
    prop::collection::vec(element, len)
        .prop_map(move |mut elements| {
            for (i, e) in elements.iter_mut().enumerate() {
                number(e, prefix, i);
            }
            Value::Array(elements)
        })
        .boxed()
}

fn number(value: &mut Value, prefix: &str, i: usize) {
    if let Some(id) = value.get_mut("id")
        && id.as_str() == Some("@")
    {
        *id = Value::String(format!("{prefix}-{i}"));
    }
}

fn strings(p: Profile, len: std::ops::Range<usize>) -> S<Value> {
    prop::collection::vec(text(p), len)
        .prop_map(Value::Array)
        .boxed()
}

fn refs(p: Profile, to: &'static str, len: std::ops::Range<usize>) -> S<Value> {
    prop::collection::vec(reference(p, to), len)
        .prop_map(Value::Array)
        .boxed()
}

/// At least one element in a tame profile, so that references to the first resolve.
fn at_least(p: Profile, len: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if p.wild == 0.0 {
        len.start.max(1)..len.end
    } else {
        len
    }
}

// ---------------------------------------------------------------- plan.toml

fn plan_file(p: Profile) -> S<Value> {
    let info = table(vec![
        req(p, "title", text(p)),
        req(p, "date", Just(day_value(p.base)).boxed()),
        opt("example_note", text(p)),
        opt("max_attachment_mb", small_number(p, 1..=100)),
    ]);
    let municipality = table(vec![
        req(p, "name", text(p)),
        opt("administration", text(p)),
        opt("address", text(p)),
        opt("web", text(p)),
    ]);
    let member = table(vec![
        req(p, "name", text(p)),
        req(p, "role", one_of(p, &["member", "member", "vice-chair"])),
        opt("party", text(p)),
        opt("example", boolean(p)),
    ]);
    let committee = table(vec![
        req(p, "name", text(p)),
        opt("formerly", text(p)),
        opt("member", list(member, "member", 0..4)),
    ]);
    let mandate = table(vec![
        req(p, "id", own_id(p)),
        req(p, "source", text(p)),
        req(p, "item", text(p)),
        req(p, "quote", text(p)),
        req(p, "url", text(p)),
        opt("note", text(p)),
    ]);
    let calendar = table(vec![
        opt("agenda_notice", small_number(p, 0..=10)),
        opt(
            "agenda_notice_unit",
            one_of(p, &["working-days", "calendar-days"]),
        ),
        opt("saturday_is_working_day", boolean(p)),
        opt(
            "closed_days",
            prop::collection::vec(day(p), 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
        opt("min_consultation_days", small_number(p, 0..=14)),
        opt("agenda_published_after", small_number(p, 0..=3)),
        opt("minutes_public_after", small_number(p, 0..=5)),
        opt("attachments_ready_before", small_number(p, 0..=5)),
    ]);
    let stakeholder = table(vec![
        req(p, "id", own_id(p)),
        req(p, "name", text(p)),
        req(
            p,
            "kind",
            one_of(
                p,
                &[
                    "council-or-board",
                    "committee",
                    "region",
                    "local-actor",
                    "citizens",
                    "internal",
                ],
            ),
        ),
        opt("address", text(p)),
        opt("email", text(p)),
        opt("example", boolean(p)),
    ]);
    table(vec![
        req(p, "plan", info),
        req(p, "municipality", municipality),
        req(p, "committee", committee),
        opt("mandate", list(mandate, "mandate", 0..3)),
        opt("calendar", calendar),
        opt(
            "agenda",
            table(vec![
                opt(
                    "standard_sections",
                    // Each once: a section listed twice is an error of its own.
                    prop::sample::subsequence(
                        vec![
                            "presentation",
                            "economic-consequences",
                            "decision-authority",
                            "legal-basis",
                            "earlier-decisions",
                            "recommendation",
                            "attachments",
                            "decision",
                        ],
                        0..4,
                    )
                    .prop_map(|keys| {
                        Value::Array(keys.into_iter().map(|k| Value::String(k.into())).collect())
                    })
                    .boxed(),
                ),
                opt_wild(p, "supplement_notice", small_number(p, 0..=3)),
            ]),
        ),
        req(p, "stakeholder", list(stakeholder, "st", at_least(p, 0..4))),
    ])
}

// ---------------------------------------------------------------- meetings.toml

fn attachment(p: Profile) -> S<Value> {
    let document =
        |name: &'static str| req(p, "document", Just(Value::String(name.into())).boxed());
    let title = || opt("title", text(p));
    let public = || opt("public", boolean(p));
    let file = table(vec![
        req(
            p,
            "file",
            usual_or_odd(
                p,
                "bilag/notat.pdf",
                vec![
                    "../notat.pdf",
                    "bilag/../../notat.pdf",
                    "/etc/passwd",
                    "",
                    "bilag",
                    "bilag/findes-ikke.pdf",
                    "plan.toml",
                    "./bilag/notat.pdf",
                    "bilag//notat.pdf",
                ],
            ),
        ),
        req(p, "title", text(p)),
        public(),
    ]);
    // What a tame plan always has: the strategy's first edition, the process plan, a file.
    let mut kinds = vec![
        table(vec![
            document("strategy"),
            req(p, "edition", reference(p, "e-0")),
            title(),
            public(),
        ]),
        table(vec![document("process-plan"), title(), public()]),
        file,
    ];
    if p.wild > 0.0 {
        kinds.extend([
            table(vec![
                document("action-plan"),
                req(p, "action_plan", reference(p, "ap-0")),
                title(),
                public(),
            ]),
            table(vec![
                document("key-figures"),
                req(p, "year", year(p)),
                title(),
                public(),
            ]),
            table(vec![
                document("consultation-summary"),
                req(p, "consultation", reference(p, "c-0")),
                title(),
                public(),
            ]),
            table(vec![
                document("seminar-summary"),
                req(p, "meeting", reference(p, "m-0")),
                title(),
                public(),
            ]),
            // Both, or neither.
            table(vec![
                document("strategy"),
                req(
                    p,
                    "file",
                    Just(Value::String("bilag/notat.pdf".into())).boxed(),
                ),
            ]),
            table(vec![opt("edition", reference(p, "e-0")), title()]),
        ]);
    }
    Union::new(kinds).boxed()
}

fn item(p: Profile) -> S<Value> {
    table(vec![
        req(p, "id", own_id(p)),
        req(p, "title", text(p)),
        opt("case_number", text(p)),
        opt("kle", text(p)),
        req(
            p,
            "kind",
            one_of(p, &["information", "discussion", "approval", "decision"]),
        ),
        opt("closed", boolean(p)),
        opt("public_title", boolean(p)),
        opt("public_decision", boolean(p)),
        opt_wild(p, "follows", text(p)),
        opt_wild(p, "supplementary", boolean(p)),
        opt_wild(p, "late_reason", text(p)),
        req(p, "presentation", text(p)),
        opt("economic_consequences", text(p)),
        opt(
            "decision_authority",
            one_of(p, &["committee", "finance-committee", "council"]),
        ),
        opt("consultation", text(p)),
        opt("communication", text(p)),
        opt("legal_basis", text(p)),
        opt("earlier_decisions", text(p)),
        opt("recommendation", text(p)),
        opt_wild(p, "absent", strings(p, 0..2)),
        opt_wild(
            p,
            "disqualified",
            prop::collection::vec(
                table(vec![req(p, "member", text(p)), req(p, "reason", text(p))]),
                0..2,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        opt_wild(
            p,
            "vote",
            table(vec![
                opt("for", strings(p, 0..3)),
                opt("against", strings(p, 0..3)),
                opt("abstaining", strings(p, 0..2)),
                req(p, "result", one_of(p, &["adopted", "rejected"])),
            ]),
        ),
        opt_wild(
            p,
            "dissent",
            prop::collection::vec(
                table(vec![
                    req(p, "by", strings(p, 0..2)),
                    opt("statement", text(p)),
                ]),
                0..2,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        opt(
            "attachment",
            prop::collection::vec(attachment(p), 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
        opt("decision", text(p)),
    ])
}

fn meeting(p: Profile) -> S<Value> {
    let programme = table(vec![
        opt("day", day(p)),
        req(p, "start", time(p, "10.00")),
        opt("end", time(p, "11.00")),
        req(p, "text", text(p)),
    ]);
    let point = table(vec![
        req(p, "theme", text(p)),
        req(p, "text", text(p)),
        opt_wild(p, "added", day(p)),
    ]);
    let summary = table(vec![
        req(p, "date", day(p)),
        opt("intro", text(p)),
        req(
            p,
            "point",
            prop::collection::vec(point, 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
    ]);
    table(vec![
        req(p, "id", own_id(p)),
        req(
            p,
            "kind",
            one_of(
                p,
                &[
                    "committee",
                    "committee",
                    "seminar",
                    "theme-meeting",
                    "council",
                ],
            ),
        ),
        opt("title", text(p)),
        opt("body", text(p)),
        req(p, "date", day(p)),
        opt("end_date", day(p)),
        req(p, "start", time(p, "10.00")),
        opt("end", time(p, "12.00")),
        req(p, "place", text(p)),
        opt("example", boolean(p)),
        opt("purpose", text(p)),
        opt("invited", strings(p, 0..3)),
        opt(
            "programme",
            prop::collection::vec(programme, 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
        opt("summary", summary),
        opt(
            "absent",
            pick(p, Just(Value::Array(vec![])).boxed(), strings(p, 0..2)),
        ),
        opt_wild(p, "apologies", strings(p, 0..2)),
        opt_wild(
            p,
            "substitute",
            prop::collection::vec(
                table(vec![
                    req(p, "member", text(p)),
                    req(p, "name", text(p)),
                    opt("party", text(p)),
                ]),
                0..2,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        opt_wild(
            p,
            "held",
            table(vec![
                opt("opened", time(p, "10.00")),
                req(p, "adjourned", time(p, "11.30")),
            ]),
        ),
        opt_wild(
            p,
            "approval",
            prop::collection::vec(
                table(vec![req(p, "member", text(p)), req(p, "date", day(p))]),
                0..3,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        opt_wild(p, "supplement", table(vec![req(p, "sent", day(p))])),
        req(p, "item", list(item(p), "i", at_least(p, 0..3))),
    ])
}

fn meetings_file(p: Profile) -> S<Value> {
    table(vec![req(
        p,
        "meeting",
        list(meeting(p), "m", at_least(p, 0..4)),
    )])
}

// ---------------------------------------------------------------- strategy

fn strategy_content(p: Profile) -> Vec<Entry> {
    let with_text =
        |key: &'static str, extra: Entry| req(p, key, table(vec![req(p, "text", text(p)), extra]));
    let pair =
        |a: &'static str, b: &'static str| table(vec![req(p, a, text(p)), req(p, b, text(p))]);
    let many = |s: S<Value>| {
        prop::collection::vec(s, 0..3)
            .prop_map(Value::Array)
            .boxed()
    };
    let focus_area = table(vec![
        req(p, "id", own_id(p)),
        req(p, "title", text(p)),
        req(p, "text", text(p)),
        opt(
            "connects",
            pick(p, Just(Value::Array(vec![])).boxed(), refs(p, "f-1", 0..3)),
        ),
    ]);
    let sub_goal = table(vec![
        req(p, "id", own_id(p)),
        req(p, "text", text(p)),
        req(p, "horizon", year(p)),
    ]);
    let goal = table(vec![
        req(p, "id", own_id(p)),
        req(p, "title", text(p)),
        req(p, "opposite", text(p)),
        opt("text", text(p)),
        req(p, "focus_areas", refs(p, "f-0", 1..2)),
        req(p, "sub_goal", list(sub_goal, "s", at_least(p, 0..3))),
    ]);
    let involvement = table(vec![
        req(p, "text", text(p)),
        opt("internal", many(pair("who", "how"))),
        opt("external", many(pair("who", "how"))),
    ]);
    vec![
        with_text("vision", opt("tie", many(pair("policy", "text")))),
        with_text("target_group", opt("group", many(pair("name", "text")))),
        req(p, "focus_area", list(focus_area, "f", at_least(p, 0..3))),
        req(
            p,
            "goal",
            list(goal, "g", at_least(p, 0..3))
                .prop_map(|mut goals| {
                    // Sub-goal ids are the strategy's, not the goal's: `s-<goal>-<n>` after the
                    // first goal's.
                    for (g, goal) in goals.as_array_mut().unwrap().iter_mut().enumerate().skip(1) {
                        let Some(Value::Array(subs)) = goal.get_mut("sub_goal") else {
                            continue;
                        };
                        for (n, sub) in subs.iter_mut().enumerate() {
                            if sub.get("id").and_then(Value::as_str) == Some(&format!("s-{n}")) {
                                sub["id"] = Value::String(format!("s-{g}-{n}"));
                            }
                        }
                    }
                    goals
                })
                .boxed(),
        ),
        with_text(
            "goal_process",
            opt("step", many(pair("question", "answer"))),
        ),
        req(p, "involvement", involvement),
    ]
}

fn strategy_file(p: Profile) -> S<Value> {
    let adopted = table(vec![
        req(p, "meeting", reference(p, "m-0")),
        req(p, "item", reference(p, "i-0")),
    ]);
    let edition = table(vec![
        req(p, "id", own_id(p)),
        req(p, "label", text(p)),
        req(p, "version", text(p)),
        req(p, "date", day(p)),
        req(p, "draft", boolean(p)),
        opt("adopted", adopted),
    ]);
    let mut entries = vec![
        req(p, "title", text(p)),
        opt("subtitle", text(p)),
        req(p, "edition", list(edition, "e", at_least(p, 0..3))),
    ];
    entries.extend(strategy_content(p));
    table(entries)
}

// ---------------------------------------------------------------- implementation.toml

fn implementation_file(p: Profile) -> S<Value> {
    let milestone = table(vec![
        req(p, "id", own_id(p)),
        req(
            p,
            "kind",
            one_of(
                p,
                &[
                    "strategy",
                    "action-plan",
                    "key-figures",
                    "homeless-count",
                    "status",
                    "evaluation",
                ],
            ),
        ),
        req(p, "text", text(p)),
        req(p, "from", day(p)),
        req(p, "to", day(p)),
        opt("meeting", reference(p, "m-0")),
        opt("item", reference(p, "i-0")),
        opt("note", text(p)),
    ])
    .prop_map(move |mut m| {
        // A tame milestone names its meeting and item together, or neither.
        if p.wild == 0.0
            && let Value::Table(t) = &mut m
            && t.contains_key("meeting") != t.contains_key("item")
        {
            t.remove("meeting");
            t.remove("item");
        }
        m
    })
    .boxed();
    let year_table = table(vec![
        req(p, "year", year(p)),
        opt("summary", text(p)),
        opt("milestone", list(milestone, "ms", 0..3)),
    ]);
    table(vec![
        opt("period", text(p)),
        opt("intro", text(p)),
        req(
            p,
            "year",
            prop::collection::vec(year_table, if p.wild == 0.0 { 0..2 } else { 0..3 })
                .prop_map(Value::Array)
                .boxed(),
        ),
    ])
}

// ---------------------------------------------------------------- folders of files

fn consultation_file(p: Profile) -> S<Value> {
    let contact = table(vec![
        req(p, "name", text(p)),
        opt("title", text(p)),
        opt("unit", text(p)),
        req(p, "email", text(p)),
        opt("phone", text(p)),
        opt("example", boolean(p)),
    ]);
    let point = table(vec![
        req(p, "theme", text(p)),
        req(p, "text", text(p)),
        req(p, "comment", text(p)),
        opt("changed", boolean(p)),
        opt_wild(
            p,
            "change",
            usual_or_odd(
                p,
                "vision",
                vec!["goal:g-0", "sub-goal:s-0", "focus-area:f-0", "bogus", ""],
            ),
        ),
    ]);
    let response = table(vec![
        req(p, "consultee", reference(p, "st-0")),
        req(p, "received", day(p)),
        req(
            p,
            "point",
            prop::collection::vec(point, 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
    ]);
    table(vec![
        req(p, "title", text(p)),
        req(p, "edition", reference(p, "e-0")),
        req(p, "after_meeting", reference(p, "m-0")),
        req(p, "sent", day(p)),
        req(p, "deadline", later_day(p, 30)),
        req(p, "purpose", text(p)),
        req(p, "how_to_respond", text(p)),
        req(p, "contact", contact),
        req(p, "consultees", refs(p, "st-0", 1..2)),
        opt(
            "response",
            prop::collection::vec(response, 0..2)
                .prop_map(Value::Array)
                .boxed(),
        ),
        opt("change", strings(p, 0..2)),
    ])
}

fn action_plan_file(p: Profile) -> S<Value> {
    let status = || one_of(p, &["planned", "started", "done", "paused"]);
    let progress = table(vec![req(p, "date", day(p)), req(p, "status", status())]);
    let action = table(vec![
        req(p, "id", own_id(p)),
        req(p, "goal", reference(p, "g-0")),
        opt("sub_goal", reference(p, "s-0")),
        req(p, "focus_area", reference(p, "f-0")),
        req(p, "title", text(p)),
        opt("text", text(p)),
        req(p, "responsible", text(p)),
        req(p, "start", day(p)),
        req(p, "end", day(p)),
        req(p, "status", status()),
        req(p, "indicator", text(p)),
        opt(
            "progress",
            prop::collection::vec(progress, 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
    ]);
    table(vec![
        req(p, "title", text(p)),
        req(p, "period", text(p)),
        req(p, "date", day(p)),
        req(p, "version", text(p)),
        opt("draft", boolean(p)),
        opt("intro", text(p)),
        opt("example", boolean(p)),
        req(p, "action", list(action, "a", at_least(p, 0..3))),
    ])
}

fn key_figures_file(p: Profile) -> S<Value> {
    // The years and each series' values, as many of them as a tame profile makes them.
    let figure = (1usize..4)
        .prop_flat_map(move |n| {
            let wild_len = if p.wild > 0.0 { 0..6 } else { n..n + 1 };
            // A tame figure's years are the n years up to the profile's, ascending.
            let last = i64::from(p.base.year());
            let years = if p.wild > 0.0 {
                prop::collection::vec(year(p), wild_len.clone())
                    .prop_map(Value::Array)
                    .boxed()
            } else {
                Just(Value::Array(
                    (last + 1 - n as i64..=last).map(Value::Integer).collect(),
                ))
                .boxed()
            };
            let series = table(vec![
                req(p, "label", text(p)),
                req(
                    p,
                    "values",
                    prop::collection::vec(float(p), wild_len.clone())
                        .prop_map(Value::Array)
                        .boxed(),
                ),
            ]);
            table(vec![
                req(p, "id", own_id(p)),
                req(p, "title", text(p)),
                req(p, "unit", text(p)),
                req(p, "chart", one_of(p, &["bar", "line", "table"])),
                req(p, "source", text(p)),
                opt("example", boolean(p)),
                req(p, "years", years),
                req(
                    p,
                    "series",
                    prop::collection::vec(series, at_least(p, 0..3))
                        .prop_map(Value::Array)
                        .boxed(),
                ),
                opt("note", text(p)),
            ])
        })
        .boxed();
    table(vec![
        req(p, "year", year(p)),
        req(p, "title", text(p)),
        req(p, "date", day(p)),
        opt("forecast", boolean(p)),
        opt("intro", text(p)),
        req(p, "figure", list(figure, "fig", 0..3)),
    ])
}

/// A file name in one of the plan's folders: `<prefix>-<index>` in a tame profile.
fn file_names(p: Profile, n: usize, prefix: &'static str) -> S<Vec<String>> {
    let name = pick(
        p,
        Just(String::new()).boxed(),
        prop::sample::select(vec!["", "Høring", "a b", "CON", "..x", "x.y"])
            .prop_map(String::from)
            .boxed(),
    );
    prop::collection::vec(name, n)
        .prop_map(move |names| {
            names
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    if name.is_empty() {
                        format!("{prefix}-{i}")
                    } else {
                        name
                    }
                })
                .collect()
        })
        .boxed()
}

/// A folder's files: names and contents.
fn folder(
    p: Profile,
    prefix: &'static str,
    file: fn(Profile) -> S<Value>,
    len: std::ops::Range<usize>,
) -> S<Vec<(String, Value)>> {
    prop::collection::vec(file(p), len)
        .prop_flat_map(move |files| {
            let n = files.len();
            file_names(p, n, prefix)
                .prop_map(move |names| names.into_iter().zip(files.clone()).collect())
        })
        .boxed()
}

// ---------------------------------------------------------------- the plan

#[derive(Clone, Debug)]
struct PlanCase {
    #[allow(dead_code, reason = "shown with a failing case")]
    profile: Profile,
    /// By path in the plan folder; each TOML as text.
    files: BTreeMap<String, String>,
    /// The day `status` judges from.
    today: String,
}

fn render(value: &Value) -> String {
    toml::to_string(value).unwrap_or_else(|e| panic!("a generated table is TOML: {e}\n{value:?}"))
}

fn today(p: Profile) -> S<String> {
    let base = p.base;
    prop_oneof![
        4 => Just(base.to_string()),
        2 => (0u64..800).prop_map(move |d| base.checked_add_days(Days::new(d)).unwrap_or(base).to_string()),
        1 => prop::sample::select(vec![NaiveDate::MIN, NaiveDate::MAX, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()])
            .prop_map(|d| d.to_string()),
    ]
    .boxed()
}

fn plan_case(profile: S<Profile>) -> S<PlanCase> {
    profile
        .prop_flat_map(|p| {
            let strategy = if p.wild == 0.0 {
                strategy_file(p).prop_map(Some).boxed()
            } else {
                prop::option::weighted(0.85, strategy_file(p)).boxed()
            };
            let implementation = prop::option::weighted(0.6, implementation_file(p));
            let editions = folder(p, "e", |p| table(strategy_content(p)), 0..2);
            (
                Just(p),
                plan_file(p),
                meetings_file(p),
                strategy,
                implementation,
                editions,
                folder(p, "c", consultation_file, 0..2),
                folder(p, "ap", action_plan_file, 0..2),
                prop::collection::vec(key_figures_file(p), 0..3),
                today(p),
            )
        })
        .prop_map(
            |(
                p,
                plan,
                meetings,
                strategy,
                implementation,
                editions,
                consultations,
                action_plans,
                key_figures,
                today,
            )| {
                let mut files = BTreeMap::new();
                files.insert("plan.toml".to_string(), render(&plan));
                files.insert("meetings.toml".to_string(), render(&meetings));
                if let Some(s) = strategy {
                    files.insert("strategy.toml".to_string(), render(&s));
                }
                if let Some(i) = implementation {
                    files.insert("implementation.toml".to_string(), render(&i));
                }
                for (folder, list) in [
                    ("strategy", editions),
                    ("consultations", consultations),
                    ("action-plans", action_plans),
                ] {
                    for (name, value) in list {
                        files.insert(format!("{folder}/{name}.toml"), render(&value));
                    }
                }
                // A key-figure file is named by its year, as the loader wants it.
                for (i, value) in key_figures.iter().enumerate() {
                    let name = match value.get("year") {
                        Some(Value::Integer(y)) if p.wild == 0.0 || i > 0 => y.to_string(),
                        _ => format!("kf-{i}"),
                    };
                    files.insert(format!("key-figures/{name}.toml"), render(value));
                }
                PlanCase {
                    profile: p,
                    files,
                    today,
                }
            },
        )
        .boxed()
}

// ---------------------------------------------------------------- running a case

/// A folder for one case: `plan/` with the plan's files, `out/` for the output.
struct CaseDir {
    _temp: tempfile::TempDir,
    root: PathBuf,
}

impl CaseDir {
    fn new(case: &PlanCase) -> Self {
        let temp = match Path::new("/dev/shm") {
            shm if shm.is_dir() => tempfile::tempdir_in(shm).unwrap(),
            _ => tempfile::tempdir().unwrap(),
        };
        let root = temp.path().to_path_buf();
        let plan = root.join("plan");
        std::fs::create_dir_all(plan.join("bilag")).unwrap();
        std::fs::copy(
            fixture("valid/attachment-shared/bilag/notat.pdf"),
            plan.join("bilag/notat.pdf"),
        )
        .unwrap();
        for (name, text) in &case.files {
            let path = plan.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { _temp: temp, root }
    }

    fn plan(&self) -> PathBuf {
        self.root.join("plan")
    }

    fn out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// Nothing was written outside `out/`: the plan is as it was, nothing is beside it.
    fn assert_only_out_written(&self, plan_before: &BTreeMap<String, String>) {
        assert_eq!(
            &tree_hashes(&self.plan()),
            plan_before,
            "the plan folder changed"
        );
        let mut names: Vec<String> = std::fs::read_dir(&self.root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.retain(|n| n != "plan" && n != "out");
        assert!(
            names.is_empty(),
            "written beside the output folder: {names:?}"
        );
    }
}

/// What the cases reached, for the summary printed at the end.
static VALID: AtomicUsize = AtomicUsize::new(0);
static INVALID: AtomicUsize = AtomicUsize::new(0);
static BUILT: AtomicUsize = AtomicUsize::new(0);

/// `udvalg` with `args` (after `--plan` and `--out`), in this process, as main runs it.
fn run_cli(dir: &CaseDir, args: &[&str]) -> Outcome {
    let plan = dir.plan().to_string_lossy().into_owned();
    let out = dir.out().to_string_lossy().into_owned();
    let mut argv = vec!["udvalg", "--plan", &plan, "--out", &out, "--jobs", "1"];
    argv.extend(args);
    let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?} parses: {e}"));
    let mut outcome = match udvalg::cli::run(cli) {
        Ok(outcome) => outcome,
        Err(udvalg::cli::UsageError(message)) => panic!("{args:?} is a usage error: {message}"),
    };
    outcome.diagnostics = udvalg::diagnostics::merge_repeats(outcome.diagnostics);
    let mut printed = NoColor::new(Vec::new());
    udvalg::diagnostics::emit(&mut printed, &outcome.diagnostics).unwrap();
    let _ = udvalg::diagnostics::to_json(&outcome.diagnostics);
    let code = outcome.exit_code();
    assert!(
        code == 0 || code == 1,
        "{args:?} exits {code}: {}",
        String::from_utf8_lossy(printed.get_ref())
    );
    outcome
}

/// Every stage short of rendering, in this process.
fn exercise(case: &PlanCase) {
    let dir = CaseDir::new(case);
    let before = tree_hashes(&dir.plan());
    let check = run_cli(&dir, &["check", "--data-only"]);
    // Every problem is somewhere in a file.
    for d in &check.diagnostics {
        if let Some(at) = &d.location {
            assert!(
                at.range.start <= at.range.end && at.range.end <= at.file.text.len(),
                "{} points outside {}",
                d.message,
                at.file.name
            );
        }
    }
    let valid = load(&PlanSource::Dir(dir.plan())).is_ok_and(|plan| {
        let valid = !validate(&plan).has_errors();
        if valid {
            for c in &plan.consultations {
                for document in consultation::package(&plan, c) {
                    let _ = document.view().to_string();
                }
            }
        }
        valid
    });
    assert_eq!(
        check.failed, !valid,
        "check --data-only agrees with validate"
    );
    if valid {
        VALID.fetch_add(1, Ordering::Relaxed);
        // `--today=DAY`: a day before year 0 begins with `-`.
        let today = format!("--today={}", case.today);
        for args in [
            &["status", "--json", "--all", &today][..],
            &["status", &today],
            &["calendar"],
            &["calendar", "--ics"],
        ] {
            let outcome = run_cli(&dir, args);
            assert!(!outcome.failed, "{args:?} fails on a valid plan");
        }
        assert!(dir.out().join("kalender.ics").is_file());
    } else {
        INVALID.fetch_add(1, Ordering::Relaxed);
    }
    dir.assert_only_out_written(&before);
}

/// Runs `f` on a thread of its own with a time limit: a panic or a hang fails the case.
fn within(limit: Duration, f: impl FnOnce() + Send + 'static) -> Result<(), TestCaseError> {
    let (done, wait) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = done.send(result);
        })
        .unwrap();
    match wait.recv_timeout(limit) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(TestCaseError::fail(format!("panicked: {message}")))
        }
        Err(_) => Err(TestCaseError::fail(format!(
            "did not finish in {:.0} s",
            started.elapsed().as_secs_f64()
        ))),
    }
}

/// Runs the binary with a time limit; its exit code.
fn run_binary(dir: &CaseDir, args: &[&str]) -> Result<(i32, String), TestCaseError> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udvalg"))
        .args(["--plan", "plan", "--out", "out", "--jobs", "1"])
        .args(args)
        .current_dir(&dir.root)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = reader.join().unwrap();
            let code = status.code().unwrap_or(-1);
            prop_assert!(
                !stderr.contains("panicked"),
                "udvalg {:?} panicked: {}",
                args,
                stderr
            );
            prop_assert!(
                code == 0 || code == 1,
                "udvalg {:?} exits {}: {}",
                args,
                code,
                stderr
            );
            return Ok((code, stderr));
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestCaseError::fail(format!(
                "udvalg {args:?} did not finish in {} s",
                RUN_LIMIT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The commands that render, through the binary.
fn exercise_rendering(case: &PlanCase) -> Result<(), TestCaseError> {
    let dir = CaseDir::new(case);
    let before = tree_hashes(&dir.plan());
    let valid = udvalg::plan::load_valid(&PlanSource::Dir(dir.plan())).is_ok();
    let (check, _) = run_binary(&dir, &["check"])?;
    let (build, stderr) = run_binary(&dir, &["build"])?;
    // A plan with errors fails both; what check passes builds (check also lays out the
    // consultation packages, which build does not make).
    prop_assert!(
        valid || (check == 1 && build == 1),
        "an invalid plan built: {}",
        stderr
    );
    prop_assert!(
        check == 1 || build == 0,
        "check passed and build failed: {}",
        stderr
    );
    if build == 0 {
        BUILT.fetch_add(1, Ordering::Relaxed);
        let pdfs = tree_hashes(&dir.out())
            .keys()
            .filter(|p| p.ends_with(".pdf"))
            .count();
        prop_assert!(pdfs > 0, "a build wrote no PDF");
    }
    for name in case.files.keys() {
        if let Some(id) = name
            .strip_prefix("consultations/")
            .and_then(|n| n.strip_suffix(".toml"))
        {
            run_binary(&dir, &["consult", id])?;
        }
    }
    dir.assert_only_out_written(&before);
    Ok(())
}

/// The cases come from a fixed seed, so that a CI run tests what the last one did;
/// `UDVALG_PROPTEST_SEED=N` draws others (`random` for a new seed each run). A failure prints
/// its seed's plan, to be kept as a fixture or a test beside the code it fixes.
fn config(cases: u32, max_shrink_iters: u32) -> ProptestConfig {
    let rng_seed = match std::env::var("UDVALG_PROPTEST_SEED").as_deref() {
        Ok("random") => proptest::test_runner::RngSeed::Random,
        Ok(seed) => proptest::test_runner::RngSeed::Fixed(
            seed.parse()
                .expect("UDVALG_PROPTEST_SEED is a number or `random`"),
        ),
        Err(_) => proptest::test_runner::RngSeed::Fixed(SEED),
    };
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters,
        rng_seed,
        ..ProptestConfig::default()
    }
}

/// The seed of a CI run's cases.
const SEED: u64 = 20_261_202;

/// Every stage short of rendering, in this process, for half of [`cases`] plans (the other
/// half is the next test's, on the other core). At least a tenth of them must be valid plans
/// (and so reach the catalogue, the status and the calendar), or the generator has drifted into
/// making only errors.
fn in_process(half: u32) {
    let started = Instant::now();
    let cases = (cases() + 1 - half) / 2;
    let mut runner = proptest::test_runner::TestRunner::new(config(cases, 200));
    let result = runner.run(&plan_case(profile()), |case| {
        within(CASE_LIMIT, move || exercise(&case))
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let (valid, invalid) = (
        VALID.load(Ordering::Relaxed),
        INVALID.load(Ordering::Relaxed),
    );
    eprintln!(
        "structured plans, half {half}: {cases} cases in {:.1} s; so far {valid} valid, {invalid} with errors",
        started.elapsed().as_secs_f64()
    );
    assert!(
        valid * 10 >= valid + invalid,
        "only {valid} of {} plans are valid",
        valid + invalid
    );
}

#[test]
fn structured_plans_never_panic() {
    in_process(0);
}

#[test]
fn structured_plans_never_panic_2() {
    in_process(1);
}

/// `check`, `build` and `consult` through the binary, rendering, for [`render_cases`] plans
/// drawn mostly tame, so that most of them render.
#[test]
fn structured_plans_render_or_fail_cleanly() {
    let started = Instant::now();
    let tame = profile()
        .prop_map(|p| Profile {
            wild: p.wild.min(0.02),
            ..p
        })
        .boxed();
    let mut runner = proptest::test_runner::TestRunner::new(config(render_cases(), 10));
    let result = runner.run(&plan_case(tame), |case| exercise_rendering(&case));
    if let Err(failure) = result {
        panic!("{failure}");
    }
    eprintln!(
        "structured plans rendered: {} cases ({} built) in {:.1} s",
        render_cases(),
        BUILT.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
}
