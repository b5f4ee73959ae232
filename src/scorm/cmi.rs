//! What a SCO commits (the `cmi` object `scorm-again` posts as JSON) and what it comes to for
//! EduFlow: the status the package set, the score, where to resume, how long the session was, and
//! whether the lesson is completed — by the package's own rules: SCORM 1.2's `lesson_status`
//! (a raw score against the manifest's mastery score decides passed/failed when the SCO reports
//! one), SCORM 2004's `completion_status` and `success_status` (a scaled score against the
//! mastery measure decides success when the SCO leaves it unknown). A package that never sets a
//! status completes nothing.

use serde_json::Value;

use super::manifest::Version;

/// The fields EduFlow keeps from a commit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    /// 1.2 `lesson_status`; 2004 `completion_status`.
    pub status: Option<String>,
    /// 2004 `success_status` (1.2: passed/failed are statuses).
    pub success: Option<String>,
    /// Per cent: 1.2 raw against min/max (0–100 by default); 2004 scaled × 100.
    pub score: Option<f64>,
    pub location: Option<String>,
    pub suspend_data: Option<String>,
    pub session_seconds: Option<f64>,
    /// The SCO exited to be resumed (`exit` = `suspend`): its attempt goes on next time.
    pub suspended: bool,
    /// The `cmi` object as the runtime sent it (kept whole, to restore from).
    pub cmi: Value,
}

/// What the commit comes to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub completed: bool,
    /// `None`: the package says nothing of success.
    pub passed: Option<bool>,
    /// The package set a status at all.
    pub status_set: bool,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    text(v)?.parse().ok().filter(|n: &f64| n.is_finite())
}

/// `HHHH:MM:SS.SS` (SCORM 1.2).
fn timespan(s: &str) -> Option<f64> {
    let mut parts = s.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(
        h.parse::<f64>().ok()? * 3600.0
            + m.parse::<f64>().ok()? * 60.0
            + sec.parse::<f64>().ok()?,
    )
}

/// `PnYnMnDTnHnMnS` (SCORM 2004, ISO 8601), days as 24 h, months 30 days, years 365.
fn duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0.0;
    for (part, units) in [
        (
            date,
            [("Y", 31_536_000.0), ("M", 2_592_000.0), ("D", 86_400.0)],
        ),
        (time, [("H", 3600.0), ("M", 60.0), ("S", 1.0)]),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else {
                let unit = units.iter().find(|(u, _)| u.starts_with(c))?;
                total += number.parse::<f64>().ok()? * unit.1;
                number.clear();
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
}

impl Commit {
    /// The commit in `body` (`{"cmi": {…}}`) from a SCO of `version`; why not, in words.
    pub fn parse(version: Version, body: &[u8]) -> Result<Self, String> {
        let mut json: Value =
            serde_json::from_slice(body).map_err(|e| format!("the commit is not JSON ({e})"))?;
        let sent = json
            .get_mut("cmi")
            .map(Value::take)
            .ok_or("the commit has no cmi")?;
        let cmi = &sent;
        let mut commit = match version {
            Version::Scorm12 => {
                let core = cmi.get("core").unwrap_or(&Value::Null);
                let score = core.get("score").unwrap_or(&Value::Null);
                let raw = number(score.get("raw"));
                let (min, max) = (
                    number(score.get("min")).unwrap_or(0.0),
                    number(score.get("max")).unwrap_or(100.0),
                );
                Self {
                    status: text(core.get("lesson_status")),
                    success: None,
                    score: raw
                        .filter(|_| max > min)
                        .map(|r| (r - min) / (max - min) * 100.0),
                    location: text(core.get("lesson_location")),
                    suspend_data: text(cmi.get("suspend_data")),
                    session_seconds: text(core.get("session_time")).and_then(|t| timespan(&t)),
                    suspended: text(core.get("exit")).as_deref() == Some("suspend"),
                    cmi: Value::Null,
                }
            }
            Version::Scorm2004 => Self {
                status: text(cmi.get("completion_status")),
                success: text(cmi.get("success_status")),
                score: number(cmi.get("score").and_then(|s| s.get("scaled"))).map(|s| s * 100.0),
                location: text(cmi.get("location")),
                suspend_data: text(cmi.get("suspend_data")),
                session_seconds: text(cmi.get("session_time")).and_then(|t| duration(&t)),
                suspended: text(cmi.get("exit")).as_deref() == Some("suspend"),
                cmi: Value::Null,
            },
        };
        if commit
            .suspend_data
            .as_ref()
            .is_some_and(|d| d.len() > 64 * 1024)
        {
            return Err("suspend_data is over 64 KB".into());
        }
        commit.cmi = sent;
        Ok(commit)
    }

    /// What this commit comes to, with the SCO's mastery score (per cent), if any.
    pub fn outcome(&self, version: Version, mastery: Option<f64>) -> Outcome {
        let status = self.status.as_deref().unwrap_or("");
        let scored = |m: f64| self.score.map(|s| s >= m);
        match version {
            Version::Scorm12 => {
                let status_set = !matches!(status, "" | "not attempted");
                // With a mastery score, a raw score decides passed or failed (RTE 3.4.2).
                let passed = match (status, mastery) {
                    ("passed" | "failed" | "completed", Some(m)) if self.score.is_some() => {
                        scored(m)
                    }
                    ("passed", _) => Some(true),
                    ("failed", _) => Some(false),
                    _ => None,
                };
                Outcome {
                    completed: matches!(status, "passed" | "completed") && passed != Some(false),
                    passed,
                    status_set,
                }
            }
            Version::Scorm2004 => {
                let status_set = !matches!(status, "" | "unknown" | "not attempted")
                    || !matches!(self.success.as_deref(), None | Some("unknown"));
                let passed = match self.success.as_deref() {
                    Some("passed") => Some(true),
                    Some("failed") => Some(false),
                    _ => mastery.and_then(scored),
                };
                Outcome {
                    completed: status == "completed" && passed != Some(false),
                    passed,
                    status_set,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v12(core: &str, rest: &str) -> Commit {
        Commit::parse(
            Version::Scorm12,
            format!(r#"{{"cmi": {{"core": {core}{rest}}}}}"#).as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn scorm_12_status_and_mastery() {
        let c = v12(
            r#"{"lesson_status": "completed", "score": {"raw": "85", "min": "0", "max": "100"}, "lesson_location": "p3", "session_time": "00:05:12.5"}"#,
            r#", "suspend_data": "a=1""#,
        );
        assert_eq!(c.score, Some(85.0));
        assert_eq!(c.location.as_deref(), Some("p3"));
        assert_eq!(c.suspend_data.as_deref(), Some("a=1"));
        assert_eq!(c.session_seconds, Some(312.5));
        assert_eq!(
            c.outcome(Version::Scorm12, Some(80.0)),
            Outcome {
                completed: true,
                passed: Some(true),
                status_set: true
            }
        );
        assert_eq!(
            c.outcome(Version::Scorm12, Some(90.0)),
            Outcome {
                completed: false,
                passed: Some(false),
                status_set: true
            }
        );
        let failed = v12(r#"{"lesson_status": "failed"}"#, "");
        assert!(!failed.outcome(Version::Scorm12, None).completed);
        let browsed = v12(
            r#"{"lesson_status": "incomplete", "lesson_location": "p1"}"#,
            "",
        );
        assert_eq!(
            browsed.outcome(Version::Scorm12, None),
            Outcome {
                completed: false,
                passed: None,
                status_set: true
            }
        );
        let silent = v12(r#"{"lesson_location": "p1"}"#, "");
        assert_eq!(
            silent.outcome(Version::Scorm12, None),
            Outcome {
                completed: false,
                passed: None,
                status_set: false
            }
        );
    }

    #[test]
    fn scorm_2004_completion_and_success() {
        let c = Commit::parse(
            Version::Scorm2004,
            br#"{"cmi": {"completion_status": "completed", "success_status": "unknown", "score": {"scaled": "0.7"}, "location": "s2", "session_time": "PT1H2M3.5S"}}"#,
        )
        .unwrap();
        assert_eq!(c.session_seconds, Some(3723.5));
        assert_eq!(c.outcome(Version::Scorm2004, Some(60.0)).passed, Some(true));
        assert!(c.outcome(Version::Scorm2004, Some(60.0)).completed);
        assert!(
            !c.outcome(Version::Scorm2004, Some(75.0)).completed,
            "success by measure fails it"
        );
        assert!(c.outcome(Version::Scorm2004, None).completed);
        let failed = Commit::parse(
            Version::Scorm2004,
            br#"{"cmi": {"completion_status": "completed", "success_status": "failed"}}"#,
        )
        .unwrap();
        assert!(!failed.outcome(Version::Scorm2004, None).completed);
        let silent = Commit::parse(
            Version::Scorm2004,
            br#"{"cmi": {"completion_status": "unknown", "location": "x"}}"#,
        )
        .unwrap();
        assert!(!silent.outcome(Version::Scorm2004, None).status_set);
    }

    #[test]
    fn bad_commits_are_refused() {
        assert!(Commit::parse(Version::Scorm12, b"nope").is_err());
        assert!(Commit::parse(Version::Scorm12, br#"{"core": {}}"#).is_err());
        let big = format!(r#"{{"cmi": {{"suspend_data": "{}"}}}}"#, "x".repeat(70_000));
        assert!(Commit::parse(Version::Scorm2004, big.as_bytes()).is_err());
        assert_eq!(duration("PT"), Some(0.0));
        assert_eq!(duration("P1DT1S"), Some(86_401.0));
        assert_eq!(duration("1H"), None);
        assert_eq!(timespan("0000:00:10"), Some(10.0));
        assert_eq!(timespan("10"), None);
    }
}
