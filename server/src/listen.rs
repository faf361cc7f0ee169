//! Accepting connections, bounded against clients that hold them open: the
//! accept loop for plain HTTP (hyper's own, so its timeouts can be set) and
//! the TLS listener.
//!
//! - A request head must arrive whole within `--http-header-timeout-secs`;
//!   the same bound closes a keep-alive connection that sits idle. (Request
//!   bodies have their own timeout, in the router: `http::router`.)
//! - A client address (an IPv6 address by its /64) may hold at most
//!   `--max-pending-conns-per-address` connections that have not yet sent a
//!   request; more are closed as they arrive. (Plain HTTP only: with the
//!   built-in TLS listener, the handshake and the header timeout bound them.)
//! - On shutdown, connections get what is left of the grace period to finish,
//!   then are dropped, whatever the clients do.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tower::{Service, ServiceExt};

/// The bounds [`serve`] keeps.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub pending_per_address: usize,
}

/// Serves `app` on `listener` until `shutdown`, then gives open connections
/// the `grace` period; answers when that period ends.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
    grace: Duration,
) -> Instant {
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let pending = Arc::new(Pending::new(limits.pending_per_address));
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: let some close.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let Some(waiting) = Pending::admit(&pending, peer.ip()) else {
            metrics::counter!("confab_connections_refused_total", "reason" => "pending_per_address")
                .increment(1);
            continue; // dropping it closes it
        };
        // Frames are small and must leave at once: without TCP_NODELAY,
        // Nagle's algorithm holds them for the client's delayed ACK.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let Ok(service) = make_service.call(peer).await;
        let waiting = Mutex::new(Some(waiting));
        let hyper_service = hyper::service::service_fn(move |request: Request<Incoming>| {
            // A request came: the connection no longer counts as pending.
            waiting.lock().unwrap().take();
            service.clone().oneshot(request)
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(tcp), hyper_service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    let deadline = Instant::now() + grace;
    drop(listener);
    if tokio::time::timeout_at(deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("HTTP connections still open at the end of the grace period: dropped");
    }
    deadline
}

/// Connections per client network that have not sent a request yet.
struct Pending {
    max: usize,
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// One pending connection; dropping it (a request came, or the connection
/// closed) gives its place back.
struct Waiting {
    table: Arc<Pending>,
    network: IpAddr,
}

impl Pending {
    fn new(max: usize) -> Self {
        Pending {
            max: max.max(1),
            counts: Mutex::default(),
        }
    }

    fn admit(table: &Arc<Pending>, address: IpAddr) -> Option<Waiting> {
        let network = network_of(address);
        let mut counts = table.counts.lock().unwrap();
        let count = counts.entry(network).or_insert(0);
        if *count >= table.max {
            return None;
        }
        *count += 1;
        Some(Waiting {
            table: table.clone(),
            network,
        })
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut counts = self.table.counts.lock().unwrap();
        if let Some(count) = counts.get_mut(&self.network) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.network);
            }
        }
    }
}

/// An IPv4 address itself; an IPv6 address's /64.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

/// Serves `app` over TLS (HTTP/1 and HTTP/2) with the same header timeout,
/// until `shutdown`, then gives open connections the `grace` period;
/// answers when that period ends.
pub async fn serve_tls(
    listener: TcpListener,
    app: Router,
    tls: axum_server::tls_rustls::RustlsConfig,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
    grace: Duration,
) -> std::io::Result<Instant> {
    let handle = axum_server::Handle::new();
    let deadline = tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown.cancelled().await;
            handle.graceful_shutdown(Some(grace));
            Instant::now() + grace
        }
    });
    let mut server = axum_server::from_tcp_rustls(listener.into_std()?, tls)?
        .map(|tls| tls.acceptor(axum_server::accept::NoDelayAcceptor::new()))
        .handle(handle);
    server
        .http_builder()
        .http1()
        .header_read_timeout(limits.header_timeout);
    server
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    // The server stops only after the shutdown above began.
    Ok(deadline.await.unwrap_or_else(|_| Instant::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_per_network_and_given_back() {
        let table = Arc::new(Pending::new(2));
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let first = Pending::admit(&table, a).unwrap();
        let _second = Pending::admit(&table, a).unwrap();
        assert!(Pending::admit(&table, a).is_none());
        assert!(Pending::admit(&table, "127.0.0.3".parse().unwrap()).is_some());
        drop(first);
        assert!(Pending::admit(&table, a).is_some());
        let v6 = |s: &str| network_of(s.parse().unwrap());
        assert_eq!(v6("2001:db8::1"), v6("2001:db8::ffff:1"));
        assert_ne!(v6("2001:db8:0:1::1"), v6("2001:db8::1"));
    }
}
