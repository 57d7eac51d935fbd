//! Who may call `confbot serve`: Discord signs every request with the application's Ed25519 key,
//! over the `X-Signature-Timestamp` header followed by the body. A request passes when that
//! signature verifies and its timestamp is within [`MAX_SKEW`] of now, so a recorded request
//! cannot be replayed later (the signature alone would stay valid forever).
//!
//! The cryptography is ed25519-dalek's, as in serenity's `interactions_endpoint::Verifier`; only
//! the parsing of headers and the time window are here.

use ed25519_dalek::{Signature, VerifyingKey};

/// The request headers Discord signs with (lower case, as HTTP/2 and axum's `HeaderMap` name them).
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

/// How far a request's timestamp may be from now, either way, in seconds. Discord delivers
/// within a second or two; five minutes absorbs clock drift on the worker's side while keeping
/// the replay window short.
pub const MAX_SKEW: i64 = 5 * 60;

/// The application's public key, ready to verify with.
#[derive(Clone, Debug)]
pub struct PublicKey(VerifyingKey);

/// Why a configured public key is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("public_key: expected 64 hex digits (the developer portal's Public Key), got {0} characters")]
    NotHex(usize),
    #[error("public_key: these 64 hex digits are not an Ed25519 public key; copy it again from the developer portal")]
    NotAKey,
}

/// Why a request was refused. Each is answered with 401; the reason is only logged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("no {SIGNATURE_HEADER} header")]
    NoSignature,
    #[error("no {TIMESTAMP_HEADER} header")]
    NoTimestamp,
    #[error("the signature is not 128 hex digits")]
    MalformedSignature,
    #[error("the timestamp is not a number of seconds")]
    MalformedTimestamp,
    #[error("the timestamp is {0} s from now, beyond {MAX_SKEW} s")]
    Stale(i64),
    #[error("the signature does not verify")]
    Forged,
}

impl PublicKey {
    /// Reads the key as the developer portal shows it: 64 hex digits.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let text = text.trim();
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| KeyError::NotHex(text.chars().count()))?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| KeyError::NotAKey)
    }

    /// Checks one request: its two headers (raw bytes, absent as `None`), its body, and
    /// `now` in Unix seconds.
    pub fn check(
        &self,
        signature: Option<&[u8]>,
        timestamp: Option<&[u8]>,
        body: &[u8],
        now: i64,
    ) -> Result<(), Refused> {
        let signature = signature.ok_or(Refused::NoSignature)?;
        let timestamp = timestamp.ok_or(Refused::NoTimestamp)?;
        let mut raw = [0u8; 64];
        hex::decode_to_slice(signature, &mut raw).map_err(|_| Refused::MalformedSignature)?;
        // Digits only: `i64::from_str` would also take a sign, which Discord never sends.
        if timestamp.is_empty() || timestamp.len() > 18 || !timestamp.iter().all(u8::is_ascii_digit) {
            return Err(Refused::MalformedTimestamp);
        }
        let at: i64 =
            std::str::from_utf8(timestamp).ok().and_then(|t| t.parse().ok()).ok_or(Refused::MalformedTimestamp)?;
        // Cheap before the curve arithmetic, and an old request is refused even if genuine.
        let skew = at - now;
        if skew.abs() > MAX_SKEW {
            return Err(Refused::Stale(skew));
        }
        let signed = [timestamp, body].concat();
        // Strict: refuses the malleable encodings plain `verify` lets through; Discord's are canonical.
        self.0.verify_strict(&signed, &Signature::from_bytes(&raw)).map_err(|_| Refused::Forged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const NOW: i64 = 1_716_000_000;

    fn signed(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        hex::encode(key.sign(&[timestamp.as_bytes(), body].concat()).to_bytes())
    }

    #[test]
    fn keys_are_read_from_hex() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let text = hex::encode(key.verifying_key().to_bytes());
        assert!(PublicKey::parse(&format!(" {text}\n")).is_ok());
        assert!(PublicKey::parse(&text.to_uppercase()).is_ok());
        assert_eq!(PublicKey::parse("abc").unwrap_err(), KeyError::NotHex(3));
        assert_eq!(PublicKey::parse(&"zz".repeat(32)).unwrap_err(), KeyError::NotHex(64));
        assert_eq!(PublicKey::parse(&"é".repeat(32)).unwrap_err(), KeyError::NotHex(32));
    }

    #[test]
    fn requests_pass_only_signed_and_fresh() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let public = PublicKey::parse(&hex::encode(key.verifying_key().to_bytes())).unwrap();
        let other = SigningKey::from_bytes(&[8; 32]);
        let body = br#"{"type":1}"#;
        let ts = NOW.to_string();
        let good = signed(&key, &ts, body);
        let old = (NOW - MAX_SKEW - 1).to_string();
        let edge = (NOW + MAX_SKEW).to_string();
        type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a [u8], Result<(), Refused>);
        let cases: &[Case] = &[
            (Some(&good), Some(&ts), body, Ok(())),
            (Some(&good.to_uppercase()), Some(&ts), body, Ok(())),
            (Some(&signed(&key, &edge, body)), Some(&edge), body, Ok(())),
            (None, Some(&ts), body, Err(Refused::NoSignature)),
            (Some(&good), None, body, Err(Refused::NoTimestamp)),
            (Some(&good[2..]), Some(&ts), body, Err(Refused::MalformedSignature)),
            (Some("zz"), Some(&ts), body, Err(Refused::MalformedSignature)),
            (Some(&good), Some("+1716000000"), body, Err(Refused::MalformedTimestamp)),
            (Some(&good), Some(""), body, Err(Refused::MalformedTimestamp)),
            (Some(&good), Some("99999999999999999999999"), body, Err(Refused::MalformedTimestamp)),
            (Some(&signed(&key, &old, body)), Some(&old), body, Err(Refused::Stale(-MAX_SKEW - 1))),
            (Some(&good), Some(&ts), br#"{"type":2}"#, Err(Refused::Forged)),
            (Some(&signed(&other, &ts, body)), Some(&ts), body, Err(Refused::Forged)),
            // The timestamp is signed too: moving it forward breaks the signature.
            (Some(&good), Some(&(NOW + 1).to_string()), body, Err(Refused::Forged)),
        ];
        for (i, (sig, ts, body, expected)) in cases.iter().enumerate() {
            let got = public.check(sig.map(str::as_bytes), ts.map(str::as_bytes), body, NOW);
            assert_eq!(&got, expected, "case {i}");
        }
    }
}
