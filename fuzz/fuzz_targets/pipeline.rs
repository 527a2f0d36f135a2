//! The whole pipeline: bytes as one or two files through parse, check and
//! compile, every diagnostic rendered as text and JSON, with labels inside
//! their files.
#![no_main]

use authgate::diagnostics::render::{Style, render_human, to_json};
use authgate::{Sources, compile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = Sources::new();
    // A 0xFF byte (never in UTF-8) splits the input into two files.
    match data.iter().position(|&b| b == 0xFF) {
        Some(at) => {
            sources.add_bytes("a.gate", data[..at].to_vec());
            sources.add_bytes("b.gate", data[at + 1..].to_vec());
        }
        None => {
            sources.add_bytes("a.gate", data.to_vec());
        }
    }
    let compiled = compile(&sources);
    for diagnostic in &compiled.diagnostics {
        for label in diagnostic.labels() {
            let file = sources.get(label.span.file).expect("known file");
            assert!(label.span.end as usize <= file.text().len());
            assert!(file.text().is_char_boundary(label.span.start as usize));
            assert!(file.text().is_char_boundary(label.span.end as usize));
        }
        let _ = render_human(diagnostic, Style { color: false, width: 80 });
        let _ = to_json(diagnostic);
    }
});
