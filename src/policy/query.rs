//! Questions to a [`Policy`]: look-ups by name, decisions, and the names and
//! places of ids.
//!
//! This is what a service calls per request, kept apart from building and
//! explaining so that the hot path can be read on its own: nothing here
//! allocates or panics, and `benches/engine.rs` holds it against a raw
//! bitmask loop.

use super::{
    ConnectorId, Decision, EndpointId, Held, InstanceId, Loc, Location, MethodHot, MethodId,
    Policy, Principal, Reason, Subject, Unknown, id,
};
use crate::check::AuthType;

impl Policy {
    // ---- look-ups by name -------------------------------------------------

    /// The connector with this name.
    pub fn connector(&self, name: &str) -> Option<ConnectorId> {
        self.connector_by_name.get(name).copied()
    }

    /// The method of `connector` with this name. Most connectors have a
    /// handful of methods, where a short scan beats hashing; a wide one
    /// uses its name index.
    pub fn method(&self, connector: ConnectorId, name: &str) -> Option<MethodId> {
        /// Connectors with at most this many methods are scanned.
        const SCAN: usize = 16;
        let data = self.connectors.get(connector.index())?;
        let range = data.methods.clone();
        let methods = self.methods.get(range.start as usize..range.end as usize)?;
        let offset = if methods.len() <= SCAN {
            methods.iter().position(|method| &*method.name == name)?
        } else {
            data.method_index.find(name, |local| {
                methods
                    .get(local as usize)
                    .map_or(&[][..], |method| method.name.as_bytes())
            })? as usize
        };
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
            Principal::Instance(name) => self
                .instance(name)
                .and_then(|instance| self.instance_subject(instance))
                .ok_or(Unknown::Instance(name)),
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

    /// The subject of a declared instance; `None` for an id of another
    /// policy.
    #[inline]
    pub fn instance_subject(&self, instance: InstanceId) -> Option<Subject> {
        let &(method, _) = self.instance_methods.get(instance.index())?;
        Some(Subject {
            method,
            instance: Some(instance),
        })
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
    /// look-up shorter, and the instance's scopes.
    #[inline]
    pub fn is_available_to(&self, instance: InstanceId, endpoint: EndpointId) -> bool {
        let Some(&(method, hot)) = self.instance_methods.get(instance.index()) else {
            return false;
        };
        if endpoint.0 < hot.first_endpoint || endpoint.0 >= hot.end_endpoint {
            return false;
        }
        let plain = self.test(&hot, endpoint);
        // Rules without scopes return the bit as it is: `plain || ...`
        // would branch on it, and on a random mix of answers that branch
        // is mispredicted half the time (it made a decision by ids four
        // times slower); the scoped case stays out of line, so that this
        // stays small enough to inline into a caller's loop.
        if self.scoped.is_empty() {
            return plain;
        }
        plain || self.instance_available_with_scopes(instance, method, endpoint)
    }

    /// [`Policy::is_available_to`] by the instance's scopes, for an
    /// endpoint that does not list its method plainly.
    #[cold]
    #[inline(never)]
    fn instance_available_with_scopes(
        &self,
        instance: InstanceId,
        method: MethodId,
        endpoint: EndpointId,
    ) -> bool {
        self.instance_scopes
            .get(instance.index())
            .is_some_and(|set| self.is_available_with(method, set, endpoint))
    }

    /// The bit of `hot`'s method for an endpoint of its connector.
    #[inline]
    pub(super) fn test(&self, hot: &MethodHot, endpoint: EndpointId) -> bool {
        if hot.bit < 64 {
            self.endpoint_bits.test(endpoint.index(), hot.bit)
        } else {
            self.wide_bit_of(hot, endpoint)
        }
    }

    #[cold]
    fn wide_bit_of(&self, hot: &MethodHot, endpoint: EndpointId) -> bool {
        self.wide_of(hot.connector, endpoint)
            .binary_search(&hot.bit)
            .is_ok()
    }

    /// The local indices of the methods beyond the 64th that `endpoint`
    /// (of `connector`) activates, ascending.
    fn wide_of(&self, connector: ConnectorId, endpoint: EndpointId) -> &[u32] {
        let Some(connector) = self.connectors.get(connector.index()) else {
            return &[];
        };
        let Some(start) = connector.wide_start else {
            return &[];
        };
        let at = start as usize + endpoint.0.saturating_sub(connector.endpoints.start) as usize;
        let from = self.wide_offsets.get(at).copied().unwrap_or(0) as usize;
        let to = self.wide_offsets.get(at + 1).copied().unwrap_or(0) as usize;
        self.wide_methods.get(from..to).unwrap_or_default()
    }

    /// The decision, with its reason, for resolved ids.
    #[inline]
    pub fn decide_ids<'q>(&self, subject: Subject, endpoint: EndpointId) -> Decision<'q> {
        let hot = self.hot.get(subject.method.index());
        let Some(hot) =
            hot.filter(|hot| endpoint.0 >= hot.first_endpoint && endpoint.0 < hot.end_endpoint)
        else {
            return Decision {
                reason: Reason::OtherConnector { subject, endpoint },
            };
        };
        self.rule(subject, hot, endpoint)
    }

    /// The rule for a resolved subject of `hot`'s connector: the method's
    /// bit, or for a declared instance an item of scopes it holds.
    #[inline]
    pub(super) fn rule<'q>(
        &self,
        subject: Subject,
        hot: &MethodHot,
        endpoint: EndpointId,
    ) -> Decision<'q> {
        let reason = if self.test(hot, endpoint) {
            Reason::Activated { subject, endpoint }
        } else if self.scoped.is_empty() {
            Reason::NotActivated { subject, endpoint }
        } else {
            let set = subject
                .instance
                .and_then(|instance| self.instance_scopes.get(instance.index()));
            self.scoped_reason(subject, endpoint, set, Held::Declared)
        };
        Decision { reason }
    }

    /// Decides by names: is the endpoint called `endpoint` of the
    /// principal's connector available to the principal? Unknown names are
    /// not available, with a reason that names them.
    #[inline]
    pub fn decide<'q>(&self, principal: Principal<'q>, endpoint: &'q str) -> Decision<'q> {
        match self.locate(principal, endpoint) {
            Ok((subject, hot, endpoint)) => self.rule(subject, hot, endpoint),
            Err(reason) => Decision { reason },
        }
    }

    /// Resolves who asks about which endpoint, or the reason that names
    /// the unknown one: what every decision by names does before its rule.
    #[inline]
    pub(super) fn locate<'q>(
        &self,
        principal: Principal<'q>,
        endpoint: &'q str,
    ) -> Result<(Subject, &MethodHot, EndpointId), Reason<'q>> {
        let subject = self.subject(principal).map_err(Reason::from)?;
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
            Some((hot, endpoint)) => Ok((subject, hot, endpoint)),
            None => Err(Reason::UnknownEndpoint {
                subject,
                name: endpoint,
            }),
        }
    }

    /// Every endpoint a runtime instance with `method` and no scope sees,
    /// in declaration order; none for an id of another policy. A declared
    /// instance's list, which counts its scopes, is
    /// [`Policy::visible_instance`].
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

    /// A connector's name; `None` for an id of another policy.
    pub fn connector_name(&self, id: ConnectorId) -> Option<&str> {
        self.connectors.get(id.index()).map(|c| &*c.name)
    }

    /// A method's name; `None` for an id of another policy.
    pub fn method_name(&self, id: MethodId) -> Option<&str> {
        self.methods.get(id.index()).map(|m| &*m.name)
    }

    /// A method's auth type; `None` for an id of another policy.
    pub fn method_type(&self, id: MethodId) -> Option<AuthType> {
        self.methods.get(id.index()).map(|m| m.kind)
    }

    /// The connector a method belongs to; `None` for an id of another
    /// policy.
    #[inline]
    pub fn method_connector(&self, id: MethodId) -> Option<ConnectorId> {
        self.methods.get(id.index()).map(|m| m.connector)
    }

    /// An endpoint's name; `None` for an id of another policy.
    pub fn endpoint_name(&self, id: EndpointId) -> Option<&str> {
        self.endpoint_names
            .get(id.index())
            .map(|&name| self.names.get(name))
    }

    /// The connector an endpoint belongs to; `None` for an id of another
    /// policy.
    pub fn endpoint_connector(&self, endpoint: EndpointId) -> Option<ConnectorId> {
        let index = self
            .connectors
            .partition_point(|c| c.endpoints.end <= endpoint.0);
        let connector = self.connectors.get(index)?;
        connector
            .endpoints
            .contains(&endpoint.0)
            .then(|| ConnectorId(id(index)))
    }

    /// An instance's name; `None` for an id of another policy.
    pub fn instance_name(&self, id: InstanceId) -> Option<&str> {
        self.instances
            .get(id.index())
            .map(|i| self.names.get(i.name))
    }

    /// The methods an endpoint activates, in declaration order; none for an
    /// id of another policy.
    pub fn activated(&self, endpoint: EndpointId) -> impl Iterator<Item = MethodId> + '_ {
        let connector = self.endpoint_connector(endpoint);
        let first = connector
            .and_then(|connector| self.connectors.get(connector.index()))
            .map_or(0, |connector| connector.methods.start);
        // The answer's length, not the connector's number of methods.
        let mut narrow = if connector.is_some() {
            self.endpoint_bits.word(endpoint.index())
        } else {
            0
        };
        let narrow = std::iter::from_fn(move || {
            (narrow != 0).then(|| {
                let bit = narrow.trailing_zeros();
                narrow &= narrow - 1;
                bit
            })
        });
        let wide = connector.map_or(&[][..], |connector| self.wide_of(connector, endpoint));
        narrow
            .chain(wide.iter().copied())
            .map(move |local| MethodId(first + local))
    }

    /// Every connector, in declaration order.
    pub fn connector_ids(&self) -> impl Iterator<Item = ConnectorId> + '_ {
        (0..self.connectors.len()).map(|index| ConnectorId(id(index)))
    }

    /// Every declared instance, in declaration order.
    pub fn instance_ids(&self) -> impl Iterator<Item = InstanceId> + '_ {
        (0..self.instances.len()).map(|index| InstanceId(id(index)))
    }

    /// The methods of a connector, in declaration order; none for an id of
    /// another policy.
    pub fn methods(&self, connector: ConnectorId) -> impl Iterator<Item = MethodId> + '_ {
        self.connectors
            .get(connector.index())
            .map_or(0..0, |c| c.methods.clone())
            .map(MethodId)
    }

    /// The endpoints of a connector, in declaration order; none for an id
    /// of another policy.
    pub fn endpoints(&self, connector: ConnectorId) -> impl Iterator<Item = EndpointId> + '_ {
        self.connectors
            .get(connector.index())
            .map_or(0..0, |c| c.endpoints.clone())
            .map(EndpointId)
    }

    /// Where an endpoint is declared; `None` for an id of another policy.
    pub fn endpoint_location(&self, id: EndpointId) -> Option<Location<'_>> {
        let &(line, column) = self.endpoint_loc.get(id.index())?;
        let connector = self.connectors.get(self.endpoint_connector(id)?.index())?;
        self.location(Loc {
            file: connector.loc.file,
            line,
            column,
        })
    }

    /// Where an instance is declared; `None` for an id of another policy.
    pub fn instance_location(&self, id: InstanceId) -> Option<Location<'_>> {
        self.location(self.instances.get(id.index())?.loc)
    }

    /// Where a method is declared; `None` for an id of another policy.
    pub fn method_location(&self, id: MethodId) -> Option<Location<'_>> {
        self.location(self.methods.get(id.index())?.loc)
    }

    /// Where a connector is declared; `None` for an id of another policy.
    pub fn connector_location(&self, id: ConnectorId) -> Option<Location<'_>> {
        self.location(self.connectors.get(id.index())?.loc)
    }

    /// A stored place with its file's name (every stored place names one of
    /// `files`).
    fn location(&self, loc: Loc) -> Option<Location<'_>> {
        Some(Location {
            file: self.files.get(loc.file as usize)?,
            line: loc.line as usize,
            column: loc.column as usize,
        })
    }
}
