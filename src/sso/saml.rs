//! SAML 2.0 as a service provider. Each school's provider is its own SP: entity id
//! `<origin>/sso/{name}/metadata`, ACS `<origin>/sso/{name}/acs` (HTTP-POST). The IdP's metadata must name a signing certificate:
//! without one, samael would accept unsigned responses. samael checks the signature (reducing the
//! document to what the signature covers: the defence against signature wrapping), the issuer,
//! audience, recipient/destination, `InResponseTo` and the validity window; EduFlow adds the
//! one-time assertion id (see `sso_assertions`).

use samael::metadata::{EntityDescriptor, HTTP_REDIRECT_BINDING};
use samael::service_provider::{ServiceProvider, ServiceProviderBuilder};
use serde_json::{Map, Value};

use super::refusal::Refusal;
use crate::i18n::Msg;

const EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/// IdP metadata, checked once: parseable, with an SSO endpoint for HTTP-Redirect and a signing
/// certificate. Its entity id.
pub fn check_idp_metadata(xml: &str) -> Result<String, Msg> {
    let not_metadata = |e: String| Msg::new("sso-metadata-not-saml").text("reason", e);
    let idp: EntityDescriptor = xml.parse().map_err(|e| not_metadata(format!("{e}")))?;
    let entity = idp
        .entity_id
        .clone()
        .ok_or(Msg::new("sso-metadata-no-entity"))?;
    let sp = ServiceProviderBuilder::default()
        .idp_metadata(idp)
        .build()
        .map_err(|e| not_metadata(e.to_string()))?;
    if sp.sso_binding_location(HTTP_REDIRECT_BINDING).is_none() {
        return Err(Msg::new("sso-metadata-no-redirect"));
    }
    match sp.idp_signing_certs() {
        Ok(Some(certs)) if !certs.is_empty() => Ok(entity),
        _ => Err(Msg::new("sso-metadata-no-certificate")),
    }
}

/// The SP of provider `name` at `origin` (scheme and host of the school).
pub fn service_provider(
    idp_metadata: &str,
    origin: &str,
    name: &str,
) -> Result<ServiceProvider, String> {
    let idp: EntityDescriptor = idp_metadata.parse().map_err(|e| format!("{e}"))?;
    ServiceProviderBuilder::default()
        .entity_id(format!("{origin}/sso/{name}/metadata"))
        .metadata_url(format!("{origin}/sso/{name}/metadata"))
        .acs_url(format!("{origin}/sso/{name}/acs"))
        .slo_url(format!("{origin}/"))
        .idp_metadata(idp)
        .build()
        .map_err(|e| e.to_string())
}

/// Where the browser goes to sign in (HTTP-Redirect binding) and the AuthnRequest's id, which
/// the response's `InResponseTo` must name.
pub fn login(sp: &ServiceProvider, relay_state: &str) -> Result<(String, String), String> {
    let sso = sp
        .sso_binding_location(HTTP_REDIRECT_BINDING)
        .ok_or("the IdP has no HTTP-Redirect endpoint")?;
    let request = sp
        .make_authentication_request(&sso)
        .map_err(|e| e.to_string())?;
    let url = request
        .redirect(relay_state)
        .map_err(|e| e.to_string())?
        .ok_or("no redirect URL")?;
    Ok((url.to_string(), request.id))
}

/// A checked response's assertion: its id (used once), and its subject and attributes as claims
/// (`sub`, `email` from an email-format NameID or an `email`/`mail` attribute, each attribute
/// by name, several values as an array).
pub fn assertion(
    sp: &ServiceProvider,
    response: &str,
    request_id: &str,
) -> Result<(String, Map<String, Value>), Refusal> {
    let assertion = sp
        .parse_base64_response(response, Some(&[request_id]))
        .map_err(|e| Refusal::BadAssertion(e.to_string()))?;
    let mut claims = Map::new();
    let name_id = assertion
        .subject
        .as_ref()
        .and_then(|s| s.name_id.as_ref())
        .ok_or_else(|| Refusal::BadAssertion("it names no subject".into()))?;
    claims.insert("sub".into(), name_id.value.clone().into());
    if name_id.format.as_deref() == Some(EMAIL_FORMAT) {
        claims.insert("email".into(), name_id.value.clone().into());
    }
    for statement in assertion.attribute_statements.iter().flatten() {
        for attribute in &statement.attributes {
            let Some(name) = attribute.friendly_name.clone().or(attribute.name.clone()) else {
                continue;
            };
            let values: Vec<Value> = attribute
                .values
                .iter()
                .filter_map(|v| v.value.clone().map(Value::from))
                .collect();
            let value = match values.len() {
                1 => values.into_iter().next().unwrap_or_default(),
                _ => Value::Array(values),
            };
            if matches!(name.as_str(), "email" | "mail") && !claims.contains_key("email") {
                claims.insert("email".into(), value.clone());
            }
            claims.insert(name, value);
        }
    }
    Ok((assertion.id, claims))
}
