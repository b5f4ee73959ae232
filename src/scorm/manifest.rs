//! A SCORM package's `imsmanifest.xml`: its version (1.2, or 2004 3rd/4th edition), the default
//! organization's items that launch something (SCOs and assets), each with its title, launch
//! path and mastery score, in order. The manifest is parsed with DTDs refused (no external
//! entities, no entity expansion) and a bound on its nodes. Launch paths must stay inside the
//! package: relative, no `..`, no scheme, no leading `/`.

use roxmltree::{Document, Node, ParsingOptions};

use crate::i18n::Msg;

/// The largest manifest read.
pub const LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Version {
    #[serde(rename = "1.2")]
    Scorm12,
    #[serde(rename = "2004")]
    Scorm2004,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scorm12 => "1.2",
            Self::Scorm2004 => "2004",
        }
    }

    /// As stored: `1.2`, or anything else for 2004.
    pub fn stored(text: &str) -> Self {
        if text == "1.2" {
            Self::Scorm12
        } else {
            Self::Scorm2004
        }
    }
}

/// One launchable item of the package, in the organization's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sco {
    pub identifier: String,
    pub title: String,
    /// The file it opens, relative to the package root, with the item's parameters.
    pub href: String,
    /// SCORM 1.2 `adlcp:masteryscore` (0–100); SCORM 2004 `minNormalizedMeasure` × 100.
    pub mastery: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub version: Version,
    pub title: String,
    pub scos: Vec<Sco>,
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name)
        .map(|a| a.value())
}

fn text(node: Option<Node<'_, '_>>) -> Option<String> {
    node.and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Whether `path` names a file inside the package.
pub fn inside(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    !path.is_empty()
        && !path.starts_with('/')
        && !path.starts_with('\\')
        && !path.contains("://")
        && !path.contains(':')
        && !path.split(['/', '\\']).any(|segment| segment == "..")
}

/// The manifest in `xml`; why not, for the person who uploaded it.
pub fn parse(xml: &str) -> Result<Manifest, Msg> {
    if xml.len() > LIMIT {
        return Err(Msg::new("scorm-manifest-too-large").number("kib", (LIMIT / 1024) as u32));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => Msg::new("scorm-manifest-dtd"),
        e => Msg::new("scorm-manifest-not-xml").text("reason", e.to_string()),
    })?;
    let missing = |element: &str| Msg::new("scorm-manifest-lacks").text("element", element);
    let root = doc.root_element();
    if root.tag_name().name() != "manifest" {
        return Err(missing("<manifest>"));
    }
    let schema_version = child(root, "metadata").and_then(|m| text(child(m, "schemaversion")));
    let namespaces: Vec<&str> = root.namespaces().map(|n| n.uri()).collect();
    let version = match schema_version.as_deref() {
        Some("1.2") => Version::Scorm12,
        Some(v) if v.contains("2004") || v.contains("CAM 1.3") => Version::Scorm2004,
        _ if namespaces.iter().any(|n| n.contains("adlcp_v1p3")) => Version::Scorm2004,
        _ if namespaces.iter().any(|n| n.contains("adlcp_rootv1p2")) => Version::Scorm12,
        Some(v) => return Err(Msg::new("scorm-version-unknown").text("version", v)),
        None => return Err(Msg::new("scorm-version-missing")),
    };
    let organizations = child(root, "organizations").ok_or_else(|| missing("<organizations>"))?;
    let wanted = attr(organizations, "default");
    let organization = organizations
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "organization")
        .find(|o| wanted.is_none_or(|w| attr(*o, "identifier") == Some(w)))
        .ok_or_else(|| missing("<organization>"))?;
    let resources = child(root, "resources").ok_or_else(|| missing("<resources>"))?;
    let mut scos = Vec::new();
    for item in organization
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "item")
    {
        let Some(reference) = attr(item, "identifierref") else {
            continue;
        };
        let identifier = attr(item, "identifier").unwrap_or(reference).to_owned();
        let resource = resources
            .children()
            .find(|r| r.is_element() && attr(*r, "identifier") == Some(reference))
            .ok_or_else(|| {
                Msg::new("scorm-resource-missing")
                    .text("item", identifier.clone())
                    .text("resource", reference)
            })?;
        let href = attr(resource, "href")
            .ok_or_else(|| Msg::new("scorm-resource-no-href").text("resource", reference))?;
        let base = attr(resource, "base").unwrap_or_default();
        let href = format!(
            "{base}{href}{}",
            attr(item, "parameters").unwrap_or_default()
        );
        if !inside(&href) {
            return Err(Msg::new("scorm-launch-outside")
                .text("resource", reference)
                .text("href", href));
        }
        let mastery = match version {
            Version::Scorm12 => text(child(item, "masteryscore")).and_then(|m| m.parse().ok()),
            Version::Scorm2004 => item
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == "primaryObjective")
                .and_then(|o| text(child(o, "minNormalizedMeasure")))
                .and_then(|m| m.parse::<f64>().ok())
                .map(|m| m * 100.0),
        };
        scos.push(Sco {
            title: text(child(item, "title")).unwrap_or_else(|| identifier.clone()),
            identifier,
            href,
            mastery: mastery.filter(|m: &f64| (0.0..=100.0).contains(m)),
        });
    }
    if scos.is_empty() {
        return Err(Msg::new("scorm-launches-nothing"));
    }
    Ok(Manifest {
        version,
        title: text(child(organization, "title")).unwrap_or_else(|| scos[0].title.clone()),
        scos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCORM12: &str = r#"<?xml version="1.0"?>
<manifest identifier="m" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Safety</title>
      <item identifier="i1" identifierref="r1"><title>Part one</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
      <item identifier="i2" identifierref="r2" parameters="?page=2"><title>Part two</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="one/index.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="sco" href="two.html"/>
  </resources>
</manifest>"#;

    #[test]
    fn a_scorm_12_package_with_two_scos() {
        let m = parse(SCORM12).unwrap();
        assert_eq!(m.version, Version::Scorm12);
        assert_eq!(m.title, "Safety");
        assert_eq!(m.scos.len(), 2);
        assert_eq!(m.scos[0].href, "one/index.html");
        assert_eq!(m.scos[0].mastery, Some(80.0));
        assert_eq!(m.scos[1].href, "two.html?page=2");
        assert_eq!(m.scos[1].mastery, None);
    }

    #[test]
    fn a_scorm_2004_package_with_its_mastery_measure() {
        let xml = r#"<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
            xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
          <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
          <organizations default="o"><organization identifier="o"><title>Course</title>
            <item identifier="i" identifierref="r"><title>Only</title>
              <imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
                <imsss:minNormalizedMeasure>0.75</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing>
            </item></organization></organizations>
          <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="index.html"/></resources>
        </manifest>"#;
        let m = parse(xml).unwrap();
        assert_eq!(m.version, Version::Scorm2004);
        assert_eq!(m.scos[0].mastery, Some(75.0));
    }

    #[test]
    fn entities_absolute_and_escaping_launches_are_refused() {
        let xxe = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE manifest [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
            SCORM12.split_once("?>").unwrap().1
        );
        assert_eq!(parse(&xxe).unwrap_err().id(), "scorm-manifest-dtd");
        for href in [
            "https://evil.example/x.html",
            "/etc/passwd",
            "../up.html",
            "a/../../b.html",
            "C:\\x.html",
        ] {
            let xml = SCORM12.replace("one/index.html", href);
            assert_eq!(
                parse(&xml).unwrap_err().id(),
                "scorm-launch-outside",
                "{href}"
            );
        }
        assert!(parse("<manifest/>").is_err());
        assert!(parse("not xml").is_err());
    }
}
