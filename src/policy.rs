//! The compiled, immutable evaluator.
//!
//! A [`Policy`] is built once from a checked model that has no error. Names
//! are interned to dense ids; each endpoint's activated methods are a bit
//! set; each method's visible endpoints are precomputed. Deciding by ids is
//! a bit test, listing what a method sees returns a precomputed slice, and
//! deciding by names costs a few hash look-ups. Nothing on those paths
//! allocates; only describing a decision in words does.
//!
//! Unknown names never panic and are never available: they produce a
//! [`Decision`] whose [`Reason`] names the unknown thing.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::check::{AuthType, Model};
use crate::names::{NameIndex, NameRef, Names};
use crate::source::{Sources, Span};
use crate::suggest;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The dense index of this id, `0..count`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A connector of a [`Policy`].
    ConnectorId
);
id_type!(
    /// An auth method of a [`Policy`]; ids are global, not per connector.
    MethodId
);
id_type!(
    /// An endpoint of a [`Policy`]; ids are global, not per connector.
    EndpointId
);
id_type!(
    /// A declared instance of a [`Policy`].
    InstanceId
);

/// Where something is declared: file, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'p> {
    /// The file's display name.
    pub file: &'p str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Clone, Copy, Debug)]
struct Loc {
    file: u32,
    line: u32,
    column: u32,
}

#[derive(Clone, Debug)]
struct ConnectorData {
    name: Box<str>,
    loc: Loc,
    methods: Range<u32>,
    endpoints: Range<u32>,
    /// Endpoint names to ids local to this connector.
    endpoint_index: NameIndex,
    /// Where this connector's words of `Policy::wide` start.
    wide_start: u32,
    /// Words of `Policy::wide` per endpoint (methods beyond the 64th).
    wide_words: u32,
}

#[derive(Clone, Debug)]
struct MethodData {
    name: Box<str>,
    kind: AuthType,
    connector: ConnectorId,
    loc: Loc,
    /// Range of `Policy::visible` holding the endpoints this method sees.
    visible: Range<u32>,
}

/// A method's decision data: its connector's endpoint range and its bit.
#[derive(Clone, Copy, Debug)]
struct MethodHot {
    first_endpoint: u32,
    end_endpoint: u32,
    bit: u32,
    connector: ConnectorId,
}

#[derive(Clone, Debug)]
struct InstanceData {
    name: NameRef,
    loc: Loc,
}

/// Activated-method bit sets of all endpoints, one element per endpoint,
/// in the narrowest width that holds every connector's first 64 methods:
/// the smaller the array, the more of it stays in cache.
#[derive(Clone, Debug)]
enum Bits {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Bits {
    fn for_methods(methods: usize, capacity: usize) -> Bits {
        match methods {
            0..=8 => Bits::U8(Vec::with_capacity(capacity)),
            9..=16 => Bits::U16(Vec::with_capacity(capacity)),
            17..=32 => Bits::U32(Vec::with_capacity(capacity)),
            _ => Bits::U64(Vec::with_capacity(capacity)),
        }
    }

    /// Appends words; bits beyond the width are never set (the width fits
    /// the widest connector), so the narrowing casts lose nothing.
    fn extend(&mut self, words: &[u64]) {
        match self {
            Bits::U8(bits) => bits.extend(words.iter().map(|&w| w as u8)),
            Bits::U16(bits) => bits.extend(words.iter().map(|&w| w as u16)),
            Bits::U32(bits) => bits.extend(words.iter().map(|&w| w as u32)),
            Bits::U64(bits) => bits.extend_from_slice(words),
        }
    }

    #[inline]
    fn test(&self, endpoint: usize, bit: u32) -> bool {
        let word = match self {
            Bits::U8(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U16(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U32(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U64(bits) => bits.get(endpoint).copied(),
        };
        word.is_some_and(|word| bit < 64 && word >> bit & 1 == 1)
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Bits::U8(bits) => bits.capacity(),
            Bits::U16(bits) => bits.capacity() * 2,
            Bits::U32(bits) => bits.capacity() * 4,
            Bits::U64(bits) => bits.capacity() * 8,
        }
    }
}

/// The compiled policy: immutable, `Send + Sync`, cheap to query.
///
/// Endpoints are stored column-wise because a policy may hold millions of
/// them: a name range, a connector id, one bit-set word for the first 64
/// methods, and a line and column.
#[derive(Clone, Debug)]
pub struct Policy {
    files: Vec<Box<str>>,
    /// Endpoint and instance names.
    names: Names,
    connectors: Vec<ConnectorData>,
    connector_by_name: HashMap<Box<str>, ConnectorId>,
    methods: Vec<MethodData>,
    /// What a decision needs of each method, packed (parallel to `methods`).
    hot: Vec<MethodHot>,
    /// Each instance's method and its decision data (parallel to
    /// `instances`).
    instance_methods: Vec<(MethodId, MethodHot)>,
    endpoint_names: Vec<NameRef>,
    /// Methods `0..64` each endpoint activates, as narrow as the widest
    /// connector allows.
    endpoint_bits: Bits,
    /// Methods `64..`, for connectors that have that many.
    wide: Vec<u64>,
    /// Line and column of each endpoint's name (its file is its connector's).
    endpoint_loc: Vec<(u32, u32)>,
    instances: Vec<InstanceData>,
    instance_index: NameIndex,
    /// Each method's visible endpoints, concatenated method after method.
    visible: Vec<EndpointId>,
}

/// Who is asking: a declared instance, or a runtime instance given as its
/// connector and auth method (instances usually live in a database).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal<'q> {
    /// An instance declared in the rules, by name.
    Instance(&'q str),
    /// A runtime instance: a connector and one of its methods, by name.
    Runtime {
        /// The connector's name.
        connector: &'q str,
        /// The method's name.
        method: &'q str,
    },
}

/// A resolved principal: the method it authenticates with, and the
/// declared instance if there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The auth method (which also determines the connector).
    pub method: MethodId,
    /// The declared instance, `None` for a runtime instance.
    pub instance: Option<InstanceId>,
}

/// Why a decision came out as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason<'q> {
    /// The subject's method is activated for the endpoint.
    Activated {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// The endpoint belongs to the subject's connector but does not activate
    /// its method.
    NotActivated {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// The endpoint belongs to another connector than the subject's.
    OtherConnector {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// No declared instance has this name.
    UnknownInstance {
        /// The name asked for.
        name: &'q str,
    },
    /// No connector has this name.
    UnknownConnector {
        /// The name asked for.
        name: &'q str,
    },
    /// The connector has no method of this name.
    UnknownMethod {
        /// The connector searched.
        connector: ConnectorId,
        /// The name asked for.
        name: &'q str,
    },
    /// The subject's connector has no endpoint of this name.
    UnknownEndpoint {
        /// Who asked.
        subject: Subject,
        /// The name asked for.
        name: &'q str,
    },
}

/// An answer to "is this endpoint available to this instance?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Decision<'q> {
    /// Whether the endpoint is available. Only ever `true` when the reason
    /// is [`Reason::Activated`].
    pub available: bool,
    /// Why.
    pub reason: Reason<'q>,
}

impl Decision<'_> {
    /// The subject of the decision, if the principal resolved.
    pub fn subject(&self) -> Option<Subject> {
        match self.reason {
            Reason::Activated { subject, .. }
            | Reason::NotActivated { subject, .. }
            | Reason::OtherConnector { subject, .. }
            | Reason::UnknownEndpoint { subject, .. } => Some(subject),
            _ => None,
        }
    }

    /// The endpoint of the decision, if it resolved.
    pub fn endpoint(&self) -> Option<EndpointId> {
        match self.reason {
            Reason::Activated { endpoint, .. }
            | Reason::NotActivated { endpoint, .. }
            | Reason::OtherConnector { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }
}

/// A principal that did not resolve; says which name is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown<'q> {
    /// No declared instance has this name.
    Instance(&'q str),
    /// No connector has this name.
    Connector(&'q str),
    /// The connector has no method of this name.
    Method(ConnectorId, &'q str),
}

impl<'q> From<Unknown<'q>> for Reason<'q> {
    fn from(unknown: Unknown<'q>) -> Self {
        match unknown {
            Unknown::Instance(name) => Reason::UnknownInstance { name },
            Unknown::Connector(name) => Reason::UnknownConnector { name },
            Unknown::Method(connector, name) => Reason::UnknownMethod { connector, name },
        }
    }
}

fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl Policy {
    /// Compiles a checked model. The model must come from a check without
    /// errors; a model with unresolved parts compiles what resolved.
    pub(crate) fn compile(model: Model, sources: &Sources) -> Policy {
        let Model {
            mut names,
            connectors,
            instances,
            ..
        } = model;
        let loc = |span: Span| -> Loc {
            let position = sources.get(span.file).map_or((0, 0), |file| {
                let p = file.line_column(span.start as usize);
                (p.line, p.column)
            });
            Loc {
                file: id(span.file.index()),
                line: id(position.0),
                column: id(position.1),
            }
        };
        let endpoint_count: usize = connectors.iter().map(|c| c.endpoints.len()).sum();
        let mut policy = Policy {
            files: sources.iter().map(|file| Box::from(file.name())).collect(),
            names: Names::default(),
            connectors: Vec::with_capacity(connectors.len()),
            connector_by_name: HashMap::with_capacity(connectors.len()),
            methods: Vec::new(),
            hot: Vec::new(),
            instance_methods: Vec::with_capacity(instances.len()),
            endpoint_names: Vec::with_capacity(endpoint_count),
            endpoint_bits: Bits::for_methods(
                connectors
                    .iter()
                    .map(|c| c.methods.len())
                    .max()
                    .unwrap_or(0),
                endpoint_count,
            ),
            wide: Vec::new(),
            endpoint_loc: Vec::with_capacity(endpoint_count),
            instances: Vec::with_capacity(instances.len()),
            instance_index: NameIndex::with_capacity(instances.len()),
            visible: Vec::new(),
        };
        let mut method_base = Vec::with_capacity(connectors.len());
        for (index, mut connector) in connectors.into_iter().enumerate() {
            let endpoint_index = std::mem::take(&mut connector.endpoint_index);
            let connector_id = ConnectorId(id(index));
            let methods_start = id(policy.methods.len());
            let endpoints_start = id(policy.endpoint_names.len());
            method_base.push(methods_start);
            for method in &connector.methods {
                policy.methods.push(MethodData {
                    name: Box::from(method.name.as_str()),
                    kind: method.kind.unwrap_or(AuthType::None),
                    connector: connector_id,
                    loc: loc(method.span),
                    visible: 0..0,
                });
            }
            // Endpoints are in source order, so their lines can be counted
            // forward instead of searched.
            let file = sources.get(connector.span.file);
            let mut lines = file.map(|f| f.line_cursor());
            for endpoint in &connector.endpoints {
                policy.endpoint_names.push(endpoint.name);
                let position = lines.as_mut().map_or((0, 0), |cursor| {
                    let p = cursor.line_column(endpoint.span(connector.span.file).start as usize);
                    (p.line, p.column)
                });
                policy.endpoint_loc.push((id(position.0), id(position.1)));
            }
            policy.endpoint_bits.extend(connector.bits());
            let wide_start = id(policy.wide.len());
            policy.wide.extend_from_slice(connector.wide());
            // Each method's visible endpoints, in declaration order: count,
            // then place, one pass over the endpoints each (not one per
            // method).
            let methods = connector.methods.len();
            let mut counts = vec![0u32; methods];
            for endpoint in 0..connector.endpoints.len() {
                for method in connector.activated(endpoint) {
                    if let Some(count) = counts.get_mut(method) {
                        *count += 1;
                    }
                }
            }
            let base = policy.visible.len();
            let mut next: Vec<usize> = Vec::with_capacity(methods);
            let mut offset = base;
            for (local, &count) in counts.iter().enumerate() {
                next.push(offset);
                let start = id(offset);
                offset += count as usize;
                if let Some(method) = policy.methods.get_mut(methods_start as usize + local) {
                    method.visible = start..id(offset);
                }
            }
            policy.visible.resize(offset, EndpointId(u32::MAX));
            for endpoint in 0..connector.endpoints.len() {
                for method in connector.activated(endpoint) {
                    if let Some(slot) = next.get_mut(method) {
                        if let Some(entry) = policy.visible.get_mut(*slot) {
                            *entry = EndpointId(endpoints_start + id(endpoint));
                        }
                        *slot += 1;
                    }
                }
            }
            policy
                .connector_by_name
                .insert(Box::from(connector.name.as_str()), connector_id);
            let endpoints_end = id(policy.endpoint_names.len());
            policy
                .hot
                .extend((0..connector.methods.len()).map(|local| MethodHot {
                    first_endpoint: endpoints_start,
                    end_endpoint: endpoints_end,
                    bit: id(local),
                    connector: connector_id,
                }));
            policy.connectors.push(ConnectorData {
                name: Box::from(connector.name.as_str()),
                loc: loc(connector.span),
                methods: methods_start..id(policy.methods.len()),
                endpoints: endpoints_start..id(policy.endpoint_names.len()),
                endpoint_index,
                wide_start,
                wide_words: id(connector.wide_words()),
            });
        }
        // Instances arrive file by file, in source order: walk each file's
        // lines forward instead of searching.
        let mut cursor: Option<(crate::source::FileId, crate::source::LineCursor<'_>)> = None;
        for instance in &instances {
            let file = instance.span.file;
            if cursor.as_ref().is_none_or(|(current, _)| *current != file) {
                cursor = sources.get(file).map(|f| (file, f.line_cursor()));
            }
            let position = cursor.as_mut().map_or((0, 0), |(_, lines)| {
                let p = lines.line_column(instance.span.start as usize);
                (p.line, p.column)
            });
            let Some(&base) = method_base.get(instance.connector) else {
                continue;
            };
            let method = MethodId(base + id(instance.method));
            let Some(&hot) = policy.hot.get(method.index()) else {
                continue;
            };
            let instance_id = id(policy.instances.len());
            let name = names.push(&instance.name);
            policy.instance_methods.push((method, hot));
            policy.instances.push(InstanceData {
                name,
                loc: Loc {
                    file: id(file.index()),
                    line: id(position.0),
                    column: id(position.1),
                },
            });
            let (all, index) = (&policy.instances, &mut policy.instance_index);
            let _ = index.insert(instance_id, &instance.name, |i| {
                all.get(i as usize)
                    .map_or(&[][..], |data| names.bytes(data.name))
            });
        }
        names.shrink_to_fit();
        policy.names = names;
        policy.visible.shrink_to_fit();
        policy.methods.shrink_to_fit();
        policy
    }

    // ---- look-ups by name -------------------------------------------------

    /// The connector with this name.
    pub fn connector(&self, name: &str) -> Option<ConnectorId> {
        self.connector_by_name.get(name).copied()
    }

    /// The method of `connector` with this name. Connectors have a handful
    /// of methods, so this is a short scan of that connector's methods.
    pub fn method(&self, connector: ConnectorId, name: &str) -> Option<MethodId> {
        let range = self.connectors.get(connector.index())?.methods.clone();
        let methods = self.methods.get(range.start as usize..range.end as usize)?;
        let offset = methods.iter().position(|method| &*method.name == name)?;
        Some(MethodId(range.start + id(offset)))
    }

    /// The endpoint of `connector` with this name.
    #[inline]
    pub fn endpoint(&self, connector: ConnectorId, name: &str) -> Option<EndpointId> {
        let data = self.connectors.get(connector.index())?;
        let start = data.endpoints.start;
        let local = data.endpoint_index.find(name, |local| {
            self.endpoint_names
                .get((start + local) as usize)
                .map_or(&[][..], |&name| self.names.bytes(name))
        })?;
        Some(EndpointId(start + local))
    }

    /// The declared instance with this name.
    #[inline]
    pub fn instance(&self, name: &str) -> Option<InstanceId> {
        self.instance_index
            .find(name, |i| {
                self.instances
                    .get(i as usize)
                    .map_or(&[][..], |data| self.names.bytes(data.name))
            })
            .map(InstanceId)
    }

    /// Resolves who is asking, or says which name is unknown.
    #[inline]
    pub fn subject<'q>(&self, principal: Principal<'q>) -> Result<Subject, Unknown<'q>> {
        match principal {
            Principal::Instance(name) => {
                let instance = self.instance(name).ok_or(Unknown::Instance(name))?;
                Ok(self.instance_subject(instance))
            }
            Principal::Runtime { connector, method } => {
                let connector_id = self
                    .connector(connector)
                    .ok_or(Unknown::Connector(connector))?;
                let method = self
                    .method(connector_id, method)
                    .ok_or(Unknown::Method(connector_id, method))?;
                Ok(Subject {
                    method,
                    instance: None,
                })
            }
        }
    }

    /// The subject of a declared instance.
    #[inline]
    pub fn instance_subject(&self, instance: InstanceId) -> Subject {
        Subject {
            method: self
                .instance_methods
                .get(instance.index())
                .map_or(MethodId(u32::MAX), |&(method, _)| method),
            instance: Some(instance),
        }
    }

    // ---- decisions --------------------------------------------------------

    /// Whether `endpoint` is available to an instance authenticating with
    /// `method`: the endpoint belongs to the method's connector and activates
    /// the method. Ids from another policy are simply not available.
    #[inline]
    pub fn is_available(&self, method: MethodId, endpoint: EndpointId) -> bool {
        let Some(hot) = self.hot.get(method.index()) else {
            return false;
        };
        // The connector's endpoints are a range: no per-endpoint connector
        // id to load.
        if endpoint.0 < hot.first_endpoint || endpoint.0 >= hot.end_endpoint {
            return false;
        }
        self.test(hot, endpoint)
    }

    /// Whether `endpoint` is available to the declared `instance`: the
    /// same as [`Policy::is_available`] with the instance's method, one
    /// look-up shorter.
    #[inline]
    pub fn is_available_to(&self, instance: InstanceId, endpoint: EndpointId) -> bool {
        let Some((_, hot)) = self.instance_methods.get(instance.index()) else {
            return false;
        };
        if endpoint.0 < hot.first_endpoint || endpoint.0 >= hot.end_endpoint {
            return false;
        }
        self.test(hot, endpoint)
    }

    /// The bit of `hot`'s method for an endpoint of its connector.
    #[inline]
    fn test(&self, hot: &MethodHot, endpoint: EndpointId) -> bool {
        if hot.bit < 64 {
            self.endpoint_bits.test(endpoint.index(), hot.bit)
        } else {
            self.wide_bit_of(hot, endpoint)
        }
    }

    #[cold]
    fn wide_bit_of(&self, hot: &MethodHot, endpoint: EndpointId) -> bool {
        let Some(connector) = self.connectors.get(hot.connector.index()) else {
            return false;
        };
        let local_endpoint = endpoint.0.saturating_sub(connector.endpoints.start) as usize;
        let word = connector.wide_start as usize
            + local_endpoint * connector.wide_words as usize
            + (hot.bit / 64 - 1) as usize;
        self.wide
            .get(word)
            .is_some_and(|word| word >> (hot.bit % 64) & 1 == 1)
    }

    /// The decision, with its reason, for resolved ids.
    #[inline]
    pub fn decide_ids<'q>(&self, subject: Subject, endpoint: EndpointId) -> Decision<'q> {
        let hot = self.hot.get(subject.method.index());
        let Some(hot) =
            hot.filter(|hot| endpoint.0 >= hot.first_endpoint && endpoint.0 < hot.end_endpoint)
        else {
            return Decision {
                available: false,
                reason: Reason::OtherConnector { subject, endpoint },
            };
        };
        Self::activation(self.test(hot, endpoint), subject, endpoint)
    }

    #[inline]
    fn activation<'q>(available: bool, subject: Subject, endpoint: EndpointId) -> Decision<'q> {
        Decision {
            available,
            reason: if available {
                Reason::Activated { subject, endpoint }
            } else {
                Reason::NotActivated { subject, endpoint }
            },
        }
    }

    /// Decides by names: is the endpoint called `endpoint` of the
    /// principal's connector available to the principal? Unknown names are
    /// not available, with a reason that names them.
    #[inline]
    pub fn decide<'q>(&self, principal: Principal<'q>, endpoint: &'q str) -> Decision<'q> {
        let subject = match self.subject(principal) {
            Ok(subject) => subject,
            Err(unknown) => {
                return Decision {
                    available: false,
                    reason: unknown.into(),
                };
            }
        };
        let found = self.hot.get(subject.method.index()).and_then(|hot| {
            // Looked up among the subject's connector's endpoints, so it is
            // one of them: only the bit is left to test.
            let connector = self.connectors.get(hot.connector.index())?;
            let local = connector.endpoint_index.find(endpoint, |local| {
                self.endpoint_names
                    .get((hot.first_endpoint + local) as usize)
                    .map_or(&[][..], |&name| self.names.bytes(name))
            })?;
            Some((hot, EndpointId(hot.first_endpoint + local)))
        });
        match found {
            Some((hot, endpoint)) => Self::activation(self.test(hot, endpoint), subject, endpoint),
            None => Decision {
                available: false,
                reason: Reason::UnknownEndpoint {
                    subject,
                    name: endpoint,
                },
            },
        }
    }

    /// Every endpoint an instance with `method` sees, in declaration order.
    #[inline]
    pub fn visible(&self, method: MethodId) -> &[EndpointId] {
        self.methods
            .get(method.index())
            .and_then(|data| {
                self.visible
                    .get(data.visible.start as usize..data.visible.end as usize)
            })
            .unwrap_or(&[])
    }

    // ---- names and places -------------------------------------------------

    /// How many connectors, methods, endpoints and instances there are.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.connectors.len(),
            self.methods.len(),
            self.endpoint_names.len(),
            self.instances.len(),
        )
    }

    /// Bytes of heap memory the policy holds (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let connectors: usize = self
            .connectors
            .iter()
            .map(|c| c.name.len() + c.endpoint_index.heap_bytes())
            .sum();
        self.files.iter().map(|f| f.len()).sum::<usize>()
            + self.files.capacity() * size_of::<Box<str>>()
            + self.names.heap_bytes()
            + self.connectors.capacity() * size_of::<ConnectorData>()
            + connectors
            + self.connector_by_name.capacity()
                * (size_of::<Box<str>>() + size_of::<ConnectorId>() + 1)
            + self.methods.capacity() * size_of::<MethodData>()
            + self.hot.capacity() * size_of::<MethodHot>()
            + self.instance_methods.capacity() * size_of::<(MethodId, MethodHot)>()
            + self.methods.iter().map(|m| m.name.len()).sum::<usize>()
            + self.endpoint_names.capacity() * size_of::<NameRef>()
            + self.endpoint_bits.heap_bytes()
            + self.wide.capacity() * size_of::<u64>()
            + self.endpoint_loc.capacity() * size_of::<(u32, u32)>()
            + self.instances.capacity() * size_of::<InstanceData>()
            + self.instance_index.heap_bytes()
            + self.visible.capacity() * size_of::<EndpointId>()
    }

    /// A connector's name.
    pub fn connector_name(&self, id: ConnectorId) -> &str {
        self.connectors.get(id.index()).map_or("", |c| &c.name)
    }

    /// A method's name.
    pub fn method_name(&self, id: MethodId) -> &str {
        self.methods.get(id.index()).map_or("", |m| &m.name)
    }

    /// A method's auth type.
    pub fn method_type(&self, id: MethodId) -> Option<AuthType> {
        self.methods.get(id.index()).map(|m| m.kind)
    }

    /// The connector a method belongs to.
    #[inline]
    pub fn method_connector(&self, id: MethodId) -> ConnectorId {
        self.methods
            .get(id.index())
            .map_or(ConnectorId(u32::MAX), |m| m.connector)
    }

    /// An endpoint's name.
    pub fn endpoint_name(&self, id: EndpointId) -> &str {
        self.endpoint_names
            .get(id.index())
            .map_or("", |&name| self.names.get(name))
    }

    /// The connector an endpoint belongs to.
    pub fn endpoint_connector(&self, endpoint: EndpointId) -> ConnectorId {
        let index = self
            .connectors
            .partition_point(|c| c.endpoints.end <= endpoint.0);
        match self.connectors.get(index) {
            Some(c) if c.endpoints.contains(&endpoint.0) => ConnectorId(id(index)),
            _ => ConnectorId(u32::MAX),
        }
    }

    /// An instance's name.
    pub fn instance_name(&self, id: InstanceId) -> &str {
        self.instances
            .get(id.index())
            .map_or("", |i| self.names.get(i.name))
    }

    /// The methods an endpoint activates, in declaration order.
    pub fn activated(&self, endpoint: EndpointId) -> impl Iterator<Item = MethodId> + '_ {
        self.methods(self.endpoint_connector(endpoint))
            .filter(move |&method| self.is_available(method, endpoint))
    }

    /// Every connector, in declaration order.
    pub fn connector_ids(&self) -> impl Iterator<Item = ConnectorId> + '_ {
        (0..self.connectors.len()).map(|index| ConnectorId(id(index)))
    }

    /// Every declared instance, in declaration order.
    pub fn instance_ids(&self) -> impl Iterator<Item = InstanceId> + '_ {
        (0..self.instances.len()).map(|index| InstanceId(id(index)))
    }

    /// The methods of a connector, in declaration order.
    pub fn methods(&self, connector: ConnectorId) -> impl Iterator<Item = MethodId> + '_ {
        self.connectors
            .get(connector.index())
            .map_or(0..0, |c| c.methods.clone())
            .map(MethodId)
    }

    /// The endpoints of a connector, in declaration order.
    pub fn endpoints(&self, connector: ConnectorId) -> impl Iterator<Item = EndpointId> + '_ {
        self.connectors
            .get(connector.index())
            .map_or(0..0, |c| c.endpoints.clone())
            .map(EndpointId)
    }

    /// Where an endpoint is declared.
    pub fn endpoint_location(&self, id: EndpointId) -> Option<Location<'_>> {
        let &(line, column) = self.endpoint_loc.get(id.index())?;
        let connector = self.connectors.get(self.endpoint_connector(id).index())?;
        Some(self.location(Loc {
            file: connector.loc.file,
            line,
            column,
        }))
    }

    /// Where an instance is declared.
    pub fn instance_location(&self, id: InstanceId) -> Option<Location<'_>> {
        self.instances.get(id.index()).map(|i| self.location(i.loc))
    }

    /// Where a method is declared.
    pub fn method_location(&self, id: MethodId) -> Option<Location<'_>> {
        self.methods.get(id.index()).map(|m| self.location(m.loc))
    }

    /// Where a connector is declared.
    pub fn connector_location(&self, id: ConnectorId) -> Option<Location<'_>> {
        self.connectors
            .get(id.index())
            .map(|c| self.location(c.loc))
    }

    fn location(&self, loc: Loc) -> Location<'_> {
        Location {
            file: self.files.get(loc.file as usize).map_or("", |f| f),
            line: loc.line as usize,
            column: loc.column as usize,
        }
    }

    /// The reason of a decision in words, one line, e.g. ``instance
    /// `instance 2` authenticates with `oauth`, which `orders` does not
    /// activate``. Writing it allocates nothing: this is what batch
    /// evaluation prints. [`Policy::describe`] says more.
    pub fn reason<'p, 'q>(&'p self, decision: &Decision<'q>) -> ReasonText<'p, 'q> {
        ReasonText {
            policy: self,
            reason: decision.reason,
        }
    }

    /// The reason of a decision in words, with the endpoint's activated
    /// methods, and for an unknown name the closest known one, if one is
    /// close, e.g. ``unknown endpoint `ordres` in connector `shop`; did you
    /// mean `orders`?``. Looking for a close name reads every name of its
    /// kind, so this is for explaining one decision, not for batches.
    pub fn describe(&self, decision: &Decision<'_>) -> String {
        let mut text = self.reason(decision).to_string();
        let close = match decision.reason {
            Reason::Activated { endpoint, .. } | Reason::NotActivated { endpoint, .. } => {
                let names: Vec<String> = self
                    .activated(endpoint)
                    .map(|m| format!("`{}`", self.method_name(m)))
                    .collect();
                let names = if names.is_empty() {
                    "no method".to_owned()
                } else {
                    names.join(", ")
                };
                text.push_str(&format!(" (activated: {names})"));
                None
            }
            Reason::OtherConnector { .. } => None,
            Reason::UnknownInstance { name } => {
                suggest::closest(name, self.instances.iter().map(|i| self.names.get(i.name)))
            }
            Reason::UnknownConnector { name } => {
                suggest::closest(name, self.connectors.iter().map(|c| &*c.name))
            }
            Reason::UnknownMethod { connector, name } => {
                suggest::closest(name, self.methods(connector).map(|m| self.method_name(m)))
            }
            Reason::UnknownEndpoint { subject, name } => suggest::closest(
                name,
                self.endpoints(self.method_connector(subject.method))
                    .map(|e| self.endpoint_name(e)),
            ),
        };
        if let Some(close) = close {
            text.push_str(&format!("; did you mean `{close}`?"));
        }
        text
    }
}

/// A decision's reason in words; see [`Policy::reason`].
#[derive(Clone, Copy, Debug)]
pub struct ReasonText<'p, 'q> {
    policy: &'p Policy,
    reason: Reason<'q>,
}

impl fmt::Display for ReasonText<'_, '_> {
    // Pieces are written with `write_str`, not `write!`: batch evaluation
    // writes one reason per request, and the formatting machinery would be
    // a good part of its cost.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let policy = self.policy;
        let pieces = |f: &mut fmt::Formatter<'_>, pieces: &[&str]| -> fmt::Result {
            pieces.iter().try_for_each(|piece| f.write_str(piece))
        };
        let who = |f: &mut fmt::Formatter<'_>, subject: Subject| {
            let method = policy.method_name(subject.method);
            match subject.instance {
                Some(instance) => pieces(
                    f,
                    &[
                        "instance `",
                        policy.instance_name(instance),
                        "` authenticates with `",
                        method,
                        "`",
                    ],
                ),
                None => pieces(
                    f,
                    &[
                        "a runtime instance of `",
                        policy.connector_name(policy.method_connector(subject.method)),
                        "` authenticates with `",
                        method,
                        "`",
                    ],
                ),
            }
        };
        match self.reason {
            Reason::Activated { subject, endpoint } => {
                who(f, subject)?;
                pieces(
                    f,
                    &[", which `", policy.endpoint_name(endpoint), "` activates"],
                )
            }
            Reason::NotActivated { subject, endpoint } => {
                who(f, subject)?;
                pieces(
                    f,
                    &[
                        ", which `",
                        policy.endpoint_name(endpoint),
                        "` does not activate",
                    ],
                )
            }
            Reason::OtherConnector { subject, endpoint } => pieces(
                f,
                &[
                    "`",
                    policy.endpoint_name(endpoint),
                    "` is an endpoint of `",
                    policy.connector_name(policy.endpoint_connector(endpoint)),
                    "`, not of `",
                    policy.connector_name(policy.method_connector(subject.method)),
                    "`, the connector of the asking instance",
                ],
            ),
            Reason::UnknownInstance { name } => pieces(f, &["unknown instance `", name, "`"]),
            Reason::UnknownConnector { name } => pieces(f, &["unknown connector `", name, "`"]),
            Reason::UnknownMethod { connector, name } => pieces(
                f,
                &[
                    "unknown auth method `",
                    name,
                    "` in connector `",
                    policy.connector_name(connector),
                    "`",
                ],
            ),
            Reason::UnknownEndpoint { subject, name } => pieces(
                f,
                &[
                    "unknown endpoint `",
                    name,
                    "` in connector `",
                    policy.connector_name(policy.method_connector(subject.method)),
                    "`",
                ],
            ),
        }
    }
}
