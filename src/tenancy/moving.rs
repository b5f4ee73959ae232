//! Moving one school to another cluster while it is in use, with PostgreSQL's logical
//! replication: its rows are published on the source with a row filter, a subscription on the
//! target copies them and follows their changes, then the school is frozen on the source for the
//! moment it takes to check the copy and switch the directory.
//!
//! Owner-side: the URLs may be superusers, which row-level security does not stop, so every
//! statement names the school. Nothing is left half done: until the switch, any failure removes
//! the copy and unfreezes the school where it was.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::lifecycle::TABLES;
use crate::db::connect::establish;
use crate::db::migrate::{applied_versions, known_versions, quote_literal};
use crate::ids::TenantId;
use crate::media::key::MediaKey;
use crate::media::store::Store;

/// One end of a move.
pub struct End {
    pub cluster: String,
    /// The owner role's URL.
    pub admin_url: String,
}

/// What a move needs besides its two ends.
pub struct Plan {
    pub slug: String,
    pub source: End,
    pub target: End,
    /// How the target reaches the source to replicate: a role with REPLICATION and BYPASSRLS (or
    /// a superuser), as the target's server can connect to it.
    pub publisher_url: String,
    /// A superuser on the target (PostgreSQL 15 lets only superusers subscribe).
    pub subscriber_url: String,
    /// How long the initial copy, and then the marker, may take before the move is rolled back.
    pub patience: Duration,
    /// The school's media, when the two clusters keep them in different stores.
    pub media: Option<MediaMove>,
}

/// The source cluster's store and the target's, and a folder for copies on their way.
pub struct MediaMove {
    pub from: Store,
    pub to: Store,
    pub staging: std::path::PathBuf,
}

impl MediaMove {
    /// Copies every object of the school the target's store lacks, adding each to `copied` as
    /// soon as it is there (a failure midway must still remove what was copied).
    async fn copy(&self, school: TenantId, copied: &Mutex<Vec<MediaKey>>) -> anyhow::Result<()> {
        let there: HashSet<String> = (self.to.school_keys(school).await?)
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        for key in self.from.school_keys(school).await? {
            if !there.contains(key.as_str()) {
                self.from.copy_to(&key, &self.to, &self.staging).await?;
                copied.lock().expect("copied lock").push(key);
            }
        }
        Ok(())
    }
}

/// What a move did, and how long each part took.
#[derive(Debug)]
pub struct Moved {
    pub school: TenantId,
    /// Rows per table, as compared on both sides.
    pub rows: Vec<(&'static str, i64)>,
    /// From the start to every table copied and following.
    pub copy: Duration,
    /// Media objects copied to the target's store (none when both clusters share one).
    pub objects: usize,
    /// From the freeze to the directory switched on both clusters: the school's writes are
    /// refused (503) for this long.
    pub frozen: Duration,
    pub total: Duration,
}

/// Every table that holds a school's rows, with the column naming the school: the tenant tables
/// and its record.
fn tables() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLES
        .iter()
        .map(|t| (*t, "tenant_id"))
        .chain([("tenants", "id")])
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Flags {
    #[diesel(sql_type = Bool)]
    bypasses_rls: bool,
    #[diesel(sql_type = Bool)]
    replicates: bool,
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Text)]
    digest: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> anyhow::Result<i64> {
    Ok(diesel::sql_query(sql).get_result::<Count>(conn).await?.n)
}

/// The tables whose replica identity lacks `tenant_id`: a row filter on them could not follow
/// updates and deletes (PostgreSQL refuses to publish them), so the move is refused up front.
async fn unfit_identities(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Name> = diesel::sql_query(
        "SELECT c.relname::text AS name
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            AND c.relreplident <> 'f'
            AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = c.oid AND a.attnum = ANY (i.indkey)
                   AND ((c.relreplident = 'd' AND i.indisprimary)
                        OR (c.relreplident = 'i' AND i.indisreplident)))
          ORDER BY 1",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// Checks everything that can be checked before anything changes.
async fn preflight(plan: &Plan, source: &mut AsyncPgConnection) -> anyhow::Result<TenantId> {
    let known = known_versions();
    for end in [&plan.source, &plan.target] {
        if applied_versions(&end.admin_url).await? != known {
            bail!(
                "cluster {} is not at this build's schema: run `eduflow migrate` first (schema \
                 changes are not replicated, so both ends must match)",
                end.cluster
            );
        }
    }
    let unfit = unfit_identities(source).await?;
    if !unfit.is_empty() {
        bail!(
            "the replica identity of {} lacks tenant_id: updates and deletes could not be \
             filtered to one school (set REPLICA IDENTITY to a unique index with tenant_id)",
            unfit.join(", ")
        );
    }
    let level: Name = diesel::sql_query("SELECT current_setting('wal_level') AS name")
        .get_result(source)
        .await?;
    if level.name != "logical" {
        bail!(
            "cluster {} has wal_level = {}; logical replication needs wal_level = logical (a restart)",
            plan.source.cluster,
            level.name
        );
    }
    let mut publisher = establish(&plan.publisher_url)
        .await
        .context("connecting with --publisher-url")?;
    let flags: Flags = diesel::sql_query(
        "SELECT rolsuper OR rolbypassrls AS bypasses_rls, rolsuper OR rolreplication AS replicates
           FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut publisher)
    .await?;
    if !flags.bypasses_rls {
        bail!(
            "the --publisher-url role must bypass row-level security (BYPASSRLS): under it the \
             initial copy would see no rows, copy none, and still report itself done"
        );
    }
    if !flags.replicates {
        bail!("the --publisher-url role needs the REPLICATION attribute");
    }
    let id: Vec<Name> = diesel::sql_query("SELECT id::text AS name FROM tenants WHERE slug = $1")
        .bind::<Text, _>(&plan.slug)
        .load(source)
        .await?;
    let Some(id) = <[Name]>::first(&id) else {
        bail!("no school {} on cluster {}", plan.slug, plan.source.cluster);
    };
    let school = TenantId(id.name.parse()?);
    let moving = count(
        source,
        &format!("SELECT count(*) AS n FROM school_moves WHERE school = '{school}' AND serving"),
    )
    .await?;
    if moving > 0 {
        bail!("{} is being moved already", plan.slug);
    }
    let mut target = establish(&plan.target.admin_url).await?;
    let there = count(
        &mut target,
        &format!(
            "SELECT count(*) AS n FROM tenants WHERE id = '{school}' OR slug = {}",
            quote_literal(&plan.slug)
        ),
    )
    .await?;
    if there > 0 {
        bail!(
            "cluster {} holds a school {} (or its id) already: a move that left it there is \
             finished with `eduflow tenants purge-moved`",
            plan.target.cluster,
            plan.slug
        );
    }
    Ok(school)
}

/// Names of this move's publication, slot and subscription (one name for all three).
fn move_name(school: TenantId) -> String {
    format!("eduflow_move_{}", school.0.simple())
}

/// Moves the school: copy and follow, freeze, marker, compare, switch, clean up.
pub async fn run(plan: &Plan) -> anyhow::Result<Moved> {
    let start = Instant::now();
    let mut source = establish(&plan.source.admin_url)
        .await
        .context("connecting to the source cluster")?;
    let school = preflight(plan, &mut source).await?;
    let name = move_name(school);
    let copied = Mutex::new(Vec::new());
    let result = copy_and_switch(plan, school, &name, &mut source, start, &copied).await;
    match result {
        Ok(moved) => {
            finish(plan, school, &name).await?;
            Ok(moved)
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "the move failed; rolling back");
            let copied = copied.into_inner().expect("copied lock");
            if let Err(undo) = roll_back(plan, school, &name, &copied).await {
                bail!(
                    "{e:#}; rolling back failed too ({undo:#}): remove the subscription {name} on \
                     {}, the publication and slot {name} on {}, and the school's rows and media \
                     on {}",
                    plan.target.cluster,
                    plan.source.cluster,
                    plan.target.cluster
                );
            }
            Err(e.context("the move was rolled back; the school stays where it was"))
        }
    }
}

async fn copy_and_switch(
    plan: &Plan,
    school: TenantId,
    name: &str,
    source: &mut AsyncPgConnection,
    start: Instant,
    copied: &Mutex<Vec<MediaKey>>,
) -> anyhow::Result<Moved> {
    // Objects are immutable under their keys: what is copied stays right. Those stored while
    // the school is copied are taken in a second pass, once it is frozen.
    let copy_media = || async {
        if let Some(media) = &plan.media {
            (media.copy(school, copied).await).context("copying the school's media")?;
        }
        anyhow::Ok(())
    };
    let mut target = establish(&plan.target.admin_url).await?;
    let mut subscriber = establish(&plan.subscriber_url)
        .await
        .context("connecting with --subscriber-url")?;
    // The copy stays hidden on the target until the switch; the source keeps serving.
    record_move(&mut target, school, "in", &plan.source.cluster, false).await?;
    record_move(source, school, "out", &plan.target.cluster, true).await?;
    // Inserts, updates and deletes only: a published TRUNCATE would empty the whole table on the
    // target, every other school's rows with it.
    let published = tables()
        .map(|(table, column)| format!("{table} WHERE ({column} = '{school}')"))
        .chain([format!("move_markers WHERE (school = '{school}')")])
        .collect::<Vec<_>>()
        .join(", ");
    source
        .batch_execute(&format!(
            "CREATE PUBLICATION {name} FOR TABLE {published} WITH (publish = 'insert, update, delete')"
        ))
        .await
        .context("publishing the school's rows")?;
    // The slot is made apart from the subscription: made by CREATE SUBSCRIPTION, it would wait
    // forever when both ends are databases of one server.
    // Making a slot waits for every transaction running on the source's server to end: a long
    // one would hold the move up, so the wait is bounded too.
    let mut publisher = establish(&plan.publisher_url).await?;
    publisher
        .batch_execute(&format!(
            "SET statement_timeout = {};
             SELECT pg_create_logical_replication_slot('{name}', 'pgoutput');
             RESET statement_timeout;",
            plan.patience.as_millis().max(1)
        ))
        .await
        .context("creating the replication slot")?;
    subscriber
        .batch_execute(&format!(
            "CREATE SUBSCRIPTION {name} CONNECTION {} PUBLICATION {name}
             WITH (create_slot = false, slot_name = '{name}', copy_data = true)",
            quote_literal(&plan.publisher_url)
        ))
        .await
        .context("subscribing on the target")?;

    // 1. Every table copied and following.
    let deadline = Instant::now() + plan.patience;
    loop {
        let waiting = count(
            &mut subscriber,
            &format!(
                "SELECT count(*) AS n FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
                  WHERE s.subname = '{name}' AND r.srsubstate <> 'r'"
            ),
        )
        .await?;
        let tables = count(
            &mut subscriber,
            &format!(
                "SELECT count(*) AS n FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid
                  WHERE s.subname = '{name}'"
            ),
        )
        .await?;
        if tables > 0 && waiting == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the initial copy did not finish within {:?}", plan.patience);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    copy_media().await?;
    let copy = start.elapsed();

    // 2. Freeze: from its commit every write of the school on the source fails, whoever sends it
    // (an instance that has not learned of the switch yet included). Creating a trigger waits
    // for the transactions writing that table: the ones in flight finish first.
    let frozen_at = Instant::now();
    freeze(source, school, name).await?;

    // 3. The marker: once the target has it, it has everything committed before it.
    let token = uuid::Uuid::new_v4();
    source
        .batch_execute(&format!(
            "INSERT INTO move_markers (school, token) VALUES ('{school}', '{token}')"
        ))
        .await?;
    let deadline = Instant::now() + plan.patience;
    while count(
        &mut target,
        &format!("SELECT count(*) AS n FROM move_markers WHERE token = '{token}'"),
    )
    .await?
        == 0
    {
        if Instant::now() > deadline {
            bail!(
                "the marker did not reach the target within {:?}",
                plan.patience
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // An object is stored before the row naming it is written: every row now on the target
    // names an object the source's store has, and the target's gets it here.
    copy_media().await?;

    // 4. The same rows on both sides, table by table.
    let mut rows = Vec::new();
    for (table, column) in tables() {
        let sql = format!(
            "SELECT count(*) AS n,
                    COALESCE(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') AS digest
               FROM {table} t WHERE {column} = '{school}'"
        );
        let here: Sum = diesel::sql_query(&sql).get_result(&mut publisher).await?;
        let there: Sum = diesel::sql_query(&sql).get_result(&mut subscriber).await?;
        if here.n != there.n || here.digest != there.digest {
            bail!(
                "{table} differs after the copy: {} row(s) on {}, {} on {}",
                here.n,
                plan.source.cluster,
                there.n,
                plan.target.cluster
            );
        }
        rows.push((table, here.n));
    }
    sync_sequences(source, &mut subscriber).await?;

    // 5. The switch: served from the target, then no longer from the source. Every instance
    // hears both (`school_moves` announces itself) and reloads its host map.
    target
        .batch_execute(&format!(
            "UPDATE school_moves SET serving = true, switched_at = now() WHERE school = '{school}'"
        ))
        .await?;
    source
        .batch_execute(&format!(
            "UPDATE school_moves SET serving = false, switched_at = now() WHERE school = '{school}'"
        ))
        .await?;
    Ok(Moved {
        school,
        rows,
        copy,
        objects: copied.lock().expect("copied lock").len(),
        frozen: frozen_at.elapsed(),
        total: start.elapsed(),
    })
}

/// The freeze triggers, all in one transaction. Waiting for a busy table's lock is retried
/// rather than left to hold every other table's.
async fn freeze(
    source: &mut AsyncPgConnection,
    school: TenantId,
    name: &str,
) -> anyhow::Result<()> {
    let mut sql = String::from("BEGIN; SET LOCAL lock_timeout = '1s';");
    for (table, column) in tables() {
        sql.push_str(&format!(
            "CREATE TRIGGER {name}_new BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW
               WHEN (NEW.{column} = '{school}') EXECUTE FUNCTION school_frozen('{school}');
             CREATE TRIGGER {name}_old BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW
               WHEN (OLD.{column} = '{school}') EXECUTE FUNCTION school_frozen('{school}');"
        ));
    }
    sql.push_str("COMMIT;");
    for attempt in 0.. {
        match source.batch_execute(&sql).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 20 => {
                tracing::warn!(error = %e, "freezing the school waited too long for a lock; again");
                source.batch_execute("ROLLBACK").await?;
            }
            Err(e) => return Err(e).context("freezing the school"),
        }
    }
    unreachable!("the loop returns")
}

/// Sequences are not replicated: each one on the target is raised to at least the source's
/// value, so ids drawn there never meet a copied one. (EduFlow's own ids are UUIDs; a sequence
/// an operator added is covered too.)
async fn sync_sequences(
    source: &mut AsyncPgConnection,
    target: &mut AsyncPgConnection,
) -> anyhow::Result<()> {
    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    let sequences: Vec<Seq> = diesel::sql_query(
        "SELECT format('%I', sequencename) AS name, COALESCE(last_value, 0) AS value
           FROM pg_sequences WHERE schemaname = 'public'",
    )
    .load(source)
    .await?;
    for seq in sequences {
        target
            .batch_execute(&format!(
                "SELECT setval('{0}', greatest({1}, (SELECT COALESCE(last_value, 1) FROM {0})))",
                seq.name, seq.value
            ))
            .await?;
    }
    Ok(())
}

/// Removes the subscription, its slots, the publication and the target's record of the move;
/// the freeze on the source stays (with the source's rows) until they are purged.
async fn finish(plan: &Plan, school: TenantId, name: &str) -> anyhow::Result<()> {
    tear_down(plan, school, name, false).await.map(drop)
}

/// Drops the subscription (first, so nothing more arrives), the target's record of the move and,
/// with `delete_copy`, the copy; then the slots and the publication. Returns the owner's
/// connection to the source.
async fn tear_down(
    plan: &Plan,
    school: TenantId,
    name: &str,
    delete_copy: bool,
) -> anyhow::Result<AsyncPgConnection> {
    let mut subscriber = establish(&plan.subscriber_url).await?;
    let slots = unsubscribe(&mut subscriber, name).await?;
    if delete_copy {
        delete_rows(&mut subscriber, school, 10_000).await?;
    }
    forget_move(&mut subscriber, school).await?;
    let mut publisher = establish(&plan.publisher_url).await?;
    drop_slots(&mut publisher, &slots).await?;
    let mut source = establish(&plan.source.admin_url).await?;
    source
        .batch_execute(&format!("DROP PUBLICATION IF EXISTS {name}"))
        .await?;
    Ok(source)
}

/// A cluster's record of the school's move: `direction` `in` or `out`, from or to `other`.
async fn record_move(
    conn: &mut AsyncPgConnection,
    school: TenantId,
    direction: &str,
    other: &str,
    serving: bool,
) -> anyhow::Result<()> {
    conn.batch_execute(&format!(
        "INSERT INTO school_moves (school, direction, other, serving)
         VALUES ('{school}', '{direction}', {}, {serving})",
        quote_literal(other)
    ))
    .await?;
    Ok(())
}

/// Removes a cluster's record of the school's move (and its markers).
async fn forget_move(conn: &mut AsyncPgConnection, school: TenantId) -> anyhow::Result<()> {
    conn.batch_execute(&format!(
        "DELETE FROM move_markers WHERE school = '{school}';
         DELETE FROM school_moves WHERE school = '{school}';"
    ))
    .await?;
    Ok(())
}

async fn unsubscribe(subscriber: &mut AsyncPgConnection, name: &str) -> anyhow::Result<String> {
    let oid = count(
        subscriber,
        &format!("SELECT COALESCE(max(oid::bigint), 0) AS n FROM pg_subscription WHERE subname = '{name}'"),
    )
    .await?;
    if oid > 0 {
        // One statement per transaction, and the workers gone before the drop: a transaction
        // left open here would hold up any logical slot being made on the source's server
        // meanwhile (slot creation waits for every running transaction there).
        subscriber
            .batch_execute(&format!("ALTER SUBSCRIPTION {name} DISABLE"))
            .await?;
        for _ in 0..200 {
            let running = count(
                subscriber,
                &format!(
                    "SELECT count(*) AS n FROM pg_stat_subscription WHERE subname = '{name}' AND pid IS NOT NULL"
                ),
            )
            .await?;
            if running == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        subscriber
            .batch_execute(&format!("ALTER SUBSCRIPTION {name} SET (slot_name = NONE)"))
            .await?;
        subscriber
            .batch_execute(&format!("DROP SUBSCRIPTION {name}"))
            .await?;
    }
    Ok(format!(
        "slot_name = '{name}' OR slot_name LIKE 'pg\\_{oid}\\_sync\\_%'"
    ))
}

/// Drops the slots `which` selects once their senders have let go of them: a slot left behind
/// would keep the source's WAL forever.
async fn drop_slots(publisher: &mut AsyncPgConnection, which: &str) -> anyhow::Result<()> {
    for _ in 0..200 {
        let active = count(
            publisher,
            &format!("SELECT count(*) AS n FROM pg_replication_slots WHERE ({which}) AND active"),
        )
        .await?;
        if active == 0 {
            publisher
                .batch_execute(&format!(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                      WHERE ({which})"
                ))
                .await?;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("a replication slot of the move is still in use ({which})")
}

/// Undoes a move that did not switch: no subscription, slot or publication; the copy on the
/// target deleted, its media objects (`copied`) too; the school unfrozen and served where it
/// was.
async fn roll_back(
    plan: &Plan,
    school: TenantId,
    name: &str,
    copied: &[MediaKey],
) -> anyhow::Result<()> {
    if let Some(media) = &plan.media {
        for key in copied {
            media.to.delete(key).await?;
        }
    }
    let mut source = tear_down(plan, school, name, true).await?;
    unfreeze(&mut source, name).await?;
    forget_move(&mut source, school).await
}

async fn unfreeze(conn: &mut AsyncPgConnection, name: &str) -> anyhow::Result<()> {
    let mut sql = String::from("BEGIN;");
    for (table, _) in tables() {
        sql.push_str(&format!(
            "DROP TRIGGER IF EXISTS {name}_new ON {table}; DROP TRIGGER IF EXISTS {name}_old ON {table};"
        ));
    }
    sql.push_str("COMMIT;");
    conn.batch_execute(&sql).await?;
    Ok(())
}

/// Deletes the school's rows, `batch` at a time per table (children first), its record last.
/// The school is set for the session: under row-level security (the owner role) its rows are
/// the ones visible, and every statement names it besides.
async fn delete_rows(
    conn: &mut AsyncPgConnection,
    school: TenantId,
    batch: i64,
) -> anyhow::Result<i64> {
    conn.batch_execute(&format!(
        "SELECT set_config('app.tenant_id', '{school}', false)"
    ))
    .await?;
    let mut deleted = 0;
    for (table, column) in tables() {
        loop {
            let n = diesel::sql_query(format!(
                "WITH gone AS (DELETE FROM {table} WHERE ctid IN
                   (SELECT ctid FROM {table} WHERE {column} = '{school}' LIMIT {batch}) RETURNING 1)
                 SELECT count(*) AS n FROM gone"
            ))
            .get_result::<Count>(conn)
            .await?
            .n;
            deleted += n;
            if n < batch {
                break;
            }
        }
    }
    Ok(deleted)
}

/// The schools that moved away from this cluster before `before` (the rollback window), and
/// the cluster each went to. `conn` is the owner role on the source.
pub async fn moved_away(
    conn: &mut AsyncPgConnection,
    before: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<(TenantId, String)>> {
    #[derive(QueryableByName)]
    struct Left {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        school: uuid::Uuid,
        #[diesel(sql_type = Text)]
        other: String,
    }
    let left: Vec<Left> = diesel::sql_query(
        "SELECT school, other FROM school_moves
          WHERE direction = 'out' AND NOT serving AND switched_at < $1",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(before)
    .load(conn)
    .await?;
    Ok(left
        .into_iter()
        .map(|l| (TenantId(l.school), l.other))
        .collect())
}

/// Deletes the rows a school that moved away left on this cluster, in batches, its freeze
/// first (no instance still routes a write there by then); returns how many.
pub async fn purge(conn: &mut AsyncPgConnection, school: TenantId) -> anyhow::Result<i64> {
    unfreeze(conn, &move_name(school)).await?;
    let n = delete_rows(conn, school, 1_000).await?;
    conn.batch_execute("SELECT set_config('app.tenant_id', '', false)")
        .await?;
    forget_move(conn, school).await?;
    Ok(n)
}
