//! Parsing: any bytes through the fast parser and the pest grammar. Both
//! must accept the same inputs and build the same trees, neither may
//! panic, and `syntax::parse` (the fast parser deciding, the grammar
//! explaining) must say the same with no internal error. A disagreement
//! also fails the debug assertion in `syntax::parse_into` when the target
//! is built with debug assertions (cargo fuzz's default).
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
    let reference = authgate::syntax::parse_reference(&sources, file);
    if let Err(diagnostic) = &reference {
        assert!(
            !diagnostic.to_string().starts_with("internal error"),
            "the grammar's tree could not be lowered: {diagnostic}"
        );
    }
    assert_eq!(fast, reference.ok(), "the two parsers disagree");
    match authgate::syntax::parse(&sources, file) {
        Ok(tree) => assert_eq!(Some(tree), fast, "`parse` differs from the fast parser"),
        Err(diagnostic) => {
            assert!(fast.is_none(), "`parse` rejects what the fast parser accepts");
            assert!(
                !diagnostic.to_string().starts_with("internal error"),
                "{diagnostic}"
            );
        }
    }
});
