//! Where mail goes: an SMTP server named by a URL, or, for the embedded default without one,
//! `.eml` files in a directory (each path is logged, so the local flow still works).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    Smtp {
        client: AsyncSmtpTransport<Tokio1Executor>,
        /// The URL without its password, for logs.
        shown: String,
    },
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Why a delivery failed, and whether trying again could help.
#[derive(Debug)]
pub struct Failure {
    pub permanent: bool,
    pub reason: String,
}

impl Transport {
    /// `smtp://[user:password@]host[:port]` (plain; port 25), `smtp://…?tls=starttls` (STARTTLS
    /// required; port 587), `smtps://…` (TLS from the first byte; port 465).
    pub fn smtp(raw: &str) -> anyhow::Result<Self> {
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
        let mut builder = match (url.scheme(), tls) {
            ("smtps", None) => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&host)?.port(url.port().unwrap_or(465))
            }
            ("smtp", Some("starttls")) => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)?
                    .port(url.port().unwrap_or(587))
            }
            ("smtp", None | Some("none")) => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                    .port(url.port().unwrap_or(25))
            }
            (scheme, _) => bail!("--smtp-url: use smtp:// or smtps://, not {scheme}://"),
        };
        if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s).context("--smtp-url: the user or password is not valid UTF-8")
            };
            builder = builder.credentials(Credentials::new(
                decode(url.username())?,
                decode(url.password().unwrap_or_default())?,
            ));
        }
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        Ok(Self::Smtp {
            client: builder.timeout(Some(Duration::from_secs(20))).build(),
            shown: shown.to_string(),
        })
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the mail directory {}", dir.display()))?;
        Ok(Self::Files(AsyncFileTransport::new(&dir), dir))
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { shown, .. } => shown.clone(),
            Self::Files(_, dir) => format!("{}/*.eml", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match self {
            Self::Smtp { client, .. } => {
                client.send(message).await.map(drop).map_err(|e| Failure {
                    permanent: e.is_permanent(),
                    reason: e.to_string(),
                })
            }
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
            assert_eq!(Transport::smtp(url).unwrap().describe(), shown, "{url}");
        }
        for bad in [
            "http://mail.example.org",
            "smtp://",
            "smtps://mail.example.org?tls=starttls",
            "smtp://mail.example.org?tls=sometimes",
            "not a url",
        ] {
            assert!(Transport::smtp(bad).is_err(), "{bad}");
        }
        assert_eq!(percent_decode("s%40cret%21").unwrap(), "s@cret!");
    }
}
