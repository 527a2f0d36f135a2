//! Streaming a file's syntax to a consumer, item by item and member by
//! member, so that huge connectors never need to exist as a whole tree.
//!
//! Both parsers produce these events: the fast parser (`syntax::parser`)
//! as it reads, and a finished tree through [`File::walk`]. [`TreeBuilder`]
//! turns events back into a [`File`].

use super::tree::{Comment, Connector, File, Flow, Instance, Item, Member, Name, Test};
use crate::source::{FileId, Span};

/// Receives the syntax of files, in source order within each file.
pub trait Visitor<'s> {
    /// A file starts; everything until [`Visitor::file_end`] belongs to it.
    fn file_start(&mut self, file: FileId) {
        let _ = file;
    }

    /// The file ended. With `complete == false` it did not parse: forget
    /// everything it sent (a syntax error stops its whole file).
    fn file_end(&mut self, complete: bool) {
        let _ = complete;
    }

    /// A comment.
    fn comment(&mut self, comment: Comment<'s>) {
        let _ = comment;
    }

    /// `connector NAME {` — members follow until [`Visitor::connector_end`].
    fn connector_start(&mut self, name: Name<'s>);

    /// A member of the current connector. Borrowed: the parser reuses its
    /// buffers from member to member, so streaming allocates nothing.
    fn member(&mut self, member: &Member<'s>);

    /// `}` of the current connector; `span` covers the whole connector.
    fn connector_end(&mut self, span: Span);

    /// An instance (borrowed, like members).
    fn instance(&mut self, instance: &Instance<'s>);

    /// A flow with its connections.
    fn flow(&mut self, flow: &Flow<'s>);

    /// A test with its expectations.
    fn test(&mut self, test: &Test<'s>);
}

impl<'s> File<'s> {
    /// Replays the tree as events: comments first, then the items.
    pub fn walk<V: Visitor<'s>>(self, visitor: &mut V) {
        visitor.file_start(self.file);
        for comment in self.comments {
            visitor.comment(comment);
        }
        for item in self.items {
            match item {
                Item::Connector(connector) => {
                    visitor.connector_start(connector.name);
                    for member in &connector.members {
                        visitor.member(member);
                    }
                    visitor.connector_end(connector.span);
                }
                Item::Instance(instance) => visitor.instance(&instance),
                Item::Flow(flow) => visitor.flow(&flow),
                Item::Test(test) => visitor.test(&test),
            }
        }
        visitor.file_end(true);
    }
}

/// Builds a [`File`] from events.
#[derive(Debug)]
pub struct TreeBuilder<'s> {
    file: File<'s>,
    open: Option<(Name<'s>, Vec<Member<'s>>)>,
}

impl<'s> TreeBuilder<'s> {
    /// An empty tree for `file`.
    pub fn new(file: FileId) -> Self {
        TreeBuilder {
            file: File {
                file,
                items: Vec::new(),
                comments: Vec::new(),
            },
            open: None,
        }
    }

    /// The tree built so far.
    pub fn finish(self) -> File<'s> {
        self.file
    }
}

impl<'s> Visitor<'s> for TreeBuilder<'s> {
    fn file_end(&mut self, complete: bool) {
        if !complete {
            self.file.items.clear();
            self.file.comments.clear();
            self.open = None;
        }
    }

    fn comment(&mut self, comment: Comment<'s>) {
        self.file.comments.push(comment);
    }

    fn connector_start(&mut self, name: Name<'s>) {
        self.open = Some((name, Vec::new()));
    }

    fn member(&mut self, member: &Member<'s>) {
        if let Some((_, members)) = &mut self.open {
            members.push(member.clone());
        }
    }

    fn connector_end(&mut self, span: Span) {
        if let Some((name, members)) = self.open.take() {
            self.file.items.push(Item::Connector(Connector {
                name,
                members,
                span,
            }));
        }
    }

    fn instance(&mut self, instance: &Instance<'s>) {
        self.file.items.push(Item::Instance(instance.clone()));
    }

    fn flow(&mut self, flow: &Flow<'s>) {
        self.file.items.push(Item::Flow(flow.clone()));
    }

    fn test(&mut self, test: &Test<'s>) {
        self.file.items.push(Item::Test(test.clone()));
    }
}
