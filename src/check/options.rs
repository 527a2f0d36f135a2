//! Options blocks (`< key: value, ... >`), the language's extension point.
//!
//! Each kind of item that carries options has a schema: the keys it knows,
//! the shape of each value, and which keys are required. One check serves
//! every kind, so a new option is a [`Key`] and an entry in a schema;
//! unknown, repeated and missing keys and values of the wrong shape are
//! reported the same way for all of them.

use super::Checker;
use crate::diagnostics::{Diagnostic, Problem};
use crate::syntax::quote_name;
use crate::syntax::tree::{List, Name, OptionEntry, Options, Value};
use crate::text;

/// An option key that some kind of item knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    /// The auth methods an endpoint activates, or an instance's method.
    Auth,
    /// The scopes a method can grant, or an instance holds.
    Scopes,
}

impl Key {
    /// How many keys there are.
    const COUNT: usize = 2;

    /// The key as written.
    pub(super) fn name(self) -> &'static str {
        match self {
            Key::Auth => "auth",
            Key::Scopes => "scopes",
        }
    }

    fn slot(self) -> usize {
        match self {
            Key::Auth => 0,
            Key::Scopes => 1,
        }
    }
}

/// The shape an option's value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// One name: `key: NAME`.
    Name,
    /// A list: `key: [NAME, ...]`.
    List,
}

/// One key of a kind's schema.
struct OptionSpec {
    key: Key,
    shape: Shape,
    required: bool,
    /// What the value is, for "expected ...".
    expected: &'static str,
    /// What the value names, for "add its ...".
    names: &'static str,
    /// How the whole block is written, for help.
    example: &'static str,
    /// Help when the value has the wrong shape.
    shape_help: fn(&Value<'_>) -> String,
}

/// The kinds of item that carry an options block.
#[derive(Clone, Copy, Debug)]
pub(super) enum OptionsOf {
    Method,
    Endpoint,
    Instance,
}

const METHOD: &[OptionSpec] = &[SCOPES];

/// `scopes: [...]`, optional wherever it is known.
const SCOPES: OptionSpec = OptionSpec {
    key: Key::Scopes,
    shape: Shape::List,
    required: false,
    expected: "a list of scopes",
    names: "scopes",
    example: "< scopes: [SCOPE, ...] >",
    shape_help: scopes_help,
};

/// `scopes: NAME`.
fn scopes_help(value: &Value<'_>) -> String {
    match value {
        Value::Name(name) => format!("write a list: `scopes: [{}]`", quote_name(&name.text)),
        Value::List(_) => "write a list of scopes".to_owned(),
    }
}

const ENDPOINT: &[OptionSpec] = &[OptionSpec {
    key: Key::Auth,
    shape: Shape::List,
    required: true,
    expected: "a list of auth methods",
    names: "auth methods",
    example: "< auth: [METHOD, ...] >",
    shape_help: endpoint_auth_help,
}];

const INSTANCE: &[OptionSpec] = &[
    OptionSpec {
        key: Key::Auth,
        shape: Shape::Name,
        required: true,
        expected: "one auth method",
        names: "auth method",
        example: "< auth: METHOD >",
        shape_help: instance_auth_help,
    },
    SCOPES,
];

impl OptionsOf {
    fn schema(self) -> &'static [OptionSpec] {
        match self {
            OptionsOf::Method => METHOD,
            OptionsOf::Endpoint => ENDPOINT,
            OptionsOf::Instance => INSTANCE,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            OptionsOf::Method => "auth method",
            OptionsOf::Endpoint => "endpoint",
            OptionsOf::Instance => "instance",
        }
    }

    fn with_article(self) -> &'static str {
        match self {
            OptionsOf::Method => "an auth method",
            OptionsOf::Endpoint => "an endpoint",
            OptionsOf::Instance => "an instance",
        }
    }
}

/// `auth: NAME` on an endpoint.
fn endpoint_auth_help(value: &Value<'_>) -> String {
    match value {
        Value::Name(name) => format!(
            "an endpoint activates a list of methods: write `auth: [{}]`",
            quote_name(&name.text)
        ),
        Value::List(_) => "an endpoint activates a list of methods".to_owned(),
    }
}

/// `auth: [...]` on an instance.
fn instance_auth_help(value: &Value<'_>) -> String {
    match value {
        Value::List(List { items, .. }) if items.len() == 1 => {
            let one = items
                .first()
                .map_or_else(String::new, |one| quote_name(&one.text));
            format!("an instance authenticates with exactly one method: write `auth: {one}`")
        }
        Value::List(_) | Value::Name(_) => {
            "an instance authenticates with exactly one method: write `auth: METHOD`; declare \
             one instance per method"
                .to_owned()
        }
    }
}

/// The values of an options block that passed its schema: each known key
/// given once, with a value of the right shape.
pub(super) struct Found<'t, 's> {
    values: [Option<&'t Value<'s>>; Key::COUNT],
}

impl<'t, 's> Found<'t, 's> {
    /// The list given for `key`.
    pub(super) fn list(&self, key: Key) -> Option<&'t List<'s>> {
        match self.values.get(key.slot()).copied().flatten()? {
            Value::List(list) => Some(list),
            Value::Name(_) => None,
        }
    }

    /// The name given for `key`.
    pub(super) fn name(&self, key: Key) -> Option<&'t Name<'s>> {
        match self.values.get(key.slot()).copied().flatten()? {
            Value::Name(name) => Some(name),
            Value::List(_) => None,
        }
    }
}

impl<'s> Checker<'s> {
    /// Checks an options block against the schema of `of` (the block of
    /// the item called `name`, `None` if it has none), reporting unknown,
    /// repeated and missing keys and values of the wrong shape.
    pub(super) fn options<'t>(
        &mut self,
        options: Option<&'t Options<'s>>,
        of: OptionsOf,
        name: &Name<'_>,
    ) -> Found<'t, 's> {
        let schema = of.schema();
        let mut given: [Option<&'t OptionEntry<'s>>; Key::COUNT] = [None; Key::COUNT];
        // Keys given again, reported once per key.
        let mut again: [Vec<&'t OptionEntry<'s>>; Key::COUNT] = Default::default();
        for entry in options.iter().flat_map(|options| options.entries.iter()) {
            let Some(spec) = schema.iter().find(|spec| spec.key.name() == entry.key.text) else {
                self.unknown_option(entry, of);
                continue;
            };
            let (Some(slot), Some(again)) = (
                given.get_mut(spec.key.slot()),
                again.get_mut(spec.key.slot()),
            ) else {
                continue;
            };
            match slot {
                Some(_) => again.push(entry),
                None => *slot = Some(entry),
            }
        }
        for (first, again) in given.iter().zip(&again) {
            if let (Some(first), [second, rest @ ..]) = (first, again.as_slice()) {
                self.repeated_key(first, second, rest);
            }
        }
        let mut found = Found {
            values: [None; Key::COUNT],
        };
        for spec in schema {
            let Some(entry) = given.get(spec.key.slot()).copied().flatten() else {
                if spec.required {
                    self.missing_option(spec, of, name);
                }
                continue;
            };
            let shape = match entry.value {
                Value::Name(_) => Shape::Name,
                Value::List(_) => Shape::List,
            };
            if shape != spec.shape {
                self.option_value(spec, of, &entry.value);
            } else if let Some(slot) = found.values.get_mut(spec.key.slot()) {
                *slot = Some(&entry.value);
            }
        }
        found
    }

    /// `duplicate`: a key given again (`second`, and `rest` after it)
    /// in one options block.
    fn repeated_key(
        &mut self,
        first: &OptionEntry<'_>,
        second: &OptionEntry<'_>,
        rest: &[&OptionEntry<'_>],
    ) {
        let mut builder = Diagnostic::build(
            Problem::Duplicate {
                what: "option",
                name: second.key.text.to_string(),
                count: rest.len() + 2,
            },
            second.key.span,
            "given again here",
        )
        .label(first.key.span, "first given here");
        // Labels stay few (see `duplicates::LABELLED`); the help lists the
        // others by line.
        let labelled = rest.len().min(super::duplicates::LABELLED - 1);
        for entry in rest.iter().take(labelled) {
            builder = builder.label(entry.key.span, "given again here");
        }
        let mut help = format!("give `{}` once", second.key.text);
        let unlabelled = rest.iter().skip(labelled).map(|entry| entry.key.span);
        if let Some(also) =
            super::duplicates::also(self.sources, "given", second.key.span.file, unlabelled)
        {
            help.push('\n');
            help.push_str(&also);
        }
        self.emit(builder.help(help));
    }

    fn unknown_option(&mut self, entry: &OptionEntry<'_>, of: OptionsOf) {
        let keys = of.schema().iter().map(|spec| spec.key.name());
        let known = text::list(keys.clone(), of.schema().len());
        let help = match self.closest(&entry.key.text, keys) {
            Some(close) => format!(
                "did you mean `{close}`? {} knows {known}",
                of.with_article()
            ),
            None => format!("{} knows {known}", of.with_article()),
        };
        self.emit(
            Diagnostic::build(
                Problem::UnknownOption {
                    key: entry.key.text.to_string(),
                    item: of.with_article(),
                },
                entry.key.span,
                "unknown option",
            )
            .help(help),
        );
    }

    fn missing_option(&mut self, spec: &OptionSpec, of: OptionsOf, name: &Name<'_>) {
        self.emit(
            Diagnostic::build(
                Problem::MissingOption {
                    item: of.noun(),
                    name: name.text.to_string(),
                    key: spec.key.name(),
                },
                name.span,
                format!("this {} has no `{}`", of.noun(), spec.key.name()),
            )
            .help(format!(
                "add its {}: `{} {} {}`",
                spec.names,
                of.noun(),
                quote_name(&name.text),
                spec.example
            )),
        );
    }

    fn option_value(&mut self, spec: &OptionSpec, of: OptionsOf, value: &Value<'_>) {
        self.emit(
            Diagnostic::build(
                Problem::OptionValue {
                    key: spec.key.name().to_owned(),
                    item: of.with_article(),
                    expected: spec.expected,
                },
                value.span(),
                format!("expected {}", spec.expected),
            )
            .help((spec.shape_help)(value)),
        );
    }
}
