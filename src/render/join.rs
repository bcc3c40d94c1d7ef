//! Joins the PDFs of an agenda's parts ([`super::parts`]) into the agenda's one PDF, which stays
//! PDF/A-2b and PDF/UA-1 as each part is: one page tree, one structure tree (the parts'
//! structure elements under the first part's document element, their parent-tree keys and
//! element ids made unique), one outline (the parts' bookmarks after each other), the first
//! part's catalog, metadata and output intent, its page count corrected.
//!
//! The contents in the first part link the items of later parts by `udvalg-page:N` addresses
//! (agenda.typ): each becomes a link to page N of the joined file. No crate joins tagged PDFs;
//! lopdf reads and writes the objects.

use lopdf::{Dictionary, Document, Object, ObjectId, SaveOptions, StringFormat};

/// The address the contents of an agenda in parts link an item's page by.
const PAGE_LINK: &[u8] = b"udvalg-page:";

/// Attributes a page takes from its page tree if it has none of its own.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

type Joined<T> = Result<T, String>;

/// The parts' PDFs, in order, as one.
pub(super) fn join_pdfs(parts: &[Vec<u8>]) -> Joined<Vec<u8>> {
    let (first, rest) = parts.split_first().ok_or("no parts")?;
    let mut joined = Document::load_mem(first).map_err(|e| e.to_string())?;
    let mut target = Target::of(&joined)?;
    for (index, bytes) in rest.iter().enumerate() {
        let mut part = Document::load_mem(bytes).map_err(|e| e.to_string())?;
        part.renumber_objects_with(joined.max_id + 1);
        target.take(&mut joined, part, index + 1)?;
    }
    target.finish(&mut joined)?;
    joined.prune_objects();
    joined.renumber_objects();
    let mut out = Vec::new();
    let options = SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    joined
        .save_with_options(&mut out, options)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The first part's objects that the others are joined into, and what is gathered for them.
struct Target {
    pages: ObjectId,
    page_ids: Vec<ObjectId>,
    struct_root: ObjectId,
    document_element: ObjectId,
    kids: Vec<Object>,
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    ids: Vec<(Vec<u8>, Object)>,
    outline_items: Vec<(ObjectId, i64)>,
}

impl Target {
    fn of(doc: &Document) -> Joined<Self> {
        let catalog = doc.catalog().map_err(|e| e.to_string())?;
        let pages = reference(catalog, b"Pages")?;
        let struct_root = reference(catalog, b"StructTreeRoot")?;
        let root = doc.get_dictionary(struct_root).map_err(|e| e.to_string())?;
        let document_element = document_element(root)?;
        let element = doc.get_dictionary(document_element).map_err(|e| e.to_string())?;
        let (parent_tree, next_key) = parent_tree(doc, root)?;
        let mut target = Self {
            pages,
            page_ids: doc.get_pages().into_values().collect(),
            struct_root,
            document_element,
            kids: kids(element)?,
            parent_tree,
            next_key,
            ids: id_tree(doc, root)?,
            outline_items: Vec::new(),
        };
        target.outline_items = outline_items(doc)?;
        Ok(target)
    }

    /// Part `index` (renumbered past the joined file's objects) into the joined file.
    fn take(&mut self, joined: &mut Document, mut part: Document, index: usize) -> Joined<()> {
        let catalog = part.catalog().map_err(|e| e.to_string())?.clone();
        let root_id = reference(&catalog, b"StructTreeRoot")?;
        let root = part.get_dictionary(root_id).map_err(|e| e.to_string())?.clone();
        let element = part
            .get_dictionary(document_element(&root)?)
            .map_err(|e| e.to_string())?
            .clone();
        let (tree, next_key) = parent_tree(&part, &root)?;
        let ids = id_tree(&part, &root)?;
        let outline = outline_items(&part)?;
        let pages: Vec<ObjectId> = part.get_pages().into_values().collect();
        for &page in &pages {
            inherit(&mut part, page)?;
        }

        let offset = self.next_key;
        let prefix = format!("p{index}.").into_bytes();
        for object in part.objects.values_mut() {
            shift_struct_parents(object, offset);
            rename_ids(object, &prefix);
        }
        for &page in &pages {
            if let Ok(dict) = part.get_dictionary_mut(page) {
                dict.set("Parent", Object::Reference(self.pages));
            }
        }
        for kid in kids(&element)? {
            if let Object::Reference(id) = kid
                && let Ok(dict) = part.get_dictionary_mut(id)
            {
                dict.set("P", Object::Reference(self.document_element));
            }
            self.kids.push(kid);
        }
        self.parent_tree
            .extend(tree.into_iter().map(|(key, value)| (key + offset, value)));
        self.next_key += next_key;
        self.ids.extend(ids.into_iter().map(|(id, value)| {
            let mut renamed = prefix.clone();
            renamed.extend(id);
            (renamed, value)
        }));
        self.outline_items.extend(outline);
        self.page_ids.extend(&pages);
        joined.max_id = joined.max_id.max(part.max_id);
        joined.objects.append(&mut part.objects);
        Ok(())
    }

    /// Writes what was gathered into the first part's objects.
    fn finish(self, joined: &mut Document) -> Joined<()> {
        let count = i64::try_from(self.page_ids.len()).map_err(|e| e.to_string())?;
        let pages = joined
            .get_dictionary_mut(self.pages)
            .map_err(|e| e.to_string())?;
        pages.set(
            "Kids",
            self.page_ids
                .iter()
                .map(|id| Object::Reference(*id))
                .collect::<Vec<_>>(),
        );
        pages.set("Count", count);

        joined
            .get_dictionary_mut(self.document_element)
            .map_err(|e| e.to_string())?
            .set("K", self.kids);
        let mut nums = Vec::with_capacity(self.parent_tree.len() * 2);
        for (key, value) in self.parent_tree {
            nums.push(Object::Integer(key));
            nums.push(value);
        }
        let mut ids = self.ids;
        ids.sort_by(|a, b| a.0.cmp(&b.0));
        let root = joined
            .get_dictionary_mut(self.struct_root)
            .map_err(|e| e.to_string())?;
        root.set("ParentTree", Dictionary::from_iter([("Nums", Object::Array(nums))]));
        root.set("ParentTreeNextKey", self.next_key);
        if !ids.is_empty() {
            let mut names = Vec::with_capacity(ids.len() * 2);
            for (id, value) in ids {
                names.push(Object::String(id, StringFormat::Literal));
                names.push(value);
            }
            root.set("IDTree", Dictionary::from_iter([("Names", Object::Array(names))]));
        }

        link_outline(joined, &self.outline_items)?;
        link_pages(joined, &self.page_ids);
        set_page_count(joined, self.page_ids.len())
    }
}

fn reference(dict: &Dictionary, key: &[u8]) -> Joined<ObjectId> {
    dict.get(key)
        .and_then(Object::as_reference)
        .map_err(|_| format!("no /{} reference", String::from_utf8_lossy(key)))
}

/// The structure tree's one document element.
fn document_element(root: &Dictionary) -> Joined<ObjectId> {
    match root.get(b"K") {
        Ok(Object::Reference(id)) => Ok(*id),
        Ok(Object::Array(kids)) if kids.len() == 1 => kids[0]
            .as_reference()
            .map_err(|_| "the structure tree root's kid is no reference".into()),
        _ => Err("the structure tree has no single document element".into()),
    }
}

fn kids(element: &Dictionary) -> Joined<Vec<Object>> {
    let kids = match element.get(b"K") {
        Ok(Object::Array(kids)) => kids.clone(),
        Ok(kid) => vec![kid.clone()],
        Err(_) => Vec::new(),
    };
    // A marked-content id straight under the document element would need its page.
    if kids.iter().any(|k| matches!(k, Object::Integer(_))) {
        return Err("content straight under the document element".into());
    }
    Ok(kids)
}

/// The parent tree's entries (flat, as typst-pdf writes it) and its next key.
fn parent_tree(doc: &Document, root: &Dictionary) -> Joined<(Vec<(i64, Object)>, i64)> {
    let next_key = root
        .get(b"ParentTreeNextKey")
        .and_then(Object::as_i64)
        .unwrap_or(0);
    let Ok(tree) = root.get_deref(b"ParentTree", doc) else {
        return Ok((Vec::new(), next_key));
    };
    let tree = tree.as_dict().map_err(|e| e.to_string())?;
    if tree.has(b"Kids") {
        return Err("a parent tree with kids".into());
    }
    let nums = match tree.get(b"Nums") {
        Ok(nums) => nums.as_array().map_err(|e| e.to_string())?.clone(),
        Err(_) => Vec::new(),
    };
    let mut entries = Vec::new();
    for pair in nums.chunks(2) {
        if let [key, value] = pair {
            entries.push((key.as_i64().map_err(|e| e.to_string())?, value.clone()));
        }
    }
    Ok((entries, next_key))
}

/// The element ids of the structure tree (flat, as typst-pdf writes them).
fn id_tree(doc: &Document, root: &Dictionary) -> Joined<Vec<(Vec<u8>, Object)>> {
    let Ok(tree) = root.get_deref(b"IDTree", doc) else {
        return Ok(Vec::new());
    };
    let tree = tree.as_dict().map_err(|e| e.to_string())?;
    if tree.has(b"Kids") {
        return Err("an id tree with kids".into());
    }
    let names = match tree.get(b"Names") {
        Ok(names) => names.as_array().map_err(|e| e.to_string())?.clone(),
        Err(_) => Vec::new(),
    };
    let mut ids = Vec::new();
    for pair in names.chunks(2) {
        if let [Object::String(id, _), value] = pair {
            ids.push((id.clone(), value.clone()));
        }
    }
    Ok(ids)
}

/// The outline's top-level items, with their counts of open descendants.
fn outline_items(doc: &Document) -> Joined<Vec<(ObjectId, i64)>> {
    let catalog = doc.catalog().map_err(|e| e.to_string())?;
    let Ok(outlines) = catalog.get_deref(b"Outlines", doc).and_then(Object::as_dict) else {
        return Ok(Vec::new());
    };
    let mut items = Vec::new();
    let mut next = outlines.get(b"First").and_then(Object::as_reference).ok();
    while let Some(id) = next {
        if items.iter().any(|(seen, _)| *seen == id) {
            return Err("an outline that runs in a circle".into());
        }
        let item = doc.get_dictionary(id).map_err(|e| e.to_string())?;
        let count = item.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
        items.push((id, count.max(0)));
        next = item.get(b"Next").and_then(Object::as_reference).ok();
    }
    Ok(items)
}

/// Chains `items` as the joined file's outline.
fn link_outline(joined: &mut Document, items: &[(ObjectId, i64)]) -> Joined<()> {
    if items.is_empty() {
        return Ok(());
    }
    let outlines = match joined.catalog().map_err(|e| e.to_string())?.get(b"Outlines") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            let id = joined.add_object(Dictionary::from_iter([("Type", Object::Name(b"Outlines".to_vec()))]));
            joined
                .catalog_mut()
                .map_err(|e| e.to_string())?
                .set("Outlines", Object::Reference(id));
            id
        }
    };
    for (i, (id, _)) in items.iter().enumerate() {
        let item = joined.get_dictionary_mut(*id).map_err(|e| e.to_string())?;
        item.set("Parent", Object::Reference(outlines));
        item.remove(b"Prev");
        item.remove(b"Next");
        if i > 0 {
            item.set("Prev", Object::Reference(items[i - 1].0));
        }
        if let Some((next, _)) = items.get(i + 1) {
            item.set("Next", Object::Reference(*next));
        }
    }
    let count: i64 = items.iter().map(|(_, count)| 1 + count).sum();
    let root = joined
        .get_dictionary_mut(outlines)
        .map_err(|e| e.to_string())?;
    root.set("First", Object::Reference(items[0].0));
    root.set("Last", Object::Reference(items[items.len() - 1].0));
    root.set("Count", count);
    Ok(())
}

/// Gives a page of a part the attributes it took from its part's page tree.
fn inherit(part: &mut Document, page: ObjectId) -> Joined<()> {
    let mut missing: Vec<&[u8]> = {
        let dict = part.get_dictionary(page).map_err(|e| e.to_string())?;
        INHERITED.into_iter().filter(|key| !dict.has(key)).collect()
    };
    let mut found = Vec::new();
    let mut parent = part
        .get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"Parent").and_then(Object::as_reference).ok());
    let mut depth = 0;
    while let Some(id) = parent.filter(|_| !missing.is_empty() && depth < 64) {
        let node = part.get_dictionary(id).map_err(|e| e.to_string())?;
        missing.retain(|key| match node.get(key) {
            Ok(value) => {
                found.push((key.to_vec(), value.clone()));
                false
            }
            Err(_) => true,
        });
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
        depth += 1;
    }
    let dict = part.get_dictionary_mut(page).map_err(|e| e.to_string())?;
    for (key, value) in found {
        dict.set(key, value);
    }
    Ok(())
}

/// Adds `offset` to a page's or an annotation's key in the parent tree.
fn shift_struct_parents(object: &mut Object, offset: i64) {
    let dict = match object {
        Object::Dictionary(dict) => dict,
        Object::Stream(stream) => &mut stream.dict,
        _ => return,
    };
    for key in [b"StructParents".as_slice(), b"StructParent"] {
        if let Ok(Object::Integer(n)) = dict.get_mut(key) {
            *n += offset;
        }
    }
}

/// Prefixes the element ids of a part (a table's header cells are named by them), which count
/// from 1 in each part.
fn rename_ids(object: &mut Object, prefix: &[u8]) {
    match object {
        Object::Dictionary(dict) => rename_in(dict, prefix),
        Object::Stream(stream) => rename_in(&mut stream.dict, prefix),
        Object::Array(items) => items.iter_mut().for_each(|o| rename_ids(o, prefix)),
        _ => {}
    }
}

fn rename_in(dict: &mut Dictionary, prefix: &[u8]) {
    let is_element = dict.has(b"S") && dict.has(b"P");
    for (key, value) in dict.iter_mut() {
        match (key.as_slice(), value) {
            (b"ID", Object::String(id, _)) if is_element => prefix_bytes(id, prefix),
            (b"Headers", Object::Array(ids)) => {
                for id in ids {
                    if let Object::String(id, _) = id {
                        prefix_bytes(id, prefix);
                    }
                }
            }
            (_, value @ (Object::Dictionary(_) | Object::Array(_))) => rename_ids(value, prefix),
            _ => {}
        }
    }
}

fn prefix_bytes(id: &mut Vec<u8>, prefix: &[u8]) {
    id.splice(0..0, prefix.iter().copied());
}

/// Turns each `udvalg-page:N` link into a link to page N.
fn link_pages(joined: &mut Document, pages: &[ObjectId]) {
    let tops: Vec<f32> = pages
        .iter()
        .map(|id| {
            joined
                .get_dictionary(*id)
                .ok()
                .and_then(|page| page.get(b"MediaBox").ok()?.as_array().ok()?.get(3)?.as_float().ok())
                .unwrap_or(842.0)
        })
        .collect();
    for object in joined.objects.values_mut() {
        let Object::Dictionary(annotation) = object else {
            continue;
        };
        let Some(page) = linked_page(annotation) else {
            continue;
        };
        let Some(index) = page.checked_sub(1).filter(|i| *i < pages.len()) else {
            continue;
        };
        annotation.remove(b"A");
        annotation.set(
            "Dest",
            vec![
                Object::Reference(pages[index]),
                Object::Name(b"XYZ".to_vec()),
                Object::Integer(0),
                Object::Real(tops[index]),
                Object::Integer(0),
            ],
        );
    }
}

/// The page an annotation's `udvalg-page:N` address names.
fn linked_page(annotation: &Dictionary) -> Option<usize> {
    let action = annotation.get(b"A").ok()?.as_dict().ok()?;
    let Object::String(uri, _) = action.get(b"URI").ok()? else {
        return None;
    };
    let number = uri.strip_prefix(PAGE_LINK)?;
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// The metadata's page count: the first part's, in its XMP packet.
fn set_page_count(joined: &mut Document, count: usize) -> Joined<()> {
    let Ok(id) = joined
        .catalog()
        .map_err(|e| e.to_string())?
        .get(b"Metadata")
        .and_then(Object::as_reference)
    else {
        return Ok(());
    };
    let Ok(Object::Stream(stream)) = joined.get_object_mut(id) else {
        return Ok(());
    };
    let xmp = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    let xmp = String::from_utf8(xmp).map_err(|e| e.to_string())?;
    let (open, close) = ("<xmpTPg:NPages>", "</xmpTPg:NPages>");
    let Some(start) = xmp.find(open).map(|at| at + open.len()) else {
        return Ok(());
    };
    let end = xmp[start..]
        .find(close)
        .map(|at| start + at)
        .ok_or("an unclosed page count in the metadata")?;
    let updated = format!("{}{count}{}", &xmp[..start], &xmp[end..]);
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.set_content(updated.into_bytes());
    Ok(())
}
