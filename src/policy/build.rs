//! Building a [`Policy`] from a checked model, once per rule set.
//!
//! [`Policy::compile`] only names the stages; each stage is one function.
//! Building may allocate and walk every endpoint: it computes once what
//! makes a query cheap (the bit sets, each method's visible endpoints, the
//! endpoint range a decision checks). Endpoints and instances arrive in
//! source order, so their lines and columns are found by walking each file
//! forward rather than by searching.

use std::collections::HashMap;
use std::ops::Range;

use super::{
    Bits, ConnectorData, ConnectorId, EndpointId, InstanceData, Loc, MethodData, MethodHot,
    MethodId, Policy, ScopeSet, ScopedEntry, Written, id,
};
use crate::check::{AuthType, ConnectorDef, InstanceDef, Model};
use crate::source::{FileId, LineCursor, Sources, Span};
use crate::text::names::{NameIndex, Names};

/// A connector's name indexes, taken over from the checker: endpoint and
/// method names to their indices within the connector.
struct Indexes {
    endpoints: NameIndex,
    methods: NameIndex,
}

impl Policy {
    /// Compiles a checked model. The model must come from a check without
    /// errors; a model with unresolved parts compiles what resolved.
    pub(crate) fn compile(model: Model, sources: &Sources) -> Policy {
        let Model {
            names,
            connectors,
            instances,
            ..
        } = model;
        let mut policy = Policy::sized_for(&connectors, instances.len(), names, sources);
        // Consumed, so that each connector's model is freed once added.
        for mut connector in connectors {
            let indexes = Indexes {
                endpoints: std::mem::take(&mut connector.endpoint_index),
                methods: std::mem::take(&mut connector.method_index),
            };
            policy.add_connector(&connector, indexes, sources);
        }
        policy.add_instances(&instances, sources);
        policy.index_items();
        policy.names_plain = policy.all_names_plain();
        policy.shrink();
        policy
    }

    /// An empty policy with room for the model's connectors, endpoints and
    /// instances, its bit sets as narrow as the widest connector allows.
    /// `names` holds the endpoint names; instance names are added to it.
    fn sized_for(
        connectors: &[ConnectorDef],
        instances: usize,
        names: Names,
        sources: &Sources,
    ) -> Policy {
        let endpoints: usize = connectors.iter().map(|c| c.endpoints.len()).sum();
        let widest = connectors
            .iter()
            .map(|c| c.methods.len())
            .max()
            .unwrap_or(0);
        Policy {
            files: sources.iter().map(|file| Box::from(file.name())).collect(),
            names,
            connectors: Vec::with_capacity(connectors.len()),
            connector_by_name: HashMap::with_capacity_and_hasher(
                connectors.len(),
                foldhash::fast::FixedState::default(),
            ),
            methods: Vec::new(),
            hot: Vec::new(),
            instance_methods: Vec::with_capacity(instances),
            endpoint_names: Vec::with_capacity(endpoints),
            endpoint_bits: Bits::for_methods(widest, endpoints),
            wide_offsets: Vec::new(),
            wide_methods: Vec::new(),
            endpoint_loc: Vec::with_capacity(endpoints),
            instances: Vec::with_capacity(instances),
            instance_index: NameIndex::with_capacity(instances),
            visible: Vec::new(),
            scoped: Vec::new(),
            item_starts: Vec::new(),
            method_items: Vec::new(),
            instance_scopes: Vec::new(),
            names_plain: false,
        }
    }

    /// Adds a connector: its methods, its endpoints and their bit sets,
    /// each method's visible endpoints, and what a decision needs of each
    /// method.
    fn add_connector(&mut self, connector: &ConnectorDef, indexes: Indexes, sources: &Sources) {
        let connector_id = ConnectorId(id(self.connectors.len()));
        let methods = self.add_methods(connector_id, connector, sources);
        let endpoints = self.add_endpoints(connector, sources);
        let wide_start = self.add_bits(connector);
        self.add_visible(connector, &methods, endpoints.start);
        self.add_scoped(connector, &methods, endpoints.start);
        self.hot
            .extend((0..connector.methods.len()).map(|local| MethodHot {
                first_endpoint: endpoints.start,
                end_endpoint: endpoints.end,
                bit: id(local),
                connector: connector_id,
            }));
        self.connector_by_name
            .insert(Box::from(connector.name.as_str()), connector_id);
        self.connectors.push(ConnectorData {
            name: Box::from(connector.name.as_str()),
            loc: loc(sources, connector.span),
            methods,
            endpoints,
            endpoint_index: indexes.endpoints,
            method_index: indexes.methods,
            wide_start,
        });
    }

    /// Adds a connector's methods; returns their ids.
    fn add_methods(
        &mut self,
        connector_id: ConnectorId,
        connector: &ConnectorDef,
        sources: &Sources,
    ) -> Range<u32> {
        let start = id(self.methods.len());
        for method in &connector.methods {
            self.methods.push(MethodData {
                name: Box::from(method.name.as_str()),
                written: Written::new(&method.name),
                runtime: Written::text(format!(
                    "a runtime instance of `{}` authenticates with `{}`",
                    connector.name, method.name
                )),
                echo: echo(&connector.name, &method.name),
                kind: method.kind.unwrap_or(AuthType::None),
                connector: connector_id,
                loc: loc(sources, method.span),
                visible: 0..0,
                items: 0..0,
                scopes: method
                    .scopes
                    .iter()
                    .map(|s| Box::from(s.as_str()))
                    .collect(),
                scopes_written: method.scopes.iter().map(|s| Written::new(s)).collect(),
                scope_index: method
                    .scopes
                    .iter()
                    .enumerate()
                    .map(|(index, s)| (Box::from(s.as_str()), id(index)))
                    .collect(),
            });
        }
        start..id(self.methods.len())
    }

    /// Adds a connector's endpoints, their names and places; returns their
    /// ids.
    fn add_endpoints(&mut self, connector: &ConnectorDef, sources: &Sources) -> Range<u32> {
        let start = id(self.endpoint_names.len());
        // Endpoints are in source order, so their lines can be counted
        // forward instead of searched.
        let file = connector.span.file;
        let mut lines = sources.get(file).map(|f| f.line_cursor());
        for endpoint in &connector.endpoints {
            self.endpoint_names.push(endpoint.name);
            let position = lines.as_mut().map_or((0, 0), |cursor| {
                let p = cursor.line_column(endpoint.span(file).start as usize);
                (p.line, p.column)
            });
            self.endpoint_loc.push((id(position.0), id(position.1)));
        }
        start..id(self.endpoint_names.len())
    }

    /// Adds the bit sets of a connector's endpoints and their lists of
    /// methods beyond the 64th; returns where its entries of
    /// `wide_offsets` start, if it has any such method.
    fn add_bits(&mut self, connector: &ConnectorDef) -> Option<u32> {
        self.endpoint_bits.extend(connector.bits());
        if !connector.has_wide() {
            return None;
        }
        let start = id(self.wide_offsets.len());
        for endpoint in 0..connector.endpoints.len() {
            self.wide_offsets.push(id(self.wide_methods.len()));
            self.wide_methods
                .extend_from_slice(connector.wide(endpoint));
        }
        self.wide_offsets.push(id(self.wide_methods.len()));
        Some(start)
    }

    /// Precomputes each of the connector's `methods`' visible endpoints, in
    /// declaration order: count, then place, one pass over the endpoints
    /// each (not one per method).
    fn add_visible(&mut self, connector: &ConnectorDef, methods: &Range<u32>, first_endpoint: u32) {
        let mut counts = vec![0u32; connector.methods.len()];
        for endpoint in 0..connector.endpoints.len() {
            for method in connector.activated(endpoint) {
                if let Some(count) = counts.get_mut(method) {
                    *count += 1;
                }
            }
        }
        let mut next: Vec<usize> = Vec::with_capacity(counts.len());
        let mut offset = self.visible.len();
        for (local, &count) in counts.iter().enumerate() {
            next.push(offset);
            let start = id(offset);
            offset += count as usize;
            if let Some(method) = self.methods.get_mut(methods.start as usize + local) {
                method.visible = start..id(offset);
            }
        }
        // Every slot is overwritten below.
        self.visible.resize(offset, EndpointId(u32::MAX));
        for endpoint in 0..connector.endpoints.len() {
            for method in connector.activated(endpoint) {
                if let Some(slot) = next.get_mut(method) {
                    if let Some(entry) = self.visible.get_mut(*slot) {
                        *entry = EndpointId(first_endpoint + id(endpoint));
                    }
                    *slot += 1;
                }
            }
        }
    }

    /// Adds a connector's items that need scopes, and each method's list
    /// of them by endpoint. Items arrive ordered by endpoint then method,
    /// and so stay; a counting pass groups them by method, still by
    /// endpoint.
    fn add_scoped(&mut self, connector: &ConnectorDef, methods: &Range<u32>, first_endpoint: u32) {
        let first_item = self.scoped.len();
        for item in &connector.scoped {
            let narrow = connector
                .methods
                .get(item.method as usize)
                .is_some_and(|m| m.scopes.len() <= 128);
            let mask = narrow.then(|| {
                item.scopes
                    .iter()
                    .fold(0u128, |mask, &scope| mask | 1u128 << (scope % 128))
            });
            self.scoped.push(ScopedEntry {
                endpoint: first_endpoint + item.endpoint,
                method: methods.start + item.method,
                mask,
                scopes: item.scopes.clone(),
            });
        }
        let mut counts = vec![0u32; connector.methods.len()];
        for item in &connector.scoped {
            if let Some(count) = counts.get_mut(item.method as usize) {
                *count += 1;
            }
        }
        let mut next = Vec::with_capacity(counts.len());
        let mut offset = self.method_items.len();
        for (local, &count) in counts.iter().enumerate() {
            next.push(offset);
            let start = id(offset);
            offset += count as usize;
            if let Some(method) = self.methods.get_mut(methods.start as usize + local) {
                method.items = start..id(offset);
            }
        }
        self.method_items.resize(offset, u32::MAX);
        for (index, item) in connector.scoped.iter().enumerate() {
            if let Some(slot) = next.get_mut(item.method as usize) {
                if let Some(entry) = self.method_items.get_mut(*slot) {
                    *entry = id(first_item + index);
                }
                *slot += 1;
            }
        }
    }

    /// For a declared instance of `method` holding `held` (scope ids):
    /// its scopes as a set, and when the method has items that need
    /// scopes, its own visible list (otherwise it keeps sharing its
    /// method's). Rules without scopes keep no set.
    fn add_instance_scopes(&mut self, method: MethodId, held: &[u32], scoped_rules: bool) {
        if !scoped_rules {
            return;
        }
        let (declared, has_items) = self
            .methods
            .get(method.index())
            .map_or((0, false), |m| (m.scopes.len(), !m.items.is_empty()));
        let set = ScopeSet::from_ids(method, declared, held);
        if has_items {
            let seen = self.visible_with_scopes(method, &set);
            let start = id(self.visible.len());
            self.visible.extend_from_slice(&seen);
            if let Some(data) = self.instances.last_mut() {
                data.visible = start..id(self.visible.len());
            }
        }
        self.instance_scopes.push(set);
    }

    /// Adds the declared instances, their names to the name index and
    /// their method's decision data. Connectors must have been added.
    fn add_instances(&mut self, instances: &[InstanceDef], sources: &Sources) {
        // Instances arrive file by file, in source order: walk each file's
        // lines forward instead of searching.
        let mut cursor: Option<(FileId, LineCursor<'_>)> = None;
        let scoped_rules = self.methods.iter().any(|m| !m.scopes.is_empty());
        for instance in instances {
            let file = instance.span.file;
            if cursor.as_ref().is_none_or(|(current, _)| *current != file) {
                cursor = sources.get(file).map(|f| (file, f.line_cursor()));
            }
            let position = cursor.as_mut().map_or((0, 0), |(_, lines)| {
                let p = lines.line_column(instance.span.start as usize);
                (p.line, p.column)
            });
            let Some(connector) = self.connectors.get(instance.connector) else {
                continue;
            };
            let method = MethodId(connector.methods.start + id(instance.method));
            let Some(&hot) = self.hot.get(method.index()) else {
                continue;
            };
            let instance_id = id(self.instances.len());
            let name = self.names.push(&instance.name);
            self.instance_methods.push((method, hot));
            let visible = self
                .methods
                .get(method.index())
                .map_or(0..0, |m| m.visible.clone());
            self.instances.push(InstanceData {
                name,
                visible,
                loc: Loc {
                    file: id(file.index()),
                    line: id(position.0),
                    column: id(position.1),
                },
            });
            self.add_instance_scopes(method, &instance.scopes, scoped_rules);
            let (all, names) = (&self.instances, &self.names);
            let _ = self
                .instance_index
                .insert(instance_id, &instance.name, |i| {
                    all.get(i as usize)
                        .map_or(&[][..], |data| names.bytes(data.name))
                });
        }
    }

    /// Where each endpoint's items start in `scoped`, which is ordered by
    /// endpoint: rules without scopes keep no index.
    fn index_items(&mut self) {
        if self.scoped.is_empty() {
            return;
        }
        let endpoints = self.endpoint_names.len();
        self.item_starts = Vec::with_capacity(endpoints + 1);
        let mut at = 0;
        for endpoint in 0..=endpoints {
            while self
                .scoped
                .get(at)
                .is_some_and(|item| (item.endpoint as usize) < endpoint)
            {
                at += 1;
            }
            self.item_starts.push(id(at));
        }
    }

    /// Whether no name (connector, method, scope, endpoint, instance) holds
    /// `"`, `\\` or a control character: one pass over the name arena.
    fn all_names_plain(&self) -> bool {
        let plain = |name: &str| !name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
        plain(self.names.text())
            && self.connectors.iter().all(|c| plain(&c.name))
            && self
                .methods
                .iter()
                .all(|m| plain(&m.name) && m.scopes.iter().all(|s| plain(s)))
    }

    /// Gives back what building reserved but did not use.
    fn shrink(&mut self) {
        self.names.shrink_to_fit();
        self.scoped.shrink_to_fit();
        self.method_items.shrink_to_fit();
        self.visible.shrink_to_fit();
        self.methods.shrink_to_fit();
    }
}

/// Where `span` starts: its file, line and column.
fn loc(sources: &Sources, span: Span) -> Loc {
    let position = sources.get(span.file).map_or((0, 0), |file| {
        let p = file.line_column(span.start as usize);
        (p.line, p.column)
    });
    Loc {
        file: id(span.file.index()),
        line: id(position.0),
        column: id(position.1),
    }
}

/// `","connector":"C","auth":"M`, the names escaped: what an answer to a
/// runtime request found by these names gives back.
fn echo(connector: &str, method: &str) -> Box<str> {
    let mut json = Vec::with_capacity(connector.len() + method.len() + 24);
    json.extend_from_slice(b"\",\"connector\":\"");
    super::request::write_body(&mut json, connector);
    json.extend_from_slice(b"\",\"auth\":\"");
    super::request::write_body(&mut json, method);
    String::from_utf8(json).map_or_else(|_| Box::from(""), String::into_boxed_str)
}
