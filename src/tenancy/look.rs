//! What a school's admins change of its own record: its languages and accent colour. The
//! runtime role only reads `tenants`; `set_school_look` (migration `000017_locales`) writes the
//! row of the school the transaction's door was opened for, and its trigger tells every instance.

use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::AppError;
use crate::i18n::Locale;

pub async fn set(
    conn: &mut AsyncPgConnection,
    locale: Locale,
    locales: &[Locale],
    accent: &str,
) -> Result<(), AppError> {
    let tags: Vec<&str> = locales.iter().map(|l| l.tag()).collect();
    diesel::sql_query("SELECT set_school_look($1, $2, $3)")
        .bind::<Text, _>(locale.tag())
        .bind::<Array<Text>, _>(tags)
        .bind::<Text, _>(accent)
        .execute(conn)
        .await?;
    Ok(())
}
