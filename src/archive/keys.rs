//! The archive's signing key: an Ed25519 key pair kept as two small text files, the secret one
//! readable by its owner only. The secret is never printed.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroize;

pub use ed25519_dalek::{SigningKey as SecretKey, VerifyingKey as PublicKey};

const SECRET_HEADER: &str = "udvalg archive key: ed25519 secret key; keep it private";
const PUBLIC_HEADER: &str = "udvalg archive key: ed25519 public key";

/// What a signed log entry's signature is taken over: this, then the entry without its
/// signature.
const DOMAIN: &[u8] = b"udvalg archive log entry\n";

/// The public key file beside a secret key file: `FILE.pub`.
pub fn public_path(secret: &Path) -> PathBuf {
    let mut name = secret.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Makes a new key pair: the secret key in `secret` (mode 600) and the public key in
/// `secret.pub`; neither may exist. The public key's hex, to print.
pub fn new_key(secret: &Path) -> io::Result<String> {
    let public = public_path(secret);
    for path in [secret, public.as_path()] {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists; a key is never overwritten", path.display()),
            ));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| io::Error::other(format!("no randomness: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let mut text = format!("{SECRET_HEADER}\n{}\n", hex(&seed));
    seed.zeroize();
    let written = write_new(secret, text.as_bytes(), 0o600);
    text.zeroize();
    written?;
    let public_hex = hex(key.verifying_key().as_bytes());
    if let Err(e) = write_new(
        &public,
        format!("{PUBLIC_HEADER}\n{public_hex}\n").as_bytes(),
        0o644,
    ) {
        let _ = std::fs::remove_file(secret);
        return Err(e);
    }
    Ok(public_hex)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Reads a secret key file; refuses one that others may read, or a public key.
pub fn load_secret(path: &Path) -> Result<SigningKey, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{} may be read by others (mode {mode:o}); a secret key must be readable by its \
                 owner only: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let bytes = read_key_file(path, SECRET_HEADER, PUBLIC_HEADER, "the secret key")?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Reads a public key file.
pub fn load_public(path: &Path) -> Result<VerifyingKey, String> {
    let bytes = read_key_file(path, PUBLIC_HEADER, SECRET_HEADER, "the public key")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| {
        format!(
            "{} does not hold a valid Ed25519 public key",
            path.display()
        )
    })
}

fn read_key_file(path: &Path, header: &str, other: &str, what: &str) -> Result<[u8; 32], String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    match lines.next() {
        Some(h) if h == header => {}
        Some(h) if h == other => {
            return Err(format!(
                "{} holds the other half of the key pair; give {what} here",
                path.display()
            ));
        }
        _ => {
            return Err(format!(
                "{} is not an udvalg archive key (made by `udvalg archive key new`)",
                path.display()
            ));
        }
    }
    lines
        .next()
        .and_then(|l| unhex::<32>(l.trim()))
        .ok_or_else(|| format!("{} does not hold a key of 64 hex digits", path.display()))
}

/// The public key, as log entries name it.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

/// The signature of `message` (an entry without its signature) in hex.
pub fn sign(key: &SigningKey, message: &[u8]) -> String {
    hex(&key.sign(&signed_bytes(message)).to_bytes())
}

/// Whether `signature` (hex) is `public`'s (hex) over `message`.
pub fn signature_holds(public: &str, signature: &str, message: &[u8]) -> bool {
    let (Some(public), Some(signature)) = (unhex::<32>(public), unhex::<64>(signature)) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&public) else {
        return false;
    };
    key.verify_strict(&signed_bytes(message), &Signature::from_bytes(&signature))
        .is_ok()
}

fn signed_bytes(message: &[u8]) -> Vec<u8> {
    [DOMAIN, message].concat()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_signs_and_its_public_half_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("key");
        let public = new_key(&secret).unwrap();
        assert!(new_key(&secret).is_err(), "never overwritten");
        let key = load_secret(&secret).unwrap();
        let loaded = load_public(&public_path(&secret)).unwrap();
        assert_eq!(public_hex(&loaded), public);
        let signature = sign(&key, b"entry");
        assert!(signature_holds(&public, &signature, b"entry"));
        assert!(!signature_holds(&public, &signature, b"entrY"));
        assert!(load_secret(&public_path(&secret)).is_err());
        assert!(load_public(&secret).is_err());
        let text = std::fs::read_to_string(&secret).unwrap();
        assert!(!text.contains(&public));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load_secret(&secret).unwrap_err().contains("chmod 600"));
        }
    }
}
