//! The JWTs between EduFlow and a tool. Outgoing: the id_token of a resource-link launch or a
//! deep-linking request, signed with the school's key. Incoming: what a tool signs with its own
//! key (client assertions, deep-linking answers), checked here before anything reads it.

use jsonwebtoken::{Algorithm, Header, Validation};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::keys::SigningKey;
use super::tool_keys::ToolKeys;
use super::tools::Tool;
use crate::error::AppError;
use crate::role::Role;

pub const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";
pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
pub const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
pub const DL_SETTINGS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
pub const DL_CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
pub const DL_DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
pub const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";

/// How long an id_token is good for.
const TOKEN_SECS: i64 = 300;

/// The LIS roles a person has in a course: staff teach it, everyone else learns in it.
pub fn roles(role: Role) -> Vec<&'static str> {
    match role {
        Role::Learner => vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        Role::Instructor => vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        Role::Admin => vec![
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        ],
    }
}

/// The person launching.
pub struct Person<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
}

/// The course a launch is in (the LTI context).
pub struct Context<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    pub title: &'a str,
}

pub enum Message<'a> {
    Resource {
        lesson: Uuid,
        title: &'a str,
        url: &'a str,
        /// The lesson's own line item, when it has one.
        line_item: Option<String>,
        line_items: String,
        memberships: String,
        return_url: String,
    },
    DeepLinking {
        return_url: String,
        data: String,
    },
}

pub struct Launch<'a> {
    pub issuer: &'a str,
    pub school: (Uuid, &'a str),
    pub tool: &'a Tool,
    pub person: Person<'a>,
    pub context: Context<'a>,
    pub nonce: &'a str,
    pub now: i64,
    pub locale: &'a str,
    pub message: Message<'a>,
}

/// The id_token's claims (LTI Core 1.3 §5.1, Deep Linking 2.0 §4.4).
pub fn id_token(l: &Launch<'_>) -> Value {
    let mut c = json!({
        "iss": l.issuer,
        "aud": l.tool.client_id,
        "azp": l.tool.client_id,
        "sub": l.person.id.to_string(),
        "nonce": l.nonce,
        "iat": l.now,
        "exp": l.now + TOKEN_SECS,
        "name": l.person.name,
        "email": l.person.email,
        "locale": l.locale,
        VERSION: "1.3.0",
        DEPLOYMENT_ID: l.tool.deployment_id,
        "https://purl.imsglobal.org/spec/lti/claim/roles": roles(l.person.role),
        "https://purl.imsglobal.org/spec/lti/claim/context": {
            "id": l.context.id.to_string(),
            "label": l.context.slug,
            "title": l.context.title,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
            "guid": l.school.0.to_string(),
            "name": l.school.1,
            "product_family_code": "eduflow",
        },
    });
    let m = c.as_object_mut().expect("an object");
    match &l.message {
        Message::Resource {
            lesson,
            title,
            url,
            line_item,
            line_items,
            memberships,
            return_url,
        } => {
            m.insert(MESSAGE_TYPE.into(), "LtiResourceLinkRequest".into());
            m.insert(format!("{LTI}target_link_uri"), (*url).into());
            m.insert(
                format!("{LTI}resource_link"),
                json!({ "id": lesson.to_string(), "title": title }),
            );
            m.insert(
                format!("{LTI}launch_presentation"),
                json!({ "document_target": "window", "return_url": return_url }),
            );
            let mut ags = json!({
                "scope": [
                    super::services::SCOPE_LINE_ITEM,
                    super::services::SCOPE_RESULT,
                    super::services::SCOPE_SCORE,
                ],
                "lineitems": line_items,
            });
            if let Some(item) = line_item {
                ags["lineitem"] = item.clone().into();
            }
            m.insert(AGS_ENDPOINT.into(), ags);
            m.insert(
                NRPS.into(),
                json!({ "context_memberships_url": memberships, "service_versions": ["2.0"] }),
            );
        }
        Message::DeepLinking { return_url, data } => {
            m.insert(MESSAGE_TYPE.into(), "LtiDeepLinkingRequest".into());
            m.insert(
                format!("{LTI}target_link_uri"),
                l.tool
                    .deep_linking_url
                    .clone()
                    .unwrap_or_else(|| l.tool.login_url.clone())
                    .into(),
            );
            m.insert(
                DL_SETTINGS.into(),
                json!({
                    "deep_link_return_url": return_url,
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["window"],
                    "accept_multiple": true,
                    "auto_create": true,
                    "data": data,
                }),
            );
        }
    }
    c
}

/// `claims` signed with the school's key (RS256, its kid in the header).
pub fn sign(key: &SigningKey, claims: &Value) -> Result<String, AppError> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.key).map_err(AppError::internal)
}

/// The claims of `token`, if `tool` signed it (RS256 with a key it publishes) for one of
/// `audiences`, it has not expired, and it says it is from the tool (`iss`). Why not, in words.
pub async fn from_tool(
    keys: &ToolKeys,
    tool: &Tool,
    token: &str,
    audiences: &[&str],
) -> Result<Map<String, Value>, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| "it is not a JWT".to_owned())?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("its algorithm {:?} is not RS256", header.alg));
    }
    let key = keys.key(&tool.keys(), header.kid.as_deref()).await?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[&tool.client_id]);
    v.set_audience(audiences);
    v.set_required_spec_claims(&["exp", "iss", "aud"]);
    v.leeway = 60;
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => "its signature does not verify with the tool's key".into(),
                K::ExpiredSignature => "it has expired".into(),
                K::InvalidIssuer => "it is not from this tool (iss)".into(),
                K::InvalidAudience => "it is not addressed to this platform (aud)".into(),
                K::MissingRequiredClaim(c) => format!("it lacks `{c}`"),
                _ => format!("it is not valid ({e})"),
            }
        })
}
