//! An agenda of many items is laid out in parts and their PDFs joined (`agenda_part_items`):
//! the joined agenda must show what the agenda laid out whole shows, page for page, with its
//! items' PDFs byte for byte, links from the contents to the items' pages, one bookmark per
//! item, and one structure tree.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_dir, edit, pages, udvalg};
use serde_json::Value;

const ITEMS: usize = 30;
const AGENDA: &str = "u00-2025-01-14/dagsorden-socialudvalget-2025-01-14.pdf";
const PUBLIC_AGENDA: &str = "u00-2025-01-14/dagsorden-socialudvalget-2025-01-14-offentlig.pdf";

/// The items made closed besides the last: the public agenda prints each as a line, the first
/// two before the first item with pages of its own (so in the front part), the others after
/// an item (in its part, at its end and inside it).
const CLOSED: [usize; 4] = [1, 2, 8, 14];

/// One meeting of `ITEMS` items (those in `CLOSED` and the last one closed), built whole and
/// built in parts of four.
fn built(dir: &Path) -> (PathBuf, PathBuf) {
    let whole = dir.join("whole");
    let items = ITEMS.to_string();
    common::synthetic(
        &whole,
        &["--committees", "1", "--meetings", "1", "--items", &items],
    );
    let meetings = whole.join("meetings.toml");
    let mut text = std::fs::read_to_string(&meetings).unwrap();
    for number in CLOSED {
        let item = text
            .find(&format!("id = \"punkt-{:02}\"", number - 1))
            .expect("the synthetic plan names its items punkt-00, punkt-01, ...");
        let at = item + text[item..].find("closed = false").unwrap();
        text.replace_range(at..at + "closed = false".len(), "closed = true");
    }
    // A heading in an item's prose: not in the contents of either (a parted agenda's contents
    // know only the items).
    let opening = "presentation = \"\"\"\n";
    let presentation = text
        .find("id = \"punkt-04\"")
        .and_then(|item| text[item..].find(opening).map(|at| item + at))
        .expect("the synthetic items have a presentation");
    text.insert_str(presentation + opening.len(), "= Forhistorie\n\n");
    std::fs::write(&meetings, text).unwrap();
    let parted = dir.join("parted");
    copy_dir(&whole, &parted);
    edit(
        parted.join("plan.toml"),
        "[plan]",
        "[plan]\nagenda_part_items = 4",
    );
    for plan in ["whole", "parted"] {
        let out = udvalg(
            dir,
            &["--plan", plan, "--out", &format!("out-{plan}"), "build"],
        );
        assert!(out.status.success(), "{}", common::stderr(&out));
    }
    (dir.join("out-whole"), dir.join("out-parted"))
}

/// Each page of `pdf` as a PNG, by pdftoppm.
fn page_images(pdf: &Path, dir: &Path) -> Vec<Vec<u8>> {
    std::fs::create_dir_all(dir).unwrap();
    let done = Command::new("pdftoppm")
        .args(["-png", "-r", "50"])
        .arg(pdf)
        .arg(dir.join("p"))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(done.success());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// qpdf's JSON of `pdf`.
fn qpdf_json(pdf: &Path) -> Value {
    let out = Command::new("qpdf")
        .arg("--json")
        .arg(pdf)
        .output()
        .expect("qpdf is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The PDF's objects by reference ("12 0 R"), and its pages' references in order.
struct Objects {
    objects: BTreeMap<String, Value>,
    pages: Vec<String>,
    outlines: usize,
}

impl Objects {
    fn of(pdf: &Path) -> Self {
        let json = qpdf_json(pdf);
        let objects = json["qpdf"][1]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(key, value)| {
                let reference = key.strip_prefix("obj:")?.to_string();
                let value = value.get("value").or_else(|| value["stream"].get("dict"))?;
                Some((reference, value.clone()))
            })
            .collect();
        let pages = json["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["object"].as_str().unwrap().to_string())
            .collect();
        let outlines = json["outlines"].as_array().map_or(0, Vec::len);
        Self {
            objects,
            pages,
            outlines,
        }
    }

    fn get<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.as_str().filter(|s| s.ends_with(" R")) {
            Some(reference) => &self.objects[reference],
            None => value,
        }
    }

    fn root<'a>(&'a self, trailer: &'a Value) -> &'a Value {
        self.get(&trailer["/Root"])
    }
}

fn trailer(pdf: &Path) -> Value {
    qpdf_json(pdf)["qpdf"][1]["trailer"]["value"].clone()
}

#[test]
fn an_agenda_in_parts_shows_what_the_whole_agenda_shows() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, parted) = built(dir.path());
    for agenda in [AGENDA, PUBLIC_AGENDA] {
        let (a, b) = (whole.join(agenda), parted.join(agenda));
        assert_ne!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{agenda}: laid out in parts, the agenda is joined from the parts' files"
        );
        let (a_pages, b_pages) = (
            page_images(&a, &dir.path().join(format!("{agenda}-whole"))),
            page_images(&b, &dir.path().join(format!("{agenda}-parted"))),
        );
        assert_eq!(a_pages.len(), b_pages.len(), "{agenda}: as many pages");
        for (page, (a, b)) in a_pages.iter().zip(&b_pages).enumerate() {
            assert!(a == b, "{agenda}: page {} looks as it does whole", page + 1);
        }
        common::assert_qpdf_check(&b);
        assert_eq!(common::pdf_info(&b, "Title"), common::pdf_info(&a, "Title"));
        for (laid_out, pdf) in [("whole", &a), ("in parts", &b)] {
            assert_eq!(
                common::pdf_text(pdf).matches("Forhistorie").count(),
                1,
                "{agenda} ({laid_out}): the prose heading is printed in its item, and is not in \
                 the contents"
            );
        }
    }
    let items: Vec<PathBuf> = std::fs::read_dir(whole.join("u00-2025-01-14"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("punkt")
        })
        .collect();
    assert_eq!(
        items.len(),
        ITEMS - 1 - CLOSED.len(),
        "a PDF of each open item"
    );
    for item in items {
        let name = item.strip_prefix(&whole).unwrap();
        assert!(
            std::fs::read(&item).unwrap() == std::fs::read(parted.join(name)).unwrap(),
            "{} is cut from its part as from the whole agenda",
            name.display()
        );
    }
}

#[test]
fn the_joined_agenda_links_its_items_bookmarks_them_and_has_one_structure_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (_, parted) = built(dir.path());
    let pdf = parted.join(AGENDA);
    let objects = Objects::of(&pdf);
    let total = pages(&pdf);
    assert_eq!(objects.pages.len(), total);

    // The contents (page 1) link each item to the page its entry names.
    let contents = Command::new("pdftotext")
        .args(["-layout", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let named: Vec<usize> = String::from_utf8_lossy(&contents.stdout)
        .lines()
        .filter(|line| line.contains(". . ."))
        .filter_map(|line| {
            let line = line.trim_end();
            let digits = line.len() - line.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            line[line.len() - digits..].parse().ok()
        })
        .collect();
    let front = &objects.objects[&objects.pages[0]];
    let linked: Vec<usize> = front["/Annots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| objects.get(a))
        .filter(|a| a["/Subtype"] == "/Link")
        .map(|a| {
            assert!(
                a.get("/A").is_none(),
                "no address is left for a reader to open: {a}"
            );
            let dest = objects.get(&a["/Dest"]);
            let page = dest[0].as_str().unwrap();
            let page = objects.pages.iter().position(|p| p == page).unwrap() + 1;
            // What a screen reader reads, as for the entries of an outline.
            let alt = a["/Contents"].as_str().unwrap();
            assert!(
                alt.starts_with("u: \u{201c}") && alt.ends_with(&format!("\u{201d} side {page}")),
                "{alt}"
            );
            page
        })
        .collect();
    assert_eq!(linked.len(), ITEMS, "one link per item");
    assert!(
        named == linked,
        "the links go to the pages named: {named:?} {linked:?}"
    );
    assert_eq!(objects.outlines, ITEMS, "one bookmark per item");

    // One structure tree: each page's key is in the parent tree, once; the parts' elements
    // hang under one document element; the metadata counts the joined pages.
    let trailer = trailer(&pdf);
    let catalog = objects.root(&trailer);
    let root = objects.get(&catalog["/StructTreeRoot"]);
    let nums = root["/ParentTree"]["/Nums"].as_array().unwrap();
    let keys: Vec<i64> = nums
        .iter()
        .step_by(2)
        .map(|k| k.as_i64().unwrap())
        .collect();
    let unique: BTreeSet<i64> = keys.iter().copied().collect();
    assert_eq!(
        unique.len(),
        keys.len(),
        "the parent tree's keys are unique"
    );
    assert_eq!(
        root["/ParentTreeNextKey"].as_i64().unwrap(),
        keys.len() as i64
    );
    let entries: BTreeMap<i64, &Value> = nums
        .chunks(2)
        .map(|pair| (pair[0].as_i64().unwrap(), &pair[1]))
        .collect();
    for page in &objects.pages {
        let key = objects.objects[page]["/StructParents"].as_i64().unwrap();
        let elements = objects
            .get(entries[&key])
            .as_array()
            .expect("a page's entry lists elements");
        assert!(!elements.is_empty(), "page {page} has its content tagged");
        for element in elements.iter().filter(|e| !e.is_null()) {
            assert_eq!(
                objects.get(element)["/Pg"].as_str(),
                Some(page.as_str()),
                "the parent tree's entry of page {page} names the elements on that page"
            );
        }
    }
    let kids = root["/K"].as_array().unwrap();
    assert_eq!(kids.len(), 1);
    let document = kids[0].as_str().unwrap();
    for kid in objects.get(&kids[0])["/K"].as_array().unwrap() {
        assert_eq!(
            objects.get(kid)["/P"],
            document,
            "under the one document element"
        );
    }
    let metadata = catalog["/Metadata"]
        .as_str()
        .unwrap()
        .trim_end_matches(" 0 R")
        .to_string();
    let packet = Command::new("qpdf")
        .arg(format!("--show-object={metadata}"))
        .arg("--filtered-stream-data")
        .arg(&pdf)
        .output()
        .unwrap();
    let packet = String::from_utf8_lossy(&packet.stdout);
    assert!(
        packet.contains(&format!("<xmpTPg:NPages>{total}</xmpTPg:NPages>")),
        "the metadata counts {total} pages"
    );
}

#[test]
fn an_agenda_in_parts_is_the_same_file_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let (_, parted) = built(dir.path());
    let again = udvalg(dir.path(), &["--plan", "parted", "--out", "again", "build"]);
    assert!(again.status.success(), "{}", common::stderr(&again));
    for agenda in [AGENDA, PUBLIC_AGENDA] {
        assert!(
            std::fs::read(parted.join(agenda)).unwrap()
                == std::fs::read(dir.path().join("again").join(agenda)).unwrap(),
            "{agenda} is byte-identical"
        );
    }
}
