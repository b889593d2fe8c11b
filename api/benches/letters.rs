//! Letters benchmark: a batch of 10,000 letters through
//! `services::correspondence::batches`, its print file, and one PDF per
//! letter, next to baselines measured in the same run.
//!
//! Starts a private cluster with durability off (`THROWAWAY_SETTINGS`) in a
//! fresh directory under `/tmp` and migrates a database, which seeds the
//! default templates. Set-based SQL then generates one creditor and N
//! accounts, each with a debtor of its own and a valid US address. One
//! account in 20 has ceased letters, so the batch records it as blocked.
//!
//! Timed, in order:
//! 1. the batch: contact rules, merge and one row plus one audit row per
//!    account, committed in one transaction, as `POST /correspondence-batches`
//!    does after its request checks;
//! 2. the print file of the batch (`GET .../print-file`): reading the rows
//!    and drawing every letter into one PDF;
//! 3. baseline: drawing the same letters into one PDF from memory, without
//!    the database;
//! 4. one PDF per letter, as `GET /correspondence/{id}/pdf` draws them;
//! 5. baseline: one `INSERT ... SELECT` of N correspondence rows with a
//!    fixed text, rolled back.
//!
//! Run it with `make bench` or `cargo bench -p api --bench letters`.
//! `BENCH_LETTERS` sets N (default 10,000, at least 10).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Instant;

use anyhow::{anyhow, Context};
use api::auth::CurrentUser;
use api::db::schema::{accounts, correspondence};
use api::letters::render_letters;
use api::postgres::cluster::THROWAWAY_SETTINGS;
use api::postgres::Cluster;
use api::services::correspondence::batches;
use api::services::correspondence::read::{letter_document, Row};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use shared::users::{CreateUserRequest, Role};
use uuid::Uuid;

const DEFAULT_LETTERS: i64 = 10_000;
const MINIMUM_LETTERS: i64 = 10;
const DATABASE: &str = "bench_letters";

fn main() -> anyhow::Result<()> {
    let letters = letters_from_env()?;
    println!("letters benchmark: {letters} accounts, one in 20 with letters ceased");
    println!("machine: {} CPUs, {}; load average {}", cpus(), cpu_model(), load_average());

    // Declared before the cluster, so the cluster is stopped first.
    let workspace = tempfile::Builder::new().prefix("recovery-desk-bench-").tempdir_in("/tmp").context("failed to create a directory under /tmp")?;
    fs::set_permissions(workspace.path(), fs::Permissions::from_mode(0o711))?;
    let cluster = Cluster::start(&workspace.path().join("cluster"), THROWAWAY_SETTINGS)?;
    let mut admin = PgConnection::establish(&cluster.url_for("postgres"))?;
    diesel::sql_query(format!("CREATE DATABASE {DATABASE}")).execute(&mut admin)?;
    let url = cluster.url_for(DATABASE);
    let mut conn = PgConnection::establish(&url)?;
    api::postgres::run_migrations(&mut conn)?;

    let started = Instant::now();
    let (user, account_ids) = generate(&mut conn, letters)?;
    println!("generated {} accounts in {:.1} s", account_ids.len(), started.elapsed().as_secs_f64());
    diesel::sql_query("VACUUM ANALYZE").execute(&mut conn)?;

    let template_id: Uuid = diesel::sql_query("SELECT id FROM templates WHERE key = 'reminder' AND creditor_id IS NULL")
        .get_result::<IdRow>(&mut conn)?
        .id;

    println!();
    let started = Instant::now();
    let batch_id = conn
        .transaction(|conn| batches::generate(conn, &user, template_id, None, &account_ids, "https://desk.example.org"))
        .map_err(|error| anyhow!("the batch failed: {error:?}"))?;
    let batch_seconds = started.elapsed().as_secs_f64();
    let generated = count(&mut conn, &format!("SELECT count(*) AS n FROM correspondence WHERE batch_id = '{batch_id}' AND status = 'generated'"))?;
    let blocked = count(&mut conn, &format!("SELECT count(*) AS n FROM correspondence WHERE batch_id = '{batch_id}' AND status = 'blocked'"))?;
    report("batch (rules, merge, rows, audit)", letters, batch_seconds);
    println!("  {generated} generated, {blocked} blocked");

    let started = Instant::now();
    let print_file = batches::print_file(&mut conn, &user, batch_id).map_err(|error| anyhow!("the print file failed: {error:?}"))?;
    let print_seconds = started.elapsed().as_secs_f64();
    report("print file (read and draw)", generated, print_seconds);
    println!("  {} bytes", print_file.len());

    let rows: Vec<(Row, String)> = correspondence::table
        .inner_join(accounts::table)
        .filter(correspondence::batch_id.eq(batch_id))
        .order(correspondence::id)
        .select((Row::as_select(), accounts::account_ref))
        .load(&mut conn)?;
    let documents: Vec<_> = rows.iter().filter_map(|(row, account_ref)| letter_document(row, account_ref)).collect();

    let started = Instant::now();
    let combined = render_letters(&documents, "Baseline").map_err(|error| anyhow!("drawing failed: {error:?}"))?;
    report("baseline: draw from memory, one PDF", documents.len() as i64, started.elapsed().as_secs_f64());
    println!("  {} bytes", combined.len());

    let started = Instant::now();
    let mut bytes = 0;
    for document in &documents {
        bytes += render_letters(std::slice::from_ref(document), "Letter").map_err(|error| anyhow!("drawing failed: {error:?}"))?.len();
    }
    report("one PDF per letter, from memory", documents.len() as i64, started.elapsed().as_secs_f64());
    println!("  {} bytes in all, {} on average", bytes, bytes / documents.len().max(1));

    let started = Instant::now();
    let inserted = conn.transaction(|conn| {
        let inserted = raw_insert(conn, &user, template_id)?;
        Err::<(), _>(Rollback(inserted))
    });
    let inserted = match inserted {
        Err(Rollback(inserted)) => inserted,
        Ok(()) => unreachable!("the baseline always rolls back"),
    };
    report("baseline: one INSERT ... SELECT", inserted as i64, started.elapsed().as_secs_f64());

    drop(conn);
    drop(admin);
    drop(cluster);
    Ok(())
}

/// Ends the baseline's transaction with a rollback, carrying its row count.
struct Rollback(usize);

impl From<diesel::result::Error> for Rollback {
    fn from(error: diesel::result::Error) -> Self {
        panic!("the baseline INSERT failed: {error}");
    }
}

fn raw_insert(conn: &mut PgConnection, user: &CurrentUser, template_id: Uuid) -> Result<usize, diesel::result::Error> {
    diesel::sql_query(
        "INSERT INTO correspondence (id, creditor_id, account_id, template_version_id, channel, status, subject, body,
             sender, letter_date, address_lines, created_by)
         SELECT gen_random_uuid(), a.creditor_id, a.id, v.id, 'letter', 'generated', 'Reminder: account ' || a.account_ref,
                'Dear customer, this is a reminder about account ' || a.account_ref || '.', 'Bench', current_date,
                ARRAY['Debtor', '1 Main St', 'Springfield IL 62701'], $1
         FROM accounts a, (SELECT id FROM template_versions WHERE template_id = $2 ORDER BY version DESC LIMIT 1) v",
    )
    .bind::<SqlUuid, _>(user.id)
    .bind::<SqlUuid, _>(template_id)
    .execute(conn)
}

fn report(what: &str, letters: i64, seconds: f64) {
    println!("{what:<40} {letters:>7} letters {seconds:>8.2} s {:>9.0} letters/s", letters as f64 / seconds);
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

fn count(conn: &mut PgConnection, sql: &str) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n)
}

/// Inserts the creditor, a manager and `letters` accounts with debtors and
/// addresses; returns the manager and the account ids.
fn generate(conn: &mut PgConnection, letters: i64) -> anyhow::Result<(CurrentUser, Vec<Uuid>)> {
    let creditor_id = Uuid::now_v7();
    diesel::sql_query("INSERT INTO creditors (id, name, time_zone) VALUES ($1, 'Bench Lending', 'America/Chicago')")
        .bind::<SqlUuid, _>(creditor_id)
        .execute(conn)?;
    let request = CreateUserRequest {
        email: "bench-manager@example.com".to_string(),
        password: "a long benchmark password".to_string(),
        role: Role::Manager,
        display_name: None,
    };
    let manager = api::services::users::create_user(conn, None, &request).map_err(|error| anyhow!("failed to create the manager: {error:?}"))?;

    diesel::sql_query(
        "INSERT INTO debtors (id, creditor_id, debtor_ref, name)
         SELECT gen_random_uuid(), $1, 'DEB-' || lpad(n::text, 9, '0'), 'Debtor Number ' || n
         FROM generate_series(0, $2 - 1) AS n",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<BigInt, _>(letters)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO debtor_addresses (id, creditor_id, debtor_id, line1, city, region, postal_code, country, is_valid)
         SELECT gen_random_uuid(), creditor_id, id, substr(debtor_ref, 5) || ' Main Street', 'Springfield', 'IL', '62701', 'US', true
         FROM debtors",
    )
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO accounts (id, creditor_id, debtor_id, account_ref, currency, status, original_principal,
             original_interest, original_fees, principal_balance, interest_balance, fees_balance, delinquent_since,
             no_valid_phone, no_valid_address, no_valid_email, source_hash)
         SELECT gen_random_uuid(), creditor_id, id, 'ACC-' || substr(debtor_ref, 5), 'USD', 'open',
                100000 + n, 2050, 3500, 100000 + n, 2050, 3500, current_date - 400,
                true, false, true, sha256(convert_to(debtor_ref, 'UTF8'))
         FROM (SELECT *, substr(debtor_ref, 5)::bigint AS n FROM debtors) d",
    )
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO contact_holds (account_id, creditor_id, cease_channels)
         SELECT id, creditor_id, ARRAY['letter'] FROM accounts WHERE substr(account_ref, 5)::bigint % 20 = 7",
    )
    .execute(conn)?;

    let ids: Vec<IdRow> = diesel::sql_query("SELECT id FROM accounts ORDER BY account_ref").load(conn)?;
    Ok((CurrentUser { id: manager.id, role: Role::Manager }, ids.into_iter().map(|row| row.id).collect()))
}

fn letters_from_env() -> anyhow::Result<i64> {
    match std::env::var("BENCH_LETTERS") {
        Err(_) => Ok(DEFAULT_LETTERS),
        Ok(text) => {
            let value: i64 = text.trim().parse().with_context(|| format!("BENCH_LETTERS '{text}' is not a whole number"))?;
            if value < MINIMUM_LETTERS {
                anyhow::bail!("BENCH_LETTERS {value} is too small; use at least {MINIMUM_LETTERS}");
            }
            Ok(value)
        }
    }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| Some(info.lines().find(|line| line.starts_with("model name"))?.split_once(':')?.1.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU model".to_string())
}

/// Reads the 1, 5 and 15 minute load averages from /proc/loadavg.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}
