//! Reading an uploaded SCORM package (a zip) safely before anything is stored: every entry's path
//! must stay inside the package; entries, total size and each entry's compression ratio are
//! bounded while decompressing (a zip's declared sizes can lie, so what is read is counted, and
//! an entry stops being read once past its bound); the manifest must parse, and every launch
//! file must be in the package. Files are unpacked one at a time to staging files, hashed on the
//! way (a package never sits in memory); a refused package leaves nothing: the staging files go
//! with it, and the caller stores files only once this answers.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::manifest::{self, Manifest};
use crate::i18n::Msg;
use crate::media::key::Hashing;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    /// Bytes, decompressed, in all.
    pub total: u64,
    /// Decompressed over compressed, for an entry of more than a megabyte.
    pub ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            entries: 20_000,
            total: 2 * 1024 * 1024 * 1024,
            ratio: 100,
        }
    }
}

/// One file of a package, unpacked to staging; dropping it removes the staging file.
#[derive(Debug)]
pub struct Unpacked {
    path: PathBuf,
    pub sha256: String,
    pub len: u64,
}

impl Unpacked {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A package as read: its manifest and its files (path in the package, unpacked file).
#[derive(Debug)]
pub struct Package {
    pub manifest: Manifest,
    pub files: Vec<(String, Unpacked)>,
}

impl Package {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, f)| f.len).sum()
    }
}

/// The package in the zip at `path`, its files unpacked under `staging` (blocking); why not, for
/// the person who uploaded it.
pub fn read(path: &Path, staging: &Path, limits: Limits) -> Result<Package, Msg> {
    let damaged = |name: &str, e: &dyn std::fmt::Display| {
        Msg::new("scorm-damaged")
            .text("file", name)
            .text("reason", e.to_string())
    };
    let file = std::fs::File::open(path)
        .map_err(|e| Msg::new("scorm-unreadable").text("reason", e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| Msg::new("scorm-not-zip").text("reason", e.to_string()))?;
    if zip.len() > limits.entries {
        return Err(Msg::new("scorm-too-many-files").number("max", limits.entries as u32));
    }
    std::fs::create_dir_all(staging).map_err(|e| damaged("", &e))?;
    let mut files = Vec::new();
    let mut xml = None;
    let mut total = 0u64;
    let too_large = || Msg::new("scorm-too-large").number("mib", (limits.total >> 20) as u32);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| damaged("", &e))?;
        let name = entry.name().to_owned();
        if entry.is_dir() {
            continue;
        }
        if entry.enclosed_name().is_none() || !manifest::inside(&name) || name.contains('?') {
            return Err(Msg::new("scorm-file-outside").text("file", name));
        }
        if name == "imsmanifest.xml" {
            let mut text = Vec::new();
            (&mut entry)
                .take(manifest::LIMIT as u64 + 1)
                .read_to_end(&mut text)
                .map_err(|e| damaged(&name, &e))?;
            total += text.len() as u64;
            xml = Some(String::from_utf8_lossy(&text).into_owned());
            continue;
        }
        // An entry is read no further than the package's room left, nor (past a megabyte)
        // than its compressed size allows at the ratio: a bomb stops at its bound.
        let compressed = entry.compressed_size().max(1);
        let room = limits.total.saturating_sub(total);
        let bound = room.min((1 << 20u64).max(compressed.saturating_mul(limits.ratio)));
        let staged = staging.join(format!("upload-scorm-{}", uuid::Uuid::new_v4()));
        let out = std::fs::File::create(&staged).map_err(|e| damaged(&name, &e))?;
        let mut unpacked = Unpacked {
            path: staged,
            sha256: String::new(),
            len: 0,
        };
        let mut writer = Hashing::new(std::io::BufWriter::new(out));
        let len = std::io::copy(&mut (&mut entry).take(bound + 1), &mut writer)
            .map_err(|e| damaged(&name, &e))?;
        writer.flush().map_err(|e| damaged(&name, &e))?;
        if len > room {
            return Err(too_large());
        }
        if len > bound {
            return Err(Msg::new("scorm-zip-bomb")
                .text("file", name)
                .number("ratio", limits.ratio as u32));
        }
        total += len;
        unpacked.len = len;
        unpacked.sha256 = writer.sha256();
        files.push((name, unpacked));
    }
    if total > limits.total {
        return Err(too_large());
    }
    let manifest = manifest::parse(&xml.ok_or_else(|| Msg::new("scorm-no-manifest"))?)?;
    for sco in &manifest.scos {
        let file = sco.href.split(['?', '#']).next().unwrap_or_default();
        if !files.iter().any(|(name, _)| name == file) {
            return Err(Msg::new("scorm-launch-missing")
                .text("title", sco.title.clone())
                .text("file", file));
        }
    }
    Ok(Package { manifest, files })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const MANIFEST: &str = r#"<manifest identifier="m" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
      <metadata><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>T</title>
        <item identifier="i" identifierref="r"><title>One</title></item></organization></organizations>
      <resources><resource identifier="r" adlcp:scormtype="sco" href="index.html"/></resources></manifest>"#;

    fn zip(name: &str, files: &[(&str, &[u8])]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("eduflow-scorm-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (file, bytes) in files {
            w.start_file(*file, options).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        path
    }

    #[test]
    fn a_good_package_reads_with_its_files() {
        let path = zip(
            "ok.zip",
            &[
                ("imsmanifest.xml", MANIFEST.as_bytes()),
                ("index.html", b"<p>hi</p>"),
            ],
        );
        let staging = path.with_file_name("staging");
        let p = read(&path, &staging, Limits::default()).unwrap();
        assert_eq!(p.manifest.scos[0].href, "index.html");
        assert_eq!(p.files.len(), 1, "the manifest is read, not kept");
        let (name, file) = &p.files[0];
        assert_eq!(name, "index.html");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"<p>hi</p>");
        use sha2::Digest;
        let digest = crate::media::key::hex(&sha2::Sha256::digest(b"<p>hi</p>"));
        assert_eq!(file.sha256, digest);
        drop(p);
        assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
    }

    #[test]
    fn bad_packages_are_refused_with_the_reason() {
        // The files, the limits, and what the refusal must say.
        type Case<'a> = (Vec<(&'a str, Vec<u8>)>, Limits, &'a str);
        let cases: Vec<Case> = vec![
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", b"x".to_vec()),
                    ("../evil.sh", b"x".to_vec()),
                ],
                Limits::default(),
                "scorm-file-outside",
            ),
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", b"x".to_vec()),
                    ("/etc/cron.d/x", b"x".to_vec()),
                ],
                Limits::default(),
                "scorm-file-outside",
            ),
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", vec![0u8; 4 * 1024 * 1024]),
                ],
                Limits::default(),
                "scorm-zip-bomb",
            ),
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", vec![7u8; 5000]),
                ],
                Limits {
                    total: 4000,
                    ..Limits::default()
                },
                "scorm-too-large",
            ),
            (
                vec![("imsmanifest.xml", MANIFEST.into())],
                Limits::default(),
                "scorm-launch-missing",
            ),
            (
                vec![("index.html", b"x".to_vec())],
                Limits::default(),
                "scorm-no-manifest",
            ),
            (
                vec![
                    (
                        "imsmanifest.xml",
                        format!(
                            "<!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{MANIFEST}"
                        )
                        .into_bytes(),
                    ),
                    ("index.html", b"x".to_vec()),
                ],
                Limits::default(),
                "scorm-manifest-dtd",
            ),
            (
                vec![(
                    "imsmanifest.xml",
                    MANIFEST
                        .replace("index.html", "https://evil.example/")
                        .into_bytes(),
                )],
                Limits::default(),
                "scorm-launch-outside",
            ),
        ];
        for (files, limits, reason) in cases {
            let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            let path = zip("bad.zip", &files);
            let staging = path.with_file_name("staging");
            let err = read(&path, &staging, limits).unwrap_err();
            assert_eq!(err.id(), reason);
            let left = std::fs::read_dir(&staging).map_or(0, Iterator::count);
            assert_eq!(left, 0, "{reason} left files behind");
        }
        let not_zip =
            std::env::temp_dir().join(format!("eduflow-not-zip-{}", uuid::Uuid::new_v4()));
        std::fs::write(&not_zip, b"plain text").unwrap();
        let staging = not_zip.with_extension("staging");
        let err = read(&not_zip, &staging, Limits::default()).unwrap_err();
        assert_eq!(err.id(), "scorm-not-zip");
    }
}
