//! Compact name storage: names back to back in one string, and an index
//! that finds an id by name while storing nothing but the ids.
//!
//! With a million endpoints, a `HashMap<String, Id>` costs a heap string,
//! a key and a value per entry; here a name costs its bytes and its range,
//! and the index about five bytes per id.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// Where a name is in a [`Names`] arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NameRef {
    start: u32,
    end: u32,
}

/// Names stored back to back in one string.
#[derive(Clone, Debug, Default)]
pub struct Names {
    text: String,
}

impl Names {
    /// Appends a name and returns where it is.
    pub fn push(&mut self, name: &str) -> NameRef {
        let start = offset(self.text.len());
        self.text.push_str(name);
        NameRef {
            start,
            end: offset(self.text.len()),
        }
    }

    /// The name at `name` (empty if it is not from this arena).
    pub fn get(&self, name: NameRef) -> &str {
        self.text
            .get(name.start as usize..name.end as usize)
            .unwrap_or_default()
    }

    /// The bytes of the name at `name`: for comparisons, which then skip
    /// the UTF-8 boundary checks of slicing a `str`.
    #[inline]
    pub fn bytes(&self, name: NameRef) -> &[u8] {
        self.text
            .as_bytes()
            .get(name.start as usize..name.end as usize)
            .unwrap_or_default()
    }

    /// Every name, back to back.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Frees unused capacity.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
    }
}

/// Arenas beyond 4 GiB are not supported; offsets saturate (the names then
/// read as empty, which only ever makes a look-up fail).
fn offset(length: usize) -> u32 {
    u32::try_from(length).unwrap_or(u32::MAX)
}

/// A fixed, seeded hasher: look-ups are deterministic across runs.
const HASHER: FixedState = FixedState::with_seed(0x6175_7468_6761_7465);

/// Finds `u32` ids by name. The names live elsewhere (usually a [`Names`]
/// arena); every operation takes a function from id to the name's bytes.
///
/// Each slot keeps 32 bits of the name's hash beside the id, so growing the
/// table never reads a name and most mismatches are settled at once; and a
/// name of up to seven bytes (most generated names are) is kept whole in
/// the slot, so finding it reads nothing else and hashing it is one
/// multiplication.
#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    table: HashTable<Slot>,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    short: u32,
    id: u32,
    /// The name packed by [`pack`], or [`LONG`].
    packed: u64,
}

/// `packed` of a name longer than seven bytes (no short name packs to it:
/// its length byte would be 255).
pub(crate) const LONG: u64 = u64::MAX;

/// Up to seven bytes and their count in one word.
#[inline]
pub(crate) fn pack(name: &[u8]) -> u64 {
    if name.len() > 7 {
        return LONG;
    }
    // A loop of at most seven, not `copy_from_slice`: that would be a call
    // to `memcpy` for a handful of bytes.
    name.iter()
        .enumerate()
        .fold((name.len() as u64) << 56, |packed, (at, &byte)| {
            packed | u64::from(byte) << (8 * at)
        })
}

/// The hash of a name: a multiply-xorshift of the packed word for short
/// names, foldhash for long ones.
#[inline]
fn hash(name: &[u8], packed: u64) -> u64 {
    if packed == LONG {
        HASHER.hash_one(name)
    } else {
        let mut z = packed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Byte equality without a call to `memcmp` for short names: names are
/// mostly a few bytes long, where the call costs more than the comparison.
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && if a.len() <= 16 {
            a.iter().zip(b).all(|(x, y)| x == y)
        } else {
            a == b
        }
}

/// The table's hash, rebuilt from the stored bits (mixed so that the high
/// bits hashbrown relies on vary).
#[inline]
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl NameIndex {
    /// An empty index with room for `capacity` ids.
    pub fn with_capacity(capacity: usize) -> Self {
        NameIndex {
            table: HashTable::with_capacity(capacity),
        }
    }

    #[inline]
    fn lookup<'n>(
        &self,
        name: &[u8],
        packed: u64,
        short: u32,
        name_of: impl Fn(u32) -> &'n [u8],
    ) -> Option<u32> {
        self.table
            .find(spread(short), |slot| {
                slot.short == short
                    && slot.packed == packed
                    && (packed != LONG || same(name_of(slot.id), name))
            })
            .map(|slot| slot.id)
    }

    /// The id whose name is `name`.
    #[inline]
    pub fn find<'n>(&self, name: &str, name_of: impl Fn(u32) -> &'n [u8]) -> Option<u32> {
        let name = name.as_bytes();
        let packed = pack(name);
        let short = (hash(name, packed) >> 32) as u32;
        self.lookup(name, packed, short, name_of)
    }

    /// Adds `id` under `name`, unless an id already has that name: then
    /// returns that id and adds nothing. `name_of` is only asked for ids
    /// already in the index.
    pub fn insert<'n>(
        &mut self,
        id: u32,
        name: &str,
        name_of: impl Fn(u32) -> &'n [u8],
    ) -> Result<(), u32> {
        let name = name.as_bytes();
        let packed = pack(name);
        let short = (hash(name, packed) >> 32) as u32;
        if let Some(existing) = self.lookup(name, packed, short, name_of) {
            return Err(existing);
        }
        self.table
            .insert_unique(spread(short), Slot { short, id, packed }, |slot| {
                spread(slot.short)
            });
        Ok(())
    }

    /// How many ids there are.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Frees unused capacity.
    pub fn shrink_to_fit(&mut self) {
        self.table.shrink_to_fit(|slot| spread(slot.short));
    }

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.table.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_refuses_duplicates() {
        let mut names = Names::default();
        let refs: Vec<NameRef> = [
            "orders",
            "customers",
            "",
            "ördèrs",
            "seven77",
            "eight888",
            "a\0",
            "a",
            "a very long endpoint name indeed",
        ]
        .iter()
        .map(|n| names.push(n))
        .collect();
        let name_of = |id: u32| refs.get(id as usize).map_or(&[][..], |&r| names.bytes(r));
        let mut index = NameIndex::default();
        for (id, &name) in refs.iter().enumerate() {
            assert_eq!(index.insert(id as u32, names.get(name), name_of), Ok(()));
        }
        assert_eq!(index.insert(99, "customers", name_of), Err(1));
        assert_eq!(index.insert(99, "a", name_of), Err(7));
        for (id, &name) in refs.iter().enumerate() {
            assert_eq!(index.find(names.get(name), name_of), Some(id as u32));
        }
        for missing in [
            "order",
            "seven7",
            "eight8888",
            "a\0\0",
            "a very long endpoint name indeeD",
        ] {
            assert_eq!(index.find(missing, name_of), None, "{missing:?}");
        }
        assert_eq!(index.len(), refs.len());
    }
}
