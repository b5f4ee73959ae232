//! Deep Linking 2.0 answers: the tool posts back a JWT it signed (`LtiDeepLinkingResponse`)
//! naming the content the instructor chose; EduFlow checks it came from the tool, for this
//! platform and deployment, and carries back the `data` EduFlow sent, then reads its resource
//! links.

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::claims::{DEPLOYMENT_ID, DL_CONTENT_ITEMS, DL_DATA, MESSAGE_TYPE, VERSION};
use super::tools::Tool;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::role::Role;

/// The role of the account that asked for content, now: the answer comes back without its
/// session (a cross-site POST carries no cookie), so what it may do is looked up again. `None`
/// for an account suspended or erased since.
pub async fn asker_role(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: Uuid,
) -> Result<Option<Role>, AppError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Text)]
        role: String,
    }
    let found: Option<Found> = diesel::sql_query(
        "SELECT role FROM users WHERE tenant_id = $1 AND id = $2
            AND suspended_at IS NULL AND erased_at IS NULL",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.and_then(|f| Role::parse(&f.role)))
}

/// One resource link the instructor chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub title: String,
    /// Where it launches; the tool's own launch URL when it names none.
    pub url: Option<String>,
    /// The maximum score, when the tool asks for a line item.
    pub score_maximum: Option<f64>,
}

/// The content items of an answer whose signature, issuer and audience were checked; why not,
/// in words. `data` is what EduFlow sent, which the answer must carry back unchanged.
pub fn read(claims: &Map<String, Value>, tool: &Tool, data: &str) -> Result<Vec<Item>, String> {
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if text(MESSAGE_TYPE) != Some("LtiDeepLinkingResponse") {
        return Err("it is not a deep-linking response".into());
    }
    if text(VERSION) != Some("1.3.0") {
        return Err("it is not LTI 1.3.0".into());
    }
    if text(DEPLOYMENT_ID) != Some(tool.deployment_id.as_str()) {
        return Err("it names another deployment".into());
    }
    if text(DL_DATA) != Some(data) {
        return Err("its data is not what EduFlow sent".into());
    }
    let items = match claims.get(DL_CONTENT_ITEMS) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("its content items are not a list".into()),
    };
    if items.len() > 50 {
        return Err("it names more than 50 items".into());
    }
    items
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("ltiResourceLink"))
        .map(|i| {
            let title = i
                .get("title")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or("Activity");
            Ok(Item {
                title: title.chars().take(200).collect(),
                url: i.get("url").and_then(Value::as_str).map(str::to_owned),
                score_maximum: i
                    .get("lineItem")
                    .and_then(|l| l.get("scoreMaximum"))
                    .and_then(Value::as_f64),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool() -> Tool {
        Tool {
            id: uuid::Uuid::new_v4(),
            name: "t".into(),
            client_id: "c".into(),
            deployment_id: "d".into(),
            login_url: "https://tool.example/login".into(),
            redirect_uris: vec!["https://tool.example/launch".into()],
            jwks_url: Some("https://tool.example/jwks".into()),
            public_jwk: None,
            deep_linking_url: None,
        }
    }

    fn answer(data: &str, deployment: &str) -> Map<String, Value> {
        json!({
            MESSAGE_TYPE: "LtiDeepLinkingResponse",
            VERSION: "1.3.0",
            DEPLOYMENT_ID: deployment,
            DL_DATA: data,
            DL_CONTENT_ITEMS: [
                {"type": "ltiResourceLink", "title": "Fractions", "url": "https://tool.example/f",
                 "lineItem": {"scoreMaximum": 10}},
                {"type": "html", "html": "<p>ignored</p>"},
            ],
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn reads_resource_links_only_when_data_and_deployment_match() {
        let items = read(&answer("x", "d"), &tool(), "x").unwrap();
        assert_eq!(
            items,
            vec![Item {
                title: "Fractions".into(),
                url: Some("https://tool.example/f".into()),
                score_maximum: Some(10.0),
            }]
        );
        assert!(read(&answer("y", "d"), &tool(), "x").is_err());
        assert!(read(&answer("x", "other"), &tool(), "x").is_err());
    }
}
