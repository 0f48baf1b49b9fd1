//! Resolving target hostnames (an RDS Proxy endpoint) to the IPv4 addresses an IP target group
//! needs, with the configured resolvers or the system's. Nothing is cached: a failover must show
//! up on the next preview.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::Resolver;

#[derive(Debug, thiserror::Error)]
#[error("could not resolve `{hostname}`: {reason}")]
pub struct DnsError {
    pub hostname: String,
    pub reason: String,
}

/// The hostname's IPv4 addresses, sorted and without duplicates.
pub async fn resolve_ipv4(
    hostname: &str,
    resolvers: &[SocketAddr],
) -> Result<Vec<Ipv4Addr>, DnsError> {
    let fail = |reason: String| DnsError {
        hostname: hostname.to_string(),
        reason,
    };
    let mut addresses: Vec<Ipv4Addr> = if resolvers.is_empty() {
        tokio::net::lookup_host((hostname, 0))
            .await
            .map_err(|e| fail(e.to_string()))?
            .filter_map(|a| match a.ip() {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            })
            .collect()
    } else {
        let servers = resolvers
            .iter()
            .map(|server| {
                let connection = |mut c: ConnectionConfig| {
                    c.port = server.port();
                    c
                };
                NameServerConfig::new(
                    server.ip(),
                    true,
                    vec![
                        connection(ConnectionConfig::udp()),
                        connection(ConnectionConfig::tcp()),
                    ],
                )
            })
            .collect();
        let mut options = ResolverOpts::default();
        options.cache_size = 0;
        let resolver = Resolver::builder_with_config(
            ResolverConfig::from_parts(None, vec![], servers),
            TokioRuntimeProvider::default(),
        )
        .with_options(options)
        .build()
        .map_err(|e| fail(e.to_string()))?;
        // A trailing dot: the name is absolute, no search domains apply.
        let fqdn = format!("{}.", hostname.trim_end_matches('.'));
        resolver
            .lookup_ip(fqdn)
            .await
            .map_err(|e| fail(e.to_string()))?
            .iter()
            .filter_map(|ip| match ip {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            })
            .collect()
    };
    addresses.sort();
    addresses.dedup();
    if addresses.is_empty() {
        return Err(fail("it has no IPv4 address".into()));
    }
    Ok(addresses)
}
