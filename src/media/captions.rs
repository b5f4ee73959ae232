//! Captions: WebVTT files checked on upload, stored like other media, and for an HLS ladder a
//! subtitles playlist per language that the master playlist names as it is served.

use super::Media;
use super::hls::PLAYLIST_TYPE;
use super::key::MediaKey;
use super::record::NewMedia;
use crate::db::PgPool;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};

/// The most a captions file may weigh.
pub const MAX_BYTES: usize = super::upload::MAX_TEXT_FILE;
const VTT_TYPE: &str = "text/vtt; charset=utf-8";

/// A WebVTT file that passed the checks, and how long its cues run.
#[derive(Debug, Clone, PartialEq)]
pub struct Vtt {
    pub text: String,
    pub cues: usize,
    pub seconds: f64,
}

/// `HH:MM:SS.mmm` or `MM:SS.mmm`, in seconds.
fn timestamp(s: &str) -> Option<f64> {
    let (clock, millis) = s.trim().split_once('.')?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |p: &str, max: u32| {
        (p.len() >= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (number(h, u32::MAX)?, number(m, 59)?, number(s, 59)?),
        [m, s] => (0, number(m, 59)?, number(s, 59)?),
        _ => return None,
    };
    Some(
        f64::from(h) * 3600.0
            + f64::from(m) * 60.0
            + f64::from(sec)
            + f64::from(millis.parse::<u32>().ok()?) / 1000.0,
    )
}

/// Checks a WebVTT file: UTF-8, the `WEBVTT` signature, and cues whose timings read and run
/// forwards (start before end). The message says what is wrong, by line.
pub fn check(bytes: &[u8]) -> Result<Vtt, Msg> {
    if bytes.len() > MAX_BYTES {
        return Err(Msg::new("error-captions-too-large").number("kib", (MAX_BYTES / 1024) as u32));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Msg::new("error-captions-not-utf8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let signed = first
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !signed {
        return Err(Msg::new("error-captions-not-webvtt"));
    }
    let (mut cues, mut seconds) = (0, 0.0f64);
    for (n, line) in text.lines().enumerate() {
        let Some((start, rest)) = line.split_once("-->") else {
            continue;
        };
        let end = rest.split_whitespace().next().unwrap_or_default();
        let bad = || Msg::new("error-captions-timing").number("line", (n + 1) as u32);
        let (start, end) = (
            timestamp(start).ok_or_else(bad)?,
            timestamp(end).ok_or_else(bad)?,
        );
        if end <= start {
            return Err(bad());
        }
        cues += 1;
        seconds = seconds.max(end);
    }
    if cues == 0 {
        return Err(Msg::new("error-captions-no-cues"));
    }
    Ok(Vtt {
        text: text.to_owned(),
        cues,
        seconds,
    })
}

/// What a lesson's captions in one language are stored as.
#[derive(Debug, Clone)]
pub struct StoredCaptions {
    pub vtt: MediaKey,
    /// A subtitles playlist naming the file, for HLS.
    pub playlist: MediaKey,
}

/// Stores checked captions and their subtitles playlist, with their media rows.
pub async fn store(
    media: &Media,
    pool: &PgPool,
    tenant: TenantId,
    uploader: Option<UserId>,
    vtt: &Vtt,
) -> Result<StoredCaptions, AppError> {
    let bytes = vtt.text.as_bytes();
    let key = MediaKey::of_bytes(tenant, "captions", bytes, "vtt");
    media
        .store
        .put_bytes(&key, bytes, VTT_TYPE)
        .await
        .map_err(AppError::internal)?;
    let playlist = subtitles_playlist(&key, vtt.seconds);
    let playlist_key = MediaKey::of_bytes(tenant, "hls", playlist.as_bytes(), "m3u8");
    media
        .store
        .put_bytes(&playlist_key, playlist.as_bytes(), PLAYLIST_TYPE)
        .await
        .map_err(AppError::internal)?;
    let row = |key: &MediaKey, content_type: &str, len: usize| NewMedia {
        key: key.clone(),
        content_type: content_type.to_owned(),
        len: len as u64,
        info: Default::default(),
        original_name: String::new(),
        uploader,
    };
    NewMedia::record_all(
        pool,
        tenant,
        vec![
            row(&key, VTT_TYPE, bytes.len()),
            row(&playlist_key, PLAYLIST_TYPE, playlist.len()),
        ],
    )
    .await?;
    Ok(StoredCaptions {
        vtt: key,
        playlist: playlist_key,
    })
}

/// A one-segment subtitles playlist: the whole WebVTT file.
fn subtitles_playlist(vtt: &MediaKey, seconds: f64) -> String {
    let target = seconds.ceil().max(1.0) as u64;
    format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-PLAYLIST-TYPE:VOD\n\
         #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:{seconds:.3},\n{}\n#EXT-X-ENDLIST\n",
        vtt.as_str()
    )
}

/// A master playlist with a subtitles group: one `#EXT-X-MEDIA` per language (`tracks`: tag,
/// name, subtitles playlist key), and every variant naming the group.
pub fn with_subtitles(master: &str, tracks: &[(String, String, String)]) -> String {
    if tracks.is_empty() {
        return master.to_owned();
    }
    let mut out = String::with_capacity(master.len() + 200 * tracks.len());
    for line in master.lines() {
        if line.starts_with("#EXT-X-STREAM-INF") {
            if out
                .lines()
                .all(|l| !l.starts_with("#EXT-X-MEDIA:TYPE=SUBTITLES"))
            {
                for (i, (tag, name, key)) in tracks.iter().enumerate() {
                    let name = name.replace('"', "'");
                    out.push_str(&format!(
                        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"{name}\",LANGUAGE=\"{tag}\",\
                         DEFAULT={},AUTOSELECT=YES,URI=\"{key}\"\n",
                        if i == 0 { "YES" } else { "NO" }
                    ));
                }
            }
            out.push_str(line);
            if !line.contains("SUBTITLES=") {
                out.push_str(",SUBTITLES=\"subs\"");
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webvtt_is_checked_line_by_line() {
        let good = "WEBVTT\n\n00:00.000 --> 00:02.500\nHello\n\n1\n00:00:02.500 --> 00:00:04.000 align:start\nبكم\n";
        let vtt = check(good.as_bytes()).unwrap();
        assert_eq!((vtt.cues, vtt.seconds), (2, 4.0));
        assert!(check(format!("\u{feff}{good}").as_bytes()).is_ok());
        let refused = |text: &str| check(text.as_bytes()).unwrap_err().id();
        assert_eq!(
            refused("1\n00:00.000 --> 00:01.000\nhi"),
            "error-captions-not-webvtt"
        );
        assert_eq!(refused("WEBVTTX\n"), "error-captions-not-webvtt");
        assert_eq!(refused("WEBVTT\n\nno cues here"), "error-captions-no-cues");
        assert_eq!(
            refused("WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards"),
            "error-captions-timing"
        );
        assert_eq!(
            refused("WEBVTT\n\n0:2.0 --> 00:01.000\nshort"),
            "error-captions-timing"
        );
        assert_eq!(
            refused("WEBVTT\n\n00:61.000 --> 00:62.000\nx"),
            "error-captions-timing"
        );
        assert_eq!(
            check(&[0xff, 0xfe, 0x00]).unwrap_err().id(),
            "error-captions-not-utf8"
        );
        assert_eq!(
            check(&vec![b'x'; MAX_BYTES + 1]).unwrap_err().id(),
            "error-captions-too-large"
        );
    }

    #[test]
    fn a_master_playlist_gains_a_subtitles_group() {
        let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\nhigh.m3u8\n";
        let tracks = [
            (
                "de".to_owned(),
                "Deutsch".to_owned(),
                "t/x/hls/de.m3u8".to_owned(),
            ),
            (
                "ar".to_owned(),
                "العربية".to_owned(),
                "t/x/hls/ar.m3u8".to_owned(),
            ),
        ];
        let out = with_subtitles(master, &tracks);
        assert_eq!(out.matches("#EXT-X-MEDIA:TYPE=SUBTITLES").count(), 2);
        assert_eq!(out.matches(",SUBTITLES=\"subs\"").count(), 2);
        assert!(
            out.contains("LANGUAGE=\"de\",DEFAULT=YES") && out.contains("URI=\"t/x/hls/ar.m3u8\"")
        );
        assert_eq!(with_subtitles(master, &[]), master);
    }
}
