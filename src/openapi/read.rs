//! Reading spec files and following `$ref`s between them.
//!
//! Every file is parsed whole into a JSON value (JSON with serde_json,
//! YAML through [`super::yaml`]); the mapping then reads only the parts it
//! needs. The files a document refers to are found by walking it for
//! `$ref`s and read up front, so that the mapping works on an immutable
//! store; a referenced file that can't be read or parsed is an error only
//! when the mapping follows a `$ref` into it (a broken schema file the
//! mapping never looks at does not stop an import). Remote references
//! (`https://...`) are never fetched: the mapping refuses to follow one.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::error::Error;

/// How many `$ref`s one look-up follows before calling it a cycle.
const MAX_HOPS: usize = 64;

/// Index of a document in a [`Store`].
pub(crate) type DocId = usize;

/// One parsed file.
#[derive(Debug)]
pub(crate) struct Doc {
    /// The name shown for it: the path as given, or as joined from the
    /// `$ref` that reached it.
    pub(crate) name: String,
    /// Its text, for locating a `$ref` in error messages.
    text: Arc<String>,
    /// The folder its relative `$ref`s are resolved against.
    dir: PathBuf,
    /// The parsed value.
    pub(crate) value: Value,
    /// The key order of its requirements naming several schemes, as
    /// written (the value keeps keys sorted).
    pub(crate) orders: super::json::Orders,
}

/// A value reached in a document, with the JSON pointer that reached it
/// (from the document's root, `~` and `/` escaped).
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'s> {
    /// The document.
    pub(crate) doc: DocId,
    /// The value.
    pub(crate) value: &'s Value,
}

/// The documents of one import: the root files, then every file reached
/// from them by `$ref`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    docs: Vec<Result<Doc, Error>>,
    by_path: HashMap<PathBuf, DocId>,
    /// How many documents are roots (the first ones).
    pub(crate) roots: usize,
}

impl Store {
    /// Reads the root files `paths` (each must parse) and every file
    /// their `$ref`s name, transitively. `limit` is the size limit of one
    /// file, in bytes.
    pub(crate) fn read(paths: &[PathBuf], limit: u64) -> Result<Store, Error> {
        let mut store = Store::default();
        let mut pending: Vec<DocId> = Vec::new();
        for path in paths {
            let id = store.add(path, path.display().to_string(), limit);
            if let Some(Err(error)) = store.docs.get(id) {
                return Err(error.clone());
            }
            if !pending.contains(&id) {
                pending.push(id);
            }
        }
        store.roots = store.docs.len();
        let mut next = 0;
        while let Some(&id) = pending.get(next) {
            next += 1;
            let Some(Ok(doc)) = store.docs.get(id) else {
                continue;
            };
            let mut files = HashSet::new();
            collect_files(&doc.value, &mut files);
            let dir = doc.dir.clone();
            let mut files: Vec<String> = files.into_iter().collect();
            files.sort();
            for file in files {
                let path = dir.join(decode(&file));
                let before = store.docs.len();
                let id = store.add(&path, path.display().to_string(), limit);
                if store.docs.len() > before {
                    pending.push(id);
                }
            }
        }
        Ok(store)
    }

    /// Reads one file into the store (or records why it can't), unless
    /// it is there already; returns its id.
    fn add(&mut self, path: &Path, name: String, limit: u64) -> DocId {
        let identity = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(&id) = self.by_path.get(&identity) {
            return id;
        }
        let id = self.docs.len();
        self.by_path.insert(identity, id);
        self.docs.push(parse_file(path, name, limit));
        id
    }

    /// For each set of schemes (sorted) that a requirement names together,
    /// the order in which the spec first names them: documents in the order
    /// read, each in text order.
    pub(crate) fn first_orders(&self) -> HashMap<Vec<String>, &[String]> {
        let mut first: HashMap<Vec<String>, &[String]> = HashMap::new();
        for doc in self.docs.iter().flatten() {
            for order in &doc.orders {
                let mut set = order.clone();
                set.sort();
                first.entry(set).or_insert(order.as_slice());
            }
        }
        first
    }

    /// The root documents' ids.
    pub(crate) fn roots(&self) -> std::ops::Range<DocId> {
        0..self.roots
    }

    /// A document that was read.
    pub(crate) fn doc(&self, id: DocId) -> Option<&Doc> {
        self.docs.get(id).and_then(|doc| doc.as_ref().ok())
    }

    /// The display name of a document.
    pub(crate) fn name(&self, id: DocId) -> &str {
        match self.docs.get(id) {
            Some(Ok(doc)) => &doc.name,
            Some(Err(error)) => error.path(),
            None => "",
        }
    }

    /// The value at `at`, following `$ref`s (a `$ref` object's other keys
    /// are ignored, as OpenAPI 3.0 says). `pointer` is where `at` is, for
    /// error messages.
    pub(crate) fn deref<'s>(&'s self, at: At<'s>, pointer: &str) -> Result<At<'s>, Error> {
        let mut at = at;
        let mut seen: Vec<(DocId, String)> = Vec::new();
        let mut place = pointer.to_owned();
        while let Some(reference) = at.value.get("$ref") {
            let Some(reference) = reference.as_str() else {
                return Err(self.ref_error(at.doc, &place, None, "`$ref` is not a string"));
            };
            if seen.len() >= MAX_HOPS || seen.iter().any(|(doc, p)| *doc == at.doc && *p == place) {
                let mut chain: Vec<&str> = seen.iter().map(|(_, p)| p.as_str()).collect();
                chain.push(&place);
                return Err(self.ref_error(
                    at.doc,
                    &place,
                    Some(reference),
                    &format!("`$ref`s form a cycle: {}", chain.join(" → ")),
                ));
            }
            seen.push((at.doc, place.clone()));
            let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            if file.contains("://") || file.starts_with("//") {
                return Err(self.ref_error(
                    at.doc,
                    &place,
                    Some(reference),
                    &format!("remote `$ref` `{reference}` is not followed"),
                ));
            }
            let target = if file.is_empty() {
                at.doc
            } else {
                self.find(at.doc, file)
                    .map_err(|why| self.ref_error(at.doc, &place, Some(reference), &why))?
            };
            let fragment = decode(fragment);
            let Some(doc) = self.doc(target) else {
                return Err(self.ref_error(at.doc, &place, Some(reference), "unreadable"));
            };
            let Some(value) = doc.value.pointer(&fragment) else {
                return Err(self.ref_error(
                    at.doc,
                    &place,
                    Some(reference),
                    &format!(
                        "`$ref` `{reference}`: `{}` has nothing at `#{fragment}`",
                        doc.name
                    ),
                ));
            };
            at = At { doc: target, value };
            place = format!("#{fragment}");
        }
        Ok(at)
    }

    /// The document that `file`, named in a `$ref` of document `from`, is;
    /// or why there is none.
    fn find(&self, from: DocId, file: &str) -> Result<DocId, String> {
        let dir = self
            .doc(from)
            .map(|doc| doc.dir.clone())
            .unwrap_or_default();
        let path = dir.join(decode(file));
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match self
            .by_path
            .get(&identity)
            .map(|&id| (id, self.docs.get(id)))
        {
            Some((id, Some(Ok(_)))) => Ok(id),
            Some((_, Some(Err(error)))) => Err(format!("`$ref` `{file}`: {error}")),
            _ => Err(format!(
                "`$ref` to `{}`, which was not read",
                path.display()
            )),
        }
    }

    /// An error about the `$ref` at `place` in document `doc`, located at
    /// the first occurrence of `reference` in its text.
    fn ref_error(&self, doc: DocId, place: &str, reference: Option<&str>, why: &str) -> Error {
        let name = self.name(doc);
        let message = format!("{why} (in `{name}` at `{place}`)");
        let help = "fix the `$ref`: a path relative to the file that holds it, then `#` and a \
                    JSON pointer; remote files must be downloaded and referred to by path";
        match (self.doc(doc), reference) {
            (Some(doc), Some(reference)) => {
                let offset = doc.text.find(reference);
                Error::at_offset(name, &doc.text, offset, reference.len(), message, help)
            }
            _ => Error::file(name, message, help),
        }
    }
}

/// Reads and parses one file, JSON or YAML (by extension; otherwise JSON
/// when it starts with `{`).
fn parse_file(path: &Path, name: String, limit: u64) -> Result<Doc, Error> {
    // A FIFO or a device (`$ref: /dev/stdin`) could block or never end.
    if std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file()) {
        return Err(Error::file(
            &name,
            format!("`{name}` is not a file"),
            "specs and the files their `$ref`s name must be regular files",
        ));
    }
    let bytes = crate::project::files::read_file(path, limit).map_err(|error| {
        let help = match error {
            crate::project::files::LoadError::TooLarge { .. } => {
                "raise the limit with `--max-file-size`, e.g. `--max-file-size 1G`"
            }
            _ => {
                "check the path: specs are given as paths, and a `$ref` names a file relative \
                 to the file that holds it"
            }
        };
        Error::file(&name, error.to_string(), help)
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        Error::file(
            &name,
            format!(
                "`{name}` is not UTF-8 (invalid byte at offset {})",
                error.utf8_error().valid_up_to()
            ),
            "save the spec as UTF-8",
        )
    })?;
    let mut text = text;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let empty = || {
        Error::file(
            &name,
            format!("`{name}` is empty"),
            "give an OpenAPI 3 or Swagger 2 document, JSON or YAML",
        )
    };
    if text.trim().is_empty() {
        return Err(empty());
    }
    let extension = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase());
    let json = match extension.as_deref() {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let mut orders = Vec::new();
    let value = if json {
        super::json::parse(&text, &mut orders).map_err(|error| {
            Error::at(
                &name,
                &text,
                error.line(),
                error.column().max(1),
                format!(
                    "invalid JSON in `{name}` at line {}, column {}: {}",
                    error.line(),
                    error.column().max(1),
                    strip_position(&error.to_string())
                ),
                "fix the JSON at the place shown",
            )
        })?
    } else {
        match super::yaml::parse(&text, &mut orders) {
            Ok(Some(value)) => value,
            Ok(None) => return Err(empty()),
            Err(error) => {
                return Err(Error::at(
                    &name,
                    &text,
                    error.line,
                    error.column,
                    format!(
                        "invalid YAML in `{name}` at line {}, column {}: {}",
                        error.line, error.column, error.message
                    ),
                    "fix the YAML at the place shown",
                ));
            }
        }
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Doc {
        name,
        text: Arc::new(text),
        dir,
        value,
        orders,
    })
}

/// serde_json's message without its " at line L column C" (said already).
fn strip_position(message: &str) -> &str {
    message
        .find(" at line ")
        .and_then(|at| message.get(..at))
        .unwrap_or(message)
}

/// The file parts of every `$ref` in `value` that names another file
/// (not remote, not local).
fn collect_files(value: &Value, files: &mut HashSet<String>) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let file = reference.split('#').next().unwrap_or("");
                    if !file.is_empty() && !file.contains("://") && !file.starts_with("//") {
                        files.insert(file.to_owned());
                    }
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
}

/// Percent-decodes a `$ref` part (`%20` is a space, `%7B` a `{`).
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A JSON pointer segment: `~` as `~0`, `/` as `~1`.
pub(crate) fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
