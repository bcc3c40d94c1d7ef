//! Content hashes, and their lower-case hex form, as every manifest, record and check writes
//! them: one place, so that two hashes of the same bytes are always the same string.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// The sha256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A hash over named parts, each written as its name, a zero byte, its content and a zero
/// byte, so that no two sets of parts give the same stream.
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one named part.
    pub fn part(&mut self, name: &str, content: &[u8]) {
        self.0.update(name.as_bytes());
        self.0.update([0]);
        self.0.update(content);
        self.0.update([0]);
    }

    /// Adds bytes with no framing.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// One hash over a set of hashes by path, in path order.
pub fn hash_of(hashes: &BTreeMap<String, String>) -> String {
    let mut hasher = Hasher::new();
    for (path, hash) in hashes {
        hasher.part(path, hash.as_bytes());
    }
    hasher.finish()
}

/// The raw sha256 of `bytes`, for hashes of hashes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_the_usual_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parts_are_framed() {
        let mut one = Hasher::new();
        one.part("ab", b"c");
        let mut other = Hasher::new();
        other.part("a", b"bc");
        assert_ne!(one.finish(), other.finish());
    }
}
