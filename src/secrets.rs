//! Secrets at rest: camera passwords (and later stream keys and tokens) are sealed with
//! XChaCha20-Poly1305 under a 256-bit key kept in `<data-dir>/secret.key` (mode 0600).
//! The key is created on first run; losing it makes stored secrets unreadable, so backups
//! include it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const KEY_FILE: &str = "secret.key";
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("stored secret is corrupt or was sealed with another key")]
    Unseal,
    #[error("sealing failed")]
    Seal,
}

impl SecretBox {
    /// Load the key from the data dir, creating it (0600) on first run.
    pub fn open_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(KEY_FILE);
        let key_bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                write_private(&path, key.as_slice())
                    .with_context(|| format!("creating the secret key {}", path.display()))?;
                key.to_vec()
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading the secret key {}", path.display()));
            }
        };
        anyhow::ensure!(
            key_bytes.len() == 32,
            "secret key {} has {} bytes, expected 32",
            path.display(),
            key_bytes.len()
        );
        Ok(Self::from_key(&key_bytes))
    }

    pub fn from_key(key: &[u8]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(key)),
        }
    }

    /// nonce || ciphertext+tag
    pub fn seal(&self, plaintext: &str) -> Result<Vec<u8>, SecretError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&nonce, plaintext.as_bytes())
                .map_err(|_| SecretError::Seal)?,
        );
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, SecretError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretError::Unseal);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| SecretError::Unseal)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unseal)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_key_persists() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretBox::open_or_create(dir.path()).unwrap();
        let sealed = a.seal("p@ss:w/rd#!").unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"p@ss"));
        let b = SecretBox::open_or_create(dir.path()).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "p@ss:w/rd#!");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn tampering_or_another_key_fails() {
        let a = SecretBox::from_key(&[1u8; 32]);
        let b = SecretBox::from_key(&[2u8; 32]);
        let mut sealed = a.seal("secret").unwrap();
        assert!(b.open(&sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(a.open(&sealed).is_err());
        assert!(a.open(&[0u8; 3]).is_err());
    }
}
