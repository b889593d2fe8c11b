//! The database: the private cluster, the connection pool and migrations.

pub mod cluster;

use std::path::Path;

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use cluster::Cluster;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Database location: a server named by `DATABASE_URL`, or the private cluster.
pub enum Database {
    External(String),
    Private(Cluster),
}

impl Database {
    /// Uses `database_url` when given, else starts (or joins) the private cluster under `data_dir`.
    pub fn open(database_url: Option<&str>, data_dir: &Path) -> anyhow::Result<Database> {
        match database_url {
            Some(url) if !url.trim().is_empty() => Ok(Database::External(url.to_string())),
            _ => Ok(Database::Private(Cluster::start(data_dir, &[])?)),
        }
    }

    pub fn url(&self) -> String {
        match self {
            Database::External(url) => url.clone(),
            Database::Private(cluster) => cluster.database_url(),
        }
    }
}

pub fn build_pool(url: &str, max_size: u32) -> anyhow::Result<PgPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    Ok(Pool::builder()
        .max_size(max_size)
        .connection_timeout(std::time::Duration::from_secs(10))
        .build(manager)?)
}

/// Applies pending migrations, returning their names.
/// Several instances may start at once, so an advisory lock lets one migrate at a time.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    use diesel::RunQueryDsl;
    const MIGRATION_LOCK: i64 = 0x5245_434f_5645_5259; // "RECOVERY" in ASCII
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(conn)?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|applied| applied.iter().map(|v| v.to_string()).collect())
        .map_err(|e| anyhow::anyhow!("failed to apply migrations: {e}"));
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(conn)?;
    result
}

/// Reverts every applied migration, newest first; used by the test that checks each `down.sql`.
pub fn revert_all_migrations(conn: &mut PgConnection) -> anyhow::Result<()> {
    conn.revert_all_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!("failed to revert migrations: {e}"))?;
    Ok(())
}
