//! Byte searches a word (eight bytes) at a time, for reading requests
//! and writing answers: a string's closing quote, every quote of a scope
//! list, a backslash or control character anywhere in a line, and the
//! first byte a JSON string must escape. No SIMD intrinsics (the crate
//! has no unsafe code): exact byte masks on `u64`s, which the tests hold
//! to byte-by-byte searches at every length and position.

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const LOW: u64 = ONES * 0x7f;
const HIGH: u64 = ONES << 7;

/// Where the first `"` of `bytes` from `from` on is, looked for eight bytes
/// at a time. Where a byte is `"`, the byte of `x = w ^ QUOTES` is zero:
/// `(x & LOW) + LOW` has the high bit set where its low seven bits are not
/// zero, and `| w` where the byte is beyond ASCII. Exact, byte by byte (no
/// carry crosses into the next byte), unlike the classic `(x - ONES) &
/// !x`, which may also mark the byte above a zero one.
///
/// A function of its own, not inlined: in `Request::read_plain` its loop
/// would have no registers to itself.
#[inline(never)]
pub(super) fn closing_quote(bytes: &[u8], from: usize) -> Option<usize> {
    let mut rest = bytes.get(from..)?;
    let mut at = from;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        let found = quotes(u64::from_le_bytes(*word));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        rest = tail;
        at += 8;
    }
    let found = quotes(last_word(bytes, rest.len())?);
    (found != 0).then(|| at + (found.trailing_zeros() / 8) as usize)
}

/// The quotes of `w`: the high bit of each byte that is `"` (see
/// [`closing_quote`]).
#[inline(always)]
pub(super) fn quotes(w: u64) -> u64 {
    let x = w ^ (u64::from(b'"') * ONES);
    !(((x & LOW) + LOW) | w) & HIGH
}

/// The quotes of a text from some place on, found a word at a time as
/// they are asked for ([`quotes`]): every word is looked at once, however
/// many quotes it holds.
pub(super) struct Quotes<'a> {
    bytes: &'a [u8],
    /// Where the next word starts.
    next: usize,
    /// The quotes of the word before `next` not handed out yet.
    mask: u64,
}

impl<'a> Quotes<'a> {
    #[inline(always)]
    pub(super) fn new(bytes: &'a [u8], from: usize) -> Self {
        Quotes {
            bytes,
            next: from,
            mask: 0,
        }
    }

    /// Where the next quote is.
    #[inline(always)]
    pub(super) fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let rest = self.bytes.get(self.next..)?;
            self.mask = quotes(match rest.first_chunk::<8>() {
                Some(word) => u64::from_le_bytes(*word),
                None => last_word(self.bytes, rest.len())?,
            });
            self.next += 8;
        }
        let at = self.next - 8 + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// The last `count` bytes of `bytes` (fewer than eight) as a word, the
/// rest of it zeros (which no search here looks for); `None` for none.
/// Read as the last eight bytes, shifted, when there are eight.
fn last_word(bytes: &[u8], count: usize) -> Option<u64> {
    if count == 0 {
        return None;
    }
    if let Some(last) = bytes.last_chunk::<8>() {
        return Some(u64::from_le_bytes(*last) >> (64 - 8 * count));
    }
    let mut word = [0; 8];
    word.get_mut(..count)?
        .copy_from_slice(bytes.get(bytes.len() - count..)?);
    Some(u64::from_le_bytes(word))
}

/// Whether `bytes` holds a backslash or a control character (in a request
/// written plainly, only as whitespace between strings). Whole blocks of
/// 32 bytes go through one fold without an early exit, which the compiler
/// turns into a vector loop; the rest, a word at a time (the classic
/// `(x - ONES) & !x`, exact as a yes or no).
pub(super) fn has_odd(bytes: &[u8]) -> bool {
    let (blocks, rest) = bytes.split_at(bytes.len() - bytes.len() % 32);
    if blocks
        .iter()
        .fold(false, |odd, &b| odd | (b < 0x20) | (b == b'\\'))
    {
        return true;
    }
    let odd = |w: u64| {
        let x = w ^ (u64::from(b'\\') * ONES);
        ((x.wrapping_sub(ONES) & !x) | (w.wrapping_sub(0x20 * ONES) & !w)) & HIGH != 0
    };
    let mut words = rest.chunks_exact(8);
    if words.by_ref().any(|word| {
        word.first_chunk()
            .is_some_and(|&word| odd(u64::from_le_bytes(word)))
    }) {
        return true;
    }
    if words.remainder().is_empty() {
        return false;
    }
    // The last few bytes: the last eight, again in part, when there are
    // eight.
    match bytes.last_chunk::<8>() {
        Some(&last) => odd(u64::from_le_bytes(last)),
        None => bytes.iter().any(|&b| b < 0x20 || b == b'\\'),
    }
}

/// Where the first `"`, `\\` or control character of `bytes` is, looked
/// for eight bytes at a time: names are short, too short for a vector
/// search to pay for its set-up.
pub(super) fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // A byte of `word` is zero after `^ byte * ONES` where it was `byte`;
    // `(x - ONES) & !x & HIGH` marks zero bytes (and, past a real one,
    // perhaps others: the lowest mark is always right), and
    // `(x - 0x20 * ONES) & !x & HIGH` marks bytes below 0x20.
    let marks = |word: u64| {
        let quote = word ^ (u64::from(b'"') * ONES);
        let backslash = word ^ (u64::from(b'\\') * ONES);
        ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(0x20 * ONES) & !word))
            & HIGH
    };
    let mut chunks = bytes.chunks_exact(8);
    for (index, chunk) in chunks.by_ref().enumerate() {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = marks(word);
        if found != 0 {
            return Some(index * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    // The last few bytes: the last eight as one more word, when there are
    // eight (bytes looked at already are not marked), else one by one.
    let tail = chunks.remainder();
    if tail.is_empty() {
        return None;
    }
    let last = bytes.len().checked_sub(8).and_then(|start| {
        Some((
            start,
            u64::from_le_bytes(bytes.get(start..)?.try_into().ok()?),
        ))
    });
    match last {
        Some((start, word)) => {
            let found = marks(word);
            (found != 0).then(|| start + (found.trailing_zeros() / 8) as usize)
        }
        None => tail
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time quote search finds what a byte-at-a-time one
    /// finds, for every byte value right before and after a quote (`#` is
    /// `"` with its lowest bit flipped, which the classic zero-byte trick
    /// would also mark), at every length and position, from every start;
    /// and the quote iterator hands out every quote, in order.
    #[test]
    fn quotes_are_found_exactly() {
        for length in 0..26 {
            for at in 0..=length {
                for byte in (0..=255u8)
                    .step_by(3)
                    .chain([b'#', b'!', b'"', 0xa2, 0x22 ^ 0x80])
                {
                    let mut bytes = vec![b'x'; length];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = b'"';
                    }
                    if let Some(slot) = bytes.get_mut(at + 1) {
                        *slot = byte;
                    }
                    if let Some(slot) = at.checked_sub(1).and_then(|before| bytes.get_mut(before)) {
                        *slot = byte;
                    }
                    for from in 0..=bytes.len() {
                        let expected = bytes
                            .iter()
                            .skip(from)
                            .position(|&b| b == b'"')
                            .map(|at| at + from);
                        assert_eq!(
                            closing_quote(&bytes, from),
                            expected,
                            "{bytes:?} from {from}"
                        );
                        let all: Vec<usize> = (from..bytes.len())
                            .filter(|&at| bytes.get(at) == Some(&b'"'))
                            .collect();
                        let mut quotes = Quotes::new(&bytes, from);
                        let found: Vec<usize> = std::iter::from_fn(|| quotes.next()).collect();
                        assert_eq!(found, all, "{bytes:?} from {from}");
                    }
                }
            }
        }
    }

    /// The vectorised look for backslashes and control characters finds
    /// one wherever it is, at every length.
    #[test]
    fn odd_bytes_are_found_anywhere() {
        for length in 0..80 {
            assert!(!has_odd(&vec![b'a'; length]));
            for at in 0..length {
                for byte in [0x00, b'\t', b'\n', b'\r', 0x1f, b'\\'] {
                    let mut bytes = vec![0xc3; length];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = byte;
                    }
                    assert!(has_odd(&bytes), "{bytes:?}");
                }
                let mut bytes = vec![b'a'; length];
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = 0x20;
                }
                assert!(!has_odd(&bytes));
            }
        }
    }

    /// The word-at-a-time search finds what a byte-at-a-time one finds,
    /// at every length and position.
    #[test]
    fn a_string_ends_where_its_first_special_byte_is() {
        let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
        for length in 0..20 {
            for at in 0..=length {
                for byte in [b'"', b'\\', 0x00, 0x1f, b' ', b'a', 0x80, 0xff] {
                    let mut bytes = vec![b'x'; length];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = byte;
                    }
                    bytes.extend_from_slice(&[0xc3, 0xa9, b'~', 0x7f]);
                    let expected = bytes.iter().position(|&b| special(b));
                    assert_eq!(string_end(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }
}
