//! Quiz lessons and their attempts in the database. Every function runs inside the tenant door;
//! owner-side callers (the CLI) name the school in every statement as well.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::gift::{self, Question};
use super::grading::{Marked, Outcome};
use crate::db::schema::{enrollments, quiz_attempts, quizzes};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Settings {
    /// Percent needed to pass.
    pub pass_mark: i32,
    /// Attempts a learner may make (`None`: no limit).
    pub max_attempts: Option<i32>,
    /// Questions and options in a new order on every showing.
    pub shuffle: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pass_mark: 70,
            max_attempts: None,
            shuffle: true,
        }
    }
}

impl Settings {
    /// Reads the editor's `pass_mark`, `max_attempts` and `shuffle` fields; `Err` holds the
    /// field and its message.
    pub fn parse(
        pass_mark: &str,
        max_attempts: &str,
        shuffle: bool,
    ) -> Result<Self, (&'static str, Msg)> {
        let pass_mark = match pass_mark.trim() {
            "" => 70,
            n => n
                .parse()
                .ok()
                .filter(|n| (0..=100).contains(n))
                .ok_or(("pass_mark", Msg::new("quiz-pass-mark-invalid")))?,
        };
        let max_attempts = match max_attempts.trim() {
            "" => None,
            n => Some(
                n.parse()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or(("max_attempts", Msg::new("quiz-max-attempts-invalid")))?,
            ),
        };
        Ok(Self {
            pass_mark,
            max_attempts,
            shuffle,
        })
    }
}

/// A quiz lesson's questions and settings.
#[derive(Debug, Clone)]
pub struct Quiz {
    pub questions: Vec<Question>,
    pub gift: String,
    pub settings: Settings,
}

pub async fn load(conn: &mut AsyncPgConnection, lesson: Uuid) -> Result<Option<Quiz>, AppError> {
    let row: Option<(String, i32, Option<i32>, bool)> = quizzes::table
        .find(lesson)
        .select((
            quizzes::gift,
            quizzes::pass_mark,
            quizzes::max_attempts,
            quizzes::shuffle,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((source, pass_mark, max_attempts, shuffle)) = row else {
        return Ok(None);
    };
    // Stored text was parsed before it was saved; a failure here is a bug or a hand edit.
    let questions = gift::parse(&source)
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored quiz {lesson}: {e}")))?;
    Ok(Some(Quiz {
        questions,
        gift: source,
        settings: Settings {
            pass_mark,
            max_attempts,
            shuffle,
        },
    }))
}

/// Makes `lesson` a quiz with these questions, or changes its questions and settings.
pub async fn save(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
    source: &str,
    settings: &Settings,
) -> Result<(), AppError> {
    let values = (
        quizzes::gift.eq(source),
        quizzes::pass_mark.eq(settings.pass_mark),
        quizzes::max_attempts.eq(settings.max_attempts),
        quizzes::shuffle.eq(settings.shuffle),
    );
    diesel::insert_into(quizzes::table)
        .values((
            quizzes::lesson_id.eq(lesson),
            quizzes::tenant_id.eq(tenant.0),
            values,
        ))
        .on_conflict(quizzes::lesson_id)
        .do_update()
        .set(values)
        .execute(conn)
        .await?;
    Ok(())
}

/// The lesson is no longer a quiz (its attempts stay, should it become one again).
pub async fn remove(conn: &mut AsyncPgConnection, lesson: Uuid) -> Result<(), AppError> {
    diesel::delete(quizzes::table.find(lesson))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Attempt {
    pub id: Uuid,
    pub number: i32,
    pub score: i32,
    pub passed: bool,
    pub submitted_at: DateTime<Utc>,
}

/// `user`'s attempts at the quiz `lesson`, first first.
pub async fn attempts(
    conn: &mut AsyncPgConnection,
    user: UserId,
    lesson: Uuid,
) -> Result<Vec<Attempt>, AppError> {
    Ok(quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user.0))
        .filter(quiz_attempts::lesson_id.eq(lesson))
        .order(quiz_attempts::number)
        .select((
            quiz_attempts::id,
            quiz_attempts::number,
            quiz_attempts::score,
            quiz_attempts::passed,
            quiz_attempts::submitted_at,
        ))
        .load(conn)
        .await?)
}

/// An attempt's marked questions (the caller found it among the learner's own).
pub async fn marked(conn: &mut AsyncPgConnection, attempt: Uuid) -> Result<Vec<Marked>, AppError> {
    let marked: serde_json::Value = quiz_attempts::table
        .find(attempt)
        .select(quiz_attempts::marked)
        .first(conn)
        .await?;
    serde_json::from_value(marked).map_err(AppError::internal)
}

/// Records a graded attempt, refusing one past the quiz's limit or from someone not enrolled.
/// The enrollment row is locked first, so two submissions at once are counted one after the
/// other.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    course: Uuid,
    lesson: Uuid,
    outcome: &Outcome,
    max_attempts: Option<i32>,
) -> Result<Uuid, AppError> {
    let enrolled: Option<Uuid> = enrollments::table
        .filter(enrollments::user_id.eq(user.0))
        .filter(enrollments::course_id.eq(course))
        .select(enrollments::id)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if enrolled.is_none() {
        return Err(AppError::Forbidden(Msg::new(
            "error-enroll-in-the-course-to",
        )));
    }
    let made: i64 = quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user.0))
        .filter(quiz_attempts::lesson_id.eq(lesson))
        .count()
        .get_result(conn)
        .await?;
    if let Some(limit) = max_attempts.filter(|&m| made >= i64::from(m)) {
        return Err(AppError::Conflict(
            Msg::new("error-quiz-attempts-used").number("count", limit),
        ));
    }
    Ok(diesel::insert_into(quiz_attempts::table)
        .values((
            quiz_attempts::tenant_id.eq(tenant.0),
            quiz_attempts::user_id.eq(user.0),
            quiz_attempts::lesson_id.eq(lesson),
            quiz_attempts::number.eq(made as i32 + 1),
            quiz_attempts::score.eq(outcome.score),
            quiz_attempts::passed.eq(outcome.passed),
            quiz_attempts::marked
                .eq(serde_json::to_value(&outcome.questions).map_err(AppError::internal)?),
        ))
        .returning(quiz_attempts::id)
        .get_result(conn)
        .await?)
}
