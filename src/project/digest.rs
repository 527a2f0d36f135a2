//! The bundle digest: one name for "these rule files, with these
//! contents", the same on any machine however the paths were spelled.
//!
//! The manifest has one line per rule file, `<sha256 hex> <path>\n`, sorted
//! by the path's bytes, where the path is relative to the path the file
//! was found under (see [`crate::source::SourceFile::bundle_path`]); the digest is
//! `sha256:<hex>` of the manifest. Configuration files (`authgate.toml`)
//! are not part of it. `authgate digest`, `authgate serve` and the Python
//! package all compute it here.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::source::Sources;

/// One rule file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BundleFile {
    /// Its path in the bundle, with `/` separators.
    pub path: String,
    /// The lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// The rule files of a bundle, sorted by path, and their digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    files: Vec<BundleFile>,
    digest: String,
}

impl Manifest {
    /// The manifest of the rule files in `sources`.
    pub fn of(sources: &Sources) -> Manifest {
        let mut files: Vec<BundleFile> = sources
            .iter()
            .filter(|file| file.is_rules())
            .map(|file| BundleFile {
                path: file.bundle_path().to_owned(),
                sha256: hex(&Sha256::digest(file.bytes())),
            })
            .collect();
        files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let mut manifest = Sha256::new();
        for file in &files {
            manifest.update(file.sha256.as_bytes());
            manifest.update(b" ");
            manifest.update(file.path.as_bytes());
            manifest.update(b"\n");
        }
        let digest = format!("sha256:{}", hex(&manifest.finalize()));
        Manifest { files, digest }
    }

    /// `sha256:<hex>` of the manifest text.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The files, sorted by path.
    pub fn files(&self) -> &[BundleFile] {
        &self.files
    }

    /// The manifest text that the digest hashes.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for file in &self.files {
            let _ = writeln!(text, "{} {}", file.sha256, file.path);
        }
        text
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_hashes_the_sorted_manifest_of_rule_files_only() {
        let mut sources = Sources::new();
        sources.add("b.gate", "b");
        sources.add("a.gate", "a");
        sources.add_config("authgate.toml", "[lints]");
        let manifest = Manifest::of(&sources);
        // sha256("a") and sha256("b"), a first.
        let expected = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb a.gate\n\
                        3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d b.gate\n";
        assert_eq!(manifest.text(), expected);
        let digest = format!("sha256:{}", hex(&Sha256::digest(expected.as_bytes())));
        assert_eq!(manifest.digest(), digest);
        assert_eq!(manifest.files().len(), 2);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_hashed_as_read() {
        let mut sources = Sources::new();
        sources.add_bytes("x.gate", vec![b'a', 0xff]);
        let manifest = Manifest::of(&sources);
        let sha = hex(&Sha256::digest([b'a', 0xff]));
        let shas: Vec<&str> = manifest.files().iter().map(|f| f.sha256.as_str()).collect();
        assert_eq!(shas, [sha.as_str()]);
    }
}
