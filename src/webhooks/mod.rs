//! Webhooks: a school's endpoints hear what happens there, signed as the Standard Webhooks
//! specification says. Deliveries are written by triggers in the transaction of the change (see
//! the `webhooks` migration) and sent after commit by [`sender`]; [`address`] keeps them off
//! private networks.

pub mod sender;
pub mod signature;
pub mod store;

/// Every event an endpoint may ask for.
pub const EVENTS: &[&str] = &[
    "user.created",
    "enrollment.created",
    "enrollment.removed",
    "lesson.completed",
    "course.completed",
    "quiz.attempted",
    "certificate.issued",
    "certificate.revoked",
];

/// The events among `asked`, in the order of [`EVENTS`]; `Err` names one that is not an event.
pub fn parse_events<'a>(
    asked: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<&'static str>, String> {
    let mut events = Vec::new();
    for e in asked {
        let known = EVENTS
            .iter()
            .find(|known| **known == e)
            .ok_or_else(|| format!("{e} is not an event (one of {})", EVENTS.join(", ")))?;
        events.push(*known);
    }
    events.sort_by_key(|e| EVENTS.iter().position(|k| k == e));
    events.dedup();
    Ok(events)
}
