//! Building a [`Policy`] from a checked model.

use std::collections::HashMap;

use super::{
    Bits, ConnectorData, ConnectorId, EndpointId, InstanceData, Loc, MethodData, MethodHot,
    MethodId, Policy, id,
};
use crate::check::{AuthType, Model};
use crate::names::{NameIndex, Names};
use crate::source::{Sources, Span};

impl Policy {
    /// Compiles a checked model. The model must come from a check without
    /// errors; a model with unresolved parts compiles what resolved.
    pub(crate) fn compile(model: Model, sources: &Sources) -> Policy {
        let Model {
            mut names,
            connectors,
            instances,
            endpoint_index,
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
        for ((index, connector), endpoint_index) in
            connectors.into_iter().enumerate().zip(endpoint_index)
        {
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
            policy.endpoint_bits.extend(&connector.bits);
            let wide_start = id(policy.wide.len());
            policy.wide.extend_from_slice(&connector.wide);
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
}
