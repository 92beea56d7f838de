//! Standard Webhooks v1 signatures (docs/studio-api.md §5): a `whsec_` secret, and the
//! `webhook-signature` header `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, several
//! space-separated during a secret rotation's grace period. Pure: the caller supplies the
//! secret's random bytes and the time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;

const PREFIX: &str = "whsec_";
/// Receivers reject timestamps further than this from their clock (the specification's
/// suggestion).
pub const TOLERANCE_S: i64 = 300;

/// A signing secret. Its Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(****)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a webhook secret is \"whsec_\" followed by base64 (got {0})")]
    Malformed(&'static str),
    #[error("the webhook's timestamp is {0} s away from now (at most {TOLERANCE_S} s)")]
    Stale(i64),
    #[error("no v1 signature of the webhook matches")]
    NoMatch,
}

impl WebhookSecret {
    /// From random bytes (the caller draws 32).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// `whsec_…` as shown once to the operator and given to Studio.
    pub fn encoded(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let encoded = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(SignatureError::Malformed("no whsec_ prefix"))?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| SignatureError::Malformed("not base64"))?;
        if bytes.len() < 24 {
            return Err(SignatureError::Malformed("fewer than 24 bytes"));
        }
        Ok(Self(bytes))
    }

    /// `v1,<base64>` for one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp.to_string().as_bytes());
        ctx.update(b".");
        ctx.update(body);
        format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
    }
}

/// The `webhook-signature` header: one signature per secret (the current one first).
pub fn signature_header(
    secrets: &[&WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a receiver checks (used by the appliance's own tests and any inbound webhook):
/// a fresh timestamp and one matching `v1` signature, compared in constant time.
pub fn verify(
    secret: &WebhookSecret,
    id: &str,
    timestamp: i64,
    body: &[u8],
    header: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let skew = (now - timestamp).abs();
    if skew > TOLERANCE_S {
        return Err(SignatureError::Stale(skew));
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, &secret.0);
    let message = [
        id.as_bytes(),
        b".",
        timestamp.to_string().as_bytes(),
        b".",
        body,
    ]
    .concat();
    let matches = header
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|tag| hmac::verify(&key, &message, &tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks documentation and libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_specifications_example_signs_the_same() {
        let secret = WebhookSecret::parse(SECRET).expect("a secret");
        assert_eq!(secret.sign(ID, TS, BODY), SIGNATURE);
        assert_eq!(secret.encoded(), SECRET);
        assert_eq!(verify(&secret, ID, TS, BODY, SIGNATURE, TS + 10), Ok(()));
    }

    #[test]
    fn during_a_rotation_both_secrets_sign_and_either_verifies() {
        let old = WebhookSecret::parse(SECRET).expect("a secret");
        let new = WebhookSecret::from_bytes(&[7u8; 32]);
        let header = signature_header(&[&new, &old], ID, TS, BODY);
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.ends_with(SIGNATURE));
        assert_eq!(verify(&old, ID, TS, BODY, &header, TS), Ok(()));
        assert_eq!(verify(&new, ID, TS, BODY, &header, TS), Ok(()));
    }

    #[test]
    fn a_changed_body_an_old_timestamp_or_a_bad_secret_is_refused() {
        let secret = WebhookSecret::parse(SECRET).expect("a secret");
        assert_eq!(
            verify(&secret, ID, TS, b"{}", SIGNATURE, TS),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(&secret, ID, TS, BODY, SIGNATURE, TS + 301),
            Err(SignatureError::Stale(301))
        );
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::parse("whsec_not base64!").is_err());
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_err());
        assert_eq!(format!("{secret:?}"), "WebhookSecret(****)");
    }
}
