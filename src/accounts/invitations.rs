//! Invitations: the people an admin invites, parsed once, and their tokens and mails. An admin
//! invites one person, or many from a CSV (`email,name,role,courses`).
//! Each invitee is mailed a link that works for 14 days and creates their account with that role
//! and those enrollments. A CSV row that fails is reported by line number; the valid rows are
//! applied together in one transaction, each with its token and its mail, so none is half
//! applied.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::accounts::sessions::{Role, token_hash};
use crate::accounts::tokens::Purpose;
use crate::db::schema::{account_tokens, courses, users};
use crate::email::parse_email;
use chrono::Utc;

use crate::error::AppError;
use crate::ids::TenantId;
use crate::mail::{Composer, Kind, Mail, outbox};
use crate::tenancy::Tenant;

/// The largest CSV accepted.
pub const MAX_CSV_BYTES: usize = 2 << 20;
/// The most rows one CSV may hold.
pub const MAX_ROWS: usize = 10_000;

/// One person to invite, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub courses: Vec<String>,
}

impl Invite {
    /// Courses are slugs separated by spaces, `;` or `|`.
    pub fn parse(email: &str, name: &str, role: &str, courses: &str) -> Result<Self, String> {
        let email = parse_email(email)
            .ok_or_else(|| format!("`{}` is not an email address", email.trim()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.contains(char::is_control) {
            return Err("the name must be 1-100 characters".into());
        }
        let role = match role.trim() {
            "" => Role::Learner,
            r => Role::parse(&r.to_lowercase())
                .ok_or_else(|| format!("`{r}` is not a role (learner, instructor or admin)"))?,
        };
        let mut slugs: Vec<String> = courses
            .split([' ', ';', '|', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
            .collect();
        slugs.dedup();
        Ok(Self {
            email,
            name: name.to_owned(),
            role,
            courses: slugs,
        })
    }
}

/// A row that was not applied, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refused {
    pub line: u64,
    pub reason: String,
}

/// Parses a CSV: `email,name[,role[,courses]]`, an optional header row naming those columns.
pub fn parse_csv(bytes: &[u8]) -> (Vec<(u64, Invite)>, Vec<Refused>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let (mut rows, mut refused) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    // The line a record starts on, counted from its byte offset (past the blank lines the
    // reader skipped to reach it): the csv crate's own line count leaves blank lines out.
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |pos: Option<&csv::Position>, fallback: usize| {
        pos.map_or(fallback as u64 + 1, |p| {
            let mut at = p.byte() as usize;
            while bytes.get(at).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                at += 1;
            }
            newlines.partition_point(|&n| n < at) as u64 + 1
        })
    };
    for (i, record) in reader.byte_records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position(), i);
                refused.push(Refused {
                    line,
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let line = line_at(record.position(), i);
        let Ok(fields) = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<Vec<_>, _>>()
        else {
            refused.push(Refused {
                line,
                reason: "not valid UTF-8".into(),
            });
            continue;
        };
        if i == 0
            && fields
                .as_slice()
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("email"))
        {
            continue;
        }
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if rows.len() + refused.len() >= MAX_ROWS {
            refused.push(Refused {
                line,
                reason: format!("more than {MAX_ROWS} rows; split the file"),
            });
            break;
        }
        if !(2..=4).contains(&fields.len()) {
            refused.push(Refused {
                line,
                reason: format!(
                    "{} columns; write email,name[,role[,courses]]",
                    fields.len()
                ),
            });
            continue;
        }
        if fields.iter().any(|f| !crate::input::is_storable(f)) {
            refused.push(Refused {
                line,
                reason: "contains control characters".into(),
            });
            continue;
        }
        let field = |n: usize| fields.as_slice().get(n).copied().unwrap_or_default();
        match Invite::parse(field(0), field(1), field(2), field(3)) {
            Ok(invite) if !seen.insert(invite.email.clone()) => refused.push(Refused {
                line,
                reason: format!("{} is listed twice", invite.email),
            }),
            Ok(invite) => rows.push((line, invite)),
            Err(reason) => refused.push(Refused { line, reason }),
        }
    }
    (rows, refused)
}

/// Who invites, and how their invitations are worded.
pub struct Inviter<'a> {
    pub composer: &'a Composer,
    pub school: &'a Tenant,
    pub name: &'a str,
}

/// Issues and mails the invitations that pass the school's checks (no account yet, known
/// courses); returns the refused ones. Runs in the caller's transaction.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    inviter: &Inviter<'_>,
    rows: Vec<(u64, Invite)>,
) -> Result<(usize, Vec<Refused>), AppError> {
    let tenant = inviter.school.id;
    let emails: Vec<&str> = rows.iter().map(|(_, i)| i.email.as_str()).collect();
    let existing: HashSet<String> = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::email.eq_any(&emails))
        .select(users::email)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect();
    let known: HashMap<String, String> = courses::table
        .filter(courses::tenant_id.eq(tenant.0))
        .select((courses::slug, courses::title))
        .load::<(String, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let mut refused = Vec::new();
    let mut mails = Vec::new();
    let mut tokens_to_issue = Vec::new();
    for (line, invite) in rows {
        if existing.contains(&invite.email) {
            refused.push(Refused {
                line,
                reason: format!("{} already has an account", invite.email),
            });
            continue;
        }
        if let Some(unknown) = invite.courses.iter().find(|c| !known.contains_key(*c)) {
            refused.push(Refused {
                line,
                reason: format!("no course `{unknown}` at this school"),
            });
            continue;
        }
        let token = crate::accounts::sessions::random_token();
        let titles: Vec<&str> = invite.courses.iter().map(|c| known[c].as_str()).collect();
        let mut ctx = tera::Context::new();
        ctx.insert("name", &invite.name);
        ctx.insert("inviter", inviter.name);
        ctx.insert("role", invite.role.as_str());
        ctx.insert("courses", &titles);
        ctx.insert(
            "link",
            &format!(
                "{}/invitations/{token}",
                inviter.composer.origin(inviter.school)
            ),
        );
        let mail: Mail = inviter.composer.compose(
            inviter.school,
            Kind::Invite,
            (&invite.email, None),
            inviter.school.locale,
            ctx,
        )?;
        mails.push(mail);
        tokens_to_issue.push((token, invite));
    }
    let sent = tokens_to_issue.len();
    issue_tokens(conn, tenant, &tokens_to_issue).await?;
    outbox::enqueue_many(conn, tenant, &mails).await?;
    refused.sort_by_key(|r| r.line);
    Ok((sent, refused))
}

/// Issues one invitation token per invitee (tokens chosen by the caller, for the mails), in
/// statements of a thousand.
async fn issue_tokens(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    invites: &[(String, Invite)],
) -> Result<(), AppError> {
    let expires = Utc::now() + Purpose::Invite.lifetime();
    for chunk in invites.chunks(1000) {
        let rows = chunk
            .iter()
            .map(|(token, invite)| {
                Ok((
                    account_tokens::tenant_id.eq(tenant.0),
                    account_tokens::purpose.eq(Purpose::Invite.as_str()),
                    account_tokens::token_hash.eq(token_hash(token)),
                    account_tokens::email.eq(&invite.email),
                    account_tokens::payload
                        .eq(serde_json::to_value(invite).map_err(AppError::internal)?),
                    account_tokens::expires_at.eq(expires),
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        diesel::insert_into(account_tokens::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_parsed_and_bad_ones_reported_by_line() {
        let csv = "email,name,role,courses\n\
                   ada@example.org,Ada Lovelace,learner,intro-rust data-101\n\
                   not-an-email,Bob,learner,\n\
                   \"grace@example.org\",\"Hopper, Grace\",Instructor\n\
                   ada@example.org,Ada again\n\
                   lin@example.org,Lin,teacher\n\
                   \n\
                   solo@example.org\n\
                   kay@example.org,Kay,,\"a;b|c\"\n";
        let (rows, refused) = parse_csv(csv.as_bytes());
        let lines: Vec<(u64, &str)> = rows.iter().map(|(l, i)| (*l, i.email.as_str())).collect();
        assert_eq!(
            lines,
            [
                (2, "ada@example.org"),
                (4, "grace@example.org"),
                (9, "kay@example.org")
            ]
        );
        assert_eq!(rows[0].1.courses, ["intro-rust", "data-101"]);
        assert_eq!(rows[1].1.name, "Hopper, Grace");
        assert_eq!(rows[1].1.role, Role::Instructor);
        assert_eq!(rows[2].1.courses, ["a", "b", "c"]);
        let refused: Vec<u64> = refused.iter().map(|r| r.line).collect();
        assert_eq!(refused, [3, 5, 6, 8]);
    }

    #[test]
    fn invalid_utf8_is_refused_on_its_line_only() {
        let mut csv = b"ada@example.org,Ada\n".to_vec();
        csv.extend_from_slice(b"bad@example.org,\xff\xfe\n");
        csv.extend_from_slice(b"lin@example.org,Lin\n");
        let (rows, refused) = parse_csv(&csv);
        assert_eq!(rows.len(), 2);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].line, 2);
    }
}
