//! The canonical layout of rule files (`authgate fmt`).
//!
//! One item after another with a blank line between; one member,
//! connection or expectation per line, indented four spaces, in the order
//! written (order is meaning: it is the order `visible` lists); a blank
//! line between members is kept where the source had one; options as
//! `< key: value, ... >`, lists as `[a, b]`, no trailing commas; names bare
//! when they can be, else quoted.
//!
//! Every comment is kept: a comment on its own line stays above what
//! follows it; a comment after code on the same line stays at the end of
//! that line; a comment inside a line (`< /* here */ auth: [a] >`) moves to
//! the end of that line. Formatting formatted text changes nothing.

use crate::source::SourceFile;
use crate::syntax::quote_name;
use crate::syntax::tree::{
    Comment, CommentKind, Expect, File, Item, List, Member, Name, Options, Scopes, Subject, Value,
};

const INDENT: &str = "    ";

/// One output line and the source range it stands for.
struct Line {
    start: u32,
    end: u32,
    kind: Kind,
    text: String,
}

/// Where a line stands in its item.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `connector NAME {`, `flow NAME {`, `test NAME {`.
    Open,
    /// An instance: an item on one line.
    Single,
    /// A member, connection or expectation: indented.
    Inner,
    /// The `}` of a block; comments just above it are indented.
    Close,
}

/// Formats a parsed file; `file` is the source it was parsed from.
pub fn format(tree: &File<'_>, file: &SourceFile) -> String {
    let mut lines = Vec::new();
    for item in &tree.items {
        item_lines(item, &mut lines);
    }
    let mut out = Printer {
        text: file.text(),
        comments: &tree.comments,
        next_comment: 0,
        out: String::with_capacity(file.text().len()),
    };
    let mut previous: Option<(Kind, u32)> = None;
    for (index, line) in lines.iter().enumerate() {
        // A blank line around blocks; between two instances or two inner
        // lines, one where the source had at least one.
        let before = out.first_comment_before(line.start).unwrap_or(line.start);
        let blank = match (previous, line.kind) {
            (None, _) | (_, Kind::Close) | (Some((Kind::Open, _)), _) => false,
            (Some((Kind::Close, _)), _) | (_, Kind::Open) => true,
            (Some((_, end)), _) => out.blank_between(end, before),
        };
        out.leading(line, blank);
        out.out
            .push_str(if line.kind == Kind::Inner { INDENT } else { "" });
        out.out.push_str(&line.text);
        let next_start = lines.get(index + 1).map_or(u32::MAX, |next| next.start);
        out.trailing(line, next_start);
        out.out.push('\n');
        previous = Some((line.kind, line.end));
    }
    // Comments after the last item, a blank line above them if the
    // source had one.
    let rest: Vec<&Comment<'_>> = out.comments.iter().skip(out.next_comment).collect();
    if let (Some(first), Some((_, end))) = (rest.first(), previous)
        && out.blank_between(end, first.span.start)
    {
        out.out.push('\n');
    }
    for comment in rest {
        out.out.push_str(comment.text.trim_end());
        out.out.push('\n');
    }
    out.out
}

struct Printer<'t> {
    text: &'t str,
    comments: &'t [Comment<'t>],
    next_comment: usize,
    out: String,
}

impl Printer<'_> {
    /// Whether the source has an empty line between `from` and `to` that
    /// is not inside a comment.
    fn blank_between(&self, from: u32, to: u32) -> bool {
        let Some(range) = self.text.get(from as usize..to as usize) else {
            return false;
        };
        let mut offset = from as usize;
        for (index, line) in range.split('\n').enumerate() {
            let start = offset;
            offset += line.len() + 1;
            // The first and last pieces are not whole lines.
            if index == 0 || offset > to as usize {
                continue;
            }
            if line.trim().is_empty() && !self.in_comment(start) {
                return true;
            }
        }
        false
    }

    /// Whether byte `offset` lies inside a comment.
    fn in_comment(&self, offset: usize) -> bool {
        let after = self
            .comments
            .partition_point(|comment| comment.span.start as usize <= offset);
        after
            .checked_sub(1)
            .and_then(|index| self.comments.get(index))
            .is_some_and(|comment| offset < comment.span.end as usize)
    }

    /// Where the comments waiting to be printed before `start` begin.
    fn first_comment_before(&self, start: u32) -> Option<u32> {
        self.comments
            .get(self.next_comment)
            .filter(|comment| comment.span.start < start)
            .map(|comment| comment.span.start)
    }

    /// Comments before `line` go above it, on their own lines; a blank
    /// line between them and `line` is kept.
    fn leading(&mut self, line: &Line, blank: bool) {
        if blank {
            self.out.push('\n');
        }
        let mut last_end = None;
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start >= line.start {
                break;
            }
            let indent = matches!(line.kind, Kind::Inner | Kind::Close);
            self.out.push_str(if indent { INDENT } else { "" });
            self.out.push_str(comment.text.trim_end());
            self.out.push('\n');
            last_end = Some(comment.span.end);
            self.next_comment += 1;
        }
        if let Some(end) = last_end
            && line.kind != Kind::Close
            && self.blank_between(end, line.start)
        {
            self.out.push('\n');
        }
    }

    /// Comments inside `line`, and after it on the same source line, go at
    /// its end.
    fn trailing(&mut self, line: &Line, next_start: u32) {
        let mut line_end = self.end_of_line(line.end as usize);
        while let Some(comment) = self.comments.get(self.next_comment) {
            let inside = comment.span.start < line.end;
            let after = (comment.span.start as usize) < line_end && comment.span.start < next_start;
            if !(inside || after) {
                break;
            }
            self.out.push(' ');
            self.out.push_str(comment.text.trim_end());
            self.next_comment += 1;
            // Nothing can follow a line comment on its line: what is left
            // goes above the next line, as standalone comments are read.
            if comment.kind == CommentKind::Line {
                break;
            }
            // A block comment that spans lines ends the output line where
            // it ends: a comment after it on that source line is still on
            // this line, as it will be once formatted (idempotence).
            line_end = line_end.max(self.end_of_line(comment.span.end as usize));
        }
    }

    /// Where the source line holding byte `offset` ends (its newline).
    fn end_of_line(&self, offset: usize) -> usize {
        self.text
            .get(offset..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |found| offset + found)
    }
}

fn name(name: &Name<'_>) -> String {
    quote_name(&name.text)
}

/// `[a, b("x", "y")]`: every item with its scopes, in the author's order.
fn list(list: &List<'_>) -> String {
    let names: Vec<String> = list
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| match list.scopes_of(index) {
            Some(held) => format!("{}{}", name(item), scopes(held)),
            None => name(item),
        })
        .collect();
    format!("[{}]", names.join(", "))
}

/// `("a", "b")`.
fn scopes(scopes: &Scopes<'_>) -> String {
    let names: Vec<String> = scopes.names.iter().map(name).collect();
    format!("({})", names.join(", "))
}

fn options(options: &Option<Options<'_>>) -> String {
    let Some(options) = options else {
        return String::new();
    };
    if options.entries.is_empty() {
        return " < >".to_owned();
    }
    let entries: Vec<String> = options
        .entries
        .iter()
        .map(|entry| {
            let value = match &entry.value {
                Value::Name(value) => name(value),
                Value::List(value) => list(value),
            };
            format!("{}: {value}", name(&entry.key))
        })
        .collect();
    format!(" < {} >", entries.join(", "))
}

fn item_lines(item: &Item<'_>, lines: &mut Vec<Line>) {
    let mut push = |start: u32, end: u32, kind: Kind, text: String| {
        lines.push(Line {
            start,
            end,
            kind,
            text,
        });
    };
    match item {
        Item::Connector(connector) => {
            let span = connector.span;
            push(
                span.start,
                connector.name.span.end,
                Kind::Open,
                format!("connector {} {{", name(&connector.name)),
            );
            for member in &connector.members {
                let (span, text) = match member {
                    Member::Method(method) => (
                        method.span,
                        format!(
                            "auth {}: {}{}",
                            name(&method.name),
                            name(&method.kind),
                            options(&method.options)
                        ),
                    ),
                    Member::Endpoint(endpoint) => (
                        endpoint.span,
                        format!(
                            "endpoint {}{}",
                            name(&endpoint.name),
                            options(&endpoint.options)
                        ),
                    ),
                };
                push(span.start, span.end, Kind::Inner, text);
            }
            push(
                span.end.saturating_sub(1),
                span.end,
                Kind::Close,
                "}".to_owned(),
            );
        }
        Item::Instance(instance) => push(
            instance.span.start,
            instance.span.end,
            Kind::Single,
            format!(
                "instance {} of {}{}",
                name(&instance.name),
                name(&instance.connector),
                options(&instance.options)
            ),
        ),
        Item::Flow(flow) => {
            push(
                flow.span.start,
                flow.name.span.end,
                Kind::Open,
                format!("flow {} {{", name(&flow.name)),
            );
            for connection in &flow.connections {
                push(
                    connection.span.start,
                    connection.span.end,
                    Kind::Inner,
                    format!(
                        "connection {} -> {}",
                        name(&connection.instance),
                        name(&connection.endpoint)
                    ),
                );
            }
            push(
                flow.span.end.saturating_sub(1),
                flow.span.end,
                Kind::Close,
                "}".to_owned(),
            );
        }
        Item::Test(test) => {
            push(
                test.span.start,
                test.name.span.end,
                Kind::Open,
                format!("test {} {{", name(&test.name)),
            );
            for expectation in &test.expectations {
                let subject = match &expectation.subject {
                    Subject::Instance(instance) => name(instance),
                    Subject::Runtime {
                        connector,
                        method,
                        scopes: held,
                    } => format!(
                        "{}/{}{}",
                        name(connector),
                        name(method),
                        held.as_ref().map(scopes).unwrap_or_default()
                    ),
                };
                let expect = match &expectation.expect {
                    Expect::CanSee(endpoint) => format!("can see {}", name(endpoint)),
                    Expect::CannotSee(endpoint) => format!("cannot see {}", name(endpoint)),
                    Expect::SeesOnly(endpoints) => format!("sees only {}", list(endpoints)),
                };
                push(
                    expectation.span.start,
                    expectation.span.end,
                    Kind::Inner,
                    format!("expect {subject} {expect}"),
                );
            }
            push(
                test.span.end.saturating_sub(1),
                test.span.end,
                Kind::Close,
                "}".to_owned(),
            );
        }
    }
}
