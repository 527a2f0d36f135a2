//! Scopes at query time: the scopes an instance holds as a set of its
//! method's scope ids, the rule for an endpoint whose list names the
//! method only with scopes, and what an instance holding scopes sees.
//!
//! A runtime instance's scope names are resolved once, a hash look-up
//! each, into a [`ScopeSet`]; a decision then costs a subset test per item
//! of its method on the endpoint (one AND for a method of at most 128
//! scopes), and a visible list the method's plain list merged with the
//! endpoints of the items it holds. Names a method does not declare grant
//! nothing and are never an error; [`Policy::unknown_scopes`] names them
//! for an explanation.

use super::{
    Decision, EndpointId, Held, InstanceId, ItemId, MethodHot, MethodId, Policy, Principal, Reason,
    ScopeBits, ScopeSet, ScopedEntry, Subject, id,
};
use crate::text::Words;

impl ScopeSet {
    /// The set of `held` scope ids (each below `declared`) of `method`.
    pub(super) fn from_ids(method: MethodId, declared: usize, held: &[u32]) -> ScopeSet {
        let mut set = ScopeSet::empty(method, declared);
        for &scope in held {
            set.insert(scope);
        }
        set
    }

    /// Holds nothing; room for `declared` scopes.
    fn empty(method: MethodId, declared: usize) -> ScopeSet {
        ScopeSet {
            method,
            bits: if declared <= 128 {
                ScopeBits::Narrow(0)
            } else if declared <= 512 {
                ScopeBits::Inline([0; 8])
            } else {
                ScopeBits::Wide(vec![0; declared.div_ceil(64)].into_boxed_slice())
            },
        }
    }

    fn insert(&mut self, scope: u32) {
        let words = match &mut self.bits {
            ScopeBits::Narrow(bits) => {
                if scope < 128 {
                    *bits |= 1u128 << scope;
                }
                return;
            }
            ScopeBits::Inline(words) => &mut words[..],
            ScopeBits::Wide(words) => &mut words[..],
        };
        if let Some(word) = words.get_mut(scope as usize / 64) {
            *word |= 1u64 << (scope % 64);
        }
    }

    /// The bits of a set of more than 128 scopes, a word per 64.
    fn words(&self) -> &[u64] {
        match &self.bits {
            ScopeBits::Narrow(_) => &[],
            ScopeBits::Inline(words) => words,
            ScopeBits::Wide(words) => words,
        }
    }

    /// Whether the scope of id `scope` is held.
    #[inline]
    fn contains(&self, scope: u32) -> bool {
        match &self.bits {
            ScopeBits::Narrow(bits) => scope < 128 && bits >> scope & 1 == 1,
            _ => self
                .words()
                .get(scope as usize / 64)
                .is_some_and(|word| word >> (scope % 64) & 1 == 1),
        }
    }

    /// Whether every scope `item` needs is held.
    #[inline]
    fn holds(&self, item: &ScopedEntry) -> bool {
        match (&self.bits, item.mask) {
            (ScopeBits::Narrow(held), Some(needed)) => needed & held == needed,
            _ => item.scopes.iter().all(|&scope| self.contains(scope)),
        }
    }

    /// How many scopes `item` needs that are not held.
    fn missing(&self, item: &ScopedEntry) -> u32 {
        match (&self.bits, item.mask) {
            (ScopeBits::Narrow(held), Some(needed)) => (needed & !held).count_ones(),
            _ => id(item
                .scopes
                .iter()
                .filter(|&&scope| !self.contains(scope))
                .count()),
        }
    }

    /// The method whose scope ids these are.
    pub fn method(&self) -> MethodId {
        self.method
    }

    /// How many scopes are held.
    pub fn len(&self) -> usize {
        match &self.bits {
            ScopeBits::Narrow(bits) => bits.count_ones() as usize,
            _ => self.words().iter().map(|w| w.count_ones() as usize).sum(),
        }
    }

    /// Whether no scope is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Policy {
    /// The scopes named in `names` that `method` declares, as a set to
    /// decide with ([`Policy::decide_with`], [`Policy::visible_with_scopes`]).
    /// A hash look-up per name; names the method does not declare grant
    /// nothing. Allocates only for a method that declares more than 512
    /// scopes.
    pub fn scope_set(&self, method: MethodId, names: &[&str]) -> ScopeSet {
        self.scope_set_of(method, names.iter().copied())
    }

    /// [`Policy::scope_set`] for names from an iterator (a request's,
    /// without collecting them first).
    pub fn scope_set_of<'n>(
        &self,
        method: MethodId,
        names: impl IntoIterator<Item = &'n str>,
    ) -> ScopeSet {
        let Some(data) = self.methods.get(method.index()) else {
            return ScopeSet::empty(method, 0);
        };
        let mut set = ScopeSet::empty(method, data.scopes.len());
        if data.scopes.is_empty() {
            return set;
        }
        for name in names {
            if let Some(&scope) = data.scope_index.get(name) {
                set.insert(scope);
            }
        }
        set
    }

    /// The scopes of `items` (of `method`) that `names` names, as a set:
    /// each scope an item needs compared with the names, which for a
    /// request's few names costs less than a hash look-up per name. The
    /// set holds only these items' scopes, which is all that deciding
    /// among them reads ([`Policy::reason_from_items`]); its time grows
    /// with the items' scopes times the names, so it is for short lists.
    pub(super) fn scope_set_among(
        &self,
        method: MethodId,
        items: &[ScopedEntry],
        names: &[&str],
    ) -> ScopeSet {
        let Some(data) = self.methods.get(method.index()) else {
            return ScopeSet::empty(method, 0);
        };
        let mut set = ScopeSet::empty(method, data.scopes.len());
        for &scope in items.iter().flat_map(|item| &item.scopes[..]) {
            if data
                .scopes
                .get(scope as usize)
                .is_some_and(|declared| names.contains(&&**declared))
            {
                set.insert(scope);
            }
        }
        set
    }

    /// The names in `names` that `method` does not declare (each grants
    /// nothing), in the order given.
    pub fn unknown_scopes<'q>(&self, method: MethodId, names: &[&'q str]) -> Vec<&'q str> {
        let index = self.methods.get(method.index()).map(|m| &m.scope_index);
        names
            .iter()
            .filter(|name| index.is_none_or(|index| !index.contains_key(**name)))
            .copied()
            .collect()
    }

    /// The scopes `method` declares, in declaration order.
    pub fn declared_scopes(&self, method: MethodId) -> impl Iterator<Item = &str> + '_ {
        self.methods
            .get(method.index())
            .map_or(&[][..], |m| &m.scopes[..])
            .iter()
            .map(|s| &**s)
    }

    /// The names of the scopes `set` holds, in its method's declaration
    /// order (what a diff compares by name: two policies share no ids).
    pub fn held_scopes<'p>(&'p self, set: &'p ScopeSet) -> impl Iterator<Item = &'p str> + 'p {
        self.declared_scopes(set.method)
            .enumerate()
            .filter(|&(scope, _)| set.contains(id(scope)))
            .map(|(_, name)| name)
    }

    /// The scopes a declared instance holds, as a set; `None` for an id of
    /// another policy (and in rules where no method declares scopes, where
    /// every instance holds none).
    pub fn instance_scopes(&self, instance: InstanceId) -> Option<&ScopeSet> {
        self.instance_scopes.get(instance.index())
    }

    /// The method of an item that needs scopes; `None` for an id of
    /// another policy.
    pub fn item_method(&self, item: ItemId) -> Option<MethodId> {
        self.scoped.get(item.index()).map(|i| MethodId(i.method))
    }

    /// The scopes an item needs, ascending by declaration.
    pub fn item_scopes(&self, item: ItemId) -> impl Iterator<Item = &str> + '_ {
        let entry = self.scoped.get(item.index());
        let names = entry
            .and_then(|e| self.methods.get(e.method as usize))
            .map_or(&[][..], |m| &m.scopes[..]);
        entry
            .map_or(&[][..], |e| &e.scopes[..])
            .iter()
            .filter_map(move |&scope| names.get(scope as usize).map(|s| &**s))
    }

    /// An item as the rules write it canonically, e.g.
    /// `oauth("contacts.read")`.
    pub fn item_text(&self, item: ItemId) -> String {
        let mut text = String::new();
        let _ = self.write_item_text(item, &mut text);
        text
    }

    /// Writes [`Policy::item_text`] into `out`, allocating nothing.
    pub fn write_item_text(
        &self,
        item: ItemId,
        out: &mut impl std::fmt::Write,
    ) -> std::fmt::Result {
        self.write_item(item, out)
    }

    /// Writes an item as the rules write it into `out`, from the names'
    /// written forms: a copy each.
    pub(super) fn write_item(&self, item: ItemId, out: &mut impl Words) -> std::fmt::Result {
        let entry = self.scoped.get(item.index());
        let Some(method) = entry.and_then(|e| self.methods.get(e.method as usize)) else {
            // An id of another policy: the empty name, quoted.
            return out.words("\"\"()");
        };
        out.written(&method.written.text, &method.written.json)?;
        out.fixed("(")?;
        for (index, &scope) in entry.map_or(&[][..], |e| &e.scopes[..]).iter().enumerate() {
            if index > 0 {
                out.fixed(", ")?;
            }
            if let Some(scope) = method.scopes_written.get(scope as usize) {
                out.written(&scope.text, &scope.json)?;
            }
        }
        out.fixed(")")
    }

    /// The scopes a decision's closest item needs that its subject lacks
    /// ([`Reason::ScopesMissing`]), in declaration order; empty for any
    /// other reason.
    pub fn missing_scopes(&self, reason: &Reason<'_>) -> Vec<&str> {
        self.missing_scope_names(reason).collect()
    }

    /// [`Policy::missing_scopes`] without collecting them.
    pub fn missing_scope_names<'p, 'q>(
        &'p self,
        reason: &Reason<'q>,
    ) -> impl Iterator<Item = &'p str> + use<'p, 'q> {
        let (subject, entry, held) = match *reason {
            Reason::ScopesMissing {
                subject,
                item,
                held,
                ..
            } => (Some(subject), self.scoped.get(item.index()), held),
            _ => (None, None, Held::Declared),
        };
        let names = entry
            .and_then(|e| self.methods.get(e.method as usize))
            .map_or(&[][..], |m| &m.scopes[..]);
        entry
            .map_or(&[][..], |e| &e.scopes[..])
            .iter()
            .filter(move |&&scope| {
                subject.is_some_and(|s| match held {
                    // Every runtime answer of `eval`: tested in line.
                    Held::Set(set) => !(set.method == s.method && set.contains(scope)),
                    _ => !self.held_by(s, held, scope),
                })
            })
            .filter_map(move |&scope| names.get(scope as usize).map(|s| &**s))
    }

    /// Whether the scope of id `scope` of `subject`'s method is held.
    pub(super) fn held_by(&self, subject: Subject, held: Held<'_>, scope: u32) -> bool {
        match held {
            Held::Declared => subject
                .instance
                .and_then(|i| self.instance_scopes.get(i.index()))
                .is_some_and(|set| set.method == subject.method && set.contains(scope)),
            Held::Set(set) => set.method == subject.method && set.contains(scope),
            Held::Named(names) => self
                .methods
                .get(subject.method.index())
                .and_then(|m| m.scopes.get(scope as usize))
                .is_some_and(|name| names.contains(&&**name)),
        }
    }

    /// The items of `endpoint`'s list that name `method` with scopes, in
    /// the rules' order (an endpoint that also lists `method` plainly
    /// activates it whatever these need: [`Policy::is_available`]).
    pub fn scoped_items(
        &self,
        method: MethodId,
        endpoint: EndpointId,
    ) -> impl Iterator<Item = ItemId> + '_ {
        let (first, items) = self.items(method, endpoint);
        (first..first + items.len()).map(|at| ItemId(id(at)))
    }

    /// Every item of `endpoint`'s list that needs scopes, whatever its
    /// method, in the order of the methods' declarations and then the
    /// rules'.
    pub fn endpoint_items(&self, endpoint: EndpointId) -> impl Iterator<Item = ItemId> + '_ {
        let e = endpoint.index();
        let start = self.item_starts.get(e).copied().unwrap_or(0);
        let end = self.item_starts.get(e + 1).copied().unwrap_or(0);
        (start..end.max(start)).map(ItemId)
    }

    /// The items of `endpoint` that need scopes of `method`, and where
    /// the first is in `scoped`: the endpoint's items from the index, then
    /// the method's among them (ordered by method).
    #[inline]
    pub(super) fn items(&self, method: MethodId, endpoint: EndpointId) -> (usize, &[ScopedEntry]) {
        let e = endpoint.index();
        let (Some(&start), Some(&end)) = (self.item_starts.get(e), self.item_starts.get(e + 1))
        else {
            return (0, &[]);
        };
        let (start, end) = (start as usize, end as usize);
        let all = self.scoped.get(start..end).unwrap_or_default();
        let from = all.partition_point(|item| item.method < method.0);
        let rest = all.get(from..).unwrap_or_default();
        let to = rest.partition_point(|item| item.method <= method.0);
        (start + from, rest.get(..to).unwrap_or_default())
    }

    /// Whether `endpoint` lists `method` (of `hot`) only with scopes: what
    /// an instance holds decides, so a runtime instance's names are worth
    /// resolving.
    #[inline]
    pub(super) fn needs_scopes(
        &self,
        method: MethodId,
        hot: &MethodHot,
        endpoint: EndpointId,
    ) -> bool {
        !self.test(hot, endpoint) && !self.items(method, endpoint).1.is_empty()
    }

    /// The rule where the endpoint does not activate the subject's method
    /// plainly: held by the first item whose scopes `set` holds, else
    /// missing from the closest item, else (no such item) not activated.
    #[inline]
    pub(super) fn scoped_reason<'q>(
        &self,
        subject: Subject,
        endpoint: EndpointId,
        set: Option<&ScopeSet>,
        held: Held<'q>,
    ) -> Reason<'q> {
        let (first, items) = self.items(subject.method, endpoint);
        self.reason_from_items(subject, endpoint, (first, items), set, held)
    }

    /// [`Policy::scoped_reason`] given the endpoint's items of the
    /// subject's method ([`Policy::items`]).
    #[inline]
    pub(super) fn reason_from_items<'q>(
        &self,
        subject: Subject,
        endpoint: EndpointId,
        (first, items): (usize, &[ScopedEntry]),
        set: Option<&ScopeSet>,
        held: Held<'q>,
    ) -> Reason<'q> {
        if items.is_empty() {
            return Reason::NotActivated { subject, endpoint };
        }
        // A set of another method holds nothing.
        let empty = ScopeSet {
            method: subject.method,
            bits: ScopeBits::Narrow(0),
        };
        let set = set.filter(|s| s.method == subject.method).unwrap_or(&empty);
        if let Some(at) = items.iter().position(|item| set.holds(item)) {
            return Reason::ScopesHeld {
                subject,
                endpoint,
                item: ItemId(id(first + at)),
            };
        }
        let closest = items
            .iter()
            .enumerate()
            .min_by_key(|(at, item)| (set.missing(item), *at))
            .map_or(0, |(at, _)| at);
        Reason::ScopesMissing {
            subject,
            endpoint,
            item: ItemId(id(first + closest)),
            held,
        }
    }

    /// Decides for a runtime instance of `subject`'s method holding `set`
    /// ([`Policy::scope_set`]): no look-up by name and no allocation. A
    /// declared instance holds what its declaration gives it; `set` is
    /// then not read.
    #[inline]
    pub fn decide_with<'q>(
        &self,
        subject: Subject,
        set: &'q ScopeSet,
        endpoint: EndpointId,
    ) -> Decision<'q> {
        if subject.instance.is_some() {
            return self.decide_ids(subject, endpoint);
        }
        let Some(hot) = self
            .hot
            .get(subject.method.index())
            .filter(|hot| endpoint.0 >= hot.first_endpoint && endpoint.0 < hot.end_endpoint)
        else {
            return Decision {
                reason: Reason::OtherConnector { subject, endpoint },
            };
        };
        let reason = if self.test(hot, endpoint) {
            Reason::Activated { subject, endpoint }
        } else {
            self.scoped_reason(subject, endpoint, Some(set), Held::Set(set))
        };
        Decision { reason }
    }

    /// Decides by names for a principal holding the scopes named in
    /// `scopes`: a [`Principal::Runtime`] holds exactly those (names its
    /// method does not declare grant nothing); a [`Principal::Instance`]
    /// holds what its declaration gives it and `scopes` is not read.
    /// Resolves the names once (a hash look-up each); allocates only for a
    /// method that declares more than 512 scopes. To decide many
    /// endpoints for one runtime instance, resolve once with
    /// [`Policy::scope_set`] and use [`Policy::decide_with`].
    pub fn decide_with_scopes<'q>(
        &self,
        principal: Principal<'q>,
        scopes: &'q [&'q str],
        endpoint: &'q str,
    ) -> Decision<'q> {
        match (principal, self.locate(principal, endpoint)) {
            (Principal::Runtime { .. }, Ok((subject, hot, endpoint)))
                if !scopes.is_empty() && self.needs_scopes(subject.method, hot, endpoint) =>
            {
                let set = self.scope_set(subject.method, scopes);
                Decision {
                    reason: self.scoped_reason(subject, endpoint, Some(&set), Held::Named(scopes)),
                }
            }
            (_, Ok((subject, hot, endpoint))) => self.rule(subject, hot, endpoint),
            (_, Err(reason)) => Decision { reason },
        }
    }

    /// Whether a runtime instance of `method` holding `set` sees
    /// `endpoint`.
    #[inline]
    pub fn is_available_with(
        &self,
        method: MethodId,
        set: &ScopeSet,
        endpoint: EndpointId,
    ) -> bool {
        self.is_available(method, endpoint)
            || (set.method == method
                && self
                    .items(method, endpoint)
                    .1
                    .iter()
                    .any(|item| set.holds(item)))
    }

    /// Every endpoint a runtime instance of `method` holding `set` sees,
    /// in declaration order: the method's plain list merged with the
    /// endpoints of the items `set` holds. Costs the method's list and
    /// its items, not the connector.
    pub fn visible_with_scopes(&self, method: MethodId, set: &ScopeSet) -> Vec<EndpointId> {
        let plain = self.visible(method);
        let Some(data) = self.methods.get(method.index()) else {
            return Vec::new();
        };
        let items = self
            .method_items
            .get(data.items.start as usize..data.items.end as usize)
            .unwrap_or_default();
        if items.is_empty() || set.method != method {
            return plain.to_vec();
        }
        let mut held = items
            .iter()
            .filter_map(|&i| self.scoped.get(i as usize))
            .filter(|item| set.holds(item))
            .map(|item| EndpointId(item.endpoint))
            .peekable();
        let mut seen = Vec::with_capacity(plain.len());
        let mut plain = plain.iter().copied().peekable();
        loop {
            let next = match (plain.peek(), held.peek()) {
                (Some(&a), Some(&b)) if b < a => held.next(),
                (Some(_), _) => plain.next(),
                (None, Some(_)) => held.next(),
                (None, None) => break,
            };
            if let Some(endpoint) = next
                && seen.last() != Some(&endpoint)
            {
                seen.push(endpoint);
            }
        }
        seen
    }

    /// Every endpoint a declared instance sees, with its scopes, in
    /// declaration order: precomputed, none for an id of another policy.
    #[inline]
    pub fn visible_instance(&self, instance: InstanceId) -> &[EndpointId] {
        self.instances
            .get(instance.index())
            .and_then(|data| {
                self.visible
                    .get(data.visible.start as usize..data.visible.end as usize)
            })
            .unwrap_or(&[])
    }

    /// What `subject` sees: a declared instance's own list, or for a
    /// runtime instance holding no scope its method's.
    #[inline]
    pub fn visible_subject(&self, subject: Subject) -> &[EndpointId] {
        match subject.instance {
            Some(instance) => self.visible_instance(instance),
            None => self.visible(subject.method),
        }
    }
}
