//! Steady writes and reads of a learner, logged: what the failover and move tests run while
//! they pull a database out from under the instances, and check against afterwards.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{Browser, TestDb};

/// A write that was answered 2xx/3xx, to be found on the primary afterwards.
#[derive(Debug, Clone)]
pub enum Acked {
    Enrolled { email: String, course: String },
    Completed { email: String, lesson: String },
    Attempt(String),
}

#[derive(Default)]
pub struct Log {
    /// When each acknowledged write was sent, when its answer came, and what it was.
    pub acked: Vec<(Instant, Instant, Acked)>,
    pub statuses: BTreeMap<u16, usize>,
    /// 503s that did not say when to come back.
    pub without_retry_after: usize,
    /// Requests that got no answer within 30 s.
    pub hung: usize,
    /// The cached catalog page, as a visitor read it meanwhile.
    pub pages: Vec<(Instant, u16)>,
}

impl Log {
    /// When the first write sent after `t` was acknowledged (a write sent before may be answered
    /// after, from the old primary).
    pub fn first_ack_after(&self, t: Instant) -> Option<Instant> {
        self.acked
            .iter()
            .filter(|(sent, _, _)| *sent > t)
            .map(|(_, answered, _)| *answered)
            .min()
    }
}

/// Answers "Lyon", "false", "5": never passes, so attempts never run out.
pub const WRONG: &[(&str, &str)] = &[("q0", "1"), ("q1", "false"), ("q2", "5")];
pub const QUIZ: &str = "::Capital::What is the capital of France? {=Paris ~Lyon ~Marseille}

::Sun::The sun rises in the east. {TRUE}

Two plus two is {#4:0}.
";

pub struct Plan {
    pub course: String,
    pub lessons: Vec<String>,
    pub quiz: String,
    pub others: Vec<String>,
}

/// One learner's steady writes, in turn: an enrollment in another course (while any is left),
/// a lesson completed, a quiz attempt.
pub async fn write_steadily(
    port: u16,
    mut me: Browser,
    email: String,
    plan: Arc<Plan>,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
) {
    let mut others = plan.others.iter();
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let enroll_in = if i % 3 == 0 { others.next() } else { None };
        let lesson = &plan.lessons[(i / 3) % plan.lessons.len()];
        let (path, fields) = match (enroll_in, i % 3) {
            (Some(course), _) => (format!("/courses/{course}/enroll"), &[][..]),
            (None, 1) => (
                format!("/courses/{}/lessons/{lesson}/complete", plan.course),
                &[][..],
            ),
            (None, _) => (
                format!("/courses/{}/lessons/{}/attempts", plan.course, plan.quiz),
                WRONG,
            ),
        };
        let acked = |location: &str| match (enroll_in, i % 3) {
            (Some(course), _) => Acked::Enrolled {
                email: email.clone(),
                course: course.clone(),
            },
            (None, 1) => Acked::Completed {
                email: email.clone(),
                lesson: lesson.clone(),
            },
            (None, _) => Acked::Attempt(location.rsplit('/').next().unwrap().to_owned()),
        };
        let sent = Instant::now();
        let answered = tokio::time::timeout(Duration::from_secs(30), me.post(port, &path, fields));
        match answered.await {
            Err(_) => log.lock().unwrap().hung += 1,
            Ok(res) => {
                let mut log = log.lock().unwrap();
                *log.statuses.entry(res.status).or_default() += 1;
                match res.status {
                    200..=399 => {
                        let write = acked(res.header("location").unwrap_or_default());
                        log.acked.push((sent, Instant::now(), write));
                    }
                    503 if res.header("retry-after").is_none() => log.without_retry_after += 1,
                    _ => {}
                }
            }
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A visitor reading the catalog page, which instances hold in memory.
pub async fn read_steadily(
    port: u16,
    host: &'static str,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        let page = crate::harness::request(port, "GET", host, "/courses", &[]);
        let status = match tokio::time::timeout(Duration::from_secs(30), page).await {
            Ok(res) => res.status,
            Err(_) => 0,
        };
        log.lock().unwrap().pages.push((Instant::now(), status));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many of the acknowledged writes the primary has.
pub async fn found(db: &TestDb, acked: &[Acked]) -> (usize, usize) {
    let quote = |s: &str| s.replace('\'', "''");
    let mut enrolled = Vec::new();
    let mut completed = Vec::new();
    let mut attempts = Vec::new();
    for a in acked {
        match a {
            Acked::Enrolled { email, course } => {
                enrolled.push(format!("('{}', '{}')", quote(email), quote(course)))
            }
            Acked::Completed { email, lesson } => {
                completed.push(format!("('{}', '{}')", quote(email), quote(lesson)))
            }
            Acked::Attempt(id) => attempts.push(format!("'{}'", quote(id))),
        }
    }
    enrolled.sort();
    enrolled.dedup();
    completed.sort();
    completed.dedup();
    let values = |v: &[String]| {
        if v.is_empty() {
            "SELECT NULL::text, NULL::text WHERE false".to_owned()
        } else {
            format!("VALUES {}", v.join(", "))
        }
    };
    let have = db
        .count(&format!(
            "SELECT (SELECT count(*) FROM ({e}) v(email, course) WHERE EXISTS (
                 SELECT 1 FROM enrollments x JOIN users u ON u.id = x.user_id
                   JOIN courses c ON c.id = x.course_id
                  WHERE u.email = v.email AND c.slug = v.course))
             + (SELECT count(*) FROM ({c}) v(email, lesson) WHERE EXISTS (
                 SELECT 1 FROM lesson_progress p JOIN users u ON u.id = p.user_id
                   JOIN lessons l ON l.id = p.lesson_id
                  WHERE u.email = v.email AND l.slug = v.lesson AND p.completed_at IS NOT NULL))
             + (SELECT count(*) FROM quiz_attempts WHERE id::text IN ({a}))",
            e = values(&enrolled),
            c = values(&completed),
            a = if attempts.is_empty() {
                "NULL".to_owned()
            } else {
                attempts.join(", ")
            },
        ))
        .await;
    (
        have as usize,
        enrolled.len() + completed.len() + attempts.len(),
    )
}

/// What the log says happened between `from` and `to` (the first write acknowledged after).
pub fn window(log: &Log, from: Instant) -> (Duration, usize) {
    let to = log.first_ack_after(from).expect("writes never resumed");
    let pages_failed = log
        .pages
        .iter()
        .filter(|(at, status)| *at > from && *at < to && *status != 200)
        .count();
    (to - from, pages_failed)
}
