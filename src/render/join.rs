//! Joins the PDFs of an agenda's parts ([`super::parts`]) into the agenda's one PDF, which stays
//! PDF/A-2b and PDF/UA-1 as each part is: one page tree, one structure tree (the parts'
//! structure elements under the first part's document element, their parent-tree keys and
//! element ids made unique), one outline (the parts' bookmarks after each other), the first
//! part's catalog, metadata and output intent, its page count corrected.
//!
//! The contents in the first part link the items of later parts by `udvalg-page:N:ALT`
//! addresses (agenda.typ): each becomes a link to page N of the joined file, read as ALT. No crate joins tagged PDFs;
//! lopdf reads and writes the objects.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{
    Dictionary, Document, Object, ObjectId, Stream, StringFormat, Writer, decode_text_string,
    text_string,
};

/// The address the contents of an agenda in parts link an item's page by.
const PAGE_LINK: &[u8] = b"udvalg-page:";

/// Attributes a page takes from its page tree if it has none of its own.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

type Joined<T> = Result<T, String>;

fn failed(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The parts' PDFs, in order, as one. Written as the parts are read, one at a time: the joined
/// file is never held as objects, only the few objects that join the parts (the page tree, the
/// structure tree's root and document element, the outline, the metadata and the contents'
/// links), which are written last.
pub(super) fn join_pdfs(parts: &[Vec<u8>]) -> Joined<Vec<u8>> {
    let (first, rest) = parts.split_first().ok_or("no parts")?;
    let mut front = Document::load_mem(first).map_err(failed)?;
    front.renumber_objects_with(1);
    let mut out = Output::new(&front)?;
    let mut target = Target::of(&front)?;
    let held = target.held_of(&front)?;
    out.write_all(front.objects.iter().filter(|(id, _)| !held.contains(id)))?;
    target.held = front
        .objects
        .into_iter()
        .filter(|(id, _)| held.contains(id))
        .collect();
    out.next_id = front.max_id + 1;
    target.outlines = match target.outlines {
        Some(id) => Some(id),
        None => Some((out.reserve(), 0)),
    };
    for (index, bytes) in rest.iter().enumerate() {
        let mut part = Document::load_mem(bytes).map_err(failed)?;
        target.take(&mut part, index + 1, &mut out)?;
    }
    target.finish(out)
}

/// The joined file as it is written: its bytes and where each object begins.
struct Output {
    bytes: Vec<u8>,
    offsets: BTreeMap<u32, usize>,
    next_id: u32,
    trailer: Dictionary,
}

impl Output {
    fn new(front: &Document) -> Joined<Self> {
        let mut bytes = format!("%PDF-{}\n%", front.version).into_bytes();
        bytes.extend([0xBF, 0xF7, 0xA2, 0xFE, b'\n']);
        let mut trailer = Dictionary::new();
        for key in [b"Root".as_slice(), b"Info", b"ID"] {
            if let Ok(value) = front.trailer.get(key) {
                trailer.set(key, value.clone());
            }
        }
        Ok(Self {
            bytes,
            offsets: BTreeMap::new(),
            next_id: 1,
            trailer,
        })
    }

    fn reserve(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id - 1
    }

    fn write(&mut self, id: ObjectId, object: &Object) -> Joined<()> {
        self.offsets.insert(id.0, self.bytes.len());
        self.bytes
            .extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        Writer::write_object(&mut self.bytes, object).map_err(failed)?;
        self.bytes.extend_from_slice(b"\nendobj\n");
        Ok(())
    }

    fn write_all<'a>(
        &mut self,
        objects: impl Iterator<Item = (&'a ObjectId, &'a Object)>,
    ) -> Joined<()> {
        for (id, object) in objects {
            self.write(*id, object)?;
        }
        Ok(())
    }

    /// The cross-reference table and trailer; objects never written (a part's own catalog and
    /// tree roots) are free.
    fn finish(mut self) -> Vec<u8> {
        let size = self.next_id;
        let start = self.bytes.len();
        let free: Vec<u32> = (1..size)
            .filter(|id| !self.offsets.contains_key(id))
            .collect();
        let mut table = format!("xref\n0 {size}\n");
        let next_free = |id: u32| free.iter().find(|f| **f > id).copied().unwrap_or(0);
        table.push_str(&format!("{:010} 65535 f \n", next_free(0)));
        for id in 1..size {
            match self.offsets.get(&id) {
                Some(offset) => table.push_str(&format!("{offset:010} 00000 n \n")),
                None => table.push_str(&format!("{:010} 00001 f \n", next_free(id))),
            }
        }
        self.bytes.extend_from_slice(table.as_bytes());
        self.trailer.set("Size", i64::from(size));
        self.bytes.extend_from_slice(b"trailer\n");
        let _ = Writer::write_object(&mut self.bytes, &Object::Dictionary(self.trailer));
        self.bytes
            .extend_from_slice(format!("\nstartxref\n{start}\n%%EOF\n").as_bytes());
        self.bytes
    }
}

/// The first part's objects that the others are joined into, and what is gathered for them.
struct Target {
    catalog: ObjectId,
    pages: ObjectId,
    page_ids: Vec<ObjectId>,
    page_tops: Vec<Option<f32>>,
    struct_root: ObjectId,
    document_element: ObjectId,
    kids: Vec<Object>,
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    ids: Vec<(Vec<u8>, Object)>,
    outlines: Option<ObjectId>,
    outline_items: Vec<(ObjectId, i64)>,
    metadata: Option<ObjectId>,
    /// The objects written last, once every part is in.
    held: BTreeMap<ObjectId, Object>,
}

impl Target {
    fn of(doc: &Document) -> Joined<Self> {
        let catalog_id = reference(&doc.trailer, b"Root")?;
        let catalog = doc.catalog().map_err(failed)?;
        let pages = reference(catalog, b"Pages")?;
        let struct_root = reference(catalog, b"StructTreeRoot")?;
        let root = doc.get_dictionary(struct_root).map_err(failed)?;
        let document_element = document_element(root)?;
        let element = doc.get_dictionary(document_element).map_err(failed)?;
        let (parent_tree, next_key) = parent_tree(doc, root)?;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        Ok(Self {
            catalog: catalog_id,
            pages,
            page_tops: page_tops(doc, &page_ids),
            page_ids,
            struct_root,
            document_element,
            kids: kids(element)?,
            parent_tree,
            next_key,
            ids: id_tree(doc, root)?,
            outlines: catalog.get(b"Outlines").and_then(Object::as_reference).ok(),
            outline_items: outline_items(doc)?,
            metadata: catalog.get(b"Metadata").and_then(Object::as_reference).ok(),
            held: BTreeMap::new(),
        })
    }

    /// The first part's objects that joining changes: written last.
    fn held_of(&self, front: &Document) -> Joined<BTreeSet<ObjectId>> {
        let mut held = BTreeSet::from([
            self.catalog,
            self.pages,
            self.struct_root,
            self.document_element,
        ]);
        held.extend(self.outlines);
        held.extend(self.metadata);
        held.extend(self.outline_items.iter().map(|(id, _)| *id));
        held.extend(
            front.objects.iter().filter_map(|(id, object)| {
                object.as_dict().ok().and_then(linked_page).map(|_| *id)
            }),
        );
        Ok(held)
    }

    /// Part `index` into the joined file: its objects renumbered past those written, its pages,
    /// structure elements and bookmarks gathered under the first part's.
    fn take(&mut self, part: &mut Document, index: usize, out: &mut Output) -> Joined<()> {
        // What only the first part's catalog keeps: a part's own metadata, output intent and
        // document information are not written.
        part.trailer.remove(b"Info");
        if let Ok(catalog) = part.catalog_mut() {
            catalog.remove(b"Metadata");
            catalog.remove(b"OutputIntents");
        }
        part.prune_objects();
        part.renumber_objects_with(out.next_id);
        out.next_id = part.max_id + 1;

        let catalog_id = reference(&part.trailer, b"Root")?;
        let catalog = part.catalog().map_err(failed)?.clone();
        let root_id = reference(&catalog, b"StructTreeRoot")?;
        let root = part.get_dictionary(root_id).map_err(failed)?.clone();
        let element_id = document_element(&root)?;
        let element = part.get_dictionary(element_id).map_err(failed)?.clone();
        let (tree, next_key) = parent_tree(part, &root)?;
        let ids = id_tree(part, &root)?;
        let outline = outline_items(part)?;
        let pages_id = reference(&catalog, b"Pages")?;
        let pages: Vec<ObjectId> = part.get_pages().into_values().collect();
        for &page in &pages {
            inherit(part, page)?;
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
        self.page_tops.extend(page_tops(part, &pages));
        self.page_ids.extend(&pages);

        let mut skipped = vec![catalog_id, root_id, element_id, pages_id];
        for key in [b"ParentTree".as_slice(), b"IDTree"] {
            skipped.extend(root.get(key).and_then(Object::as_reference).ok());
        }
        skipped.extend(catalog.get(b"Outlines").and_then(Object::as_reference).ok());
        for (id, _) in &outline {
            if let Some(object) = part.objects.remove(id) {
                self.held.insert(*id, object);
            }
        }
        self.outline_items.extend(outline);
        out.write_all(part.objects.iter().filter(|(id, _)| !skipped.contains(id)))?;
        Ok(())
    }

    /// Writes the objects that join the parts, then the cross-reference table.
    fn finish(mut self, mut out: Output) -> Joined<Vec<u8>> {
        let count = i64::try_from(self.page_ids.len()).map_err(failed)?;
        let page_ids = std::mem::take(&mut self.page_ids);
        let pages = self.held_dict(self.pages)?;
        pages.set(
            "Kids",
            page_ids
                .iter()
                .map(|id| Object::Reference(*id))
                .collect::<Vec<_>>(),
        );
        pages.set("Count", count);

        let kids = std::mem::take(&mut self.kids);
        self.held_dict(self.document_element)?.set("K", kids);
        let mut nums = Vec::with_capacity(self.parent_tree.len() * 2);
        for (key, value) in std::mem::take(&mut self.parent_tree) {
            nums.push(Object::Integer(key));
            nums.push(value);
        }
        let mut ids = std::mem::take(&mut self.ids);
        ids.sort_by(|a, b| a.0.cmp(&b.0));
        let next_key = self.next_key;
        let root = self.held_dict(self.struct_root)?;
        root.set(
            "ParentTree",
            Dictionary::from_iter([("Nums", Object::Array(nums))]),
        );
        root.set("ParentTreeNextKey", next_key);
        if !ids.is_empty() {
            let mut names = Vec::with_capacity(ids.len() * 2);
            for (id, value) in ids {
                names.push(Object::String(id, StringFormat::Literal));
                names.push(value);
            }
            root.set(
                "IDTree",
                Dictionary::from_iter([("Names", Object::Array(names))]),
            );
        }

        self.link_outline()?;
        link_pages(&mut self.held, &page_ids, &self.page_tops);
        if let Some(id) = self.metadata
            && let Some(Object::Stream(stream)) = self.held.get_mut(&id)
        {
            set_page_count(stream, page_ids.len())?;
        }
        for (id, object) in &self.held {
            out.write(*id, object)?;
        }
        Ok(out.finish())
    }

    fn held_dict(&mut self, id: ObjectId) -> Joined<&mut Dictionary> {
        match self.held.get_mut(&id) {
            Some(Object::Dictionary(dict)) => Ok(dict),
            _ => Err(format!("object {} is not a dictionary", id.0)),
        }
    }

    /// Chains the parts' top-level bookmarks as the joined file's outline.
    fn link_outline(&mut self) -> Joined<()> {
        let items = std::mem::take(&mut self.outline_items);
        let Some(outlines) = self.outlines.filter(|_| !items.is_empty()) else {
            return Ok(());
        };
        for (i, (id, _)) in items.iter().enumerate() {
            let item = self.held_dict(*id)?;
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
        let mut root = match self.held.remove(&outlines) {
            Some(Object::Dictionary(dict)) => dict,
            _ => Dictionary::from_iter([("Type", Object::Name(b"Outlines".to_vec()))]),
        };
        root.set("First", Object::Reference(items[0].0));
        root.set("Last", Object::Reference(items[items.len() - 1].0));
        root.set("Count", count);
        self.held.insert(outlines, Object::Dictionary(root));
        self.held_dict(self.catalog)?
            .set("Outlines", Object::Reference(outlines));
        Ok(())
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
    let entries = flat_tree(doc, root, b"ParentTree", b"Nums")?
        .into_iter()
        .map(|(key, value)| Ok((key.as_i64().map_err(failed)?, value)))
        .collect::<Joined<_>>()?;
    Ok((entries, next_key))
}

/// The element ids of the structure tree (flat, as typst-pdf writes them).
fn id_tree(doc: &Document, root: &Dictionary) -> Joined<Vec<(Vec<u8>, Object)>> {
    Ok(flat_tree(doc, root, b"IDTree", b"Names")?
        .into_iter()
        .filter_map(|(key, value)| match key {
            Object::String(id, _) => Some((id, value)),
            _ => None,
        })
        .collect())
}

/// The key-value pairs of the number or name tree under `tree` in `root`, which typst-pdf
/// writes as one node (its `entries` array); a tree of several nodes is refused.
fn flat_tree(
    doc: &Document,
    root: &Dictionary,
    tree: &[u8],
    entries: &[u8],
) -> Joined<Vec<(Object, Object)>> {
    let Ok(node) = root.get_deref(tree, doc) else {
        return Ok(Vec::new());
    };
    let node = node.as_dict().map_err(failed)?;
    if node.has(b"Kids") {
        return Err(format!("a /{} with kids", String::from_utf8_lossy(tree)));
    }
    let Ok(pairs) = node.get(entries) else {
        return Ok(Vec::new());
    };
    Ok(pairs
        .as_array()
        .map_err(failed)?
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect())
}

/// The outline's top-level items, with their counts of open descendants.
fn outline_items(doc: &Document) -> Joined<Vec<(ObjectId, i64)>> {
    let catalog = doc.catalog().map_err(failed)?;
    let Ok(outlines) = catalog
        .get_deref(b"Outlines", doc)
        .and_then(Object::as_dict)
    else {
        return Ok(Vec::new());
    };
    let mut items = Vec::new();
    let mut next = outlines.get(b"First").and_then(Object::as_reference).ok();
    while let Some(id) = next {
        if items.iter().any(|(seen, _)| *seen == id) {
            return Err("an outline that runs in a circle".into());
        }
        let item = doc.get_dictionary(id).map_err(failed)?;
        let count = item.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
        items.push((id, count.max(0)));
        next = item.get(b"Next").and_then(Object::as_reference).ok();
    }
    Ok(items)
}

/// Gives a page of a part the attributes it took from its part's page tree.
fn inherit(part: &mut Document, page: ObjectId) -> Joined<()> {
    let mut missing: Vec<&[u8]> = {
        let dict = part.get_dictionary(page).map_err(failed)?;
        INHERITED.into_iter().filter(|key| !dict.has(key)).collect()
    };
    let mut found = Vec::new();
    let mut parent = part
        .get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"Parent").and_then(Object::as_reference).ok());
    let mut depth = 0;
    while let Some(id) = parent.filter(|_| !missing.is_empty() && depth < 64) {
        let node = part.get_dictionary(id).map_err(failed)?;
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
    let dict = part.get_dictionary_mut(page).map_err(failed)?;
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

/// Turns each `udvalg-page:N:ALT` link of `held` into a link to the top of page N, which a
/// screen reader reads as ALT.
fn link_pages(held: &mut BTreeMap<ObjectId, Object>, pages: &[ObjectId], tops: &[Option<f32>]) {
    for object in held.values_mut() {
        let Object::Dictionary(annotation) = object else {
            continue;
        };
        let Some((page, alt)) = linked_page(annotation) else {
            continue;
        };
        let Some(index) = page.checked_sub(1).filter(|i| *i < pages.len()) else {
            continue;
        };
        annotation.remove(b"A");
        annotation.set("Contents", text_string(&alt));
        annotation.set(
            "Dest",
            vec![
                Object::Reference(pages[index]),
                Object::Name(b"XYZ".to_vec()),
                Object::Null,
                tops.get(index)
                    .copied()
                    .flatten()
                    .map_or(Object::Null, Object::Real),
                Object::Null,
            ],
        );
    }
}

/// The page and the text of an annotation's `udvalg-page:N:ALT` link (Typst gives a link to an
/// address the address as its text).
fn linked_page(annotation: &Dictionary) -> Option<(usize, String)> {
    let action = annotation.get(b"A").ok()?.as_dict().ok()?;
    let Object::String(uri, _) = action.get(b"URI").ok()? else {
        return None;
    };
    if !uri.starts_with(PAGE_LINK) {
        return None;
    }
    let text = decode_text_string(annotation.get(b"Contents").ok()?).ok()?;
    let prefix = std::str::from_utf8(PAGE_LINK).ok()?;
    let (page, alt) = text.strip_prefix(prefix)?.split_once(':')?;
    Some((page.parse().ok()?, alt.to_string()))
}

/// The top of each of `pages`, where a link to it leads.
fn page_tops(doc: &Document, pages: &[ObjectId]) -> Vec<Option<f32>> {
    pages
        .iter()
        .map(|id| {
            let page = doc.get_dictionary(*id).ok()?;
            page.get(b"MediaBox")
                .ok()?
                .as_array()
                .ok()?
                .get(3)?
                .as_float()
                .ok()
        })
        .collect()
}

/// The metadata's page count: the first part's, in its XMP packet.
fn set_page_count(stream: &mut Stream, count: usize) -> Joined<()> {
    let xmp = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let xmp = String::from_utf8(xmp).map_err(failed)?;
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
