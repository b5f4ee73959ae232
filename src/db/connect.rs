//! Opening a connection to whichever server of a multi-host URL can take it.
//!
//! tokio-postgres tries the hosts of `host=a,b&target_session_attrs=read-write` in order, but its
//! `connect_timeout` bounds only the socket's connect. A server that is frozen (SIGSTOP, a paused
//! VM, a partition after the handshake) still has its kernel accept the socket and then never
//! answers the start-up: every connect would hang on the first host and never reach the new
//! primary. Here each host's whole attempt — socket, start-up, the read-write check — is bounded,
//! as libpq bounds it, and a host that does not answer in time is skipped for the next.

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use tokio_postgres::config::{Config, Host, TargetSessionAttrs};
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::{Client, Connection, NoTls, Socket};

/// Each host's attempt when the URL names no `connect_timeout`.
const DEFAULT_ATTEMPT: Duration = Duration::from_secs(5);

pub type Opened = (Client, Connection<Socket, NoTlsStream>);

/// The connection settings of `url`, read once.
#[derive(Clone)]
pub struct Target {
    config: Config,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            config: url.parse()?,
        })
    }

    /// Whether connections must be able to write (`target_session_attrs=read-write`): such a
    /// connection that later finds itself read-only is on a demoted server, and is dropped.
    pub fn wants_writes(&self) -> bool {
        self.config.get_target_session_attrs() == TargetSessionAttrs::ReadWrite
    }

    /// The statement that checks a pooled connection before it is lent out: one simple-protocol
    /// round trip (valid through any pooler) that fails when the server is no longer what the URL
    /// asked for. The server's role changes only in a failover, and only the check sees it: the
    /// URL's attributes are checked when connecting, never again.
    pub fn check(&self) -> &'static str {
        match self.config.get_target_session_attrs() {
            // Refused during recovery: the server was demoted to a standby.
            TargetSessionAttrs::ReadWrite => "SET transaction_read_only = off",
            // Refused outside recovery: the standby was promoted.
            TargetSessionAttrs::ReadOnly => "SELECT pg_is_wal_replay_paused()",
            _ => "SELECT 1",
        }
    }

    /// A connection to the first host that takes it within its attempt's time.
    pub async fn open(&self) -> anyhow::Result<Opened> {
        let attempt = self
            .config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_ATTEMPT);
        let mut last = anyhow::anyhow!("no database host given");
        for one in self.each_host() {
            last = match tokio::time::timeout(attempt, one.connect(NoTls)).await {
                Ok(Ok(opened)) => return Ok(opened),
                Ok(Err(e)) => e.into(),
                Err(_) => anyhow::anyhow!("the database did not answer within {attempt:?}"),
            };
        }
        Err(last)
    }

    /// One configuration per host, each with everything else of the URL.
    fn each_host(&self) -> Vec<Config> {
        let c = &self.config;
        let hosts = c.get_hosts();
        if hosts.len() <= 1 {
            return vec![c.clone()];
        }
        let ports = c.get_ports();
        hosts
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let mut one = Config::new();
                match host {
                    Host::Tcp(name) => one.host(name),
                    Host::Unix(path) => one.host_path(path),
                };
                let port = match ports {
                    [] => 5432,
                    [only] => *only,
                    many => many.get(i).copied().unwrap_or(5432),
                };
                one.port(port)
                    .target_session_attrs(c.get_target_session_attrs())
                    .ssl_mode(c.get_ssl_mode())
                    .keepalives(c.get_keepalives())
                    .keepalives_idle(c.get_keepalives_idle());
                if let Some(user) = c.get_user() {
                    one.user(user);
                }
                if let Some(password) = c.get_password() {
                    one.password(password);
                }
                if let Some(dbname) = c.get_dbname() {
                    one.dbname(dbname);
                }
                if let Some(options) = c.get_options() {
                    one.options(options);
                }
                if let Some(name) = c.get_application_name() {
                    one.application_name(name);
                }
                if let Some(t) = c.get_connect_timeout() {
                    one.connect_timeout(*t);
                }
                one
            })
            .collect()
    }
}

/// A diesel connection to `url` opened as [`Target::open`] opens it.
pub async fn establish(url: &str) -> diesel::ConnectionResult<AsyncPgConnection> {
    let bad = |e: &dyn std::fmt::Display| ConnectionError::BadConnection(e.to_string());
    let target = Target::parse(url).map_err(|e| bad(&e))?;
    target.establish().await
}

impl Target {
    pub async fn establish(&self) -> diesel::ConnectionResult<AsyncPgConnection> {
        let (client, connection) = self
            .open()
            .await
            .map_err(|e| ConnectionError::BadConnection(format!("{e:#}")))?;
        AsyncPgConnection::try_from_client_and_connection(client, connection).await
    }
}
