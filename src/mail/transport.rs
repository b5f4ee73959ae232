//! Where mail goes: an SMTP server named by a URL, or, for the embedded default without one,
//! `.eml` files in a directory (each path is logged, so the local flow still works).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    Smtp(Smtp),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Connections kept open to the SMTP server, at most: one per delivery in flight.
pub const POOL_SIZE: usize = 16;

const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// A relay on a private network.
    None,
    /// STARTTLS, required (no credentials or mail go out unencrypted).
    StartTls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

/// An SMTP relay, reached over lettre's connections, kept open between mails. Plain and
/// STARTTLS connections are opened here with TCP_NODELAY: lettre writes a message's body and its
/// final `.` separately, and with Nagle's algorithm the second write waits for the server's
/// delayed ACK, 40 ms per mail.
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    /// PEM certificates trusted besides the public roots.
    ca: Option<Vec<u8>>,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    /// The URL without its password, for logs.
    shown: String,
}

/// Why a delivery failed, and whether trying again could help.
#[derive(Debug)]
pub struct Failure {
    pub permanent: bool,
    pub reason: String,
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        Self {
            permanent: e.is_permanent(),
            reason: e.to_string(),
        }
    }
}

impl Smtp {
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let hello = ClientId::default();
        let tls = || -> Result<TlsParameters, lettre::transport::smtp::Error> {
            let mut tls = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.ca {
                tls = tls.add_root_certificate(Certificate::from_pem(pem)?);
            }
            tls.build()
        };
        let mut conn = match self.security {
            Security::Implicit => {
                AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(TIMEOUT),
                    &hello,
                    Some(tls()?),
                    None,
                )
                .await?
            }
            Security::None | Security::StartTls => {
                let tcp = tokio::time::timeout(
                    TIMEOUT,
                    tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
                )
                .await
                .map_err(|_| transient("connecting timed out"))?
                .map_err(|e| transient(format!("connecting: {e}")))?;
                tcp.set_nodelay(true)
                    .map_err(|e| transient(format!("connecting: {e}")))?;
                let mut conn =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello).await?;
                if self.security == Security::StartTls {
                    if !conn.can_starttls() {
                        return Err(transient("the server does not offer STARTTLS"));
                    }
                    conn.starttls(tls()?, &hello).await?;
                }
                conn
            }
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await?;
        }
        Ok(conn)
    }

    async fn send(&self, message: &Message) -> Result<(), Failure> {
        let body = message.formatted();
        // A kept connection the server has closed meanwhile fails at once: try a fresh one.
        let kept = self.idle.lock().expect("not poisoned").pop();
        let mut conn = match kept {
            Some(mut conn) => match conn.send(message.envelope(), &body).await {
                Ok(_) => {
                    self.keep(conn);
                    return Ok(());
                }
                Err(e) if !conn.has_broken() => {
                    self.keep(conn);
                    return Err(e.into());
                }
                Err(_) => self.connect().await?,
            },
            None => self.connect().await?,
        };
        let sent = conn.send(message.envelope(), &body).await;
        if !conn.has_broken() {
            self.keep(conn);
        }
        sent.map(drop).map_err(Failure::from)
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().expect("not poisoned");
        if idle.len() < POOL_SIZE {
            idle.push(conn);
        }
    }
}

fn transient(reason: impl Into<String>) -> Failure {
    Failure {
        permanent: false,
        reason: reason.into(),
    }
}

impl Transport {
    /// `smtp://[user:password@]host[:port]` (plain; port 25), `smtp://…?tls=starttls` (STARTTLS
    /// required; port 587), `smtps://…` (TLS from the first byte; port 465). `ca`: PEM
    /// certificates to trust besides the public roots.
    pub fn smtp(raw: &str, ca: Option<Vec<u8>>) -> anyhow::Result<Self> {
        if let Some(pem) = &ca {
            Certificate::from_pem(pem).context("--smtp-ca-file holds no PEM certificate")?;
        }
        let url = url::Url::parse(raw).context("--smtp-url is not a URL")?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .context("--smtp-url names no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let mut tls = None;
        for (key, value) in url.query_pairs() {
            match (&*key, &*value) {
                ("tls", "starttls") => tls = Some("starttls"),
                ("tls", "none") => tls = Some("none"),
                _ => bail!("--smtp-url: unknown parameter {key}={value} (known: tls=starttls)"),
            }
        }
        let (security, default_port) = match (url.scheme(), tls) {
            ("smtps", None) => (Security::Implicit, 465),
            ("smtp", Some("starttls")) => (Security::StartTls, 587),
            ("smtp", None | Some("none")) => (Security::None, 25),
            (scheme, _) => bail!("--smtp-url: use smtp:// or smtps://, not {scheme}://"),
        };
        let credentials = if url.username().is_empty() {
            None
        } else {
            let decode = |s: &str| {
                percent_decode(s).context("--smtp-url: the user or password is not valid UTF-8")
            };
            Some(Credentials::new(
                decode(url.username())?,
                decode(url.password().unwrap_or_default())?,
            ))
        };
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        Ok(Self::Smtp(Smtp {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            ca,
            idle: Mutex::new(Vec::new()),
            shown: shown.to_string(),
        }))
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the mail directory {}", dir.display()))?;
        Ok(Self::Files(AsyncFileTransport::new(&dir), dir))
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(smtp) => smtp.shown.clone(),
            Self::Files(_, dir) => format!("{}/*.eml", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match self {
            Self::Smtp(smtp) => smtp.send(&message).await,
            Self::Files(files, dir) => {
                let id = files.send(message).await.map_err(|e| Failure {
                    permanent: false,
                    reason: e.to_string(),
                })?;
                tracing::info!(path = %dir.join(format!("{id}.eml")).display(), "mail written");
                Ok(())
            }
        }
    }
}

fn percent_decode(s: &str) -> anyhow::Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])?;
            out.push(u8::from_str_radix(hex, 16)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8(out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_parsed_and_their_passwords_never_shown() {
        for (url, shown) in [
            ("smtp://relay.internal", "smtp://relay.internal"),
            (
                "smtp://ada:s%40cret@mail.example.org:2525?tls=starttls",
                "smtp://ada@mail.example.org:2525?tls=starttls",
            ),
            (
                "smtps://ada:pw@mail.example.org",
                "smtps://ada@mail.example.org",
            ),
        ] {
            assert_eq!(
                Transport::smtp(url, None).unwrap().describe(),
                shown,
                "{url}"
            );
        }
        for bad in [
            "http://mail.example.org",
            "smtp://",
            "smtps://mail.example.org?tls=starttls",
            "smtp://mail.example.org?tls=sometimes",
            "not a url",
        ] {
            assert!(Transport::smtp(bad, None).is_err(), "{bad}");
        }
        assert_eq!(percent_decode("s%40cret%21").unwrap(), "s@cret!");
    }
}
