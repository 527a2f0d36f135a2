//! Lowering: pest's pairs into the syntax tree.
//!
//! The lowering takes each child a node must have, in order, and fails on
//! a child it did not take: a pair of a shape it does not expect (the
//! grammar changed, this file did not) is an internal error, never
//! skipped. `is_noise` names every rule of the grammar, so that a new
//! rule must be given its place here or this does not compile.

use pest::iterators::Pairs;

use super::Rule;
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{SourceFile, Sources, Span};
use crate::syntax::tree::{
    Comment, CommentKind, Connection, Connector, Endpoint, Expect, Expectation, File, Flow,
    Instance, Item, List, Member, Method, Name, OptionEntry, Options, Scoped, Scopes, Subject,
    Test, Value,
};

/// Lowers what `Grammar::parse(Rule::file, ..)` returned for `file`.
pub(super) fn file<'s>(
    file: &'s SourceFile,
    pairs: Pairs<'s, Rule>,
) -> Result<File<'s>, Unexpected> {
    Lower { file }.root(pairs)
}

struct Lower<'s> {
    file: &'s SourceFile,
}

type Pair<'s> = pest::iterators::Pair<'s, Rule>;

/// Whether a pair is a token the tree does not keep (punctuation,
/// keywords) or a comment, which is collected separately.
fn is_noise(rule: Rule) -> bool {
    match rule {
        Rule::COMMENT
        | Rule::kw_connector
        | Rule::kw_auth
        | Rule::kw_endpoint
        | Rule::kw_instance
        | Rule::kw_of
        | Rule::kw_flow
        | Rule::kw_connection
        | Rule::kw_test
        | Rule::kw_expect
        | Rule::kw_can
        | Rule::kw_cannot
        | Rule::kw_see
        | Rule::kw_sees
        | Rule::kw_only
        | Rule::slash
        | Rule::lbrace
        | Rule::rbrace
        | Rule::langle
        | Rule::rangle
        | Rule::lbracket
        | Rule::rbracket
        | Rule::lparen
        | Rule::rparen
        | Rule::colon
        | Rule::comma
        | Rule::arrow => true,
        // What the lowering reads. The end of the file is one: nothing may
        // follow it.
        Rule::EOI
        | Rule::file
        | Rule::connector
        | Rule::method
        | Rule::endpoint
        | Rule::instance
        | Rule::flow
        | Rule::connection
        | Rule::test
        | Rule::expectation
        | Rule::subject
        | Rule::can_see
        | Rule::cannot_see
        | Rule::sees_only
        | Rule::options
        | Rule::option
        | Rule::list
        | Rule::scoped_list
        | Rule::scopes
        | Rule::name
        | Rule::line_comment
        | Rule::block_comment => false,
        // Never a child where the lowering looks: the insides of a name
        // (taken whole, as written), and silent rules, which make no pairs.
        // Not noise, so that should one appear, it is unexpected there.
        Rule::WHITESPACE
        | Rule::item
        | Rule::member
        | Rule::value
        | Rule::scoped_name
        | Rule::bare
        | Rule::quoted
        | Rule::quoted_text
        | Rule::ident_start
        | Rule::ident_char => false,
    }
}

/// A pair the lowering does not expect where it stands, or a child it
/// expects and does not find: the grammar makes a shape this file was not
/// written for. A bug in authgate, never in the rule file.
#[derive(Debug)]
pub(super) struct Unexpected {
    /// What the lowering would have taken there.
    expected: Vec<Rule>,
    /// What it found; `None` when its node had no more children.
    found: Option<Rule>,
    /// The found pair, or the end of the node.
    start: usize,
    end: usize,
}

impl Unexpected {
    pub(super) fn diagnostic(&self, sources: &Sources, file: &SourceFile) -> Diagnostic {
        let expected = match self.expected.as_slice() {
            [] => "nothing more".to_owned(),
            rules => {
                let names: Vec<String> = rules.iter().map(|rule| format!("`{rule:?}`")).collect();
                names.join(" or ")
            }
        };
        let found = self
            .found
            .map_or_else(|| "nothing".to_owned(), |rule| format!("`{rule:?}`"));
        Diagnostic::build(
            Problem::Syntax {
                message: "internal error: the grammar's tree of this file has an unexpected shape"
                    .to_owned(),
            },
            Span::new(file.id(), self.start, self.end),
            format!("expected {expected} here, found {found}"),
        )
        .help("this is a bug in authgate, not in the file; please report it with the file attached")
        .finish(sources)
    }
}

/// The children of a node that the tree keeps (no keywords, punctuation
/// or comments), taken in order. Every one must be taken: [`Children::end`]
/// fails on any left over.
struct Children<'s> {
    pairs: std::iter::Peekable<Pairs<'s, Rule>>,
    /// Where the node ends, for a child that is missing.
    end: usize,
}

impl<'s> Children<'s> {
    fn of(node: Pair<'s>) -> Self {
        let end = node.as_span().end();
        Children::new(node.into_inner(), end)
    }

    fn new(pairs: Pairs<'s, Rule>, end: usize) -> Self {
        Children {
            pairs: pairs.peekable(),
            end,
        }
    }

    fn skip_noise(&mut self) {
        while self
            .pairs
            .next_if(|pair| is_noise(pair.as_rule()))
            .is_some()
        {}
    }

    /// The next child if it is a `rule`.
    fn take_if(&mut self, rule: Rule) -> Option<Pair<'s>> {
        self.skip_noise();
        self.pairs.next_if(|pair| pair.as_rule() == rule)
    }

    /// The next child, which must be a `rule`.
    fn take(&mut self, rule: Rule) -> Result<Pair<'s>, Unexpected> {
        match self.take_if(rule) {
            Some(pair) => Ok(pair),
            None => Err(self.unexpected(&[rule])),
        }
    }

    /// The node has no more children.
    fn end(mut self) -> Result<(), Unexpected> {
        self.skip_noise();
        match self.pairs.peek() {
            None => Ok(()),
            Some(_) => Err(self.unexpected(&[])),
        }
    }

    /// What stands where one of `expected` should.
    fn unexpected(&mut self, expected: &[Rule]) -> Unexpected {
        let (found, start, end) = match self.pairs.peek() {
            Some(pair) => (
                Some(pair.as_rule()),
                pair.as_span().start(),
                pair.as_span().end(),
            ),
            None => (None, self.end, self.end),
        };
        Unexpected {
            expected: expected.to_vec(),
            found,
            start,
            end,
        }
    }
}

impl<'s> Lower<'s> {
    fn span(&self, pair: &Pair<'s>) -> Span {
        let span = pair.as_span();
        Span::new(self.file.id(), span.start(), span.end())
    }

    /// What `Grammar::parse(Rule::file, ..)` returns: one `file`.
    fn root(&self, pairs: Pairs<'s, Rule>) -> Result<File<'s>, Unexpected> {
        let mut top = Children::new(pairs, self.file.text().len());
        let file = self.file(top.take(Rule::file)?)?;
        top.end()?;
        Ok(file)
    }

    fn file(&self, root: Pair<'s>) -> Result<File<'s>, Unexpected> {
        let comments = root
            .clone()
            .into_inner()
            .flatten()
            .filter(|pair| pair.as_rule() == Rule::COMMENT)
            .map(|comment| self.comment(comment))
            .collect::<Result<_, _>>()?;
        let mut children = Children::of(root);
        let mut items = Vec::new();
        loop {
            let item = if let Some(pair) = children.take_if(Rule::connector) {
                Item::Connector(self.connector(pair)?)
            } else if let Some(pair) = children.take_if(Rule::instance) {
                Item::Instance(self.instance(pair)?)
            } else if let Some(pair) = children.take_if(Rule::flow) {
                Item::Flow(self.flow(pair)?)
            } else if let Some(pair) = children.take_if(Rule::test) {
                Item::Test(self.test(pair)?)
            } else {
                break;
            };
            items.push(item);
        }
        children.take(Rule::EOI)?;
        children.end()?;
        Ok(File {
            file: self.file.id(),
            items,
            comments,
        })
    }

    fn comment(&self, pair: Pair<'s>) -> Result<Comment<'s>, Unexpected> {
        let mut children = Children::of(pair);
        let (kind, comment) = if let Some(line) = children.take_if(Rule::line_comment) {
            (CommentKind::Line, line)
        } else if let Some(block) = children.take_if(Rule::block_comment) {
            (CommentKind::Block, block)
        } else {
            return Err(children.unexpected(&[Rule::line_comment, Rule::block_comment]));
        };
        children.end()?;
        Ok(Comment {
            kind,
            text: comment.as_str(),
            span: self.span(&comment),
        })
    }

    fn connector(&self, pair: Pair<'s>) -> Result<Connector<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let mut members = Vec::new();
        loop {
            let member = if let Some(pair) = children.take_if(Rule::method) {
                Member::Method(self.method(pair)?)
            } else if let Some(pair) = children.take_if(Rule::endpoint) {
                Member::Endpoint(self.endpoint(pair)?)
            } else {
                break;
            };
            members.push(member);
        }
        children.end()?;
        Ok(Connector {
            name,
            members,
            span,
        })
    }

    fn method(&self, pair: Pair<'s>) -> Result<Method<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let kind = self.name(children.take(Rule::name)?);
        let options = self.options(&mut children)?;
        children.end()?;
        // As for an endpoint: the item ends where its last token does.
        let end = options.as_ref().map_or(kind.span.end, |o| o.span.end);
        Ok(Method {
            name,
            kind,
            options,
            span: Span { end, ..span },
        })
    }

    fn endpoint(&self, pair: Pair<'s>) -> Result<Endpoint<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let options = self.options(&mut children)?;
        children.end()?;
        // pest counts the whitespace it skipped looking for the optional
        // block; the item ends where its last token does.
        let end = options.as_ref().map_or(name.span.end, |o| o.span.end);
        Ok(Endpoint {
            name,
            options,
            span: Span { end, ..span },
        })
    }

    fn instance(&self, pair: Pair<'s>) -> Result<Instance<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let connector = self.name(children.take(Rule::name)?);
        let options = self.options(&mut children)?;
        children.end()?;
        let end = options.as_ref().map_or(connector.span.end, |o| o.span.end);
        Ok(Instance {
            name,
            connector,
            options,
            span: Span { end, ..span },
        })
    }

    fn flow(&self, pair: Pair<'s>) -> Result<Flow<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let mut connections = Vec::new();
        while let Some(pair) = children.take_if(Rule::connection) {
            connections.push(self.connection(pair)?);
        }
        children.end()?;
        Ok(Flow {
            name,
            connections,
            span,
        })
    }

    fn connection(&self, pair: Pair<'s>) -> Result<Connection<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let instance = self.name(children.take(Rule::name)?);
        let endpoint = self.name(children.take(Rule::name)?);
        children.end()?;
        Ok(Connection {
            instance,
            endpoint,
            span,
        })
    }

    fn test(&self, pair: Pair<'s>) -> Result<Test<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let name = self.name(children.take(Rule::name)?);
        let mut expectations = Vec::new();
        while let Some(pair) = children.take_if(Rule::expectation) {
            expectations.push(self.expectation(pair)?);
        }
        children.end()?;
        Ok(Test {
            name,
            expectations,
            span,
        })
    }

    fn expectation(&self, pair: Pair<'s>) -> Result<Expectation<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let subject = self.subject(children.take(Rule::subject)?)?;
        let expect = if let Some(pair) = children.take_if(Rule::can_see) {
            Expect::CanSee(self.target(pair)?)
        } else if let Some(pair) = children.take_if(Rule::cannot_see) {
            Expect::CannotSee(self.target(pair)?)
        } else if let Some(pair) = children.take_if(Rule::sees_only) {
            let mut only = Children::of(pair);
            let list = self.list(only.take(Rule::list)?)?;
            only.end()?;
            Expect::SeesOnly(list)
        } else {
            let expected = [Rule::can_see, Rule::cannot_see, Rule::sees_only];
            return Err(children.unexpected(&expected));
        };
        children.end()?;
        Ok(Expectation {
            subject,
            expect,
            span,
        })
    }

    /// `NAME` or `CONNECTOR/METHOD`.
    fn subject(&self, pair: Pair<'s>) -> Result<Subject<'s>, Unexpected> {
        let mut children = Children::of(pair);
        let first = self.name(children.take(Rule::name)?);
        let subject = match children.take_if(Rule::name) {
            Some(method) => Subject::Runtime {
                connector: first,
                method: self.name(method),
                scopes: match children.take_if(Rule::scopes) {
                    Some(pair) => Some(self.scopes(pair)?),
                    None => None,
                },
            },
            None => Subject::Instance(first),
        };
        children.end()?;
        Ok(subject)
    }

    /// The endpoint of `can see ENDPOINT` or `cannot see ENDPOINT`.
    fn target(&self, pair: Pair<'s>) -> Result<Name<'s>, Unexpected> {
        let mut children = Children::of(pair);
        let target = self.name(children.take(Rule::name)?);
        children.end()?;
        Ok(target)
    }

    /// The options block among `children`, if it is next.
    fn options(&self, children: &mut Children<'s>) -> Result<Option<Options<'s>>, Unexpected> {
        let Some(pair) = children.take_if(Rule::options) else {
            return Ok(None);
        };
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let mut entries = Vec::new();
        while let Some(entry) = children.take_if(Rule::option) {
            entries.push(self.option(entry)?);
        }
        children.end()?;
        Ok(Some(Options { entries, span }))
    }

    fn option(&self, pair: Pair<'s>) -> Result<OptionEntry<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let key = self.name(children.take(Rule::name)?);
        let value = if let Some(list) = children.take_if(Rule::scoped_list) {
            Value::List(self.list(list)?)
        } else if let Some(name) = children.take_if(Rule::name) {
            Value::Name(self.name(name))
        } else {
            return Err(children.unexpected(&[Rule::scoped_list, Rule::name]));
        };
        children.end()?;
        Ok(OptionEntry { key, value, span })
    }

    fn list(&self, pair: Pair<'s>) -> Result<List<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let mut items = Vec::new();
        let mut scopes = Vec::new();
        while let Some(name) = children.take_if(Rule::name) {
            items.push(self.name(name));
            if let Some(pair) = children.take_if(Rule::scopes) {
                scopes.push(Scoped {
                    item: items.len().saturating_sub(1),
                    scopes: self.scopes(pair)?,
                });
            }
        }
        children.end()?;
        Ok(List {
            items,
            scopes,
            span,
        })
    }

    /// `(SCOPE, ...)`.
    fn scopes(&self, pair: Pair<'s>) -> Result<Scopes<'s>, Unexpected> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let mut names = Vec::new();
        while let Some(name) = children.take_if(Rule::name) {
            names.push(self.name(name));
        }
        children.end()?;
        Ok(Scopes { names, span })
    }

    /// A `name` pair, taken whole: its text is read as written, so its
    /// inner `bare` or `quoted` pair needs no lowering.
    fn name(&self, pair: Pair<'s>) -> Name<'s> {
        Name {
            text: crate::syntax::name_text(pair.as_str()),
            span: self.span(&pair),
        }
    }
}

#[cfg(test)]
mod tests {
    use pest::Parser as _;

    use super::*;
    use crate::syntax::grammar::Grammar;

    /// Parses `text` as `rule` and lowers it as a file.
    fn lower_as(rule: Rule, text: &str) -> Result<usize, Unexpected> {
        let mut sources = Sources::new();
        let id = sources.add("t.gate", text);
        let Some(file) = sources.get(id) else {
            unreachable!("added");
        };
        let Ok(pairs) = Grammar::parse(rule, text) else {
            unreachable!("`{text}` is a `{rule:?}`");
        };
        Lower { file }.root(pairs).map(|tree| tree.items.len())
    }

    #[test]
    fn a_file_lowers() {
        assert!(matches!(
            lower_as(Rule::file, "connector c { auth a: basic } flow f {}"),
            Ok(2)
        ));
    }

    #[test]
    fn a_pair_where_another_is_expected_is_an_internal_error() {
        let Err(unexpected) = lower_as(Rule::instance, "instance i of c") else {
            unreachable!("an instance is not a file");
        };
        assert_eq!(unexpected.expected, [Rule::file]);
        assert_eq!(unexpected.found, Some(Rule::instance));
        assert_eq!((unexpected.start, unexpected.end), (0, 15));
    }

    #[test]
    fn a_child_left_over_is_an_internal_error_not_dropped() {
        let mut sources = Sources::new();
        let id = sources.add("t.gate", "k: [a, b]");
        let Some(file) = sources.get(id) else {
            unreachable!("added");
        };
        let Some(option) = Grammar::parse(Rule::option, file.text())
            .ok()
            .and_then(|mut pairs| pairs.next())
        else {
            unreachable!("`k: [a, b]` is an option");
        };
        // Read as a list, the option's key is an item and its list is left over.
        let Err(unexpected) = Lower { file }.list(option) else {
            unreachable!("an option is not a list");
        };
        assert!(unexpected.expected.is_empty());
        assert_eq!(unexpected.found, Some(Rule::scoped_list));
        assert_eq!((unexpected.start, unexpected.end), (3, 9));
        let diagnostic = unexpected.diagnostic(&sources, file);
        assert_eq!(
            diagnostic.to_string(),
            "internal error: the grammar's tree of this file has an unexpected shape"
        );
        assert_eq!(diagnostic.code(), crate::diagnostics::Code::Syntax);
    }
}
