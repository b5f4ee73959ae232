//! The services tools call with a bearer token from `/lti/token`: Assignment and Grade Services
//! (line items, scores, results) and Names and Role Provisioning (the course's members). A tool
//! reaches only the courses it is placed in, and only its own line items; errors are JSON.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::endpoints;
use crate::error::{ApiError, AppError};
use crate::i18n::Msg;
use crate::lti::grades::{self, LineItem, LineItemIn, Score};
use crate::lti::services::{
    self, Grant, SCOPE_LINE_ITEM, SCOPE_LINE_ITEM_READ, SCOPE_MEMBERSHIPS, SCOPE_RESULT,
    SCOPE_SCORE,
};
use crate::lti::{links, roster};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::host::School;
use crate::web::learning::completion::complete;

type Answer = Result<HttpResponse, ApiError>;

const LINE_ITEM: &str = "application/vnd.ims.lis.v2.lineitem+json";
const LINE_ITEMS: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
const RESULTS: &str = "application/vnd.ims.lis.v2.resultcontainer+json";
const SCORE: &str = "application/vnd.ims.lis.v1.score+json";
const MEMBERS: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

/// The token's grant, if it allows one of `scopes` and its tool is placed in `course`.
async fn grant(
    req: &HttpRequest,
    state: &AppState,
    tenant: &Tenant,
    course: &str,
    scopes: &[&str],
) -> Result<(Grant, Uuid), ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthorized)?
        .to_owned();
    let course: Uuid = course.parse().map_err(|_| AppError::NotFound)?;
    let school = tenant.id;
    let found = state
        .school_tx(school, "lti_grant", move |conn| {
            Box::pin(async move {
                let Some(grant) = services::bearer(conn, school, &token).await? else {
                    return Ok(None);
                };
                let placed = links::placed(conn, school, grant.tool_id, course).await?;
                Ok(Some((grant, placed)))
            })
        })
        .await?;
    let Some((grant, placed)) = found else {
        return Err(AppError::Unauthorized.into());
    };
    if !grant.allows(scopes) {
        return Err(AppError::Forbidden(Msg::new("lti-scope-missing")).into());
    }
    if !placed {
        return Err(AppError::NotFound.into());
    }
    Ok((grant, course))
}

fn typed(status: StatusCode, content_type: &str, body: &serde_json::Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.to_string())
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemFilter {
    resource_link_id: Option<String>,
    resource_id: Option<String>,
    tag: Option<String>,
    limit: Option<i64>,
}

/// `GET …/lineitems`.
pub async fn line_items(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ItemFilter>,
) -> Answer {
    let (grant, course) = grant(
        &req,
        &state,
        &tenant,
        &path,
        &[SCOPE_LINE_ITEM, SCOPE_LINE_ITEM_READ],
    )
    .await?;
    let q = query.into_inner();
    let lesson = match q.resource_link_id.as_deref() {
        Some(l) => match l.parse() {
            Ok(l) => Some(l),
            Err(_) => return Ok(typed(StatusCode::OK, LINE_ITEMS, &json!([]))),
        },
        None => None,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let school = tenant.id;
    let items = state
        .school_tx(school, "lti_line_items", move |conn| {
            Box::pin(async move {
                grades::list(
                    conn,
                    school,
                    grant.tool_id,
                    course,
                    (lesson, q.resource_id.as_deref(), q.tag.as_deref()),
                    limit,
                )
                .await
            })
        })
        .await?;
    let at = endpoints(&state, &tenant);
    let body: Vec<_> = items.iter().map(|i| i.json(&at)).collect();
    Ok(typed(StatusCode::OK, LINE_ITEMS, &json!(body)))
}

/// `POST …/lineitems`.
pub async fn add_line_item(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Answer {
    let (grant, course) = grant(&req, &state, &tenant, &path, &[SCOPE_LINE_ITEM]).await?;
    let item = LineItemIn::parse(&body)?;
    let school = tenant.id;
    let made = state
        .school_tx(school, "lti_line_items", move |conn| {
            Box::pin(
                async move { grades::create(conn, school, grant.tool_id, course, &item).await },
            )
        })
        .await?;
    Ok(typed(
        StatusCode::CREATED,
        LINE_ITEM,
        &made.json(&endpoints(&state, &tenant)),
    ))
}

/// The tool's line item `item` of the course.
async fn own_item(
    state: &AppState,
    tenant: &Tenant,
    grant: &Grant,
    course: Uuid,
    item: &str,
) -> Result<LineItem, ApiError> {
    let item: Uuid = item.parse().map_err(|_| AppError::NotFound)?;
    let (school, tool) = (tenant.id, grant.tool_id);
    Ok(state
        .school_tx(school, "lti_line_items", move |conn| {
            Box::pin(async move { grades::get(conn, school, tool, course, item).await })
        })
        .await?
        .ok_or(AppError::NotFound)?)
}

/// `GET …/lineitems/{item}`.
pub async fn line_item(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Answer {
    let (course, item) = path.into_inner();
    let (grant, course) = grant(
        &req,
        &state,
        &tenant,
        &course,
        &[SCOPE_LINE_ITEM, SCOPE_LINE_ITEM_READ],
    )
    .await?;
    let item = own_item(&state, &tenant, &grant, course, &item).await?;
    Ok(typed(
        StatusCode::OK,
        LINE_ITEM,
        &item.json(&endpoints(&state, &tenant)),
    ))
}

/// `PUT …/lineitems/{item}`.
pub async fn put_line_item(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Answer {
    let (course, item) = path.into_inner();
    let (grant, course) = grant(&req, &state, &tenant, &course, &[SCOPE_LINE_ITEM]).await?;
    let current = own_item(&state, &tenant, &grant, course, &item).await?;
    let changed = LineItemIn::parse(&body)?;
    let school = tenant.id;
    let saved = state
        .school_tx(school, "lti_line_items", move |conn| {
            Box::pin(async move {
                grades::update(conn, school, grant.tool_id, &current, &changed).await
            })
        })
        .await?;
    Ok(typed(
        StatusCode::OK,
        LINE_ITEM,
        &saved.json(&endpoints(&state, &tenant)),
    ))
}

/// `DELETE …/lineitems/{item}` (its scores go with it).
pub async fn delete_line_item(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Answer {
    let (course, item) = path.into_inner();
    let (grant, course) = grant(&req, &state, &tenant, &course, &[SCOPE_LINE_ITEM]).await?;
    let item = own_item(&state, &tenant, &grant, course, &item).await?;
    let school = tenant.id;
    state
        .school_tx(school, "lti_line_items", move |conn| {
            Box::pin(async move { grades::delete(conn, school, &item).await })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST …/lineitems/{item}/scores`: the learner's score. A final one at or above the lesson's
/// pass mark completes the lesson (and perhaps the course, with its certificate).
pub async fn score(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Answer {
    let (course, item) = path.into_inner();
    let (grant, course) = grant(&req, &state, &tenant, &course, &[SCOPE_SCORE]).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with(SCORE) && !content_type.starts_with("application/json") {
        return Err(AppError::Unsupported(Msg::new("lti-score-content-type")).into());
    }
    let item = own_item(&state, &tenant, &grant, course, &item).await?;
    let score = Score::parse(&body)?;
    let school = tenant.id;
    let (posted, lesson) = (score.clone(), item.lesson_id);
    let pass_mark = state
        .school_tx(school, "lti_score", move |conn| {
            Box::pin(async move {
                grades::record(conn, school, &item, &posted).await?;
                grades::pass_mark(conn, school, &item).await
            })
        })
        .await?;
    state.metrics.lti.with_label_values(&["score"]).inc();
    if let (Some(lesson), Some(mark), Some(percent)) = (lesson, pass_mark, score.final_percent())
        && percent >= f64::from(mark)
    {
        complete(
            &state,
            &tenant,
            crate::ids::UserId(score.user),
            (course, lesson),
        )
        .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize)]
pub struct ResultFilter {
    user_id: Option<String>,
}

/// `GET …/lineitems/{item}/results`.
pub async fn results(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ResultFilter>,
) -> Answer {
    let (course, item) = path.into_inner();
    let (grant, course) = grant(&req, &state, &tenant, &course, &[SCOPE_RESULT]).await?;
    let item = own_item(&state, &tenant, &grant, course, &item).await?;
    let user = match query.into_inner().user_id {
        Some(u) => match u.parse() {
            Ok(u) => Some(u),
            Err(_) => return Ok(typed(StatusCode::OK, RESULTS, &json!([]))),
        },
        None => None,
    };
    let (school, at) = (tenant.id, endpoints(&state, &tenant));
    let body = state
        .school_tx(school, "lti_results", move |conn| {
            Box::pin(async move { grades::results(conn, school, &item, user, &at).await })
        })
        .await?;
    Ok(typed(StatusCode::OK, RESULTS, &json!(body)))
}

#[derive(Debug, Default, Deserialize)]
pub struct Page {
    limit: Option<i64>,
    after: Option<Uuid>,
}

/// `GET …/memberships`: a page of the course's members; `Link: rel="next"` names the next.
pub async fn memberships(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<Page>,
) -> Answer {
    let (_, course) = grant(&req, &state, &tenant, &path, &[SCOPE_MEMBERSHIPS]).await?;
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let school = tenant.id;
    let (members, place) = state
        .school_tx(school, "lti_roster", move |conn| {
            Box::pin(async move {
                Ok((
                    roster::members(conn, school, course, q.after, limit).await?,
                    links::placement(conn, school, course, None).await?,
                ))
            })
        })
        .await?;
    let place = place.ok_or(AppError::NotFound)?;
    let at = endpoints(&state, &tenant);
    let url = at.memberships(course);
    let mut res = HttpResponse::Ok();
    res.content_type(MEMBERS)
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if members.len() as i64 == limit
        && let Some(last) = members.last()
    {
        res.insert_header((
            header::LINK,
            format!("<{url}?limit={limit}&after={}>; rel=\"next\"", last.id),
        ));
    }
    let body = json!({
        "id": url,
        "context": {
            "id": course.to_string(),
            "label": place.course_slug,
            "title": place.course_title,
        },
        "members": members.iter().map(roster::Member::json).collect::<Vec<_>>(),
    });
    Ok(res.body(body.to_string()))
}
