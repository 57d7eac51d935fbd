//! TLS to the database, as libpq (and so `psql`) does it, so a URL that works there works here:
//! - `sslmode=prefer` (the default) encrypts when the server offers TLS, `require` insists,
//!   `disable` never; neither checks the server's certificate (a self-signed one, as Debian's
//!   PostgreSQL has out of the box, is accepted), unless `sslrootcert=FILE` names a CA;
//! - `verify-ca` and `verify-full` check the certificate's chain and name: against the CA in
//!   `sslrootcert` (a managed database's own, such as Amazon RDS's bundle), else the public roots.
//!
//! tokio-postgres knows neither `sslrootcert` nor `verify-*`: they are taken out of the URL here.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres::Config;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;

/// `url` as tokio-postgres reads it, with the TLS it asks for: libpq's `sslrootcert` and
/// `verify-*` modes, which tokio-postgres does not know, are taken out and applied here.
pub(super) fn settings(url: &str) -> Result<(Config, MakeRustlsConnect), StoreError> {
    let (url, root_file, verify) = libpq_options(url)?;
    let config: Config = url.parse()?;
    Ok((config, connector(root_file.as_deref(), verify)?))
}

/// The URL without `sslrootcert` (returned apart) and with `verify-*` read as `require`; and
/// whether the server's certificate is to be checked.
fn libpq_options(url: &str) -> Result<(String, Option<String>, bool), StoreError> {
    let mut root_file = None;
    let mut verify = false;
    let mut keep = |key: &str, value: &str| -> Option<(String, String)> {
        match (key, value) {
            ("sslrootcert", file) => {
                root_file = Some(file.to_owned());
                None
            }
            ("sslmode", "verify-ca" | "verify-full") => {
                verify = true;
                Some((key.to_owned(), "require".to_owned()))
            }
            _ => Some((key.to_owned(), value.to_owned())),
        }
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), None, false)) };
        // Piece by piece, each kept as written: decoding and encoding again would turn an
        // `options=-c%20…` into `-c+…`, which tokio-postgres reads differently.
        let kept: Vec<String> = query
            .split('&')
            .filter_map(|piece| {
                let (key, value) = url::form_urlencoded::parse(piece.as_bytes()).next().unwrap_or_default();
                keep(&key, &value).map(|(_, new)| if new == value { piece.to_owned() } else { format!("{key}={new}") })
            })
            .collect();
        let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        Ok((url, root_file.clone(), verify || root_file.is_some()))
    } else {
        // The `key=value key=value` form.
        let words: Vec<String> = url
            .split_whitespace()
            .filter_map(|word| match word.split_once('=') {
                Some((k, v)) => keep(k, v).map(|(k, v)| format!("{k}={v}")),
                None => Some(word.to_owned()),
            })
            .collect();
        Ok((words.join(" "), root_file.clone(), verify || root_file.is_some()))
    }
}

/// A TLS connector: checking the server against the CA in `root_file` or the public web roots
/// when `verify`, else encrypting only.
fn connector(root_file: Option<&str>, verify: bool) -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Settings(format!("TLS: {e}")))?;
    if !verify {
        let config =
            builder.dangerous().with_custom_certificate_verifier(Arc::new(EncryptOnly(provider))).with_no_client_auth();
        return Ok(MakeRustlsConnect::new(config));
    }
    let mut roots = rustls::RootCertStore::empty();
    match root_file {
        Some(file) => {
            let bad = |e: &dyn std::fmt::Display| StoreError::Settings(format!("sslrootcert {file}: {e}"));
            for cert in CertificateDer::pem_file_iter(file).map_err(|e| bad(&e))? {
                roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
            }
            if roots.is_empty() {
                return Err(bad(&"no certificate in the file"));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(MakeRustlsConnect::new(builder.with_root_certificates(roots).with_no_client_auth()))
}

/// libpq's `prefer` and `require` without a CA: the handshake is checked (the server holds the
/// key of the certificate it shows), the certificate itself is not, as `psql` does. Anyone able
/// to intercept the connection could pose as the server; `verify-full` closes that.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_tls_options_are_read_and_the_rest_kept() {
        let (url, root, _) = libpq_options(
            "postgres://u:p%40ss@db:5432/confbot?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(url, "postgres://u:p%40ss@db:5432/confbot?sslmode=require&application_name=x");
        assert_eq!(root.as_deref(), Some("/etc/ca.pem"));
        let (url, root, verify) = libpq_options("host=db user=u sslrootcert=/ca.pem sslmode=verify-ca").unwrap();
        assert_eq!((url.as_str(), root.as_deref(), verify), ("host=db user=u sslmode=require", Some("/ca.pem"), true));
        assert_eq!(libpq_options("postgres://db/x").unwrap(), ("postgres://db/x".to_owned(), None, false));
        assert!(libpq_options("postgres://db/x?sslmode=verify-full").unwrap().2);
        // Regression: other options kept exactly as written (a decoded and encoded `%20` became `+`).
        let options = "postgres://db/x?options=-c%20search_path%3Dt1&sslrootcert=%2Fca.pem";
        assert_eq!(libpq_options(options).unwrap().0, "postgres://db/x?options=-c%20search_path%3Dt1");
        assert!(!libpq_options("postgres://db/x?sslmode=require").unwrap().2);
        assert!(settings("postgres://db/x?sslrootcert=/nonexistent.pem").is_err());
    }

    /// Against the test server with TLS on (`.ci/run` gives it a throwaway CA): `verify-full`
    /// with that CA as `sslrootcert` connects over TLS; `verify-full` trusting only the public
    /// roots is refused, saying why; `require` (and the default `prefer`) encrypt without
    /// checking, as `psql` does.
    #[tokio::test]
    async fn require_checks_the_server_against_the_root_given() {
        let Some(url) = super::super::test_url() else { return };
        let Ok(ca) = std::env::var("CONFBOT_TEST_POSTGRES_CA") else {
            assert_ne!(
                std::env::var("CONFBOT_REQUIRE_POSTGRES").as_deref(),
                Ok("1"),
                "CONFBOT_TEST_POSTGRES_CA is not set"
            );
            return;
        };
        let joiner = if url.contains('?') { '&' } else { '?' };
        let (config, tls) = settings(&format!("{url}{joiner}sslmode=verify-full&sslrootcert={ca}")).unwrap();
        let (client, connection) = config.connect(tls).await.unwrap();
        tokio::spawn(connection);
        let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
        assert!(row.get::<_, bool>(0), "the connection is encrypted");

        let (config, tls) = settings(&format!("{url}{joiner}sslmode=verify-full")).unwrap();
        let refused = config.connect(tls).await.err().expect("an unknown CA is refused").to_string();
        assert!(refused.contains("certificate") || refused.contains("issuer"), "{refused}");

        for mode in ["require", "prefer"] {
            let (config, tls) = settings(&format!("{url}{joiner}sslmode={mode}")).unwrap();
            let (client, connection) = config.connect(tls).await.unwrap();
            tokio::spawn(connection);
            let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
            assert!(row.get::<_, bool>(0), "{mode}: encrypted");
        }
    }
}
