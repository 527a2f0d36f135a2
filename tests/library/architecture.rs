//! The module graph of `src/`, read from the source text: which file
//! imports which, whether two files import each other, and whether a
//! lower layer of the pipeline reaches up into a higher one.
//!
//! Every `src/**/*.rs` file is read with comments, doc comments and
//! literals stripped. Its crate-internal paths (`use crate::…`, grouped
//! `use crate::{a, b::{c, d}}`, `super::…`, `self::…`, a child module's
//! `child::…`, `crate::x::y` inline in code, and `authgate::…` in the
//! binary) are resolved to the file that defines them: the longest prefix
//! that is `src/a/b.rs` or `src/a/b/mod.rs`. An inline `mod x { }` is part
//! of its file; an item re-exported by a `mod.rs` (or `lib.rs`) counts as
//! that file.
//!
//! The layers are the table [`LAYERS`]; a new file must be placed in it.

#![allow(
    clippy::unwrap_used,
    reason = "test code stops on a broken expectation"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod read;
use read::{Read, Written, read};

/// A layer of the crate: the files whose path under `src/` is one of
/// `prefixes` (`text` is `text.rs` and everything under `text/`; a prefix
/// ending in `.rs` is that file alone).
struct Layer {
    name: &'static str,
    prefixes: &'static [&'static str],
    /// Whether each prefix is a feature of its own, which may import
    /// another of the layer only as [`SIDEWAYS`] allows.
    apart: bool,
}

/// The layers, bottom to top: a file may import files of its own layer
/// and of the layers below.
const LAYERS: &[Layer] = &[
    layer("text", &["text"]),
    layer("source", &["source"]),
    layer("diagnostics", &["diagnostics"]),
    layer("syntax", &["syntax"]),
    layer("check", &["check"]),
    layer("policy", &["policy"]),
    layer("pipeline", &["compile.rs"]),
    layer("project", &["project"]),
    features("features", &["diff", "openapi", "lsp", "serve"]),
    // The public front: it declares every module and re-exports, so a
    // file below that names an item through it (`crate::Severity`)
    // climbs.
    layer("front", &["lib.rs"]),
    layer("cli", &["cli", "main.rs"]),
];

const fn layer(name: &'static str, prefixes: &'static [&'static str]) -> Layer {
    Layer {
        name,
        prefixes,
        apart: false,
    }
}

/// A layer whose prefixes are features kept apart.
const fn features(name: &'static str, prefixes: &'static [&'static str]) -> Layer {
    Layer {
        name,
        prefixes,
        apart: true,
    }
}

/// The imports allowed between features of one layer: (importer, imported),
/// as prefixes of [`LAYERS`].
const SIDEWAYS: &[(&str, &str)] = &[];

/// How many imports may climb from a lower layer to a higher one.
const MAX_CLIMBS: usize = 0;

// ---------------------------------------------------------------------------
// Files and the graph.

/// A source file: its path under `src/` (`serve/state.rs`) and module path.
struct File {
    path: String,
    module: Vec<String>,
    /// Part of the binary (`main.rs` and the modules it declares).
    binary: bool,
    read: Read,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `serve/state.rs` → `[serve, state]`; `a/mod.rs` → `[a]`; the roots → `[]`.
fn module_of(path: &str) -> Vec<String> {
    let path = path.strip_suffix(".rs").unwrap_or(path);
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

struct Graph {
    files: BTreeMap<String, File>,
    /// (importer, imported) → the line of the first import.
    edges: BTreeMap<(String, String), usize>,
}

impl Graph {
    fn read() -> Graph {
        let root = src();
        let mut paths = Vec::new();
        rust_files(&root, &mut paths);
        let mut files = BTreeMap::new();
        for full in paths {
            let path = full
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let module = module_of(&path);
            let text = std::fs::read_to_string(&full).unwrap();
            let read = read(&text, &module);
            files.insert(
                path.clone(),
                File {
                    path,
                    module,
                    binary: false,
                    read,
                },
            );
        }
        let binary: BTreeSet<String> = files
            .get("main.rs")
            .map(|main| main.read.children.clone())
            .unwrap_or_default();
        for file in files.values_mut() {
            file.binary = file.path == "main.rs"
                || file.module.first().is_some_and(|top| binary.contains(top));
        }
        let mut graph = Graph {
            files,
            edges: BTreeMap::new(),
        };
        let mut edges = BTreeMap::new();
        for file in graph.files.values() {
            for written in &file.read.paths {
                if let Some(target) = graph.resolve(file, written)
                    && target != file.path
                {
                    edges
                        .entry((file.path.clone(), target))
                        .or_insert(written.line);
                }
            }
        }
        graph.edges = edges;
        graph
    }

    /// The file that defines `written`, if it is this crate's.
    fn resolve(&self, file: &File, written: &Written) -> Option<String> {
        let (first, rest) = written.segments.split_first()?;
        let mut module = match first.as_str() {
            "crate" => Vec::new(),
            "authgate" if file.binary => return Some(self.locate(rest, false)),
            "self" => written.module.clone(),
            "super" => {
                let mut module = written.module.clone();
                module.pop();
                let mut rest = rest;
                while let Some(("super", after)) = rest.split_first().map(|(s, r)| (s.as_str(), r))
                {
                    module.pop();
                    rest = after;
                }
                module.extend(rest.iter().cloned());
                return Some(self.locate(&module, file.binary));
            }
            // A child module, named from the file that declares it.
            child if written.module == file.module && file.read.children.contains(child) => {
                let mut module = file.module.clone();
                module.push(child.to_owned());
                module
            }
            _ => return None,
        };
        module.extend(rest.iter().cloned());
        Some(self.locate(&module, file.binary))
    }

    /// The file of the longest prefix of `module` that has one; the crate
    /// root if none has.
    fn locate(&self, module: &[String], binary: bool) -> String {
        let module: Vec<&str> = module
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "self")
            .collect();
        for end in (1..=module.len()).rev() {
            let base = module[..end].join("/");
            for candidate in [format!("{base}.rs"), format!("{base}/mod.rs")] {
                if self.files.contains_key(&candidate) {
                    return candidate;
                }
            }
        }
        if binary { "main.rs" } else { "lib.rs" }.to_owned()
    }

    /// Whether `to` is a submodule of `from` (`a/mod.rs` → `a/b.rs`,
    /// `lib.rs` → anything of the library): a module uses what it declares,
    /// and a submodule its parent's items, without that being a circle.
    fn owns(&self, from: &str, to: &str) -> bool {
        let (from, to) = (&self.files[from], &self.files[to]);
        from.binary == to.binary
            && to.module.len() > from.module.len()
            && to.module.starts_with(&from.module)
    }

    /// The imports that count for circles: all but those of a module's own
    /// submodules.
    fn across(&self) -> impl Iterator<Item = &(String, String)> {
        self.edges.keys().filter(|(from, to)| !self.owns(from, to))
    }

    /// Pairs of files that import each other.
    fn circles(&self) -> Vec<(&str, &str)> {
        let across: BTreeSet<&(String, String)> = self.across().collect();
        across
            .iter()
            .filter(|(from, to)| from < to && across.contains(&(to.clone(), from.clone())))
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect()
    }

    /// The strongly connected components of more than one file (Tarjan).
    fn components(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.files.keys().collect();
        let number: BTreeMap<&String, usize> = names
            .iter()
            .enumerate()
            .map(|(n, name)| (*name, n))
            .collect();
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (from, to) in self.across() {
            next[number[from]].push(number[to]);
        }
        struct Tarjan<'a> {
            next: &'a [Vec<usize>],
            index: Vec<Option<usize>>,
            low: Vec<usize>,
            on_stack: Vec<bool>,
            stack: Vec<usize>,
            counter: usize,
            found: Vec<Vec<usize>>,
        }
        impl Tarjan<'_> {
            fn visit(&mut self, v: usize) {
                self.index[v] = Some(self.counter);
                self.low[v] = self.counter;
                self.counter += 1;
                self.stack.push(v);
                self.on_stack[v] = true;
                for &w in &self.next[v] {
                    match self.index[w] {
                        None => {
                            self.visit(w);
                            self.low[v] = self.low[v].min(self.low[w]);
                        }
                        Some(index) if self.on_stack[w] => {
                            self.low[v] = self.low[v].min(index);
                        }
                        Some(_) => {}
                    }
                }
                if Some(self.low[v]) == self.index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        self.on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    self.found.push(component);
                }
            }
        }
        let mut tarjan = Tarjan {
            next: &next,
            index: vec![None; names.len()],
            low: vec![0; names.len()],
            on_stack: vec![false; names.len()],
            stack: Vec::new(),
            counter: 0,
            found: Vec::new(),
        };
        for v in 0..names.len() {
            if tarjan.index[v].is_none() {
                tarjan.visit(v);
            }
        }
        let mut components: Vec<Vec<String>> = tarjan
            .found
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut files: Vec<String> = c.into_iter().map(|v| names[v].clone()).collect();
                files.sort();
                files
            })
            .collect();
        components.sort();
        components
    }
}

// ---------------------------------------------------------------------------
// Layers.

/// The layer of `path` and the prefix that placed it there.
fn layer_of(path: &str) -> Option<(usize, &'static str)> {
    LAYERS.iter().enumerate().find_map(|(n, layer)| {
        layer
            .prefixes
            .iter()
            .find(|prefix| {
                if prefix.ends_with(".rs") {
                    path == **prefix
                } else {
                    path == format!("{prefix}.rs") || path.starts_with(&format!("{prefix}/"))
                }
            })
            .map(|prefix| (n, *prefix))
    })
}

fn edge(graph: &Graph, from: &str, to: &str) -> String {
    let line = graph.edges[&(from.to_owned(), to.to_owned())];
    format!("src/{from} -> src/{to} (line {line})")
}

/// Imports from a lower layer to a higher one, and between features of a
/// layer that [`SIDEWAYS`] does not allow.
fn climbs(graph: &Graph) -> (Vec<String>, Vec<String>) {
    let mut up = Vec::new();
    let mut sideways = Vec::new();
    for (from, to) in graph.edges.keys() {
        let (Some((low, from_prefix)), Some((high, to_prefix))) = (layer_of(from), layer_of(to))
        else {
            continue;
        };
        let line = format!(
            "{}   [{} -> {}]",
            edge(graph, from, to),
            LAYERS[low].name,
            LAYERS[high].name
        );
        if low < high {
            up.push(line);
        } else if low == high
            && LAYERS[low].apart
            && from_prefix != to_prefix
            && !SIDEWAYS.contains(&(from_prefix, to_prefix))
        {
            sideways.push(line);
        }
    }
    (up, sideways)
}

// ---------------------------------------------------------------------------
// The tests.

/// Every file has a layer: a new file or folder must be placed in
/// [`LAYERS`] before the graph means anything.
#[test]
fn every_source_file_has_a_layer() {
    let graph = Graph::read();
    let unplaced: Vec<String> = graph
        .files
        .keys()
        .filter(|path| layer_of(path).is_none())
        .map(|path| format!("src/{path}"))
        .collect();
    assert!(
        unplaced.is_empty(),
        "place these files in a layer of `LAYERS` in tests/architecture.rs: {unplaced:#?}"
    );
}

/// The reading finds grouped, nested, relative and inline paths, and
/// nothing in comments or literals.
#[test]
fn paths_are_read_from_code_only() {
    let text = r##"
        //! use crate::doc_comment;
        use crate::{a, b::{c, d as e}, f::*};
        use super::g;
        mod child;
        mod inline {
            use super::h;
        }
        /* crate::block_comment /* nested */ crate::still_comment */
        fn f<'a>(x: &'a str) -> char {
            let _ = "crate::string";
            let _ = r#"crate::raw " string"#;
            let _ = b"crate::bytes";
            crate::i::j(child::k(), self::l);
            '"'
        }
        use crate::m;
    "##;
    let module = vec!["here".to_owned(), "file".to_owned()];
    let read = read(text, &module);
    let paths: Vec<(String, usize)> = read
        .paths
        .iter()
        .map(|w| {
            (
                format!("{}@{}", w.segments.join("::"), w.module.join("::")),
                w.line,
            )
        })
        .collect();
    let expected = [
        ("crate::a@here::file", 3),
        ("crate::b::c@here::file", 3),
        ("crate::b::d@here::file", 3),
        ("crate::f@here::file", 3),
        ("super::g@here::file", 4),
        ("super::h@here::file::inline", 7),
        ("crate::i::j@here::file", 14),
        ("child::k@here::file", 14),
        ("self::l@here::file", 14),
        ("crate::m@here::file", 17),
    ]
    .map(|(path, line)| (path.to_owned(), line));
    assert_eq!(paths, expected);
    assert_eq!(read.children, BTreeSet::from(["child".to_owned()]));
}

/// No two files import each other, no longer cycle either, and at most
/// [`MAX_CLIMBS`] imports climb from a lower layer to a higher one (and no
/// feature imports another unless [`SIDEWAYS`] says so). The report lists
/// every circle and every climb with its line.
#[test]
fn the_module_graph_has_no_circles_and_few_climbs() {
    let graph = Graph::read();
    let circles = graph.circles();
    let components = graph.components();
    let longer: Vec<&Vec<String>> = components.iter().filter(|c| c.len() > 2).collect();
    let (up, sideways) = climbs(&graph);

    let mut report = String::new();
    writeln!(
        report,
        "{} files, {} imports between them",
        graph.files.len(),
        graph.edges.len()
    )
    .unwrap();
    writeln!(
        report,
        "\n{} two-file circles (target 0; a module's imports of its own \
         submodules are not counted):",
        circles.len()
    )
    .unwrap();
    for (a, b) in &circles {
        writeln!(report, "  {}\n  {}", edge(&graph, a, b), edge(&graph, b, a)).unwrap();
    }
    writeln!(
        report,
        "\n{} cycles of three files or more (target 0):",
        longer.len()
    )
    .unwrap();
    for component in &longer {
        writeln!(report, "  among {}:", component.join(", ")).unwrap();
        for (from, to) in graph.across() {
            if component.contains(from) && component.contains(to) {
                writeln!(report, "    {}", edge(&graph, from, to)).unwrap();
            }
        }
    }
    writeln!(
        report,
        "\n{} climbs to a higher layer (target at most {MAX_CLIMBS}):",
        up.len()
    )
    .unwrap();
    for line in &up {
        writeln!(report, "  {line}").unwrap();
    }
    writeln!(
        report,
        "\n{} imports between features (target 0):",
        sideways.len()
    )
    .unwrap();
    for line in &sideways {
        writeln!(report, "  {line}").unwrap();
    }
    println!("{report}");

    assert!(
        circles.is_empty()
            && components.is_empty()
            && up.len().saturating_sub(MAX_CLIMBS) == 0
            && sideways.is_empty(),
        "{report}"
    );
}
