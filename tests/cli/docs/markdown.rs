//! The project's Markdown pages as the tests read them: which files, their
//! fenced code blocks (with the line each starts on and its info string),
//! their links and their headings' anchors.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::support::root;

/// Every page whose examples are tested: the README, the book in `docs/`
/// and the two packages' READMEs (their pages on the registries).
pub fn pages() -> Vec<PathBuf> {
    let mut pages = vec![
        root().join("README.md"),
        root().join("bindings/python/README.md"),
        root().join("bindings/js/README.md"),
    ];
    let mut book: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    book.sort();
    pages.extend(book);
    pages
}

/// The path of `page` relative to the repository, for messages.
pub fn shown(page: &Path) -> String {
    page.strip_prefix(root())
        .unwrap_or(page)
        .display()
        .to_string()
}

/// A fenced code block of a page.
pub struct Block {
    /// `page:line` of the opening fence.
    pub place: String,
    /// The first word of the info string: `gate`, `console`, `json`, ...
    pub lang: String,
    /// `key=value` attributes after the language, comma-separated:
    /// ```` ```gate,fails=unknown_method ````.
    pub attrs: Vec<(String, String)>,
    /// Whatever the info string holds after its first word (a command,
    /// for a `json` block that shows its output).
    pub rest: String,
    /// The text between the fences.
    pub text: String,
}

impl Block {
    /// Every value of attribute `key`.
    pub fn attr(&self, key: &str) -> Vec<&str> {
        self.attrs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The fenced code blocks of `page`, in order.
pub fn blocks(page: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(page).expect("page readable");
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new_ext(&text, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = text[..range.start].matches('\n').count() + 1;
                let (head, rest) = info.split_once(char::is_whitespace).unwrap_or((&info, ""));
                let mut parts = head.split(',');
                let lang = parts.next().unwrap_or_default().to_owned();
                let attrs = parts
                    .map(|part| {
                        let (k, v) = part.split_once('=').unwrap_or((part, ""));
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                open = Some(Block {
                    place: format!("{}:{line}", shown(page)),
                    lang,
                    attrs,
                    rest: rest.trim().to_owned(),
                    text: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(block) = open.as_mut() {
                    block.text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

/// The destinations of the links and images of `page`, with their lines.
pub fn links(page: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(page).expect("page readable");
    Parser::new_ext(&text, Options::all())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some((
                text[..range.start].matches('\n').count() + 1,
                dest_url.to_string(),
            )),
            _ => None,
        })
        .collect()
}

/// The anchors of `page`'s headings, as GitHub makes them: lowercase,
/// spaces to `-`, punctuation other than `-` and `_` dropped, a repeated
/// heading numbered `-1`, `-2`...
pub fn anchors(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).expect("page readable");
    let mut anchors: Vec<String> = Vec::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(&text, Options::all()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H6 => {
                heading = Some(String::new());
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    let slug: String = h
                        .to_lowercase()
                        .chars()
                        .filter_map(|c| match c {
                            ' ' => Some('-'),
                            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                            _ => None,
                        })
                        .collect();
                    let same = anchors
                        .iter()
                        .filter(|a| {
                            *a == &slug
                                || a.strip_prefix(&slug)
                                    .and_then(|n| n.strip_prefix('-'))
                                    .is_some_and(|n| n.parse::<u32>().is_ok())
                        })
                        .count();
                    anchors.push(if same == 0 {
                        slug
                    } else {
                        format!("{slug}-{same}")
                    });
                }
            }
            _ => {}
        }
    }
    anchors
}
