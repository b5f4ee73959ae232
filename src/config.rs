//! Settings: command-line flags, each with an environment fallback, parsed and checked once.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::db::pools::Pooler;
pub use crate::regions::WriteMode;

#[derive(Debug, Parser)]
#[command(
    name = "eduflow",
    version,
    about = "EduFlow: a multi-tenant learning platform. Each school lives on its own host name."
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,

    /// Where the embedded PostgreSQL cluster and other local state live.
    #[arg(
        long,
        env = "EDUFLOW_DATA_DIR",
        default_value = ".eduflow",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Folder of school files (`<slug>.toml`, one per school).
    #[arg(
        long,
        env = "EDUFLOW_TENANTS_DIR",
        default_value = "tenants",
        global = true
    )]
    pub tenants_dir: PathBuf,

    /// Schools are served at `<slug>.<base domain>`; the bare domain shows EduFlow's landing page.
    #[arg(long, env = "EDUFLOW_BASE_DOMAIN", default_value = "localhost", global = true, value_parser = parse_domain)]
    pub base_domain: String,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Let webhook endpoints be on loopback and private addresses (tests, private deployments).
    /// Off, an endpoint whose host resolves to such an address is refused, when it is added and
    /// at every delivery.
    #[arg(long, env = "EDUFLOW_WEBHOOKS_ALLOW_PRIVATE", global = true)]
    pub webhooks_allow_private: bool,

    /// Let schools' identity providers (their discovery, keys, token and userinfo endpoints) be
    /// on loopback and private addresses (tests, providers inside a private network). Off, such a
    /// provider is refused at every call.
    #[arg(long, env = "EDUFLOW_SSO_ALLOW_PRIVATE", global = true)]
    pub sso_allow_private: bool,

    /// Let schools' learning record stores (xAPI) be on loopback and private addresses (tests,
    /// an LRS inside a private network). Off, such an LRS is refused at every send.
    #[arg(long, env = "EDUFLOW_LRS_ALLOW_PRIVATE", global = true)]
    pub lrs_allow_private: bool,

    /// Let LTI tools' key sets (JWKS URLs) be on loopback and private addresses (tests, private
    /// deployments). Off, a token request or deep-linking answer from such a tool is refused.
    #[arg(long, env = "EDUFLOW_LTI_ALLOW_PRIVATE", global = true)]
    pub lti_allow_private: bool,

    /// Log format: `pretty` for people, `json` for log pipelines. Levels come from RUST_LOG.
    #[arg(long, env = "EDUFLOW_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Where media bytes live.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// `local` (a folder, the embedded default) or `s3` (any S3-compatible bucket; credentials
    /// from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the instance's role).
    #[arg(long, env = "EDUFLOW_MEDIA_STORE", value_enum, default_value_t = StoreKind::Local, global = true)]
    pub media_store: StoreKind,

    /// Folder of the local media store (default: `<data dir>/media`).
    #[arg(long, env = "EDUFLOW_MEDIA_DIR", global = true)]
    pub media_dir: Option<PathBuf>,

    /// The bucket (with `--media-store s3`).
    #[arg(long, env = "EDUFLOW_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,

    /// The bucket's region (`auto` for Cloudflare R2).
    #[arg(
        long,
        env = "EDUFLOW_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub s3_region: String,

    /// The S3 endpoint URL for services other than AWS (R2, Tigris, MinIO…).
    #[arg(long, env = "EDUFLOW_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    /// Address objects as `endpoint/bucket/key` (MinIO and other self-hosted servers).
    #[arg(long, env = "EDUFLOW_S3_PATH_STYLE", global = true)]
    pub s3_path_style: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Local,
    S3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Runtime role's connection URL (subject to row-level security). Without it, EduFlow starts a
    /// private PostgreSQL cluster under `<data dir>/pg` from the machine's binaries. A multi-host
    /// URL with `target_session_attrs=read-write` follows a failover; each host's attempt gets
    /// the URL's `connect_timeout` (default 5 s). Its cluster is the directory (`main`), which
    /// lists any other cluster schools live on (`eduflow clusters`).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Owner role's connection URL, for migrations, school sync and seeding.
    #[arg(
        long,
        env = "DATABASE_ADMIN_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_admin_url: Option<String>,

    /// Read replicas, comma-separated. An entry may name the region it serves
    /// (`syd=postgres://…`): an instance uses its own region's entries (see --region) and the
    /// unprefixed ones. Without any, reads use the primary. An entry may be a multi-host URL with
    /// `target_session_attrs=read-only` (whichever host is a standby); its host list stays whole.
    #[arg(
        long,
        env = "DATABASE_REPLICA_URLS",
        value_delimiter = ',',
        global = true,
        hide_env_values = true
    )]
    pub database_replica_urls: Vec<String>,

    /// A direct connection to the primary for LISTEN/NOTIFY, which needs a session of its own:
    /// never a transaction-mode pooler. Default: DATABASE_URL.
    #[arg(
        long,
        env = "DATABASE_LISTEN_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_listen_url: Option<String>,

    /// The pgBackRest configuration file that reaches the `main` cluster's repository, when
    /// DATABASE_URL names a server of your own (`tenants restore --to`, `backup`). The
    /// embedded database keeps its own in `<data dir>/backups`.
    #[arg(
        long,
        env = "DATABASE_BACKUP_CONFIG",
        global = true,
        value_name = "FILE"
    )]
    pub database_backup_config: Option<PathBuf>,

    /// The stanza in that configuration.
    #[arg(
        long,
        env = "DATABASE_BACKUP_STANZA",
        global = true,
        default_value = "eduflow"
    )]
    pub database_backup_stanza: String,

    /// What sits in front of PostgreSQL: `none`, or `transaction` for a transaction-mode pooler
    /// such as PgBouncer (no named or cached prepared statement outlives its transaction).
    #[arg(long, env = "EDUFLOW_DATABASE_POOLER", value_enum, default_value_t = Pooler::None, global = true)]
    pub database_pooler: Pooler,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (and, without DATABASE_URL, its private PostgreSQL).
    Serve(Box<ServeArgs>),
    /// Apply migrations as the owner and (re)create the runtime role's grants.
    Migrate(MigrateArgs),
    /// Manage schools.
    Tenants {
        #[command(subcommand)]
        command: TenantsCommand,
    },
    /// The PostgreSQL clusters schools are placed on (the directory lives in DATABASE_URL's).
    Clusters {
        #[command(subcommand)]
        command: ClustersCommand,
    },
    /// Add demo content, or generate a large data set for benchmarks.
    Seed(SeedArgs),
    /// Manage a school's accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Publish or unpublish a course from the command line.
    Courses {
        #[command(subcommand)]
        command: CoursesCommand,
    },
    /// Quizzes from GIFT files.
    Quiz {
        #[command(subcommand)]
        command: QuizCommand,
    },
    /// A school's API tokens, for its own systems (shown once, stored hashed).
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
    },
    /// A school's webhook endpoints (signed as Standard Webhooks says).
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// SCORM packages as lessons.
    Scorm {
        #[command(subcommand)]
        command: ScormCommand,
    },
    /// LTI 1.3 tools a school launches, and its platform keys.
    Lti {
        #[command(subcommand)]
        command: LtiCommand,
    },
    /// Backups with pgBackRest: the embedded database's (in `<data dir>/backups`), or a
    /// cluster's own repository (`clusters add --backup-config`).
    Backup {
        /// The cluster whose backups these are.
        #[arg(long, global = true, default_value = "main")]
        cluster: crate::db::ClusterName,
        #[command(subcommand)]
        command: BackupCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Take a full backup now.
    Now,
    /// The backups in the repository.
    List,
    /// Check that WAL is archived and re-read every backup and WAL file; fails on any problem.
    Verify,
    /// Restore the database as it was at a moment into a new directory (the running one is
    /// never touched): recovery replays archived WAL up to that moment.
    Restore {
        /// The moment, RFC 3339 (e.g. 2026-11-30T14:05:00Z); after the end of some backup.
        #[arg(long, value_parser = parse_time)]
        to: chrono::DateTime<chrono::Utc>,
        /// Where (a new or empty directory; default `<data dir>/restored-<time>`).
        #[arg(long)]
        into: Option<PathBuf>,
    },
}

fn parse_clock(s: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").map_err(|e| format!("{e}: write HH:MM"))
}

fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{e}: write an RFC 3339 time such as 2026-11-30T14:05:00Z"))
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// With a superuser (or CREATEROLE) DATABASE_ADMIN_URL: create this NOLOGIN role if missing,
    /// hand it every EduFlow object and run the migrations as it. Later owner-side commands use
    /// it by adding `?options=-c%20role%3D<role>` to DATABASE_ADMIN_URL.
    #[arg(long, env = "EDUFLOW_OWNER_ROLE")]
    pub owner_role: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClustersCommand {
    /// Add a cluster: its schema is migrated to this build's, then it is listed in the
    /// directory (every instance opens its pools when first needed).
    Add(Box<ClusterArgs>),
    /// Every cluster: region, schools, schema version.
    List,
    /// Take a cluster out of the directory. Refused while schools are on it.
    Remove { name: crate::db::ClusterName },
}

#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Its name: lower-case letters, digits and dashes (`eu`, `us-east`).
    pub name: crate::db::ClusterName,
    /// The runtime role's URL (as DATABASE_URL).
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub url: String,
    /// The owner role's URL (as DATABASE_ADMIN_URL).
    #[arg(long, value_name = "URL", hide_env_values = true)]
    pub admin_url: String,
    /// A direct URL for LISTEN when --url goes through a transaction-mode pooler.
    #[arg(long, value_name = "URL")]
    pub listen_url: Option<String>,
    /// Its read replicas, comma-separated.
    #[arg(long, value_name = "URLS", value_delimiter = ',')]
    pub replica_urls: Vec<String>,
    /// The region its primary runs in: writes to its schools are replayed there.
    #[arg(long, default_value = "")]
    pub region: String,
    /// A bucket for its schools' media, in its region (default: the instances' own store).
    /// With a local store, a folder `buckets/<name>` beside the store's own.
    #[arg(long, value_name = "NAME", value_parser = crate::db::clusters::MediaHome::parse_bucket)]
    pub media_bucket: Option<String>,
    /// That bucket's region, when not EDUFLOW_S3_REGION.
    #[arg(long, value_name = "REGION", requires = "media_bucket")]
    pub media_region: Option<String>,
    /// That bucket's S3 endpoint, when not EDUFLOW_S3_ENDPOINT.
    #[arg(long, value_name = "URL", requires = "media_bucket")]
    pub media_endpoint: Option<String>,
    /// The pgBackRest configuration file reaching its repository in its region (read where
    /// `eduflow` runs): `tenants restore --to` and `backup --cluster` use it.
    #[arg(long, value_name = "FILE")]
    pub backup_config: Option<PathBuf>,
    /// The stanza in that configuration.
    #[arg(long, default_value = "eduflow")]
    pub backup_stanza: String,
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Make the database follow `tenants/*.toml` (create or change): all files or nothing.
    Sync,
    /// Check the files without touching the database.
    Check,
    /// Create a school on the running fleet (every instance serves it within a second).
    Create(Box<SchoolArgs>),
    /// Change a school: only the given flags (or the whole `--from` file) replace what it has.
    Update(Box<SchoolArgs>),
    /// Suspend a school: every route answers 503, its data stays.
    Suspend { slug: String },
    /// Serve a suspended school again.
    Resume { slug: String },
    /// Delete a school: every row and media object. Needs `--confirm <slug>`.
    Delete {
        slug: String,
        /// The slug again, to confirm.
        #[arg(long)]
        confirm: Option<String>,
    },
    /// Every school with its state and domains.
    List,
    /// Write a whole school (every row but sessions, every media object) to one archive.
    Export {
        slug: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a school from an archive, with new ids, into this installation.
    Import {
        file: PathBuf,
        /// Import under this slug (the custom domains stay with the original school).
        #[arg(long = "as", value_name = "SLUG")]
        as_slug: Option<String>,
        /// The cluster to place it on (its rows there, its media in that cluster's store).
        #[arg(long, default_value = "main")]
        cluster: crate::db::ClusterName,
    },
    /// Bring one school back as it was at a moment, beside the live one (or in its place, with
    /// --confirm): its cluster is restored to that moment from that cluster's pgBackRest
    /// repository into a scratch cluster, the school is exported from it and imported on its
    /// cluster. No other school is touched.
    Restore {
        /// The school's slug (it may have been deleted since).
        slug: String,
        /// The moment, RFC 3339 (e.g. 2026-11-30T14:05:00Z); after the end of some backup.
        #[arg(long, value_parser = parse_time, required_unless_present = "from_database")]
        to: Option<chrono::DateTime<chrono::Utc>>,
        /// Take the school from this database instead: a point-in-time copy of your own
        /// PostgreSQL that you restored and started (pgBackRest, your provider's PITR); the owner
        /// role's URL.
        #[arg(
            long,
            value_name = "URL",
            conflicts_with = "to",
            hide_env_values = true
        )]
        from_database: Option<String>,
        /// The restored school's slug (default: `<slug>-<YYYYMMDDHHMM of the moment>`, or
        /// `<slug>-restored` with --from-database).
        #[arg(long = "as", value_name = "NEW-SLUG", conflicts_with = "confirm")]
        as_slug: Option<String>,
        /// Replace the live school instead (repeat its slug to confirm): the restored copy takes
        /// its slug and custom domains; the live one is kept, suspended, as
        /// `<slug>-replaced-<YYYYMMDDHHMM of now>`.
        #[arg(long, value_name = "SLUG")]
        confirm: Option<String>,
        /// The cluster a school deleted since was on (one still there is found on its own).
        #[arg(long, value_name = "NAME")]
        cluster: Option<crate::db::ClusterName>,
    },
    /// Move a school to another cluster while it is in use (logical replication): copied and
    /// followed, frozen for a moment (its writes answer 503), compared table by table, switched.
    /// Any failure before the switch rolls it back. The source keeps its rows, refusing writes,
    /// until `tenants purge-moved`.
    Move {
        slug: String,
        /// The cluster it goes to (see `eduflow clusters list`).
        #[arg(long = "to", value_name = "CLUSTER")]
        to: crate::db::ClusterName,
        /// How the target's server reaches the source to replicate: a role with REPLICATION and
        /// BYPASSRLS (or a superuser) on the source.
        #[arg(
            long,
            value_name = "URL",
            env = "EDUFLOW_PUBLISHER_URL",
            hide_env_values = true
        )]
        publisher_url: String,
        /// A superuser on the target (PostgreSQL 15 lets only superusers subscribe).
        #[arg(
            long,
            value_name = "URL",
            env = "EDUFLOW_SUBSCRIBER_URL",
            hide_env_values = true
        )]
        subscriber_url: String,
        /// Seconds the initial copy (and then the marker) may take before the move is rolled back.
        #[arg(long, default_value_t = 600)]
        patience_secs: u64,
    },
    /// Delete, in batches, the rows schools left behind on their old cluster when they moved
    /// more than the rollback window ago.
    PurgeMoved {
        /// The rollback window, in hours.
        #[arg(long, default_value_t = 24)]
        older_than_hours: u32,
    },
}

/// A school described by flags, or by a school file (`--from`) that flags then amend.
#[derive(Debug, Args)]
pub struct SchoolArgs {
    /// The school's slug (its subdomain). Optional with `--from`.
    pub slug: Option<String>,
    /// The cluster a new school is placed on (default: `main`, the directory's own); see
    /// `eduflow clusters list`. A school changes cluster only with `tenants move`.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<crate::db::ClusterName>,
    /// A school file (`tenants/*.toml` format).
    #[arg(long, value_name = "FILE.toml")]
    pub from: Option<PathBuf>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub tagline: Option<String>,
    /// A custom domain; repeat for several. Replaces the school's list (`--domain ''` empties it).
    #[arg(long = "domain", value_name = "HOST")]
    pub domains: Option<Vec<String>>,
    /// Branding colour, `#rrggbb`.
    #[arg(long)]
    pub accent_color: Option<String>,
    /// Branding logo: a `/static/…` path or an https:// URL.
    #[arg(long)]
    pub logo: Option<String>,
    /// A category; repeat for several, in order. Replaces the school's list.
    #[arg(long = "category", value_name = "SLUG=NAME")]
    pub categories: Option<Vec<String>>,
    /// An email that becomes the school's admin; repeat for several. Replaces the list.
    #[arg(long = "admin", value_name = "EMAIL")]
    pub admins: Option<Vec<String>>,
    /// Learners must verify their email address before they enroll.
    #[arg(long, value_name = "true|false")]
    pub require_verified_email: Option<bool>,
    /// The name the school's mail is signed with (`''`: the school's name).
    #[arg(long)]
    pub mail_sender_name: Option<String>,
    /// Where replies to the school's mail go (`''`: none).
    #[arg(long)]
    pub mail_reply_to: Option<String>,
    /// The school's default language (a tag such as `de`; one of its locales).
    #[arg(long, value_name = "TAG")]
    pub locale: Option<String>,
    /// The languages the school offers, comma-separated (`en,de,ar`); replaces its list.
    #[arg(long, value_name = "TAGS", value_delimiter = ',')]
    pub locales: Option<Vec<String>>,
    /// The school's xAPI learning record store: statements go to `URL/statements` (`''`: none,
    /// and nothing more is sent).
    #[arg(long, value_name = "URL")]
    pub lrs_endpoint: Option<String>,
    /// The LRS's HTTP Basic user name.
    #[arg(long, value_name = "U")]
    pub lrs_username: Option<String>,
    /// The environment variable holding the LRS's password (a password is never an argument).
    #[arg(long, value_name = "VAR")]
    pub lrs_password_env: Option<String>,
    /// Statements name learners by their email address (mbox) instead of their account here.
    #[arg(long, value_name = "true|false")]
    pub lrs_mbox: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account. The password comes from EDUFLOW_USER_PASSWORD, or a random one is
    /// generated and printed once.
    Create(NewUserArgs),
}

#[derive(Debug, Args)]
pub struct NewUserArgs {
    /// The school's slug.
    #[arg(long)]
    pub school: String,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// learner, instructor or admin.
    #[arg(long, default_value = "learner", value_parser = ["learner", "instructor", "admin"])]
    pub role: String,
    #[arg(long, env = "EDUFLOW_USER_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Make a token and print it once.
    Create(NewTokenArgs),
    /// A school's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        school: String,
    },
    /// Revoke a token by its id: every instance refuses it within a second.
    Revoke {
        #[arg(long)]
        school: String,
        id: uuid::Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add an endpoint and print its `whsec_` signing secret once.
    Add {
        /// The school's slug.
        #[arg(long)]
        school: String,
        /// Where events are POSTed (`https://…`; loopback and private addresses only with
        /// EDUFLOW_WEBHOOKS_ALLOW_PRIVATE).
        #[arg(long)]
        url: String,
        /// An event to send; repeat, or list several after one flag.
        #[arg(long = "event", required = true, num_args = 1.., value_parser = [
            "user.created", "enrollment.created", "enrollment.removed", "lesson.completed",
            "course.completed", "quiz.attempted", "certificate.issued", "certificate.revoked",
        ])]
        events: Vec<String>,
    },
    /// A school's endpoints and their state (never their secrets).
    List {
        #[arg(long)]
        school: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScormCommand {
    /// Add a SCORM 1.2 or 2004 package (a zip) as a lesson at the end of a course; prints its id.
    Import {
        #[arg(long)]
        school: String,
        /// The course's slug.
        #[arg(long)]
        course: String,
        #[arg(long)]
        title: String,
        file: PathBuf,
    },
}

/// Where the school's public pages are, for the URLs the LTI commands print (as `serve` is told).
#[derive(Debug, Args)]
pub struct PublicUrlArgs {
    /// The public URLs are https.
    #[arg(long, env = "EDUFLOW_HTTPS")]
    pub https: bool,
    /// The public port, when not the scheme's own.
    #[arg(long, env = "EDUFLOW_PUBLIC_PORT")]
    pub public_port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum LtiCommand {
    /// Register a tool; prints its client_id and deployment_id and the platform's issuer, jwks,
    /// authorize and token URLs.
    AddTool {
        /// The school's slug.
        #[arg(long)]
        school: String,
        /// The tool's name (shown to instructors; `add-lesson --tool` names it).
        #[arg(long)]
        name: String,
        /// The tool's OIDC login initiation URL.
        #[arg(long)]
        login_url: String,
        /// A URL the tool receives launches at; repeat, or list several after one flag.
        #[arg(long = "redirect-uri", required = true, num_args = 1..)]
        redirect_uris: Vec<String>,
        /// Where the tool publishes its keys (JWKS).
        #[arg(
            long,
            required_unless_present = "public_key_file",
            conflicts_with = "public_key_file"
        )]
        jwks_url: Option<String>,
        /// The tool's one public key as a JWK (a JSON file), when it publishes no JWKS.
        #[arg(long)]
        public_key_file: Option<PathBuf>,
        /// Where instructors choose the tool's content (Deep Linking).
        #[arg(long)]
        deep_linking_url: Option<String>,
        #[command(flatten)]
        public: PublicUrlArgs,
    },
    /// Add a lesson that launches a registered tool at the end of a course; prints its id.
    AddLesson {
        #[arg(long)]
        school: String,
        /// The course's slug.
        #[arg(long)]
        course: String,
        /// The tool's name.
        #[arg(long)]
        tool: String,
        #[arg(long)]
        title: String,
        /// Where the tool launches it.
        #[arg(long)]
        url: String,
        /// The score, in per cent of the maximum, that completes the lesson.
        #[arg(long, default_value_t = 70)]
        pass_mark: i32,
        /// The lesson's line item's maximum score.
        #[arg(long, default_value_t = 100.0)]
        score_maximum: f64,
    },
    /// A school's tools.
    Tools {
        #[arg(long)]
        school: String,
    },
    /// Retire the school's signing key after an overlap; the next launch signs with a new one.
    RotateKey {
        #[arg(long)]
        school: String,
        /// How long tools may still verify with the old key, in hours.
        #[arg(long, default_value_t = 24)]
        overlap_hours: u64,
    },
}

#[derive(Debug, Args)]
pub struct NewTokenArgs {
    /// The school's slug.
    #[arg(long)]
    pub school: String,
    /// What the token is for (shown to admins).
    #[arg(long)]
    pub name: String,
    /// What it may do; repeat, or list several after one flag.
    #[arg(long = "scope", required = true, num_args = 1.., value_parser = [
        "catalog:read", "enrollments:read", "enrollments:write", "progress:read",
        "users:read", "users:write", "certificates:read", "grades:read",
    ])]
    pub scopes: Vec<String>,
    /// Days until it stops working (default: never).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum CoursesCommand {
    Publish(CourseRef),
    Unpublish(CourseRef),
}

#[derive(Debug, Subcommand)]
pub enum QuizCommand {
    /// Add a quiz lesson, its questions read from a Moodle GIFT file, at the end of the course's
    /// last section; prints the new lesson's id.
    Import(QuizImportArgs),
}

#[derive(Debug, Args)]
pub struct QuizImportArgs {
    /// The school's slug.
    #[arg(long)]
    pub school: String,
    /// The course's slug.
    #[arg(long)]
    pub course: String,
    /// The lesson's title (its slug is made from it).
    #[arg(long)]
    pub title: String,
    /// Percent needed to pass.
    #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(i32).range(0..=100))]
    pub pass_mark: i32,
    /// Attempts a learner may make (default: no limit).
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub attempts: Option<i32>,
    /// Keep the file's order of questions and options.
    #[arg(long)]
    pub no_shuffle: bool,
    /// The GIFT file.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct CourseRef {
    /// The school's slug.
    #[arg(long)]
    pub school: String,
    /// The course's slug.
    pub course: String,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Generate this many benchmark schools (`bench-00001`, …) instead of the demo content.
    #[arg(long, requires = "courses_per_tenant")]
    pub tenants: Option<u32>,
    /// Published courses per generated school.
    #[arg(long, requires = "tenants")]
    pub courses_per_tenant: Option<u32>,
    /// Learner accounts per generated school (with --tenants), each enrolled in
    /// --enrollments-per-learner random courses.
    #[arg(long, requires = "tenants", default_value_t = 0)]
    pub learners_per_tenant: u32,
    #[arg(long, default_value_t = 3)]
    pub enrollments_per_learner: u32,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Create the schools of `tenants/*.toml` that do not exist yet (needs DATABASE_ADMIN_URL;
    /// always on with the embedded database). Existing schools are never changed by a start:
    /// change them with `eduflow tenants update` or `tenants sync`. A bad file is reported and
    /// skipped.
    #[arg(long, env = "EDUFLOW_SYNC_TENANTS")]
    pub sync_tenants: bool,

    /// When the embedded database's nightly full backup starts (UTC, HH:MM).
    #[arg(long, env = "EDUFLOW_BACKUP_AT", default_value = "02:00", value_parser = parse_clock)]
    pub backup_at: chrono::NaiveTime,

    /// Where mail goes: `smtp://[user:password@]host[:port]` (plain, for a relay on a private
    /// network), `smtp://…?tls=starttls` (STARTTLS required), `smtps://…` (TLS from the first
    /// byte). Default: with the embedded database, `.eml` files under `<data dir>/mail/`;
    /// otherwise required.
    #[arg(long, env = "EDUFLOW_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// PEM certificate(s) to trust for the SMTP server's TLS besides the public roots (a relay
    /// with a private CA).
    #[arg(long, env = "EDUFLOW_SMTP_CA_FILE", value_name = "FILE.pem")]
    pub smtp_ca_file: Option<std::path::PathBuf>,

    /// The address mail is sent from (each school sets the name shown with it). Default:
    /// `no-reply@<base domain>`.
    #[arg(long, env = "EDUFLOW_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// The port in the links mailed to people (`https://school.example.org:PORT/…`). Default: the
    /// scheme's own (443 with `--https`, else 80); 0: the port this instance listens on.
    #[arg(long, env = "EDUFLOW_PUBLIC_PORT")]
    pub public_port: Option<u16>,

    /// Address of the public HTTP listener.
    #[arg(long, env = "EDUFLOW_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Proxies whose `X-Forwarded-Host` / `Forwarded` headers are believed (comma-separated IPs).
    /// Anyone else's are ignored: the school always comes from the Host header.
    #[arg(long, env = "EDUFLOW_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Sign-ups allowed from one client address per 15 minutes, across schools (0: no limit, for
    /// a load generator). A classroom behind one NAT address counts as one address.
    #[arg(long, env = "EDUFLOW_SIGNUPS_PER_ADDRESS", default_value_t = 30)]
    pub signups_per_address: u32,

    /// Requests one API token may make per minute on each instance (a minute's worth may come at
    /// once); more are answered 429 with `Retry-After`.
    #[arg(long, env = "EDUFLOW_API_RATE_PER_MINUTE", default_value_t = 600)]
    pub api_rate_per_minute: u32,

    /// Requests of one school handled at once on this instance, across workers (default: four per
    /// CPU core); more wait their turn. 0: no limit.
    #[arg(long, env = "EDUFLOW_SCHOOL_REQUESTS")]
    pub school_requests: Option<usize>,

    /// Memory cap of each school's page cache, in bytes (0 disables the cache).
    #[arg(long, env = "EDUFLOW_PAGE_CACHE_BYTES", default_value_t = 8 << 20)]
    pub page_cache_bytes: usize,

    /// Seconds a school's actor may sit idle before it stops and frees its memory.
    #[arg(long, env = "EDUFLOW_ACTOR_IDLE_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub actor_idle_secs: u64,

    /// Connections per database pool (primary, and each replica), on each cluster.
    #[arg(long, env = "EDUFLOW_POOL_SIZE", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub pool_size: u32,

    /// Transactions this instance runs at once on all clusters together (default: twice the
    /// pool size). Connections to a cluster other than the directory are opened when its
    /// schools are served and closed after a minute unused.
    #[arg(long, env = "EDUFLOW_POOL_TOTAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub pool_total: Option<u32>,

    /// Transactions one school may run at once on each pool (default: half the pool), so one
    /// school's flood of uncached requests cannot take every connection. 0: no limit.
    #[arg(long, env = "EDUFLOW_SCHOOL_DB_BUDGET")]
    pub school_db_budget: Option<usize>,

    /// How long a request waits for a pooled connection before answering 503.
    #[arg(long, env = "EDUFLOW_POOL_TIMEOUT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    pub pool_timeout_ms: u64,

    /// Longest a statement may run (`statement_timeout`, set in every transaction); beyond it the
    /// request gets a 503. 0 keeps the server's setting.
    #[arg(long, env = "EDUFLOW_STATEMENT_TIMEOUT_MS", default_value_t = 5000)]
    pub statement_timeout_ms: u64,

    /// Longest a statement may wait for a lock (`lock_timeout`), e.g. behind an operator's
    /// `LOCK TABLE` or a long transaction; beyond it the request gets a 503 and its connection is
    /// free again. 0 keeps the server's setting.
    #[arg(long, env = "EDUFLOW_LOCK_TIMEOUT_MS", default_value_t = 2000)]
    pub lock_timeout_ms: u64,

    /// Address of the Prometheus `/metrics` listener, kept off the public port (e.g.
    /// `127.0.0.1:9464`). Without it, metrics are not served.
    #[arg(long, env = "EDUFLOW_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,

    /// How many of the busiest schools get their own `school` label; the rest count as `other`.
    #[arg(long, env = "EDUFLOW_METRICS_TOP_SCHOOLS", default_value_t = 20)]
    pub metrics_top_schools: usize,

    /// The public URLs are https (TLS may end at a proxy): session cookies become `Secure` and
    /// `__Host-` prefixed, and forms expect an `https://` origin.
    #[arg(long, env = "EDUFLOW_HTTPS")]
    pub https: bool,

    /// How often each school's actor writes the batched video playback positions, in milliseconds.
    #[arg(long, env = "EDUFLOW_POSITION_FLUSH_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(10..))]
    pub position_flush_ms: u64,

    /// Key for signing media URLs and the read-your-writes cookie; all instances must share it.
    /// Required with DATABASE_URL; the embedded default keeps a generated one in
    /// `<data dir>/media-secret`.
    #[arg(long, env = "EDUFLOW_MEDIA_SECRET", hide_env_values = true)]
    pub media_secret: Option<String>,

    /// How long a signed media URL stays valid, in seconds (at most 7 days).
    #[arg(long, env = "EDUFLOW_MEDIA_URL_TTL_SECS", default_value_t = 4 * 3600, value_parser = clap::value_parser!(u64).range(60..=604_800))]
    pub media_url_ttl_secs: u64,

    /// Where media links in pages point: `origin` (EduFlow's own HMAC-signed `/media` URLs),
    /// `bunny` (a Bunny.net pull zone with token authentication), `cloudfront` (CloudFront
    /// canned-policy signed URLs) or `presigned` (the S3 bucket itself, SigV4 presigned GETs).
    #[arg(long, env = "EDUFLOW_MEDIA_SIGNER", value_enum, default_value_t = SignerKind::Origin)]
    pub media_signer: SignerKind,

    /// The CDN's base URL, e.g. `https://eduflow.b-cdn.net` (with `bunny` or `cloudfront`).
    #[arg(long, env = "EDUFLOW_CDN_BASE_URL")]
    pub cdn_base_url: Option<String>,

    /// The CloudFront public key's id (with `--media-signer cloudfront`).
    #[arg(long, env = "EDUFLOW_CLOUDFRONT_KEY_PAIR_ID")]
    pub cloudfront_key_pair_id: Option<String>,

    /// File holding the CloudFront key pair's RSA private key, PEM (with `cloudfront`).
    #[arg(long, env = "EDUFLOW_CLOUDFRONT_PRIVATE_KEY_FILE")]
    pub cloudfront_private_key_file: Option<PathBuf>,

    /// The largest image upload, in bytes.
    #[arg(long, env = "EDUFLOW_MAX_IMAGE_BYTES", default_value_t = 20 << 20)]
    pub max_image_bytes: u64,

    /// The largest video upload, in bytes.
    #[arg(long, env = "EDUFLOW_MAX_VIDEO_BYTES", default_value_t = 2 << 30)]
    pub max_video_bytes: u64,

    /// The largest HLS ladder upload (a zip), in bytes.
    #[arg(long, env = "EDUFLOW_MAX_HLS_BYTES", default_value_t = 2 << 30)]
    pub max_hls_bytes: u64,

    /// The pull zone's token authentication key (with `--media-signer bunny`).
    #[arg(long, env = "EDUFLOW_BUNNY_TOKEN_KEY", hide_env_values = true)]
    pub bunny_token_key: Option<String>,

    /// The value the CDN sends in `X-EduFlow-Origin-Secret` when pulling from `/media`.
    #[arg(long, env = "EDUFLOW_CDN_ORIGIN_SECRET", hide_env_values = true)]
    pub cdn_origin_secret: Option<String>,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "EDUFLOW_WORKERS")]
    pub workers: Option<usize>,

    /// This machine's region (Fly.io sets FLY_REGION).
    #[arg(long, env = "FLY_REGION")]
    pub region: Option<String>,

    /// The primary database's region (Fly.io sets PRIMARY_REGION from fly.toml).
    #[arg(long, env = "PRIMARY_REGION")]
    pub primary_region: Option<String>,

    /// `replay`: state-changing requests are not run here but answered with
    /// `fly-replay: region=<primary region>`; `direct`: run everything here. Default: replay when
    /// the region and the primary region are both set and differ.
    #[arg(long, env = "EDUFLOW_WRITE_MODE", value_enum)]
    pub write_mode: Option<WriteMode>,

    /// How long a read for someone who has just written waits for a replica to replay their
    /// write before it reads the primary instead, in milliseconds.
    #[arg(long, env = "EDUFLOW_REPLICA_WAIT_MS", default_value_t = 100)]
    pub replica_wait_ms: u64,

    /// A replica whose replay is further behind than this is skipped until it catches up, in
    /// milliseconds.
    #[arg(long, env = "EDUFLOW_REPLICA_MAX_LAG_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub replica_max_lag_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignerKind {
    Origin,
    Bunny,
    Cloudfront,
    Presigned,
}

impl ServeArgs {
    pub fn actor_idle(&self) -> Duration {
        Duration::from_secs(self.actor_idle_secs)
    }

    pub fn pool_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_timeout_ms)
    }

    pub fn pool_total(&self) -> usize {
        self.pool_total.unwrap_or(2 * self.pool_size) as usize
    }
}

fn parse_domain(s: &str) -> Result<String, String> {
    crate::hostname::normalize(s)
        .filter(|d| !d.starts_with('['))
        .ok_or_else(|| format!("`{s}` is not a domain name"))
}

impl TokensCommand {
    /// The school the command works on.
    pub fn school(&self) -> &str {
        match self {
            Self::Create(args) => &args.school,
            Self::List { school } | Self::Revoke { school, .. } => school,
        }
    }
}

impl WebhooksCommand {
    /// The school the command works on.
    pub fn school(&self) -> &str {
        match self {
            Self::Add { school, .. } | Self::List { school } => school,
        }
    }
}

impl LtiCommand {
    /// The school the command works on.
    pub fn school(&self) -> &str {
        match self {
            Self::AddTool { school, .. }
            | Self::AddLesson { school, .. }
            | Self::Tools { school }
            | Self::RotateKey { school, .. } => school,
        }
    }
}
