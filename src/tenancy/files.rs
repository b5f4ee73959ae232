//! `tenants/<slug>.toml`: one school per file. Parsed into a [`SchoolSpec`] once; every problem is
//! reported with the file, the field and the reason.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::AccountSettings;
use crate::i18n::Locale;
use crate::lti::tools::{KeySource, NewTool};
use crate::role::Role;
use crate::slug::is_slug;
use crate::sso::{Provider, ProviderName, RoleRule, Saml, Secret, check_settings};

/// A school as written: in a file, or assembled from `eduflow tenants create|update` flags.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub tagline: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub branding: BrandingFile,
    pub categories: Vec<CategoryFile>,
    #[serde(default)]
    pub admins: Vec<String>,
    #[serde(default)]
    pub accounts: AccountSettings,
    /// The language pages and mail default to (default: `en`, or the first of `locales`).
    #[serde(default)]
    pub locale: Option<String>,
    /// The languages its people may choose (default: just `locale`).
    #[serde(default)]
    pub locales: Option<Vec<String>>,
    /// The school's identity providers. Absent: the providers stay as they are; `sso = []`
    /// removes those an earlier file set.
    #[serde(default)]
    pub sso: Option<Vec<SsoFile>>,
    /// The school's LTI tools. Absent: the tools stay as they are; `lti = []` removes those an
    /// earlier file registered.
    #[serde(default)]
    pub lti: Option<Vec<LtiFile>>,
}

/// An `[[lti]]` entry: a tool the owner registers. Its client and deployment ids are EduFlow's
/// (`eduflow lti tools` prints them) and stay the same as the entry changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LtiFile {
    pub name: String,
    pub login_url: String,
    pub redirect_uris: Vec<String>,
    pub jwks_url: Option<String>,
    /// Its one public key as a JWK (JSON), when it publishes no key set.
    pub public_jwk: Option<String>,
    pub deep_linking_url: Option<String>,
}

/// An `[[sso]]` entry. The secret is never in the file: `client_secret_env` names the
/// environment variable that holds it where the file is applied.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoFile {
    pub kind: String,
    pub name: String,
    pub label: Option<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub role_claim: Option<String>,
    #[serde(default)]
    pub role_map: std::collections::BTreeMap<String, String>,
    pub default_role: Option<String>,
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// SAML: the IdP's metadata: a file (relative to the school file's folder) or a URL, which
    /// `eduflow tenants create|update --from` reads into `idp_metadata_xml`.
    pub idp_metadata: Option<String>,
    #[serde(skip)]
    pub idp_metadata_xml: Option<String>,
    /// SAML: the attribute roles are read from.
    pub role_attribute: Option<String>,
    /// SAML: the IdP's email addresses count as verified.
    #[serde(default)]
    pub email_trusted: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingFile {
    pub accent_color: Option<String>,
    pub logo: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryFile {
    pub slug: String,
    pub name: String,
}

impl From<&SchoolSpec> for TenantFile {
    fn from(spec: &SchoolSpec) -> Self {
        Self {
            slug: spec.slug.clone(),
            name: spec.name.clone(),
            tagline: spec.tagline.clone(),
            domains: spec.domains.clone(),
            branding: BrandingFile {
                accent_color: Some(spec.accent_color.clone()),
                logo: spec.logo_url.clone(),
            },
            categories: spec
                .categories
                .iter()
                .map(|(slug, name)| CategoryFile {
                    slug: slug.clone(),
                    name: name.clone(),
                })
                .collect(),
            admins: spec.admins.clone(),
            accounts: spec.accounts.clone(),
            locale: Some(spec.locale.tag().to_owned()),
            locales: Some(spec.locales.iter().map(|l| l.tag().to_owned()).collect()),
            sso: None,
            lti: None,
        }
    }
}

/// A validated school description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolSpec {
    pub file: PathBuf,
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub domains: Vec<String>,
    pub accent_color: String,
    pub logo_url: Option<String>,
    pub categories: Vec<(String, String)>,
    pub admins: Vec<String>,
    pub accounts: AccountSettings,
    pub locale: Locale,
    /// Offered languages, `locale` among them.
    pub locales: Vec<Locale>,
    /// `None`: the file says nothing of providers (they are left as they are).
    pub sso: Option<Vec<Provider>>,
    /// `None`: the file says nothing of LTI tools (they are left as they are).
    pub lti: Option<Vec<NewTool>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: PathBuf,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{}`: {}",
            self.file.display(),
            self.field,
            self.reason
        )
    }
}

/// All problems found in a tenants folder; nothing is applied while there is one.
#[derive(Debug)]
pub struct FileErrors(pub Vec<FileError>);

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tenant files rejected, nothing applied:")?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileErrors {}

const RESERVED: &[&str] = &[
    "www", "api", "admin", "app", "static", "media", "mail", "status",
];
pub const DEFAULT_ACCENT: &str = "#2563eb";

fn is_hostname(s: &str) -> bool {
    s.len() <= 253 && s.contains('.') && s.split('.').all(|label| is_slug(label, 63))
}

/// Reads every `*.toml` in `dir`, in name order: all valid, or every problem.
pub fn load_dir(dir: &Path, base_domain: &str) -> Result<Vec<SchoolSpec>, FileErrors> {
    let (specs, errors) = read_dir(dir, base_domain);
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(FileErrors(errors))
    }
}

/// Reads every `*.toml` in `dir`: the valid schools, and the problems of the others (a file with
/// a problem yields no school).
pub fn read_dir(dir: &Path, base_domain: &str) -> (Vec<SchoolSpec>, Vec<FileError>) {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            let error = FileError {
                file: dir.to_owned(),
                field: "-".into(),
                reason: format!("cannot read the tenants folder: {e}"),
            };
            return (Vec::new(), vec![error]);
        }
    };
    paths.sort();
    let mut errors = Vec::new();
    let mut specs = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(FileError {
                    file: path,
                    field: "-".into(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        match parse(&path, &text, base_domain) {
            Ok(spec) => specs.push(spec),
            Err(mut e) => errors.append(&mut e),
        }
    }
    check_unique_domains(&specs, &mut errors);
    specs.retain(|spec| !errors.iter().any(|e| e.file == spec.file));
    (specs, errors)
}

fn check_unique_domains(specs: &[SchoolSpec], errors: &mut Vec<FileError>) {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for spec in specs {
        for (i, domain) in spec.domains.iter().enumerate() {
            if let Some(first) = seen.insert(domain, &spec.file) {
                errors.push(FileError {
                    file: spec.file.clone(),
                    field: format!("domains[{i}]"),
                    reason: format!("`{domain}` is already used by {}", first.display()),
                });
            }
        }
    }
}

/// Parses one file's text; its slug must match the file's name.
pub fn parse(path: &Path, text: &str, base_domain: &str) -> Result<SchoolSpec, Vec<FileError>> {
    let raw = from_toml(path, text)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    validate(path, raw, base_domain, Some(stem))
}

/// A school file's text, not yet checked.
pub fn from_toml(path: &Path, text: &str) -> Result<TenantFile, Vec<FileError>> {
    let err = |field: &str, reason: String| FileError {
        file: path.to_owned(),
        field: field.to_owned(),
        reason,
    };
    toml::from_str(text).map_err(|e| {
        let field = e
            .span()
            .and_then(|s| text.get(s))
            .map(|s| s.trim().trim_matches('"').to_owned())
            .filter(|s| !s.is_empty() && s.len() < 60 && !s.contains('\n'))
            .unwrap_or_else(|| "-".into());
        vec![err(&field, e.message().to_owned())]
    })
}

/// Checks a school as written; `stem`, when given, is the file name its slug must match.
pub fn validate(
    path: &Path,
    raw: TenantFile,
    base_domain: &str,
    stem: Option<&str>,
) -> Result<SchoolSpec, Vec<FileError>> {
    let err = |field: &str, reason: String| FileError {
        file: path.to_owned(),
        field: field.to_owned(),
        reason,
    };
    let mut errors = Vec::new();
    if !is_slug(&raw.slug, 63) {
        errors.push(err(
            "slug",
            "must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'".into(),
        ));
    } else if RESERVED.contains(&raw.slug.as_str()) {
        errors.push(err("slug", format!("`{}` is reserved", raw.slug)));
    } else if let Some(stem) = stem.filter(|stem| *stem != raw.slug) {
        errors.push(err(
            "slug",
            format!("`{}` must match the file name `{stem}.toml`", raw.slug),
        ));
    }
    let name = raw.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(err("name", "must be 1-120 characters".into()));
    }
    if raw.tagline.chars().count() > 200 {
        errors.push(err("tagline", "must be at most 200 characters".into()));
    }
    let mut domains = Vec::new();
    for (i, d) in raw.domains.iter().enumerate() {
        let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        let field = format!("domains[{i}]");
        if !is_hostname(&d) {
            errors.push(err(&field, format!("`{d}` is not a host name")));
        } else if d == base_domain || d.ends_with(&format!(".{base_domain}")) {
            errors.push(err(&field, format!("`{d}` is under the base domain `{base_domain}`; schools get `<slug>.{base_domain}` already")));
        } else if domains.contains(&d) {
            errors.push(err(&field, format!("`{d}` is listed twice")));
        } else {
            domains.push(d);
        }
    }
    let accent_color = raw
        .branding
        .accent_color
        .unwrap_or_else(|| DEFAULT_ACCENT.into())
        .to_ascii_lowercase();
    let accent_color = match crate::colour::accent(&accent_color) {
        Ok(accent) => accent,
        Err(crate::colour::Refusal::NotHex) => {
            errors.push(err(
                "branding.accent_color",
                format!("`{accent_color}` is not a #rrggbb colour"),
            ));
            accent_color
        }
        Err(crate::colour::Refusal::LowContrast { ratio, suggestion }) => {
            errors.push(err(
                "branding.accent_color",
                format!(
                    "`{accent_color}` is too light to read: white text on it and it on the page \
                     reach {ratio}:1, and 4.5:1 is needed (WCAG AA); {suggestion} is the same \
                     colour, darkened enough"
                ),
            ));
            accent_color
        }
    };
    if let Some(logo) = &raw.branding.logo {
        if !(logo.starts_with("/static/") || logo.starts_with("https://"))
            || logo.contains(['"', '<', '>', ' '])
        {
            errors.push(err(
                "branding.logo",
                "must be a /static/… path or an https:// URL".into(),
            ));
        }
    }
    if raw.categories.is_empty() {
        errors.push(err(
            "categories",
            "a school needs at least one category".into(),
        ));
    }
    let mut seen = HashSet::new();
    for (i, c) in raw.categories.iter().enumerate() {
        if !is_slug(&c.slug, 63) {
            errors.push(err(
                &format!("categories[{i}].slug"),
                format!("`{}` is not a valid slug", c.slug),
            ));
        } else if !seen.insert(c.slug.as_str()) {
            errors.push(err(
                &format!("categories[{i}].slug"),
                format!("`{}` is listed twice", c.slug),
            ));
        }
        if c.name.trim().is_empty() {
            errors.push(err(
                &format!("categories[{i}].name"),
                "must not be empty".into(),
            ));
        }
    }
    let mut admins = Vec::new();
    for (i, a) in raw.admins.iter().enumerate() {
        let email = a.trim().to_lowercase();
        match email.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && domain.contains('.')
                    && !email.contains(char::is_whitespace) =>
            {
                admins.push(email)
            }
            _ => errors.push(err(
                &format!("admins[{i}]"),
                format!("`{a}` is not an email address"),
            )),
        }
    }
    let mut accounts = raw.accounts;
    if let Some(name) = &mut accounts.mail_sender_name {
        *name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.contains(char::is_control) {
            errors.push(err(
                "accounts.mail_sender_name",
                "must be 1-100 characters".into(),
            ));
        }
    }
    if let Some(reply_to) = &mut accounts.mail_reply_to {
        match crate::email::parse_email(reply_to) {
            Some(email) => *reply_to = email,
            None => errors.push(err(
                "accounts.mail_reply_to",
                format!("`{reply_to}` is not an email address"),
            )),
        }
    }
    let sso = raw.sso.map(|entries| {
        let dir = path.parent().unwrap_or(Path::new("."));
        sso_entries(&entries, dir, &mut |field, reason| {
            errors.push(err(&field, reason))
        })
    });
    let lti = raw.lti.map(|entries| {
        lti_entries(&entries, &mut |field, reason| {
            errors.push(err(&field, reason))
        })
    });
    let (locale, locales) = languages(raw.locale.as_deref(), raw.locales.as_deref())
        .unwrap_or_else(|(field, reason)| {
            errors.push(err(field, reason));
            (Locale::SOURCE, vec![Locale::SOURCE])
        });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SchoolSpec {
        admins,
        accounts,
        locale,
        locales,
        sso,
        lti,
        file: path.to_owned(),
        slug: raw.slug,
        name,
        tagline: raw.tagline.trim().to_owned(),
        domains,
        accent_color,
        logo_url: raw.branding.logo,
        categories: raw
            .categories
            .into_iter()
            .map(|c| (c.slug, c.name.trim().to_owned()))
            .collect(),
    })
}

/// A school's default language and offered ones, from their tags: every tag a language this
/// build carries, the default among those offered.
pub fn languages(
    locale: Option<&str>,
    locales: Option<&[String]>,
) -> Result<(Locale, Vec<Locale>), (&'static str, String)> {
    let known = || {
        Locale::all()
            .iter()
            .map(|l| l.tag())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parse = |field: &'static str, tag: &str| {
        Locale::parse(tag).ok_or_else(|| {
            (
                field,
                format!("`{tag}` is not a language EduFlow has (it has {})", known()),
            )
        })
    };
    let mut offered = Vec::new();
    for tag in locales.unwrap_or_default() {
        let l = parse("locales", tag)?;
        if !offered.contains(&l) {
            offered.push(l);
        }
    }
    let default = match locale {
        Some(tag) => parse("locale", tag)?,
        None => offered.first().copied().unwrap_or(Locale::SOURCE),
    };
    if offered.is_empty() {
        offered.push(default);
    } else if !offered.contains(&default) {
        return Err((
            "locale",
            format!("`{default}` must be one of the school's locales"),
        ));
    }
    Ok((default, offered))
}

/// The `[[lti]]` entries as registrations, each problem reported as (field, reason).
fn lti_entries(entries: &[LtiFile], report: &mut dyn FnMut(String, String)) -> Vec<NewTool> {
    let mut tools: Vec<NewTool> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = |f: &str| format!("lti[{i}].{f}");
        let keys = match (&e.jwks_url, &e.public_jwk) {
            (Some(url), None) => KeySource::Url(url.clone()),
            (None, Some(jwk)) => match serde_json::from_str(jwk) {
                Ok(jwk) => KeySource::Static(jwk),
                Err(e) => {
                    report(at("public_jwk"), format!("not JSON ({e})"));
                    continue;
                }
            },
            _ => {
                report(at("jwks_url"), "give one of jwks_url and public_jwk".into());
                continue;
            }
        };
        match NewTool::parse(
            &e.name,
            &e.login_url,
            &e.redirect_uris,
            keys,
            e.deep_linking_url.as_deref(),
        ) {
            Ok(tool) if tools.iter().any(|t| t.name == tool.name) => {
                report(at("name"), format!("`{}` is listed twice", tool.name));
            }
            Ok(tool) => tools.push(tool),
            Err(m) => report(at("name"), m.to_string()),
        }
    }
    tools
}

/// The `[[sso]]` entries as providers, each problem reported as (field, reason). The secrets
/// are read from the environment here, where the file is applied.
fn sso_entries(
    entries: &[SsoFile],
    dir: &Path,
    report: &mut dyn FnMut(String, String),
) -> Vec<Provider> {
    let mut providers: Vec<Provider> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = |f: &str| format!("sso[{i}].{f}");
        let name = match ProviderName::parse(&e.name) {
            Ok(n) => n,
            Err(reason) => {
                report(at("name"), reason.to_string());
                continue;
            }
        };
        if providers.iter().any(|p| p.name == name) {
            report(at("name"), format!("`{name}` is listed twice"));
            continue;
        }
        let mut role_map = Vec::new();
        for (value, role) in &e.role_map {
            match Role::parse(role) {
                Some(role) => role_map.push(RoleRule {
                    value: value.clone(),
                    role,
                }),
                None => report(
                    at(&format!("role_map.{value}")),
                    format!("`{role}` is not a role (learner, instructor, admin)"),
                ),
            }
        }
        let default_role = match e.default_role.as_deref().map(Role::parse) {
            None => Role::Learner,
            Some(Some(r)) => r,
            Some(None) => {
                report(
                    at("default_role"),
                    "must be learner, instructor or admin".into(),
                );
                continue;
            }
        };
        let allowed_domains: Vec<String> = e
            .allowed_domains
            .iter()
            .map(|d| d.trim().to_lowercase())
            .collect();
        let label = e.label.clone().unwrap_or_else(|| name.to_string());
        let provider = match e.kind.as_str() {
            "saml" => {
                let Some(source) = e
                    .idp_metadata
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                else {
                    report(at("idp_metadata"), "is required for a SAML provider".into());
                    continue;
                };
                let is_url = source.starts_with("https://") || source.starts_with("http://");
                let metadata = match (&e.idp_metadata_xml, is_url) {
                    (Some(xml), _) => xml.clone(),
                    (None, true) => {
                        report(
                            at("idp_metadata"),
                            "a URL is read by `eduflow tenants create|update --from`; here give a file"
                                .into(),
                        );
                        continue;
                    }
                    (None, false) => match std::fs::read_to_string(dir.join(source)) {
                        Ok(xml) => xml,
                        Err(err) => {
                            report(at("idp_metadata"), format!("cannot read {source}: {err}"));
                            continue;
                        }
                    },
                };
                let issuer = match crate::sso::saml::check_idp_metadata(&metadata) {
                    Ok(entity) => entity,
                    Err(reason) => {
                        report(at("idp_metadata"), reason.to_string());
                        continue;
                    }
                };
                Provider {
                    label,
                    name,
                    issuer,
                    client_id: String::new(),
                    client_secret: Secret::default(),
                    scopes: vec![],
                    role_claim: e.role_attribute.clone().filter(|c| !c.trim().is_empty()),
                    role_map,
                    default_role,
                    allowed_domains,
                    from_file: true,
                    saml: Some(Saml {
                        idp_metadata: metadata,
                        email_trusted: e.email_trusted,
                    }),
                }
            }
            "oidc" => {
                let mut required =
                    |field: &str, value: &Option<String>| match value.as_deref().map(str::trim) {
                        Some(v) if !v.is_empty() => Some(v.to_owned()),
                        _ => {
                            report(
                                at(field),
                                "is required for an OpenID Connect provider".into(),
                            );
                            None
                        }
                    };
                let (Some(issuer), Some(client_id), Some(var)) = (
                    required("issuer", &e.issuer),
                    required("client_id", &e.client_id),
                    required("client_secret_env", &e.client_secret_env),
                ) else {
                    continue;
                };
                let secret = match std::env::var(&var) {
                    Ok(s) if !s.is_empty() => Secret(s),
                    _ => {
                        report(
                            at("client_secret_env"),
                            format!("the environment variable {var} is not set here"),
                        );
                        continue;
                    }
                };
                Provider {
                    label,
                    name,
                    issuer: issuer.trim_end_matches('/').to_owned(),
                    client_id,
                    client_secret: secret,
                    scopes: e.scopes.clone().unwrap_or_else(|| {
                        ["openid", "email", "profile"].map(str::to_owned).to_vec()
                    }),
                    role_claim: e.role_claim.clone().filter(|c| !c.trim().is_empty()),
                    role_map,
                    default_role,
                    allowed_domains,
                    from_file: true,
                    saml: None,
                }
            }
            other => {
                report(
                    at("kind"),
                    format!("`{other}` is not a provider kind (oidc, saml)"),
                );
                continue;
            }
        };
        match check_settings(&provider) {
            Ok(()) => providers.push(provider),
            Err(reason) => report(at("-"), reason.to_string()),
        }
    }
    providers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, text: &str) -> Result<SchoolSpec, Vec<FileError>> {
        parse(
            Path::new(&format!("tenants/{name}.toml")),
            text,
            "localhost",
        )
    }

    const GOOD: &str =
        "slug = \"alpha\"\nname = \"Alpha\"\n[[categories]]\nslug = \"data\"\nname = \"Data\"\n";

    #[test]
    fn accepts_a_minimal_school() {
        let spec = check("alpha", GOOD).unwrap();
        assert_eq!(spec.accent_color, DEFAULT_ACCENT);
        assert_eq!(
            spec.categories,
            vec![("data".to_owned(), "Data".to_owned())]
        );
    }

    #[test]
    fn account_settings_are_read_and_checked() {
        let spec = check(
            "alpha",
            &format!(
                "{GOOD}[accounts]\nrequire_verified_email = true\nmail_sender_name = \" Alpha Desk \"\n\
                 mail_reply_to = \"Help@Alpha.Test\"\n"
            ),
        )
        .unwrap();
        assert!(spec.accounts.require_verified_email);
        assert_eq!(
            spec.accounts.mail_sender_name.as_deref(),
            Some("Alpha Desk")
        );
        assert_eq!(
            spec.accounts.mail_reply_to.as_deref(),
            Some("help@alpha.test")
        );
        assert_eq!(
            check("alpha", GOOD).unwrap().accounts,
            AccountSettings::default()
        );
        let errs = check(
            "alpha",
            &format!("{GOOD}[accounts]\nmail_sender_name = \"\"\nmail_reply_to = \"nobody\"\n"),
        )
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["accounts.mail_sender_name", "accounts.mail_reply_to"]
        );
    }

    #[test]
    fn names_the_unknown_key() {
        let errs = check("alpha", &format!("{GOOD}colour = \"red\"\n")).unwrap_err();
        assert_eq!(errs[0].field, "colour", "{errs:?}");
        assert!(errs[0].reason.contains("unknown field"), "{errs:?}");
    }

    #[test]
    fn rejects_bad_slugs_and_domains() {
        let errs = check("Bad_Slug", &GOOD.replace("alpha", "Bad_Slug")).unwrap_err();
        assert_eq!(errs[0].field, "slug");
        let errs = check("other", GOOD).unwrap_err();
        assert!(errs[0].reason.contains("file name"), "{errs:?}");
        let errs = check(
            "alpha",
            &GOOD.replacen(
                "name =",
                "domains = [\"x.localhost\", \"no_dots\"]\nname =",
                1,
            ),
        )
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["domains[0]", "domains[1]"]);
    }
}
