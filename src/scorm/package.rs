//! Reading an uploaded SCORM package (a zip) safely before anything is stored: every entry's path
//! must stay inside the package; entries, total size and each entry's compression ratio are
//! bounded while decompressing (a zip's declared sizes can lie, so what is read is counted); the
//! manifest must parse, and every launch file must be in the package. A refused package leaves
//! nothing: the caller stores the files only once this answers.

use std::io::Read;
use std::path::Path;

use super::manifest::{self, Manifest};

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

/// A package as read: its manifest and its files (path in the package, bytes).
#[derive(Debug)]
pub struct Package {
    pub manifest: Manifest,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Package {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, b)| b.len() as u64).sum()
    }
}

/// The package in the zip at `path`; why not, in words.
pub fn read(path: &Path, limits: Limits) -> Result<Package, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("the package cannot be read ({e})"))?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| format!("the package is not a zip ({e})"))?;
    if zip.len() > limits.entries {
        return Err(format!(
            "the package has more than {} files",
            limits.entries
        ));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("the package is damaged ({e})"))?;
        let name = entry.name().to_owned();
        if entry.is_dir() {
            continue;
        }
        if entry.enclosed_name().is_none() || !manifest::inside(&name) || name.contains('?') {
            return Err(format!("the package's file `{name}` would land outside it"));
        }
        let compressed = entry.compressed_size().max(1);
        let mut bytes = Vec::new();
        (&mut entry)
            .take(limits.total - total + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("the package's file `{name}` is damaged ({e})"))?;
        total += bytes.len() as u64;
        if total > limits.total {
            return Err(format!(
                "the package unpacks to more than {} MB",
                limits.total / (1024 * 1024)
            ));
        }
        if bytes.len() as u64 > 1024 * 1024 && bytes.len() as u64 / compressed > limits.ratio {
            return Err(format!(
                "the package's file `{name}` is compressed more than {}:1 (a zip bomb?)",
                limits.ratio
            ));
        }
        files.push((name, bytes));
    }
    let xml = files
        .iter()
        .find(|(name, _)| name == "imsmanifest.xml")
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .ok_or("the package has no imsmanifest.xml at its root")?;
    let manifest = manifest::parse(&xml)?;
    for sco in &manifest.scos {
        let file = sco.href.split(['?', '#']).next().unwrap_or_default();
        if !files.iter().any(|(name, _)| name == file) {
            return Err(format!(
                "`{}` launches {file}, which the package does not have",
                sco.title
            ));
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
        let p = read(&path, Limits::default()).unwrap();
        assert_eq!(p.manifest.scos[0].href, "index.html");
        assert_eq!(p.files.len(), 2);
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
                "outside",
            ),
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", b"x".to_vec()),
                    ("/etc/cron.d/x", b"x".to_vec()),
                ],
                Limits::default(),
                "outside",
            ),
            (
                vec![
                    ("imsmanifest.xml", MANIFEST.into()),
                    ("index.html", vec![0u8; 4 * 1024 * 1024]),
                ],
                Limits::default(),
                "zip bomb",
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
                "unpacks to more than",
            ),
            (
                vec![("imsmanifest.xml", MANIFEST.into())],
                Limits::default(),
                "does not have",
            ),
            (
                vec![("index.html", b"x".to_vec())],
                Limits::default(),
                "no imsmanifest.xml",
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
                "DTD",
            ),
            (
                vec![(
                    "imsmanifest.xml",
                    MANIFEST
                        .replace("index.html", "https://evil.example/")
                        .into_bytes(),
                )],
                Limits::default(),
                "outside the package",
            ),
        ];
        for (files, limits, reason) in cases {
            let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            let path = zip("bad.zip", &files);
            let err = read(&path, limits).unwrap_err();
            assert!(err.contains(reason), "{reason:?} not in {err:?}");
        }
        let not_zip =
            std::env::temp_dir().join(format!("eduflow-not-zip-{}", uuid::Uuid::new_v4()));
        std::fs::write(&not_zip, b"plain text").unwrap();
        assert!(
            read(&not_zip, Limits::default())
                .unwrap_err()
                .contains("not a zip")
        );
    }
}
