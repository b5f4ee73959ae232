//! Launches from EduFlow's pages: a learner opens an LTI lesson (third-party initiated login at
//! the tool), an instructor asks a tool for content (deep linking), and the tool's signed answer
//! comes back and becomes lessons.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{autopost, endpoints};
use crate::accounts::sessions::Viewer;
use crate::authoring::store;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::CourseId;
use crate::lti::hints::{Intent, Target};
use crate::lti::links::{self, NewLink};
use crate::lti::tools::Tool;
use crate::lti::{claims, deep_link, services, tools};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::{Staff, edit};
use crate::web::forms::{Page, SimpleForm, checked_form, id};
use crate::web::host::School;
use crate::web::lang::Lang;
use crate::web::learning::access::{is_staff, lesson_gate, load_lesson, state_of};

/// The tool's login initiation URL with the launch's parameters (LTI Core §4.1).
fn login_initiation(
    tenant: &Tenant,
    state: &AppState,
    tool: &Tool,
    target: &str,
    hint: &str,
    user: &str,
) -> String {
    let at = endpoints(state, tenant);
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("iss", &at.issuer)
        .append_pair("login_hint", user)
        .append_pair("target_link_uri", target)
        .append_pair("lti_message_hint", hint)
        .append_pair("client_id", &tool.client_id)
        .append_pair("lti_deployment_id", &tool.deployment_id)
        .finish();
    let sep = if tool.login_url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}{query}", tool.login_url)
}

/// `/courses/{course}/lessons/{lesson}/launch`: off to the lesson's tool, for its enrolled
/// learners and the school's staff.
pub async fn launch(
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    let Some(user) = viewer.0.clone() else {
        return Err(AppError::SignIn(format!(
            "/courses/{course}/lessons/{lesson}/launch"
        )));
    };
    let page = load_lesson(&state, &tenant, &course, &lesson).await?;
    if page.kind != "lti" {
        return Err(AppError::NotFound);
    }
    if !is_staff(&viewer) {
        let learner = state_of(&state, &tenant, &user).await?;
        if !learner.enrolled_in(page.course_id) {
            return Err(AppError::Forbidden(Msg::new(
                "error-enroll-in-the-course-to",
            )));
        }
        lesson_gate(&state, &page, &learner)?;
    }
    let (school, lesson_id) = (tenant.id, page.lesson_id);
    let (link, tool) = state
        .school_tx(school, "lti_launch", move |conn| {
            Box::pin(async move {
                let Some(link) = links::load(conn, school, lesson_id).await? else {
                    return Ok(None);
                };
                let tool = tools::by_id(conn, school, link.tool_id).await?;
                Ok(tool.map(|t| (link, t)))
            })
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let intent = Intent::new(
        tool.id,
        user.id.0,
        Target::Resource {
            course: page.course_id,
            lesson: page.lesson_id,
        },
        state.clock.now().timestamp(),
    );
    let hint = state.lti.hints.sign(school, &intent);
    let to = login_initiation(
        &tenant,
        &state,
        &tool,
        &link.url,
        &hint,
        &user.id.0.to_string(),
    );
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// `POST /author/courses/{course}/lti`: asks the chosen tool for content to add to a section.
/// The page posts on to the tool's login at once (a redirect after a form would break the
/// page's `form-action` policy).
pub async fn choose_content(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    let course: CourseId = id(&path)?;
    let form: HashMap<String, String> = form.into_inner();
    checked_form(&req, &state, &user, &form)?;
    let tool_id: uuid::Uuid = form
        .get("tool")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| AppError::Unprocessable(Msg::new("lti-choose-a-tool")))?;
    let section: uuid::Uuid = form
        .get("section")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| AppError::Unprocessable(Msg::new("lti-choose-a-section")))?;
    let (school, who) = (tenant.id, user.clone());
    let tool = state
        .school_tx(school, "lti_launch", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                let outline = store::outline(conn, course).await?;
                if !outline.iter().any(|s| s.id == section) {
                    return Err(AppError::Unprocessable(Msg::new("lti-choose-a-section")));
                }
                tools::by_id(conn, school, tool_id).await
            })
        })
        .await?
        .filter(|t| t.deep_linking_url.is_some())
        .ok_or_else(|| AppError::Unprocessable(Msg::new("lti-choose-a-tool")))?;
    let intent = Intent::new(
        tool.id,
        user.id.0,
        Target::DeepLink {
            course: course.0,
            section,
        },
        state.clock.now().timestamp(),
    );
    let hint = state.lti.hints.sign(school, &intent);
    let target = tool.deep_linking_url.clone().unwrap_or_default();
    let to = login_initiation(
        &tenant,
        &state,
        &tool,
        &target,
        &hint,
        &user.id.0.to_string(),
    );
    let (action, query) = to.split_once('?').unwrap_or((&to, ""));
    let fields: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let viewer = Viewer(Some(user));
    autopost(
        &state,
        &tenant,
        (locale, &viewer),
        &tool.name,
        action,
        &fields,
    )
}

/// A deep-linking answer as the tool's page posts it.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(rename = "JWT")]
    jwt: Option<String>,
}

/// `POST /lti/deep-links`: the tool's signed answer. It arrives without the instructor's session
/// (a cross-site POST carries no cookie), so it stands on its own: signed by the tool, carrying
/// back EduFlow's signed `data` (who asked, for which course and section), taken once. The
/// chosen resource links become lessons of that section.
pub async fn returned(
    School(tenant): School,
    state: web::Data<AppState>,
    form: web::Form<Answer>,
) -> Result<HttpResponse, AppError> {
    let jwt = form.into_inner().jwt.unwrap_or_default();
    let refused = |why: String| {
        state.metrics.lti.with_label_values(&["refused"]).inc();
        tracing::info!(school = tenant.slug, why, "LTI deep-linking answer refused");
        AppError::BadRequest(Msg::new("lti-deep-link-refused").text("reason", why))
    };
    let client_id =
        unverified_issuer(&jwt).ok_or_else(|| refused("it is not a JWT from a tool".into()))?;
    let school = tenant.id;
    let tool = state
        .school_tx(school, "lti_deep_link", move |conn| {
            Box::pin(async move { tools::by_client_id(conn, school, &client_id).await })
        })
        .await?
        .ok_or_else(|| refused("it is from no tool of this school".into()))?;
    let at = endpoints(&state, &tenant);
    let claims = claims::from_tool(&state.lti.tool_keys, &tool, &jwt, &[&at.issuer])
        .await
        .map_err(&refused)?;
    let data = claims
        .get(claims::DL_DATA)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let now = state.clock.now().timestamp();
    let Some(Intent {
        user,
        target: Target::DeepLink { course, section },
        id: once,
        exp,
        ..
    }) = state
        .lti
        .hints
        .check(school, &data, now)
        .filter(|i| i.tool == tool.id)
    else {
        return Err(refused(
            "its data is not a request of this school for this tool".into(),
        ));
    };
    let items = deep_link::read(&claims, &tool, &data).map_err(&refused)?;
    let default_url = tool.redirect_uris[0].clone();
    let added = edit(&state, &tenant, "lti_deep_link", move |conn| {
        Box::pin(async move {
            if !services::once(conn, school, tool.id, "deep-link", &once, exp).await? {
                return Err(AppError::Conflict(Msg::new("lti-deep-link-used")));
            }
            let role =
                deep_link::asker_role(conn, school, user)
                    .await?
                    .ok_or(AppError::Forbidden(Msg::new(
                        "error-only-this-course-s-instructors",
                    )))?;
            store::may_edit_as(conn, (user, role), CourseId(course)).await?;
            let mut added = 0;
            for item in &items {
                let new = NewLink::parse(
                    &item.title,
                    item.url.as_deref().unwrap_or(&default_url),
                    70,
                    item.score_maximum.unwrap_or(100.0),
                )
                .map_err(AppError::Unprocessable)?;
                let lesson = store::append_lesson(
                    conn,
                    school,
                    course,
                    Some(section),
                    (&new.title, "lti"),
                    "Activities",
                )
                .await?;
                links::attach(conn, school, (course, lesson), &tool, &new).await?;
                added += 1;
            }
            Ok(added)
        })
    })
    .await?;
    tracing::info!(
        school = tenant.slug,
        added,
        "LTI content added by deep linking"
    );
    state
        .metrics
        .lti
        .with_label_values(&["deep_link_added"])
        .inc_by(added);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/author/courses/{course}")))
        .finish())
}

/// The claim `iss` of a JWT, read before its signature is checked (to find whose key checks it).
pub fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?,
    )
    .ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}
