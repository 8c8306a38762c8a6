//! Who may ask: the bearer token (compared in constant time) and TLS (rustls).

use std::path::Path;
use std::sync::Arc;

use axum::http::{header, HeaderMap};
use subtle::ConstantTimeEq as _;

/// Whether the request carries the token (always, when none is configured).
pub(crate) fn authorized(token: Option<&[u8]>, headers: &HeaderMap) -> bool {
    let Some(token) = token else { return true };
    let given = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .and_then(|v| {
            let (scheme, rest) = v.split_at(v.len().min(7));
            scheme.eq_ignore_ascii_case(b"bearer ").then_some(rest)
        });
    // The comparison takes the same time wherever the first difference is; only a
    // difference in length shows sooner, which reveals the length, not the token.
    given.is_some_and(|g| bool::from(g.ct_eq(token)))
}

/// A TLS acceptor for a PEM certificate chain and private key.
pub(crate) fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: cannot read the certificate: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in the file", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("{}: cannot read the private key: {e}", key.display()))?;
    // ring rather than aws-lc-rs (which needs cmake and doubles the build); ring has no
    // post-quantum key exchange, hence its deprecation note, which is accepted here.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
