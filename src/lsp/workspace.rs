//! The rule set the server checks: the files of `authgate.toml`'s rule
//! set (else every `*.gate` file under the workspace folders), read from
//! disk once, with the open buffers laid over them. Each analysis is the
//! checker's run over that overlay, with the project's lint levels, so its
//! diagnostics are `authgate check`'s. An open file outside the rule set
//! is its own analysis, checked alone, as `authgate check FILE` loads a
//! file outside the configured rule set.
//!
//! A file on disk is re-read only when the client says it changed (a
//! watched-file event, or closing its buffer); an open buffer is never
//! replaced by the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::project::config::{self, Config, FILE_NAME, Lints};
use crate::source::{FileId, Sources, Span};

use lsp_types::{Location, Range, TextDocumentPositionParams, Uri};

use super::index::Index;
use super::positions::{Encoding, Lines, name_to_uri, uri_to_name};

/// An open buffer.
#[derive(Debug)]
pub struct Document {
    /// Its text, as the client last sent it.
    pub text: String,
}

/// The workspace's files and the latest analysis of them.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The workspace folders.
    roots: Vec<PathBuf>,
    /// `authgate.toml`: its path and text, if there is one.
    config: Option<(String, String)>,
    /// The rule set's files as last read from disk, by name.
    disk: BTreeMap<String, Arc<str>>,
    /// Open buffers, by name.
    pub open: BTreeMap<String, Document>,
    /// The latest analyses: the rule set first, then each open file
    /// outside it, alone (as `authgate check FILE` loads a file outside
    /// the configured rule set). `None` when something changed since.
    analyses: Option<Vec<Analysis>>,
    /// An analysis of nothing, for a document no analysis holds.
    empty: Analysis,
    /// Files edited or changed on disk since [`Workspace::take_touched`].
    touched: std::collections::BTreeSet<String>,
    /// What the server said at start-up and each reload about files it
    /// could not read, to log.
    pub problems: Vec<String>,
}

/// One run of the checker over the workspace.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The files checked (rules, then `authgate.toml` if any).
    pub sources: Sources,
    /// Every diagnostic, as `authgate check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// The line index of each file, made when first asked for.
    lines: Vec<std::sync::OnceLock<Lines>>,
    /// The names, made when first asked for.
    index: std::sync::OnceLock<Index>,
}

impl Analysis {
    /// The file named `name`.
    pub fn file(&self, name: &str) -> Option<FileId> {
        self.sources
            .iter()
            .find(|f| f.name() == name)
            .map(|f| f.id())
    }

    /// The text of `file`.
    pub fn text(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.text())
    }

    /// The line index of `file`.
    pub fn lines(&self, file: FileId) -> Option<&Lines> {
        let text = self.sources.get(file)?.text();
        Some(
            self.lines
                .get(file.index())?
                .get_or_init(|| Lines::new(text)),
        )
    }

    /// The names of the rule set.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.sources))
    }

    /// The range of `span`.
    pub fn range(&self, span: Span, encoding: Encoding) -> Option<Range> {
        let lines = self.lines(span.file)?;
        let text = self.text(span.file);
        Some(lines.range(text, span.start as usize, span.end as usize, encoding))
    }

    /// The location of `span`.
    pub fn location(&self, span: Span, encoding: Encoding) -> Option<Location> {
        let uri = name_to_uri(self.sources.get(span.file)?.name())?;
        Some(Location::new(uri, self.range(span, encoding)?))
    }

    /// The file of `uri`, if the analysis holds it.
    pub fn document(&self, uri: &Uri) -> Option<FileId> {
        self.file(&uri_to_name(uri))
    }

    /// The file and byte offset a request points at.
    pub fn at(
        &self,
        at: &TextDocumentPositionParams,
        encoding: Encoding,
    ) -> Option<(FileId, usize)> {
        let file = self.document(&at.text_document.uri)?;
        let offset = self
            .lines(file)?
            .offset(self.text(file), at.position, encoding);
        Some((file, offset))
    }
}

impl Workspace {
    /// The workspace of these folders: finds `authgate.toml` in the first
    /// folder that has one (or above it) and reads the rule set.
    pub fn new(roots: Vec<PathBuf>) -> Workspace {
        let mut workspace = Workspace {
            roots,
            ..Workspace::default()
        };
        workspace.reload();
        workspace
    }

    /// Reads the configuration and every rule file again.
    pub fn reload(&mut self) {
        self.analyses = None;
        self.problems.clear();
        self.config = self
            .roots
            .iter()
            .find_map(|root| config::find(root))
            .and_then(|path| {
                let text = config::read(&path).ok()?;
                Some((path.display().to_string(), text))
            });
        let paths = self.rule_paths();
        self.disk.clear();
        for path in paths {
            if !path.exists() {
                continue;
            }
            match load_settled(&path) {
                Ok(sources) => {
                    for file in sources.iter() {
                        self.disk
                            .insert(file.name().to_owned(), Arc::from(file.text()));
                    }
                }
                Err(error) => self.problems.push(error.to_string()),
            }
        }
    }

    /// The rule set's paths: `authgate.toml`'s `rules`, from its folder;
    /// else the workspace folders.
    fn rule_paths(&self) -> Vec<PathBuf> {
        if let Some((path, text)) = &self.config
            && let Ok(config) = Config::parse(&mut Sources::new(), path.as_str(), text.as_str())
            && let Some(rules) = config.rule_set(Path::new(path))
        {
            return rules;
        }
        self.roots.clone()
    }

    /// Whether `name` is the configuration file.
    pub fn is_config(&self, name: &str) -> bool {
        self.config.as_ref().is_some_and(|(path, _)| path == name)
            || Path::new(name).file_name().is_some_and(|f| f == FILE_NAME)
    }

    /// A file changed on disk (created, changed or deleted): read it again,
    /// unless it is open.
    pub fn disk_changed(&mut self, name: &str) {
        if self.is_config(name) {
            self.reload();
            return;
        }
        self.analyses = None;
        self.touched.insert(name.to_owned());
        if self.open.contains_key(name) {
            return;
        }
        match std::fs::read_to_string(name) {
            Ok(text) if self.in_rule_set(name) => {
                self.disk.insert(name.to_owned(), Arc::from(text));
            }
            _ => {
                self.disk.remove(name);
            }
        }
    }

    /// Whether a file on disk belongs to the rule set: a `*.gate` file
    /// below one of its paths, not inside a folder the loader skips (a
    /// name beginning with `.`).
    fn in_rule_set(&self, name: &str) -> bool {
        let hidden = |below: &Path| {
            below
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        };
        name.ends_with(".gate")
            && self.rule_paths().iter().any(|root| {
                Path::new(name)
                    .strip_prefix(root)
                    .is_ok_and(|below| !hidden(below))
            })
            || self.disk.contains_key(name)
    }

    /// The files edited or changed on disk since the last call.
    pub fn take_touched(&mut self) -> std::collections::BTreeSet<String> {
        std::mem::take(&mut self.touched)
    }

    /// Opens or replaces a buffer.
    pub fn set_open(&mut self, name: String, text: String) {
        self.analyses = None;
        self.touched.insert(name.clone());
        self.open.insert(name, Document { text });
    }

    /// The open buffer `name`, to edit; the analysis is dropped.
    pub fn open_mut(&mut self, name: &str) -> Option<&mut Document> {
        self.analyses = None;
        self.touched.insert(name.to_owned());
        self.open.get_mut(name)
    }

    /// Closes a buffer: the file is read from disk again (a file deleted
    /// while open leaves the rule set).
    pub fn close(&mut self, name: &str) {
        self.open.remove(name);
        self.disk_changed(name);
    }

    /// Whether the analyses are out of date.
    pub fn is_stale(&self) -> bool {
        self.analyses.is_none()
    }

    /// Every analysis of the workspace as it is now: the rule set, then
    /// each open file outside it.
    pub fn analyses(&mut self) -> &[Analysis] {
        if self.analyses.is_none() {
            let config = self.config.as_ref();
            let (inside, outside): (Vec<&String>, Vec<&String>) = self
                .open
                .keys()
                .filter(|name| is_rule_file(name))
                .partition(|name| self.in_rule_set(name));
            let mut units = vec![analyze(
                self.disk
                    .iter()
                    .filter(|(name, _)| !self.open.contains_key(*name))
                    .map(|(name, text)| (name.as_str(), &**text))
                    .chain(inside.iter().filter_map(|name| self.buffer(name))),
                config,
            )];
            units.extend(
                outside
                    .iter()
                    .filter_map(|name| self.buffer(name))
                    .map(|file| analyze(std::iter::once(file), config)),
            );
            self.analyses = Some(units);
        }
        self.analyses.as_deref().unwrap_or_default()
    }

    /// The name and text of an open buffer.
    fn buffer<'a>(&'a self, name: &'a str) -> Option<(&'a str, &'a str)> {
        Some((name, self.open.get(name)?.text.as_str()))
    }

    /// The analysis that holds the document `uri` (the rule set's when
    /// none does: it answers with nothing).
    pub fn analysis_for(&mut self, uri: &Uri) -> &Analysis {
        let name = uri_to_name(uri);
        self.analyses();
        let found = self
            .analyses
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|analysis| analysis.file(&name).is_some());
        found.unwrap_or(&self.empty)
    }
}

/// Checks `files` (name, text), sorted by name, with the project's
/// configuration.
fn analyze<'a>(
    files: impl Iterator<Item = (&'a str, &'a str)>,
    config: Option<&(String, String)>,
) -> Analysis {
    let mut files: Vec<(&str, &str)> = files.collect();
    files.sort_unstable_by_key(|(name, _)| *name);
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(name, text);
    }
    // An invalid configuration stops `check`; here it is shown in its
    // file, and the rules are checked with no lint levels.
    let mut invalid = None;
    let lints = match config {
        Some((path, text)) => match Config::parse(&mut sources, path.as_str(), text.as_str()) {
            Ok(config) => config.lints,
            Err(error) => {
                invalid = Some(*error);
                Lints::default()
            }
        },
        None => Lints::default(),
    };
    let (mut diagnostics, _) = crate::compile::check_with(&sources, &lints);
    diagnostics.extend(invalid);
    let lines = (0..sources.len())
        .map(|_| std::sync::OnceLock::new())
        .collect();
    Analysis {
        sources,
        diagnostics,
        lines,
        index: std::sync::OnceLock::new(),
    }
}

/// Whether a buffer holds rules (rather than `authgate.toml`, say).
fn is_rule_file(name: &str) -> bool {
    !name.ends_with(".toml")
}

/// Loads `path` as the CLI does, again when a file listed by the walk was
/// gone by the time it was read (a branch switch or a `git stash` while
/// the editor starts): one file deleted mid-walk must not drop the rest.
fn load_settled(path: &Path) -> Result<Sources, crate::project::files::LoadError> {
    let mut tries = 0;
    loop {
        let loaded =
            crate::project::files::load(&[path], crate::project::files::DEFAULT_MAX_FILE_SIZE);
        match &loaded {
            Err(crate::project::files::LoadError::Read { reason, .. })
                if reason.kind() == std::io::ErrorKind::NotFound && tries < 3 =>
            {
                tries += 1;
            }
            _ => return loaded,
        }
    }
}
