//! Parsing: any bytes through the fast parser and the pest grammar. Both
//! must accept the same inputs and build the same trees, and neither may
//! panic.
#![no_main]

use authgate::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Sources::new();
    let id = sources.add("fuzz.gate", text);
    let Some(file) = sources.get(id) else {
        return;
    };
    let fast = authgate::syntax::parse_fast(file);
    let reference = authgate::syntax::grammar::parse(&sources, file).ok();
    assert_eq!(fast, reference, "the two parsers disagree");
});
