//! Signed checkpoints in the C2SP signed-note format, and Ed25519 keys in
//! the note key encoding (as used by Go's sumdb and transparency logs):
//!
//! ```text
//! lockgate/shop                ← origin
//! 42                           ← tree size
//! 6xQ…=                        ← base64 root hash
//!                              ← blank line
//! — lockgate/shop AbCd…=       ← "— " key name, base64(key hash ‖ signature)
//! ```
//!
//! Verifier key: `<name>+<key hash hex>+<base64(0x01 ‖ public key)>`;
//! signer key: `PRIVATE+KEY+<name>+<key hash hex>+<base64(0x01 ‖ seed)>`.
//! The key hash is the first four bytes of `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

const ALG_ED25519: u8 = 0x01;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed key: {0}")]
    BadKey(String),
    #[error("malformed checkpoint: {0}")]
    BadNote(String),
    #[error("the checkpoint carries no signature by key `{name}` ({hash:08x})")]
    NotSignedByKey { name: String, hash: u32 },
    #[error("the signature by key `{0}` does not verify")]
    BadSignature(String),
}

fn key_hash(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '+')
}

/// A private signing key with its name.
pub struct SignerKey {
    name: String,
    key: SigningKey,
}

impl SignerKey {
    /// A fresh random key named `name`.
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey(format!(
                "key name `{name}` must be non-empty, without spaces or `+`"
            )));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| NoteError::BadKey(format!("no randomness available: {e}")))?;
        Ok(SignerKey {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `PRIVATE+KEY+name+hash+base64`.
    pub fn encode(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.hash(), B64.encode(raw))
    }

    pub fn decode(text: &str) -> Result<Self, NoteError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| NoteError::BadKey("a signer key starts with PRIVATE+KEY+".into()))?;
        let (name, hash, raw) = split_key(rest)?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err(NoteError::BadKey("not an Ed25519 key".into()));
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&raw[1..]);
        let key = SignerKey {
            name,
            key: SigningKey::from_bytes(&seed),
        };
        if key.hash() != hash {
            return Err(NoteError::BadKey("the key hash does not match the key".into()));
        }
        Ok(key)
    }

    fn hash(&self) -> u32 {
        key_hash(&self.name, self.key.verifying_key().as_bytes())
    }

    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs a checkpoint of `size` leaves with `root`.
    pub fn sign_checkpoint(&self, origin: &str, size: u64, root: &Hash) -> String {
        let body = checkpoint_body(origin, size, root);
        let sig = self.key.sign(body.as_bytes());
        let mut raw = self.hash().to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(raw))
    }
}

fn split_key(s: &str) -> Result<(String, u32, Vec<u8>), NoteError> {
    let mut parts = s.trim().splitn(3, '+');
    let (Some(name), Some(hash), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadKey("expected name+hash+base64".into()));
    };
    if !valid_name(name) {
        return Err(NoteError::BadKey(format!("invalid key name `{name}`")));
    }
    let hash = u32::from_str_radix(hash, 16).map_err(|_| NoteError::BadKey(format!("invalid key hash `{hash}`")))?;
    let raw = B64
        .decode(b64)
        .map_err(|_| NoteError::BadKey("invalid base64".into()))?;
    Ok((name.to_string(), hash, raw))
}

/// A public verifier key: the key a verifier pins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key: VerifyingKey,
}

impl VerifierKey {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn hash(&self) -> u32 {
        key_hash(&self.name, self.key.as_bytes())
    }

    /// `name+hash+base64(0x01 ‖ public key)`.
    pub fn encode(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.hash(), B64.encode(raw))
    }

    pub fn decode(text: &str) -> Result<Self, NoteError> {
        let (name, hash, raw) = split_key(text)?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err(NoteError::BadKey("not an Ed25519 verifier key".into()));
        }
        let bytes: [u8; 32] = raw[1..]
            .try_into()
            .map_err(|_| NoteError::BadKey("wrong key length".into()))?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| NoteError::BadKey("not a valid Ed25519 point".into()))?;
        let v = VerifierKey { name, key };
        if v.hash() != hash {
            return Err(NoteError::BadKey("the key hash does not match the key".into()));
        }
        Ok(v)
    }
}

fn checkpoint_body(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", B64.encode(root))
}

/// A parsed checkpoint (not yet verified).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The signed text (body) and its signature lines.
    pub text: String,
}

impl Checkpoint {
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let (body, _) = text
            .split_once("\n\n")
            .ok_or_else(|| NoteError::BadNote("no blank line between the text and its signatures".into()))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| NoteError::BadNote("missing origin".into()))?;
        let size = lines
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| NoteError::BadNote("missing or invalid tree size".into()))?;
        let root = lines
            .next()
            .and_then(|r| B64.decode(r).ok())
            .and_then(|r| <Hash>::try_from(r.as_slice()).ok())
            .ok_or_else(|| NoteError::BadNote("missing or invalid root hash".into()))?;
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            text: text.to_string(),
        })
    }

    /// Verifies the signature made by `key`, the key the verifier pinned.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), NoteError> {
        let (body, sigs) = self
            .text
            .split_once("\n\n")
            .ok_or_else(|| NoteError::BadNote("no signatures".into()))?;
        let signed = format!("{body}\n");
        let want = key.hash();
        for line in sigs.lines() {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                continue;
            };
            let Some((name, b64)) = rest.split_once(' ') else {
                continue;
            };
            let Ok(raw) = B64.decode(b64) else { continue };
            if name != key.name || raw.len() != 68 || u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]) != want {
                continue;
            }
            let sig = Signature::from_slice(&raw[4..]).map_err(|_| NoteError::BadSignature(name.to_string()))?;
            return key
                .key
                .verify(signed.as_bytes(), &sig)
                .map_err(|_| NoteError::BadSignature(name.to_string()));
        }
        Err(NoteError::NotSignedByKey {
            name: key.name.clone(),
            hash: want,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_parse_verify_round_trip() {
        let k = SignerKey::generate("lockgate/shop").unwrap();
        let root = [7u8; 32];
        let text = k.sign_checkpoint("lockgate/shop", 42, &root);
        assert!(
            text.starts_with(
                "lockgate/shop\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u{2014} lockgate/shop "
            )
        );
        let cp = Checkpoint::parse(&text).unwrap();
        assert_eq!((cp.size, cp.root), (42, root));
        cp.verify(&k.verifier()).unwrap();
        // A different key: not signed by it.
        let other = SignerKey::generate("lockgate/shop").unwrap();
        assert!(matches!(
            cp.verify(&other.verifier()),
            Err(NoteError::NotSignedByKey { .. })
        ));
        // An edited size: signature fails.
        let forged = Checkpoint::parse(&text.replacen("\n42\n", "\n43\n", 1)).unwrap();
        assert!(matches!(forged.verify(&k.verifier()), Err(NoteError::BadSignature(_))));
    }

    #[test]
    fn keys_round_trip_and_reject_tampering() {
        let k = SignerKey::generate("lockgate/x").unwrap();
        let again = SignerKey::decode(&k.encode()).unwrap();
        assert_eq!(again.verifier(), k.verifier());
        let v = VerifierKey::decode(&k.verifier().encode()).unwrap();
        assert_eq!(v, k.verifier());
        let enc = k.verifier().encode();
        let bad = enc.replacen("lockgate/x", "lockgate/y", 1);
        assert!(
            VerifierKey::decode(&bad).is_err(),
            "renamed key must not match its hash"
        );
        assert!(SignerKey::generate("has space").is_err());
    }
}
