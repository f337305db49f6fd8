//! The HTTP(S) KMS server: TS 33.180 Annex D resources (D.2.1, SPEC §8.1)
//! on axum, TLS with rustls, bearer-token authentication, a body size limit,
//! a per-user rate limit and graceful shutdown.
//!
//! | Resource (POST) | Response |
//! |---|---|
//! | `/keymanagement/identity/v1/init` | `KmsInit`: the root certificate |
//! | `/keymanagement/identity/v1/keyprov[/<user URI>[/<time>]]` | `KmsKeyProv`: the key set of the current period, or of the period of `<time>` (16 hex digits of NTP-UTC) |
//! | `/keymanagement/identity/v1/certcache[/<cache number>]` | `KmsCertCache`: the trusted external KMS certificates |
//! | `GET /healthz` | `ok` |
//!
//! Status codes: 401 for a missing, unknown or revoked token; 403 for
//! another user's URI; 400 with a `KmsError` body for a malformed request;
//! 413 for a body over the limit; 429 when the user's rate is exceeded, or
//! when a client address has failed authentication too often.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use mikey_sakke::identity::NtpTime;
use mikey_sakke::kms::{DateTime, KmsErrorInfo, KmsMessage, KmsRequest, KmsResponse};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

use crate::service::Kms;

/// The resource prefix of TS 33.180 D.2.1.
pub use crate::PREFIX;

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Reading a PEM file failed.
    #[error("{path}: {reason}")]
    Pem {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the certificate or key.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// A socket error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Limits of the server.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// Largest accepted request body, octets.
    pub body_limit: usize,
    /// Sustained requests per second allowed per user.
    pub rate_per_sec: f64,
    /// Burst of requests allowed per user.
    pub burst: f64,
    /// How many key periods before or after the current one a user may
    /// request with the `<time>` form.
    pub period_window: u64,
}

impl Default for ServerConfig {
    /// 64 KiB bodies, 5 requests/s with bursts of 20, periods N−1..N+1.
    fn default() -> Self {
        ServerConfig {
            body_limit: 64 * 1024,
            rate_per_sec: 5.0,
            burst: 20.0,
            period_window: 1,
        }
    }
}

/// Token-bucket rate limiter keyed by user URI.
#[derive(Debug)]
struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` has a request left, without using it.
    fn available(&self, key: &str) -> bool {
        let Ok(b) = self.buckets.lock() else {
            return false;
        };
        match b.get(key) {
            Some((t, at)) => {
                (t + Instant::now().duration_since(*at).as_secs_f64() * self.rate).min(self.burst)
                    >= 1.0
            }
            None => true,
        }
    }

    /// Uses one request of `key`'s budget; `false` if none is left.
    fn allow(&self, key: &str) -> bool {
        let Ok(mut b) = self.buckets.lock() else {
            return false;
        };
        let now = Instant::now();
        if b.len() > 100_000 {
            let (rate, burst) = (self.rate, self.burst);
            b.retain(|_, (t, at)| *t + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let e = b.entry(key.to_owned()).or_insert((self.burst, now));
        e.0 = (e.0 + now.duration_since(e.1).as_secs_f64() * self.rate).min(self.burst);
        e.1 = now;
        if e.0 >= 1.0 {
            e.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The shared state of the handlers.
#[derive(Debug)]
pub struct AppState {
    kms: Arc<Kms>,
    config: ServerConfig,
    limiter: RateLimiter,
    /// Failed authentications per client IP address.
    auth_failures: RateLimiter,
}

/// The address of the client of a connection, added to each request by
/// [`serve`] (used to limit failed authentications per address).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The axum router of a KMS.
pub fn router(kms: Arc<Kms>, config: ServerConfig) -> Router {
    let state = Arc::new(AppState {
        kms,
        config,
        limiter: RateLimiter::new(config.rate_per_sec, config.burst),
        auth_failures: RateLimiter::new(config.rate_per_sec, config.burst),
    });
    Router::new()
        .route(&format!("{PREFIX}/init"), post(init))
        .route(&format!("{PREFIX}/keyprov"), post(keyprov))
        .route(&format!("{PREFIX}/keyprov/{{uri}}"), post(keyprov_uri))
        .route(
            &format!("{PREFIX}/keyprov/{{uri}}/{{time}}"),
            post(keyprov_uri_time),
        )
        .route(&format!("{PREFIX}/certcache"), post(certcache))
        .route(&format!("{PREFIX}/certcache/{{num}}"), post(certcache_num))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .with_state(state)
}

type St = State<Arc<AppState>>;
type Peer = Option<Extension<PeerAddr>>;

async fn init(State(s): St, p: Peer, h: HeaderMap, body: Bytes) -> Response {
    handle(s, p, Endpoint::Init, h, body).await
}
async fn keyprov(State(s): St, p: Peer, h: HeaderMap, body: Bytes) -> Response {
    handle(s, p, Endpoint::KeyProv(None, None), h, body).await
}
async fn keyprov_uri(
    State(s): St,
    p: Peer,
    UrlPath(uri): UrlPath<String>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    handle(s, p, Endpoint::KeyProv(Some(uri), None), h, body).await
}
async fn keyprov_uri_time(
    State(s): St,
    p: Peer,
    UrlPath((uri, time)): UrlPath<(String, String)>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    handle(s, p, Endpoint::KeyProv(Some(uri), Some(time)), h, body).await
}
async fn certcache(State(s): St, p: Peer, h: HeaderMap, body: Bytes) -> Response {
    handle(s, p, Endpoint::CertCache(None), h, body).await
}
async fn certcache_num(
    State(s): St,
    p: Peer,
    UrlPath(num): UrlPath<String>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    handle(s, p, Endpoint::CertCache(Some(num)), h, body).await
}

#[derive(Debug)]
enum Endpoint {
    Init,
    KeyProv(Option<String>, Option<String>),
    CertCache(Option<String>),
}

impl Endpoint {
    fn name(&self) -> &'static str {
        match self {
            Endpoint::Init => "init",
            Endpoint::KeyProv(..) => "keyprov",
            Endpoint::CertCache(_) => "certcache",
        }
    }
}

/// A failed request: status and the `ErrorMsg` of the `KmsError` body.
struct Failure(StatusCode, String);

fn fail(status: StatusCode, msg: impl Into<String>) -> Failure {
    Failure(status, msg.into())
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

fn bearer(h: &HeaderMap) -> Option<&str> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

async fn handle(s: Arc<AppState>, peer: Peer, ep: Endpoint, h: HeaderMap, body: Bytes) -> Response {
    let peer = peer.map(|Extension(PeerAddr(a))| a.ip().to_string());
    let kms_uri = s.kms.certificate().kms_uri.clone();
    let name = ep.name();
    let req_url = match &ep {
        Endpoint::Init => format!("{PREFIX}/init"),
        Endpoint::KeyProv(None, _) => format!("{PREFIX}/keyprov"),
        Endpoint::KeyProv(Some(u), None) => format!("{PREFIX}/keyprov/{u}"),
        Endpoint::KeyProv(Some(u), Some(t)) => format!("{PREFIX}/keyprov/{u}/{t}"),
        Endpoint::CertCache(None) => format!("{PREFIX}/certcache"),
        Endpoint::CertCache(Some(n)) => format!("{PREFIX}/certcache/{n}"),
    };
    let mut user_uri = String::from("anonymous");
    let result = process(&s, peer.as_deref(), ep, &h, &body, &mut user_uri).await;
    let now = DateTime::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
            .unwrap_or(0),
    );
    let (status, message, error, client_req_url) = match result {
        Ok((message, url)) => (StatusCode::OK, Some(message), None, url.unwrap_or(req_url)),
        Err(Failure(status, msg)) => (
            status,
            None,
            Some(KmsErrorInfo {
                code: u64::from(status.as_u16()),
                msg,
            }),
            req_url,
        ),
    };
    if status.is_success() {
        info!(endpoint = name, user = %user_uri, peer = peer.as_deref().unwrap_or("-"),
              status = status.as_u16(), "request");
    } else {
        warn!(endpoint = name, user = %user_uri, peer = peer.as_deref().unwrap_or("-"),
              status = status.as_u16(),
              reason = error.as_ref().map(|e| e.msg.as_str()).unwrap_or(""), "request refused");
    }
    let resp = KmsResponse {
        version: "1.0.0".into(),
        id: None,
        user_uri,
        kms_uri,
        time: now,
        kms_id: None,
        client_req_url,
        message,
        error,
    };
    let mut r = xml_response(status, resp.to_xml().to_string());
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::service::ServiceError> + Send + 'static,
) -> Result<T, Failure> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            warn!(error = %e, "internal error");
            Err(fail(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
        }
        Err(_) => Err(fail(StatusCode::INTERNAL_SERVER_ERROR, "internal error")),
    }
}

async fn process(
    s: &Arc<AppState>,
    peer: Option<&str>,
    ep: Endpoint,
    h: &HeaderMap,
    body: &Bytes,
    user_uri: &mut String,
) -> Result<(KmsMessage, Option<String>), Failure> {
    // An address that keeps failing authentication is slowed down before
    // any database lookup.
    if let Some(ip) = peer {
        if !s.auth_failures.available(ip) {
            return Err(fail(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed authentications",
            ));
        }
    }
    let unauthorized = |msg: &str| {
        if let Some(ip) = peer {
            s.auth_failures.allow(ip);
        }
        fail(StatusCode::UNAUTHORIZED, msg)
    };
    let token = bearer(h).ok_or_else(|| unauthorized("missing bearer token"))?;
    let token = zeroize::Zeroizing::new(token.to_owned());
    let kms = s.kms.clone();
    let user = blocking(move || kms.authenticate(&token))
        .await?
        .ok_or_else(|| unauthorized("unknown or revoked token"))?;
    *user_uri = user.uri.clone();
    if !s.limiter.allow(&user.uri) {
        return Err(fail(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded"));
    }
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let text = std::str::from_utf8(body)
            .map_err(|_| fail(StatusCode::BAD_REQUEST, "request body is not UTF-8"))?;
        Some(KmsRequest::from_xml(text).map_err(|e| {
            fail(
                StatusCode::BAD_REQUEST,
                format!("malformed KmsRequest: {e}"),
            )
        })?)
    };
    let cert = s.kms.certificate();
    if let Some(r) = &request {
        if r.user_uri != user.uri {
            return Err(fail(
                StatusCode::FORBIDDEN,
                "UserUri is not the authenticated user",
            ));
        }
        if r.kms_uri != cert.kms_uri {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "KmsUri does not name this KMS",
            ));
        }
    }
    let echo = request.as_ref().map(|r| r.client_req_url.clone());
    let message = match ep {
        Endpoint::Init => KmsMessage::Init(Box::new(cert.clone())),
        Endpoint::KeyProv(uri, time) => {
            if let Some(u) = &uri {
                if *u != user.uri {
                    return Err(fail(StatusCode::FORBIDDEN, "keys of another user"));
                }
            }
            let period = s.kms.issuer().config().key_period;
            let now = NtpTime::now()
                .map_err(|_| fail(StatusCode::INTERNAL_SERVER_ERROR, "clock out of range"))?;
            let current = period.number_at(now).map_err(|_| {
                fail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "before the first key period",
                )
            })?;
            let n = match time {
                None => current,
                Some(t) => {
                    let bits = (t.len() == 16)
                        .then(|| u64::from_str_radix(&t, 16).ok())
                        .flatten()
                        .ok_or_else(|| {
                            fail(StatusCode::BAD_REQUEST, "time is not 16 hex digits")
                        })?;
                    period.number_at(NtpTime::from_bits(bits)).map_err(|_| {
                        fail(StatusCode::BAD_REQUEST, "time before the first key period")
                    })?
                }
            };
            if n.abs_diff(current) > s.config.period_window {
                return Err(fail(StatusCode::BAD_REQUEST, "key period not available"));
            }
            let kms = s.kms.clone();
            let uri = user.uri.clone();
            let set = blocking(move || kms.key_set(&uri, n)).await?;
            KmsMessage::KeyProv(vec![set])
        }
        Endpoint::CertCache(num) => {
            let since = num
                .map(|n| {
                    n.parse::<u64>().map_err(|_| {
                        fail(StatusCode::BAD_REQUEST, "cache number is not an integer")
                    })
                })
                .transpose()?;
            let kms = s.kms.clone();
            let (cache_num, certificates) = blocking(move || kms.cert_cache()).await?;
            let certificates = match since {
                Some(n) if n >= cache_num => Vec::new(),
                _ => certificates,
            };
            KmsMessage::CertCache {
                cache_num,
                certificates,
            }
        }
    };
    Ok((message, echo))
}

/// Loads a rustls server configuration from PEM files (certificate chain and
/// private key).
pub fn load_tls(cert_pem: &Path, key_pem: &Path) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pem_err = |p: &Path, e: &dyn std::fmt::Display| ServerError::Pem {
        path: p.display().to_string(),
        reason: e.to_string(),
    };
    let certs = CertificateDer::pem_file_iter(cert_pem)
        .map_err(|e| pem_err(cert_pem, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(cert_pem, &e))?;
    if certs.is_empty() {
        return Err(pem_err(cert_pem, &"no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(key_pem).map_err(|e| pem_err(key_pem, &e))?;
    tls_config(certs, key)
}

/// A rustls server configuration (ring provider, HTTP/1.1 ALPN).
pub fn tls_config(
    certs: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Serves `app` on `listener` (TLS when `tls` is given) until `shutdown`
/// completes, then stops accepting and lets open connections finish (at
/// most 10 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let graceful = GracefulShutdown::new();
    let acceptor = tls.map(TlsAcceptor::from);
    let local: Option<SocketAddr> = listener.local_addr().ok();
    info!(addr = ?local, tls = acceptor.is_some(), "KMS listening");
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            res = listener.accept() => {
                let (tcp, peer) = match res {
                    Ok(x) => x,
                    Err(e) => {
                        warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let svc = TowerToHyperService::new(tower::ServiceExt::map_request(
                    app.clone(),
                    move |mut r: hyper::Request<hyper::body::Incoming>| {
                        r.extensions_mut().insert(PeerAddr(peer));
                        r
                    },
                ));
                let watcher = graceful.watcher();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    // Slow clients may not hold a connection open forever.
                    builder
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(15));
                    match acceptor {
                        Some(acc) => {
                            let Ok(Ok(stream)) =
                                tokio::time::timeout(Duration::from_secs(10), acc.accept(tcp)).await
                            else {
                                return;
                            };
                            let conn = builder.serve_connection(TokioIo::new(stream), svc);
                            let _ = watcher.watch(conn).await;
                        }
                        None => {
                            let conn = builder.serve_connection(TokioIo::new(tcp), svc);
                            let _ = watcher.watch(conn).await;
                        }
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    info!("shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

/// Completes on ctrl-c or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
