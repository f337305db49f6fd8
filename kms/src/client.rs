//! The KMS client (TS 33.180 D.2, SPEC §8): `init`, `keyprov` and
//! `certcache` over HTTPS (rustls; system roots or supplied roots), with
//! timeouts, retries with exponential backoff, and validation of every
//! received key set before it is returned (SPEC §8.6, checklist K4).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use mikey_sakke::identity::NtpTime;
use mikey_sakke::kms::{
    validate_key_set, CertRole, DateTime, KmsCertificate, KmsDocError, KmsErrorInfo, KmsKeySet,
    KmsMessage, KmsRequest, KmsResponse,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio::net::TcpStream;
use zeroize::Zeroizing;

use crate::keystore::{ClientKeys, UserKeySet};
use crate::PREFIX;

/// Largest accepted response body.
const MAX_RESPONSE: usize = 4 * 1024 * 1024;

/// Characters kept as-is when percent-encoding a URI into a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Errors of the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server URL is not `http(s)://host[:port][/path]`.
    #[error("invalid server URL: {0}")]
    BadUrl(String),
    /// The TLS configuration or roots are unusable.
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// Connecting, the TLS handshake or the HTTP exchange failed.
    #[error("network: {0}")]
    Network(String),
    /// The request did not complete within the timeout.
    #[error("timed out")]
    Timeout,
    /// The server answered with an HTTP error status (with its `KmsError`,
    /// when the body carried one).
    #[error("HTTP {status}{}", .error.as_ref().map(|e| format!(": {}", e.msg)).unwrap_or_default())]
    Http {
        /// The status code.
        status: u16,
        /// The `KmsError` of the body.
        error: Option<KmsErrorInfo>,
    },
    /// The response is not a valid KmsResponse.
    #[error("malformed KmsResponse: {0}")]
    Xml(KmsDocError),
    /// The response is well formed but not what was asked for.
    #[error("unexpected response: {0}")]
    Protocol(String),
    /// A received key set failed validation and was refused.
    #[error("key set for period {period} refused: {source}")]
    Validation {
        /// The key period number.
        period: u64,
        /// Why.
        source: KmsDocError,
    },
}

impl ClientError {
    fn retryable(&self) -> bool {
        match self {
            ClientError::Network(_) | ClientError::Timeout => true,
            ClientError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
struct BaseUrl {
    tls: bool,
    host: String,
    port: u16,
    prefix: String,
}

fn parse_url(url: &str) -> Result<BaseUrl, ClientError> {
    let bad = || ClientError::BadUrl(url.to_owned());
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(bad());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let default_port = if tls { 443 } else { 80 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => default_port,
            None => return Err(bad()),
        };
        (h.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| bad())?),
            None => (authority.to_owned(), default_port),
        }
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let mut prefix = path.trim_end_matches('/').to_owned();
    // Accept the full resource prefix as part of the URL too.
    if let Some(p) = prefix.strip_suffix(PREFIX) {
        prefix = p.to_owned();
    }
    Ok(BaseUrl {
        tls,
        host,
        port,
        prefix,
    })
}

/// The trusted external KMSs from `certcache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertCache {
    /// `CacheNum`.
    pub cache_num: u64,
    /// The external KMS certificates.
    pub certificates: Vec<KmsCertificate>,
}

/// An asynchronous KMS client for one user.
pub struct KmsClient {
    base: BaseUrl,
    tls: Option<Arc<rustls::ClientConfig>>,
    token: Zeroizing<String>,
    user_uri: String,
    timeout: Duration,
    attempts: u32,
    backoff: Duration,
}

impl std::fmt::Debug for KmsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsClient")
            .field("server", &format!("{}:{}", self.base.host, self.base.port))
            .field("user_uri", &self.user_uri)
            .finish_non_exhaustive()
    }
}

fn client_tls(roots: rustls::RootCertStore) -> Result<Arc<rustls::ClientConfig>, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::TlsConfig(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

impl KmsClient {
    /// A client of the KMS at `server_url` (`https://host[:port]`;
    /// `http://` only for loopback tests) for `user_uri` with its bearer
    /// token. HTTPS uses the system's root certificates (on Android and iOS,
    /// which have no store rustls-native-certs reads, the Mozilla roots of
    /// `webpki-roots`); see
    /// [`KmsClient::with_roots_pem`]. Defaults: 10 s timeout, 3 attempts,
    /// 200 ms initial backoff.
    pub fn new(server_url: &str, token: &str, user_uri: &str) -> Result<KmsClient, ClientError> {
        let base = parse_url(server_url)?;
        let tls = if base.tls {
            let mut roots = rustls::RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = roots.add(c);
            }
            // No readable system store on Android and iOS: the Mozilla roots.
            #[cfg(any(target_os = "android", target_os = "ios"))]
            if roots.is_empty() {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            Some(client_tls(roots)?)
        } else {
            None
        };
        Ok(KmsClient {
            base,
            tls,
            token: Zeroizing::new(token.to_owned()),
            user_uri: user_uri.to_owned(),
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_millis(200),
        })
    }

    /// Trusts only the CA certificates of `pem` (instead of the system roots).
    pub fn with_roots_pem(mut self, pem: &[u8]) -> Result<KmsClient, ClientError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(pem) {
            let c = c.map_err(|e| ClientError::TlsConfig(e.to_string()))?;
            roots
                .add(c)
                .map_err(|e| ClientError::TlsConfig(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(ClientError::TlsConfig(
                "no certificate in the roots PEM".into(),
            ));
        }
        if self.base.tls {
            self.tls = Some(client_tls(roots)?);
        }
        Ok(self)
    }

    /// Sets the per-attempt timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> KmsClient {
        self.timeout = timeout;
        self
    }

    /// Sets the number of attempts (at least 1) and the first backoff delay
    /// (doubled after each failed attempt). Only network errors, timeouts,
    /// 5xx and 429 are retried.
    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> KmsClient {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// The user this client acts for.
    pub fn user_uri(&self) -> &str {
        &self.user_uri
    }

    fn url(&self, path: &str) -> String {
        let scheme = if self.base.tls { "https" } else { "http" };
        let host = if self.base.host.contains(':') {
            format!("[{}]", self.base.host)
        } else {
            self.base.host.clone()
        };
        format!(
            "{scheme}://{host}:{}{}{path}",
            self.base.port, self.base.prefix
        )
    }

    async fn exchange(&self, path: &str, body: Bytes) -> Result<(StatusCode, Bytes), ClientError> {
        let full_path = format!("{}{path}", self.base.prefix);
        let host_header = if self.base.host.contains(':') {
            format!("[{}]:{}", self.base.host, self.base.port)
        } else {
            format!("{}:{}", self.base.host, self.base.port)
        };
        let auth = Zeroizing::new(format!("Bearer {}", self.token.as_str()));
        let req = Request::builder()
            .method(Method::POST)
            .uri(full_path)
            .header(hyper::header::HOST, host_header)
            .header(hyper::header::AUTHORIZATION, auth.as_str())
            .header(hyper::header::CONTENT_TYPE, "application/xml")
            .header(hyper::header::ACCEPT, "application/xml")
            .body(Full::new(body))
            .map_err(|e| ClientError::Network(e.to_string()))?;
        let net = |e: &dyn std::fmt::Display| ClientError::Network(e.to_string());
        let tcp = TcpStream::connect((self.base.host.as_str(), self.base.port))
            .await
            .map_err(|e| net(&e))?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            Some(cfg) => {
                let name = rustls::pki_types::ServerName::try_from(self.base.host.clone())
                    .map_err(|e| ClientError::BadUrl(e.to_string()))?;
                let stream = tokio_rustls::TlsConnector::from(cfg.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| net(&e))?;
                send(TokioIo::new(stream), req).await
            }
            None => send(TokioIo::new(tcp), req).await,
        }
    }

    /// One request with timeout and retries; returns the parsed response of
    /// a 200, or the typed error.
    /// With `kms_uri` known, the body is a KmsRequest; without (before
    /// `init`), the body is empty (SPEC §8.1).
    async fn call(&self, path: &str, kms_uri: Option<&str>) -> Result<KmsResponse, ClientError> {
        let request = KmsRequest {
            version: "1.1.0".into(),
            id: None,
            user_uri: self.user_uri.clone(),
            kms_uri: kms_uri.unwrap_or_default().to_owned(),
            time: now(),
            client_id: Some("msk".into()),
            device_id: None,
            client_req_url: self.url(path),
            client_error: None,
        };
        let body = if request.kms_uri.is_empty() {
            Bytes::new()
        } else {
            Bytes::from(request.to_xml())
        };
        let mut delay = self.backoff;
        let mut attempt = 1;
        loop {
            let result =
                match tokio::time::timeout(self.timeout, self.exchange(path, body.clone())).await {
                    Ok(r) => r,
                    Err(_) => Err(ClientError::Timeout),
                };
            let outcome = result.and_then(|(status, body)| interpret(status, &body));
            match outcome {
                Err(e) if e.retryable() && attempt < self.attempts => {
                    tracing::debug!(attempt, error = %e, "KMS request failed, retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Posts `body` to `path` (below the server URL) once, with this
    /// client's token, and returns the status and body as received. For
    /// diagnostics and tests; the typed calls are the API.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Result<(u16, Vec<u8>), ClientError> {
        let (status, body) =
            tokio::time::timeout(self.timeout, self.exchange(path, Bytes::from(body)))
                .await
                .map_err(|_| ClientError::Timeout)??;
        Ok((status.as_u16(), body.to_vec()))
    }

    /// `init` (TS 33.180 D.2.1): the KMS's root certificate.
    pub async fn init(&self) -> Result<KmsCertificate, ClientError> {
        let resp = self.call(&format!("{PREFIX}/init"), None).await?;
        match resp.message {
            Some(KmsMessage::Init(cert)) => {
                if cert.role != CertRole::Root {
                    return Err(ClientError::Protocol(
                        "KmsInit certificate is not Root".into(),
                    ));
                }
                if cert.kms_uri != resp.kms_uri {
                    return Err(ClientError::Protocol(
                        "KmsInit certificate names another KMS".into(),
                    ));
                }
                if cert.revoked == Some(true) {
                    return Err(ClientError::Protocol(
                        "the KMS certificate is revoked".into(),
                    ));
                }
                Ok(*cert)
            }
            _ => Err(ClientError::Protocol("expected KmsInit".into())),
        }
    }

    /// `keyprov` (TS 33.180 D.2.1): the key set of the current period
    /// (`period = None`) or of period `period` (the `<URI>/<time>` form),
    /// validated against `cert` (the certificate from [`KmsClient::init`]).
    /// A key set that fails validation is refused with
    /// [`ClientError::Validation`]; nothing is returned then.
    pub async fn key_provision(
        &self,
        cert: &KmsCertificate,
        period: Option<u64>,
    ) -> Result<Vec<KmsKeySet>, ClientError> {
        let uri = utf8_percent_encode(&self.user_uri, SEGMENT).to_string();
        let path = match period {
            None => format!("{PREFIX}/keyprov/{uri}"),
            Some(n) => {
                let start = cert
                    .key_period()
                    .and_then(|p| Ok(p.start(n)?))
                    .map_err(|source| ClientError::Validation { period: n, source })?;
                let secs = u32::try_from(start).map_err(|_| ClientError::Validation {
                    period: n,
                    source: KmsDocError::Identity(
                        mikey_sakke::identity::IdentityError::PeriodOutOfRange(n),
                    ),
                })?;
                let t = NtpTime::from_parts(secs, 0).to_bits();
                format!("{PREFIX}/keyprov/{uri}/{t:016X}")
            }
        };
        let resp = self.call(&path, Some(&cert.kms_uri)).await?;
        if resp.kms_uri != cert.kms_uri {
            return Err(ClientError::Protocol("response from another KMS".into()));
        }
        let sets = match resp.message {
            Some(KmsMessage::KeyProv(sets)) => sets,
            _ => return Err(ClientError::Protocol("expected KmsKeyProv".into())),
        };
        if sets.is_empty() {
            return Err(ClientError::Protocol("no key set in KmsKeyProv".into()));
        }
        for set in &sets {
            let period = set.key_period_no;
            if set.user_uri != self.user_uri {
                return Err(ClientError::Validation {
                    period,
                    source: KmsDocError::UidMismatch,
                });
            }
            validate_key_set(cert, set)
                .map_err(|source| ClientError::Validation { period, source })?;
        }
        if let Some(n) = period {
            if sets.iter().all(|s| s.key_period_no != n) {
                return Err(ClientError::Protocol(format!("no key set for period {n}")));
            }
        }
        Ok(sets)
    }

    /// The validated key sets of the current and the next key period.
    pub async fn key_provision_current_and_next(
        &self,
        cert: &KmsCertificate,
    ) -> Result<Vec<KmsKeySet>, ClientError> {
        let period = cert
            .key_period()
            .map_err(|source| ClientError::Validation { period: 0, source })?;
        let t = NtpTime::now().map_err(|e| ClientError::Protocol(e.to_string()))?;
        let n = period
            .number_at(t)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let mut out = self.key_provision(cert, Some(n)).await?;
        out.extend(self.key_provision(cert, Some(n + 1)).await?);
        Ok(out)
    }

    /// Everything a device holds, in one call: `init` (the user's KMS
    /// certificate), the validated key sets of the current and the next key
    /// period, and the certificates of the KMSs the user's KMS trusts
    /// (`certcache`).
    pub async fn provision(&self) -> Result<ClientKeys, ClientError> {
        let cert = self.init().await?;
        let sets = self.key_provision_current_and_next(&cert).await?;
        let cache = self.cert_cache(None).await?;
        let mut keys = ClientKeys::new(&self.user_uri, cert);
        keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
        keys.set_trusted(cache);
        Ok(keys)
    }

    /// `certcache` (TS 33.180 D.2.1): the external KMS certificates, all of
    /// them (`since = None`) or only if the cache is newer than `since`.
    pub async fn cert_cache(&self, since: Option<u64>) -> Result<CertCache, ClientError> {
        let path = match since {
            None => format!("{PREFIX}/certcache"),
            Some(n) => format!("{PREFIX}/certcache/{n}"),
        };
        let resp = self.call(&path, None).await?;
        match resp.message {
            Some(KmsMessage::CertCache {
                cache_num,
                certificates,
            }) => Ok(CertCache {
                cache_num,
                certificates,
            }),
            _ => Err(ClientError::Protocol("expected KmsCertCache".into())),
        }
    }
}

fn now() -> DateTime {
    DateTime::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
            .unwrap_or(0),
    )
}

async fn send<IO>(
    io: TokioIo<IO>,
    req: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), ClientError>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let net = |e: &dyn std::fmt::Display| ClientError::Network(e.to_string());
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| net(&e))?;
    let driver = tokio::spawn(conn);
    let resp = sender.send_request(req).await.map_err(|e| net(&e))?;
    let status = resp.status();
    let body = Limited::new(resp.into_body(), MAX_RESPONSE)
        .collect()
        .await
        .map_err(|e| net(&e))?
        .to_bytes();
    driver.abort();
    Ok((status, body))
}

fn interpret(status: StatusCode, body: &[u8]) -> Result<KmsResponse, ClientError> {
    let text = std::str::from_utf8(body);
    if !status.is_success() {
        let error = text
            .ok()
            .and_then(|t| KmsResponse::from_xml(t).ok())
            .and_then(|r| r.error);
        return Err(ClientError::Http {
            status: status.as_u16(),
            error,
        });
    }
    let text = text.map_err(|_| ClientError::Xml(KmsDocError::Xml("not UTF-8".into())))?;
    let resp = KmsResponse::from_xml(text).map_err(ClientError::Xml)?;
    if let Some(e) = resp.error {
        return Err(ClientError::Http {
            status: status.as_u16(),
            error: Some(e),
        });
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("https://kms.example.org").unwrap();
        assert!(u.tls);
        assert_eq!(
            (u.host.as_str(), u.port, u.prefix.as_str()),
            ("kms.example.org", 443, "")
        );
        let u = parse_url("http://127.0.0.1:8080/keymanagement/identity/v1/").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.prefix.as_str()),
            ("127.0.0.1", 8080, "")
        );
        let u = parse_url("https://[::1]:8443/base").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.prefix.as_str()),
            ("::1", 8443, "/base")
        );
        for bad in [
            "ftp://x",
            "https://",
            "https://h:port",
            "https://u@h",
            "kms.example.org",
        ] {
            assert!(
                matches!(parse_url(bad), Err(ClientError::BadUrl(_))),
                "{bad}"
            );
        }
        assert_eq!(
            utf8_percent_encode("sip:user@example.org", SEGMENT).to_string(),
            "sip%3Auser%40example.org"
        );
    }
}
