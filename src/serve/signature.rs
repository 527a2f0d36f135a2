//! Signed bundles: Ed25519 over the bundle digest, for fleets that pull
//! rules from elsewhere. Configuring a verifying key is what makes a
//! signature required; a signature file alone changes nothing.
//!
//! Every file is one line of text, so that it survives a ConfigMap, a
//! secret store or a copy-paste:
//!
//! - `PREFIX.key`: `ed25519-secret:<64 hex digits>` (the 32-byte seed),
//!   written with mode 0600;
//! - `PREFIX.pub`: `ed25519-public:<64 hex digits>`;
//! - `authgate.sig`: `ed25519:<128 hex digits> sha256:<hex>`, the signature
//!   of the digest's text (the bytes of `sha256:<hex>`), then the digest
//!   signed. The digest written is for people and messages; verification
//!   always signs the digest of the files actually loaded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::project::reload::{Refusal, Verify};

/// The file `sign` writes and `serve --verify-key` reads, in the first
/// PATH of the rule set (beside it, for a file).
pub const SIGNATURE_FILE: &str = "authgate.sig";

const SECRET: &str = "ed25519-secret:";
const PUBLIC: &str = "ed25519-public:";
const SIGNATURE: &str = "ed25519:";

/// Why a key or a signature can't be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A key or signature file could not be read or written.
    #[error("cannot use `{path}`: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: std::io::Error,
    },
    /// A key or signature file is not in its format.
    #[error("`{path}` is not {what}")]
    Format {
        /// The file.
        path: String,
        /// What it should be, e.g. "an ed25519 public key (`ed25519-public:<hex>`)".
        what: &'static str,
    },
    /// The rules have no signature file, and a key requires one.
    #[error("the rules are not signed: no `{path}`")]
    Unsigned {
        /// Where the signature was looked for.
        path: String,
    },
    /// The signature does not verify for the digest of the files loaded.
    #[error("`{path}` does not sign these rules (signed: {signed}, loaded: {loaded})")]
    Invalid {
        /// The signature file.
        path: String,
        /// The digest the file says it signed.
        signed: String,
        /// The digest of the rule files loaded.
        loaded: String,
    },
    /// The system's random source failed (keygen).
    #[error("no randomness for a key: {0}")]
    Random(String),
}

impl miette::Diagnostic for SignatureError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("authgate::signature"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        match self {
            SignatureError::Unsigned { .. } | SignatureError::Invalid { .. } => Some(Box::new(
                "sign the rules with `authgate sign --key PREFIX.key PATH...` after every change",
            )),
            _ => None,
        }
    }
}

/// Where the signature of a rule set loaded from `paths` lives: in the
/// first PATH when it is a folder, beside it when it is a file.
pub fn signature_path(paths: &[PathBuf]) -> PathBuf {
    let first = paths
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("."));
    if first.is_dir() {
        first.join(SIGNATURE_FILE)
    } else {
        first
            .parent()
            .map_or_else(|| PathBuf::from(SIGNATURE_FILE), |p| p.join(SIGNATURE_FILE))
    }
}

/// The reload core's check for `serve --verify-key`: rules must carry an
/// `authgate.sig` by this key over their digest.
#[derive(Clone, Debug)]
pub struct SignedBy(pub VerifyingKey);

impl Verify for SignedBy {
    fn verify(&self, paths: &[PathBuf], digest: &str) -> Result<(), Refusal> {
        verify(&self.0, &signature_path(paths), digest).map_err(|error| Refusal::of(&error, None))
    }

    /// The signature file: rules refused as unsigned are tried again once
    /// signed.
    fn inputs(&self, paths: &[PathBuf]) -> Vec<u8> {
        std::fs::read(signature_path(paths)).unwrap_or_default()
    }
}

/// A new key pair from the system's random source.
pub fn generate() -> Result<SigningKey, SignatureError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| SignatureError::Random(error.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// `PREFIX.key`'s text.
pub fn secret_key_text(key: &SigningKey) -> String {
    format!("{SECRET}{}\n", hex(&key.to_bytes()))
}

/// `PREFIX.pub`'s text.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC}{}\n", hex(key.as_bytes()))
}

/// Reads a secret key file.
pub fn read_secret_key(path: &Path) -> Result<SigningKey, SignatureError> {
    let seed: [u8; 32] = read_hex(
        path,
        SECRET,
        "an ed25519 secret key (`ed25519-secret:<hex>`)",
    )?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, SignatureError> {
    const WHAT: &str = "an ed25519 public key (`ed25519-public:<hex>`)";
    let bytes: [u8; 32] = read_hex(path, PUBLIC, WHAT)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SignatureError::Format {
        path: path.display().to_string(),
        what: WHAT,
    })
}

/// `authgate.sig`'s text for `digest`.
pub fn sign(key: &SigningKey, digest: &str) -> String {
    let signature = key.sign(digest.as_bytes());
    format!("{SIGNATURE}{} {digest}\n", hex(&signature.to_bytes()))
}

/// Checks that the signature file at `path` signs `digest` with `key`.
pub fn verify(key: &VerifyingKey, path: &Path, digest: &str) -> Result<(), SignatureError> {
    const WHAT: &str = "an authgate signature (`ed25519:<hex> sha256:<hex>`)";
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(SignatureError::Unsigned { path: shown });
        }
        Err(reason) => {
            return Err(SignatureError::Io {
                path: shown,
                reason,
            });
        }
    };
    let format = || SignatureError::Format {
        path: shown.clone(),
        what: WHAT,
    };
    let mut words = text.split_ascii_whitespace();
    let signature = words
        .next()
        .and_then(|word| word.strip_prefix(SIGNATURE))
        .and_then(unhex::<64>)
        .ok_or_else(format)?;
    let signed = words.next().ok_or_else(format)?;
    if words.next().is_some() {
        return Err(format());
    }
    key.verify(digest.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| SignatureError::Invalid {
            path: shown.clone(),
            signed: signed.to_owned(),
            loaded: digest.to_owned(),
        })
}

fn read_hex<const N: usize>(
    path: &Path,
    prefix: &str,
    what: &'static str,
) -> Result<[u8; N], SignatureError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|reason| SignatureError::Io {
        path: shown.clone(),
        reason,
    })?;
    text.trim()
        .strip_prefix(prefix)
        .and_then(unhex::<N>)
        .ok_or(SignatureError::Format { path: shown, what })
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2 {
        return None;
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_digest_and_key() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!("a temp dir"));
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let path = dir.path().join(SIGNATURE_FILE);
        let _ = std::fs::write(&path, sign(&key, "sha256:aa"));
        assert!(verify(&key.verifying_key(), &path, "sha256:aa").is_ok());
        assert!(matches!(
            verify(&key.verifying_key(), &path, "sha256:ab"),
            Err(SignatureError::Invalid { .. })
        ));
        assert!(matches!(
            verify(&other.verifying_key(), &path, "sha256:aa"),
            Err(SignatureError::Invalid { .. })
        ));
        let _ = std::fs::write(&path, "ed25519:zz sha256:aa");
        assert!(matches!(
            verify(&key.verifying_key(), &path, "sha256:aa"),
            Err(SignatureError::Format { .. })
        ));
        let missing = dir.path().join("none.sig");
        assert!(matches!(
            verify(&key.verifying_key(), &missing, "sha256:aa"),
            Err(SignatureError::Unsigned { .. })
        ));
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!("a temp dir"));
        let key = SigningKey::from_bytes(&[9; 32]);
        let (secret, public) = (dir.path().join("k.key"), dir.path().join("k.pub"));
        let _ = std::fs::write(&secret, secret_key_text(&key));
        let _ = std::fs::write(&public, public_key_text(&key.verifying_key()));
        let read = read_secret_key(&secret).map(|k| k.to_bytes()).ok();
        assert_eq!(read, Some(key.to_bytes()));
        let read = read_public_key(&public).map(|k| k.to_bytes()).ok();
        assert_eq!(read, Some(key.verifying_key().to_bytes()));
        assert!(read_public_key(&secret).is_err());
    }
}
