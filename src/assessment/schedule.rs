//! Drip schedules: a section opens some days after the learner enrolled, at an instant, or at
//! the later of both.

use chrono::{DateTime, Duration, Utc};

/// When a section with these settings opens for a learner who enrolled at `enrolled`.
pub fn opens_at(
    enrolled: DateTime<Utc>,
    after_days: Option<i32>,
    on: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let by_days = after_days.map(|d| enrolled + Duration::days(i64::from(d)));
    // `None` orders first, so this is the later of the two that are set.
    by_days.max(on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_opens_at_the_later_of_its_rules() {
        let enrolled = DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let on = DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(opens_at(enrolled, None, None), None);
        assert_eq!(
            opens_at(enrolled, Some(7), None),
            Some(enrolled + Duration::days(7))
        );
        assert_eq!(opens_at(enrolled, None, Some(on)), Some(on));
        assert_eq!(opens_at(enrolled, Some(2), Some(on)), Some(on));
        assert_eq!(
            opens_at(enrolled, Some(9), Some(on)),
            Some(enrolled + Duration::days(9))
        );
    }
}
