//! A statement row as xAPI 1.0.3 JSON. What a statement says is fixed when its row is written
//! (verb, learner, course, lesson, result, time), so every retry sends the same statement.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// A statement due, with what it names.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Row {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub verb: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub user_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub user_email: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub course_slug: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub course_title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub course_language: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub lesson_slug: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub lesson_title: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub lesson_is_quiz: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub certificate_id: Option<Uuid>,
    /// `score` (0–100), `success`, `completion`, `progress` (percent of the course).
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub result: Value,
}

/// The verb's IRI: ADL's vocabulary, and the xAPI registry's "earned".
fn verb_id(verb: &str) -> String {
    match verb {
        "earned" => "http://id.tincanapi.com/verb/earned".to_owned(),
        other => format!("http://adlnet.gov/expapi/verbs/{other}"),
    }
}

const COURSE: &str = "http://adlnet.gov/expapi/activities/course";
const LESSON: &str = "http://adlnet.gov/expapi/activities/lesson";
const ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
const CERTIFICATE: &str = "https://w3id.org/xapi/tla/activity-types/certificate";
const PROGRESS: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";

fn activity(id: String, kind: &str, name: &str, language: &str) -> Value {
    json!({
        "objectType": "Activity",
        "id": id,
        "definition": { "type": kind, "name": { language: name } },
    })
}

/// The statement `row` makes for the school at `origin` (`https://host`, its public address):
/// the actor is the learner's account there, or their mailbox when the school allows it.
pub fn build(row: &Row, origin: &str, mbox: bool) -> Value {
    let actor = if mbox {
        json!({ "objectType": "Agent", "name": row.user_name, "mbox": format!("mailto:{}", row.user_email) })
    } else {
        json!({
            "objectType": "Agent",
            "name": row.user_name,
            "account": { "homePage": origin, "name": row.user_id.to_string() },
        })
    };
    let language = row.course_language.as_str();
    let course_url = format!("{origin}/courses/{}", row.course_slug);
    let course = activity(course_url.clone(), COURSE, &row.course_title, language);
    let (object, parent) = match (&row.certificate_id, &row.lesson_slug) {
        (Some(certificate), _) => (
            activity(
                format!("{origin}/certificates/{certificate}"),
                CERTIFICATE,
                &row.course_title,
                language,
            ),
            Some(course),
        ),
        (None, Some(lesson)) => (
            activity(
                format!("{course_url}/lessons/{lesson}"),
                if row.lesson_is_quiz {
                    ASSESSMENT
                } else {
                    LESSON
                },
                row.lesson_title.as_deref().unwrap_or(lesson),
                language,
            ),
            Some(course),
        ),
        (None, None) => (course, None),
    };
    let mut result = Map::new();
    if let Some(score) = row.result.get("score").and_then(Value::as_f64) {
        result.insert(
            "score".into(),
            json!({ "scaled": score / 100.0, "raw": score, "min": 0, "max": 100 }),
        );
    }
    for key in ["success", "completion"] {
        if let Some(v) = row.result.get(key).and_then(Value::as_bool) {
            result.insert(key.into(), Value::Bool(v));
        }
    }
    if let Some(progress) = row.result.get("progress").and_then(Value::as_i64) {
        result.insert("extensions".into(), json!({ PROGRESS: progress }));
    }
    let mut context = json!({ "platform": "EduFlow", "language": language });
    if let Some(parent) = parent {
        context["contextActivities"] = json!({ "parent": [parent] });
    }
    let verb = row.verb.as_str();
    let mut statement = json!({
        "id": row.id.to_string(),
        "actor": actor,
        "verb": { "id": verb_id(verb), "display": { "en-US": verb } },
        "object": object,
        "context": context,
        "timestamp": row.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "version": "1.0.3",
    });
    if !result.is_empty() {
        statement["result"] = Value::Object(result);
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(verb: &str, result: Value) -> Row {
        Row {
            id: Uuid::nil(),
            verb: verb.into(),
            created_at: DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            attempts: 1,
            user_id: Uuid::from_u128(7),
            user_name: "Ada Lovelace".into(),
            user_email: "ada@example.org".into(),
            course_slug: "maps".into(),
            course_title: "Cartes".into(),
            course_language: "fr".into(),
            lesson_slug: Some("quiz".into()),
            lesson_title: Some("Quiz".into()),
            lesson_is_quiz: true,
            certificate_id: None,
            result,
        }
    }

    #[test]
    fn a_quiz_passed_names_the_learner_the_verb_the_lesson_in_its_course_and_the_score() {
        let s = build(
            &row("passed", json!({ "score": 80, "success": true })),
            "https://alpha.example",
            false,
        );
        assert_eq!(s["actor"]["account"]["homePage"], "https://alpha.example");
        assert_eq!(
            s["actor"]["account"]["name"],
            Uuid::from_u128(7).to_string()
        );
        assert!(s["actor"].get("mbox").is_none(), "one identifier only");
        assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/passed");
        assert_eq!(
            s["object"]["id"],
            "https://alpha.example/courses/maps/lessons/quiz"
        );
        assert_eq!(s["object"]["definition"]["type"], ASSESSMENT);
        assert_eq!(s["object"]["definition"]["name"]["fr"], "Quiz");
        assert_eq!(
            s["context"]["contextActivities"]["parent"][0]["id"],
            "https://alpha.example/courses/maps"
        );
        assert_eq!(s["result"]["score"]["scaled"], 0.8);
        assert_eq!(s["result"]["success"], true);
        assert_eq!(s["timestamp"], "2026-11-30T00:53:20.000Z");
    }

    #[test]
    fn the_mailbox_only_where_the_school_allows_and_progress_as_cmi5_says() {
        let mut r = row("progressed", json!({ "progress": 50 }));
        r.lesson_slug = None;
        let s = build(&r, "https://alpha.example", true);
        assert_eq!(s["actor"]["mbox"], "mailto:ada@example.org");
        assert!(s["actor"].get("account").is_none());
        assert_eq!(s["object"]["id"], "https://alpha.example/courses/maps");
        assert_eq!(s["result"]["extensions"][PROGRESS], 50);
        assert!(s["context"].get("contextActivities").is_none());
        r.verb = "earned".into();
        r.certificate_id = Some(Uuid::from_u128(9));
        let s = build(&r, "https://alpha.example", false);
        assert_eq!(s["verb"]["id"], "http://id.tincanapi.com/verb/earned");
        assert!(
            s["object"]["id"]
                .as_str()
                .unwrap()
                .contains("/certificates/")
        );
        // The same row, the same statement: a retry is the same statement.
        assert_eq!(s, build(&r, "https://alpha.example", false));
    }
}
