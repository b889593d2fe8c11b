//! Daily-run benchmark: `services::daily_run::run` for one creditor with a
//! million accounts, against single SQL statements that read and write the
//! same rows.
//!
//! Starts a private cluster with durability off (`THROWAWAY_SETTINGS`) in a
//! fresh directory under `/tmp` and generates the data with set-based SQL
//! (`INSERT ... SELECT FROM generate_series`) straight into the migrated
//! tables, with every constraint, foreign key and trigger enabled:
//!
//! - one creditor ("Bench", UTC, the default repayment policy: 5 grace days,
//!   a plan breaks at 2 missed instalments), a manager, eight collectors
//!   and the MAIN receipt book;
//! - N accounts, each with a debtor of its own;
//! - N/5 active plans (accounts 0, 5, 10, ...): weekly, fortnightly or
//!   monthly, 3 to 24 instalments, first due dates spread over the 91 days
//!   around the first timed day. One plan in 20 is a settlement, and a
//!   quarter of the other plans charge interest on each instalment;
//! - N/5 open promises (accounts 1, 6, 11, ...) whose windows close
//!   between the day before the first timed day and 12 days after it;
//! - posted payments, each with one payment part: plan payers pay on time
//!   (70%), up to 8 days late (15%), half of each instalment (8%), or stop
//!   after some instalments (7%). Half of the promises are paid in full,
//!   15% in half and the rest not at all. No payment is dated after the
//!   last timed day.
//!
//! There are no journal rows, so the account balances are generated values
//! and `services::ledger::verify` would fail. `ledger_through` is null, so
//! the interest the run charges never triggers a re-allocation.
//!
//! Days are counted back from today (UTC): D1 is 3 days ago. The run first
//! evaluates the day before D1 (untimed in the comparison, but printed as
//! the catch-up day), which judges the whole generated history. Then it
//! evaluates D1, D2 and D3 one call each, after `VACUUM ANALYZE` and a
//! checkpoint. It calls the run again for D3 to time a call that finds
//! nothing to do. Last, the baseline runs two statements, each in a
//! transaction that is rolled back. The first sets `paid` on every
//! instalment of the active plans from the account's payments, with the
//! run's correlated subquery. The second does the same for the open
//! promises. The directory is removed at the end.
//!
//! Run it with `make bench` or `cargo bench -p api --bench daily_run`.
//! Environment:
//! - `BENCH_ACCOUNTS`: accounts to generate, at least 100 (default
//!   1,000,000). Plans and promises are a fifth of it each.
//! - `BENCH_EXPLAIN=1`: after the timed days, evaluate one more day (today)
//!   with `auto_explain` logging `EXPLAIN ANALYZE` of every statement that
//!   takes at least 200 ms, and print those plans. Timing every plan node
//!   slows the statements, so that day's time is not comparable with the
//!   timed days.
//! - `BENCH_KEEP=1`: before stopping the cluster, print a `psql` command for
//!   the benchmark database and wait for a line on standard input, so the
//!   run's statements can be examined by hand.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use api::postgres::cluster::THROWAWAY_SETTINGS;
use api::postgres::Cluster;
use api::services::daily_run;
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Integer, Text, Uuid as SqlUuid};
use shared::plans::DailyRunDay;
use shared::users::{CreateUserRequest, Role};
use uuid::Uuid;

const DEFAULT_ACCOUNTS: u64 = 1_000_000;
const MINIMUM_ACCOUNTS: u64 = 100;
const DATABASE: &str = "bench_daily_run";
const PASSWORD: &str = "a long benchmark password";
const COLLECTORS: usize = 8;
/// The default repayment policy's values, which apply because the
/// benchmark's creditor has no policy of its own.
const GRACE_DAYS: i32 = 5;
const MISSED_TO_BREAK: i32 = 2;
/// Timed days, one call of the run each.
const TIMED_DAYS: u64 = 3;
/// `auto_explain.log_min_duration` in milliseconds for `BENCH_EXPLAIN=1`.
/// The run's per-row statements (interest, account status) stay below it.
const EXPLAIN_MIN_MS: i32 = 200;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn main() -> anyhow::Result<()> {
    let accounts = number_from_env("BENCH_ACCOUNTS", DEFAULT_ACCOUNTS, MINIMUM_ACCOUNTS)?;
    let explain = flag_from_env("BENCH_EXPLAIN")?;
    let keep = flag_from_env("BENCH_KEEP")?;
    let sizes = Sizes { accounts: accounts as i64, plans: (accounts / 5) as i64, promises: (accounts / 5) as i64 };
    let machine = Machine::read();
    println!(
        "daily run benchmark: {} accounts, {} active plans, {} open promises",
        sizes.accounts, sizes.plans, sizes.promises
    );
    println!("machine: {} CPUs, {}; load average {}", machine.cpus, machine.model, machine.load_average);

    // Declared before the cluster, so the cluster is dropped (stopped) first.
    let workspace = create_workspace()?;
    println!("working directory: {}", workspace.path().display());
    let cluster_dir = workspace.path().join("cluster");
    let mut cluster = Cluster::start(&cluster_dir, THROWAWAY_SETTINGS)?;
    let admin_url = cluster.url_for("postgres");
    create_migrated_database(&admin_url, DATABASE)?;
    let url = cluster.url_for(DATABASE);
    let mut conn = PgConnection::establish(&url)?;
    println!("PostgreSQL {}", query_text(&mut conn, "SELECT current_setting('server_version') AS value")?);
    let settings = THROWAWAY_SETTINGS.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(", ");
    println!("settings: {settings}, shared_buffers={}", query_text(&mut conn, "SELECT current_setting('shared_buffers') AS value")?);

    let today = today_utc(&mut conn)?;
    let first_day = today - Days::new(TIMED_DAYS);
    let catch_up_day = first_day.pred_opt().expect("a day before the first timed day");
    let last_day = first_day + Days::new(TIMED_DAYS - 1);

    let generation = generate(&mut conn, &sizes, first_day, last_day)?;
    print_generation(&generation);

    // The catch-up day judges everything generated, so it changes far more
    // than a normal day. Only the days after it are compared with the baseline.
    mark_evaluated_through(&mut conn, generation.creditor_id, catch_up_day.pred_opt().expect("a valid day"))?;
    println!("\ncatch-up day {catch_up_day} (judges the whole generated history, untimed in the comparison):");
    let catch_up = run_day(&url, generation.creditor_id, catch_up_day)?;
    catch_up.print();
    check_day(&mut conn, &catch_up)?;

    let mut days = Vec::new();
    for offset in 0..TIMED_DAYS {
        let day = first_day + Days::new(offset);
        prepare_timed_phase(&mut conn)?;
        println!("\nday {day}:");
        let run = run_day(&url, generation.creditor_id, day)?;
        run.print();
        check_day(&mut conn, &run)?;
        days.push(run);
    }

    let no_op = run_again(&url, last_day)?;
    println!("\nsecond call for {last_day}: {:.3} s, evaluated {} days", no_op.seconds, no_op.days_evaluated);
    if no_op.days_evaluated != 0 {
        bail!("the second call for {last_day} evaluated {} days; expected none", no_op.days_evaluated);
    }

    let explained = if explain {
        let day = last_day.succ_opt().expect("a valid day");
        Some((day, run_explained_day(&url, &cluster_dir, day)?))
    } else {
        None
    };

    prepare_timed_phase(&mut conn)?;
    let baseline = run_baseline(&url, generation.creditor_id, last_day)?;
    print_baseline(&baseline);

    print_summary(&Summary {
        sizes: &sizes,
        generation: &generation,
        catch_up: &catch_up,
        days: &days,
        no_op: &no_op,
        explained,
        baseline: &baseline,
        machine: &machine,
    });

    drop(conn);
    if keep {
        println!("\nBENCH_KEEP=1: the cluster stays up until a line is read from standard input. Connect with:");
        println!("  psql '{url}'");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("failed to read standard input")?;
    }
    cluster.stop();
    drop(cluster);
    workspace.close().context("failed to remove the benchmark's working directory")?;
    Ok(())
}

/// Reads a whole number of at least `minimum`. `default` applies when the variable is not set.
fn number_from_env(name: &str, default: u64, minimum: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => bail!("{name} is not valid Unicode: {e}"),
        Ok(value) => match value.trim().parse::<u64>() {
            Ok(n) if n >= minimum => Ok(n),
            _ => bail!("{name} must be a whole number of at least {minimum}, such as 100000; got '{value}'"),
        },
    }
}

/// Reads a 0/1 switch that is off when not set.
fn flag_from_env(name: &str) -> anyhow::Result<bool> {
    match std::env::var(name).as_deref() {
        Err(_) | Ok("0") => Ok(false),
        Ok("1") => Ok(true),
        Ok(other) => bail!("{name} must be 0 (off) or 1 (on); got '{other}'"),
    }
}

/// Creates an empty directory under /tmp that the `postgres` user can pass
/// through, because the cluster drops to that user when this process is root.
fn create_workspace() -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("recovery-desk-bench-")
        .tempdir_in("/tmp")
        .context("failed to create a working directory under /tmp")?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o711))
        .with_context(|| format!("failed to make {} searchable", dir.path().display()))?;
    Ok(dir)
}

/// Creates `database` in the cluster and applies the product's migrations to it.
fn create_migrated_database(admin_url: &str, database: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::establish(admin_url)?;
    diesel::sql_query(format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .with_context(|| format!("failed to create database {database}"))?;
    let url = admin_url.rsplit_once('/').map(|(server, _)| format!("{server}/{database}")).expect("URL has a path");
    let mut conn = PgConnection::establish(&url)?;
    api::postgres::run_migrations(&mut conn)?;
    Ok(())
}

fn query_text(conn: &mut PgConnection, sql: &str) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let row: Value = diesel::sql_query(sql).get_result(conn)?;
    Ok(row.value)
}

fn count(conn: &mut PgConnection, sql: &str) -> anyhow::Result<i64> {
    let row: Count = diesel::sql_query(sql).get_result(conn).with_context(|| format!("failed to run {sql}"))?;
    Ok(row.n)
}

/// Returns today's date in UTC, the benchmark creditor's time zone, by the server's clock.
fn today_utc(conn: &mut PgConnection) -> anyhow::Result<NaiveDate> {
    #[derive(QueryableByName)]
    struct Today {
        #[diesel(sql_type = Date)]
        today: NaiveDate,
    }
    let row: Today = diesel::sql_query("SELECT (now() AT TIME ZONE 'UTC')::date AS today").get_result(conn)?;
    Ok(row.today)
}

/// Runs `VACUUM ANALYZE` and a checkpoint, so a timed phase starts with fresh
/// statistics and does not pay for the dirty buffers of the phase before it.
fn prepare_timed_phase(conn: &mut PgConnection) -> anyhow::Result<()> {
    diesel::sql_query("VACUUM ANALYZE").execute(conn).context("VACUUM ANALYZE failed")?;
    diesel::sql_query("CHECKPOINT").execute(conn).context("CHECKPOINT failed")?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The machine and the server backend's CPU time

struct Machine {
    cpus: usize,
    model: String,
    load_average: String,
}

impl Machine {
    fn read() -> Machine {
        let model = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                let line = info.lines().find(|line| line.starts_with("model name"))?;
                Some(line.split_once(':')?.1.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU model".to_string());
        Machine {
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            model,
            load_average: load_average(),
        }
    }
}

/// Reads the 1, 5 and 15 minute load averages from /proc/loadavg.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn backend_pid(conn: &mut PgConnection) -> anyhow::Result<i32> {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }
    let row: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(conn)?;
    Ok(row.pid)
}

/// Reads the user plus system CPU seconds of a process from /proc/PID/stat.
fn process_cpu_seconds(pid: i32) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields are counted after the command name's closing bracket, because
    // the name may contain spaces: utime and stime are then the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Some(ticks as f64 / ticks_per_second.max(1) as f64)
}

// ---------------------------------------------------------------------------
// Data generation

struct Sizes {
    accounts: i64,
    plans: i64,
    promises: i64,
}

struct Generation {
    creditor_id: Uuid,
    seconds: f64,
    /// Row count of each table after generation.
    tables: Vec<(&'static str, i64)>,
}

/// SQL helpers used only while generating. `bench_id` builds ordered ids
/// (like UUIDv7, new rows go to the end of the primary key) from a table
/// number and a row number. `bench_hash` is a repeatable pseudo-random
/// number in 0..modulus from a row number and a salt.
const HELPER_FUNCTIONS: [&str; 2] = [
    "CREATE FUNCTION bench_id(kind integer, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT (lpad(to_hex(kind), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$",
    "CREATE FUNCTION bench_hash(n bigint, salt integer, modulus integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT ((hashint8(n * 64 + salt)::bigint + 2147483648) % modulus)::integer $$",
];

/// Writes the benchmark's data and returns the creditor's id, the time taken and the table sizes.
/// `first_day` and `last_day` are the first and last timed days.
fn generate(conn: &mut PgConnection, sizes: &Sizes, first_day: NaiveDate, last_day: NaiveDate) -> anyhow::Result<Generation> {
    println!("\ngenerating data (timed days {first_day} to {last_day})");
    let clock = Instant::now();
    let step = |name: &str, rows: usize, started: Instant| {
        println!("  {name:<36} {rows:>10} rows {:>7.1} s", started.elapsed().as_secs_f64());
    };

    let started = Instant::now();
    for sql in HELPER_FUNCTIONS {
        diesel::sql_query(sql).execute(conn)?;
    }
    let creditor_id = Uuid::now_v7();
    diesel::sql_query("INSERT INTO creditors (id, name, time_zone) VALUES ($1, 'Bench', 'UTC')")
        .bind::<SqlUuid, _>(creditor_id)
        .execute(conn)?;
    let manager_id = create_user(conn, "bench-manager@example.com", Role::Manager)?;
    let mut collector_ids = Vec::with_capacity(COLLECTORS);
    for k in 1..=COLLECTORS {
        collector_ids.push(create_user(conn, &format!("bench-collector-{k}@example.com"), Role::Collector)?);
    }
    let book_id = Uuid::now_v7();
    diesel::sql_query("INSERT INTO receipt_books (id, creditor_id, code) VALUES ($1, $2, 'MAIN')")
        .bind::<SqlUuid, _>(book_id)
        .bind::<SqlUuid, _>(creditor_id)
        .execute(conn)?;
    step("creditor, 9 users, receipt book", 11, started);

    let started = Instant::now();
    let rows = diesel::sql_query(
        "INSERT INTO debtors (id, creditor_id, debtor_ref, name)
         SELECT bench_id(1, n), $1, 'DEB-' || lpad(n::text, 9, '0'), 'Debtor ' || n
         FROM generate_series(0, $2 - 1) AS n",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<BigInt, _>(sizes.accounts)
    .execute(conn)?;
    step("debtors", rows, started);

    // Account n has a plan when n % 5 = 0 and a promise when n % 5 = 1.
    // Every principal (2,500.00 to 7,499.99) exceeds the largest plan total.
    let started = Instant::now();
    let rows = diesel::sql_query(
        "INSERT INTO accounts (id, creditor_id, debtor_id, account_ref, currency, status, original_principal,
             original_interest, original_fees, principal_balance, interest_balance, fees_balance, delinquent_since,
             assigned_agent_id, no_valid_phone, no_valid_address, no_valid_email, source_hash)
         SELECT bench_id(2, n), $1, bench_id(1, n), 'ACC-' || lpad(n::text, 9, '0'), 'USD',
                CASE WHEN n % 5 = 0 AND n / 5 < $3 THEN 'in_arrangement' ELSE 'open' END,
                b.principal, 0, 0, b.principal, 0, 0, $4 - 400 - (n % 700)::integer, ($5::uuid[])[(n % 8)::integer + 1],
                false, false, false, sha256(convert_to('ACC-' || n, 'UTF8'))
         FROM generate_series(0, $2 - 1) AS n, LATERAL (SELECT 250000 + bench_hash(n, 1, 500000) AS principal) b",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<BigInt, _>(sizes.accounts)
    .bind::<BigInt, _>(sizes.plans)
    .bind::<Date, _>(first_day)
    .bind::<Array<SqlUuid>, _>(&collector_ids)
    .execute(conn)?;
    step("accounts", rows, started);

    // Plan k is on account 5k. Its first instalment falls due from 85 days
    // before the first timed day to 5 days after it. Payments count from a
    // week before that, the day the plan was made.
    let started = Instant::now();
    diesel::sql_query(
        "CREATE TEMPORARY TABLE bench_plan_terms AS
         SELECT t.*, CASE WHEN NOT t.settlement AND bench_hash(t.k, 6, 4) = 0 THEN t.amount / 20 ELSE 0 END AS interest
         FROM (SELECT k, bench_id(3, k) AS plan_id, bench_id(2, k * 5) AS account_id, k * 5 AS account_number,
                      (ARRAY['weekly', 'fortnightly', 'monthly'])[(k % 3)::integer + 1] AS frequency,
                      3 + bench_hash(k, 2, 22) AS instalment_count,
                      $2 + 5 - bench_hash(k, 3, 91) AS start_date,
                      2500 + bench_hash(k, 4, 7500) AS amount,
                      bench_hash(k, 5, 20) = 0 AS settlement,
                      250000 + bench_hash(k * 5, 1, 500000) AS balance,
                      bench_hash(k, 7, 100) AS payer_class
               FROM generate_series(0, $1 - 1) AS k) t",
    )
    .bind::<BigInt, _>(sizes.plans)
    .bind::<Date, _>(first_day)
    .execute(conn)?;
    let rows = diesel::sql_query(
        "INSERT INTO plans (id, creditor_id, account_id, kind, status, frequency, start_date, instalment_count,
             down_payment, settlement_amount, currency, balance_at_creation, total_to_pay, total_interest,
             annual_rate_bp, grace_days, missed_to_break, created_by, created_at, counts_from)
         SELECT plan_id, $1, account_id, CASE WHEN settlement THEN 'settlement' ELSE 'instalment' END, 'on_track',
                frequency, start_date, instalment_count, 0,
                CASE WHEN settlement THEN amount::bigint * instalment_count END, 'USD', balance,
                amount::bigint * instalment_count, interest::bigint * instalment_count,
                CASE WHEN interest > 0 THEN 1200 ELSE 0 END, $2, $3, $4,
                (start_date - 7 + time '09:00') AT TIME ZONE 'UTC', start_date - 7
         FROM bench_plan_terms ORDER BY k",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<Integer, _>(GRACE_DAYS)
    .bind::<Integer, _>(MISSED_TO_BREAK)
    .bind::<SqlUuid, _>(manager_id)
    .execute(conn)?;
    step("plans", rows, started);

    // Interest of instalments due before the catch-up day counts as charged
    // already. The catch-up day and the timed days charge the rest as they fall due.
    let started = Instant::now();
    let rows = diesel::sql_query(
        "INSERT INTO plan_instalments (id, plan_id, creditor_id, number, due_on, amount, principal, interest, interest_charged)
         SELECT bench_id(4, t.k * 32 + i), t.plan_id, $1, i, d.due_on, t.amount, t.amount - t.interest, t.interest,
                t.interest > 0 AND d.due_on < $2
         FROM bench_plan_terms t
         CROSS JOIN LATERAL generate_series(1, t.instalment_count) AS i
         CROSS JOIN LATERAL (SELECT CASE t.frequency
                                        WHEN 'weekly' THEN t.start_date + 7 * (i - 1)
                                        WHEN 'fortnightly' THEN t.start_date + 14 * (i - 1)
                                        ELSE (t.start_date + make_interval(months => i - 1))::date
                                    END AS due_on) d
         ORDER BY t.k, i",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<Date, _>(first_day.pred_opt().expect("a valid day"))
    .execute(conn)?;
    step("plan_instalments", rows, started);

    // Promise m is on account 5m + 1. Its window closes from the day before
    // the first timed day to 12 days after it, and it was taken up to 9 days
    // before the promised day, never later than the day before the first timed day.
    let started = Instant::now();
    diesel::sql_query(
        "CREATE TEMPORARY TABLE bench_promise_terms AS
         SELECT m, bench_id(5, m) AS promise_id, bench_id(2, m * 5 + 1) AS account_id, m * 5 + 1 AS account_number,
                5000 + bench_hash(m, 10, 45000) AS amount, w.window_ends_on, w.window_ends_on - $3 AS promised_on,
                least(w.window_ends_on - $3 - bench_hash(m, 12, 10), $2 - 1) AS taken_on,
                bench_hash(m, 13, 100) AS payer_class
         FROM generate_series(0, $1 - 1) AS m,
              LATERAL (SELECT $2 - 1 + bench_hash(m, 11, 14) AS window_ends_on) w",
    )
    .bind::<BigInt, _>(sizes.promises)
    .bind::<Date, _>(first_day)
    .bind::<Integer, _>(GRACE_DAYS)
    .execute(conn)?;
    let rows = diesel::sql_query(
        "INSERT INTO promises (id, creditor_id, account_id, amount, currency, promised_on, window_ends_on, channel,
             taken_by, taken_at, taken_on)
         SELECT promise_id, $1, account_id, amount, 'USD', promised_on, window_ends_on,
                (ARRAY['call', 'sms', 'email'])[(m % 3)::integer + 1], ($2::uuid[])[(account_number % 8)::integer + 1],
                (taken_on + time '10:00') AT TIME ZONE 'UTC', taken_on
         FROM bench_promise_terms ORDER BY m",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<Array<SqlUuid>, _>(&collector_ids)
    .execute(conn)?;
    step("promises", rows, started);

    // One payment per paid instalment or promise. Each plan has a payer
    // class from 0 to 99. Classes 0-69 pay in full up to 2 days early and
    // 70-84 in full 0 to 8 days late. Classes 85-92 pay half of each
    // instalment on the due day. Classes 93-99 pay in full on the due day
    // until a random instalment and nothing after it.
    let started = Instant::now();
    diesel::sql_query(
        "CREATE TEMPORARY TABLE bench_payment_rows AS
         SELECT t.account_id, t.account_number, p.amount, p.received_on
         FROM bench_plan_terms t
         JOIN plan_instalments i ON i.plan_id = t.plan_id
         CROSS JOIN LATERAL (
             SELECT CASE WHEN t.payer_class BETWEEN 85 AND 92 THEN t.amount / 2 ELSE t.amount END AS amount,
                    CASE WHEN t.payer_class < 70 THEN i.due_on - bench_hash(t.k * 32 + i.number, 8, 3)
                         WHEN t.payer_class < 85 THEN i.due_on + bench_hash(t.k * 32 + i.number, 8, 9)
                         ELSE i.due_on END AS received_on
         ) p
         WHERE (t.payer_class < 93 OR i.number <= bench_hash(t.k, 9, t.instalment_count))
           AND p.received_on <= $1",
    )
    .bind::<Date, _>(last_day)
    .execute(conn)?;
    // Promise payer classes: 0-49 pay in full from the day before the
    // promised day to the day after it, 50-64 pay half, the rest nothing.
    diesel::sql_query(
        "INSERT INTO bench_payment_rows (account_id, account_number, amount, received_on)
         SELECT account_id, account_number, CASE WHEN payer_class < 50 THEN amount ELSE amount / 2 END, r.received_on
         FROM bench_promise_terms, LATERAL (SELECT greatest(taken_on, promised_on - 1 + bench_hash(m, 14, 3)) AS received_on) r
         WHERE payer_class < 65 AND r.received_on <= $1",
    )
    .bind::<Date, _>(last_day)
    .execute(conn)?;
    let rows = diesel::sql_query(
        "INSERT INTO payments (id, creditor_id, debtor_id, account_id, currency, amount, method, received_on, status,
             receipt_book_id, receipt_sequence, receipt_number, received_by, posted_at)
         SELECT bench_id(6, s.sequence), $1, bench_id(1, s.account_number), s.account_id, 'USD', s.amount,
                'bank_transfer', s.received_on, 'posted', $2, s.sequence, 'MAIN-' || s.sequence,
                ($3::uuid[])[(s.account_number % 8)::integer + 1], (s.received_on + time '14:00') AT TIME ZONE 'UTC'
         FROM (SELECT r.*, row_number() OVER (ORDER BY r.received_on, r.account_number) AS sequence
               FROM bench_payment_rows r) s
         ORDER BY s.sequence",
    )
    .bind::<SqlUuid, _>(creditor_id)
    .bind::<SqlUuid, _>(book_id)
    .bind::<Array<SqlUuid>, _>(&collector_ids)
    .execute(conn)?;
    step("payments", rows, started);

    let started = Instant::now();
    let rows = diesel::sql_query(
        "INSERT INTO payment_parts (payment_id, account_id, creditor_id, amount)
         SELECT id, account_id, creditor_id, amount FROM payments ORDER BY id",
    )
    .execute(conn)?;
    diesel::sql_query("UPDATE receipt_books SET next_sequence = (SELECT count(*) + 1 FROM payments) WHERE id = $1")
        .bind::<SqlUuid, _>(book_id)
        .execute(conn)?;
    step("payment_parts", rows, started);

    let started = Instant::now();
    for sql in [
        "DROP TABLE bench_plan_terms",
        "DROP TABLE bench_promise_terms",
        "DROP TABLE bench_payment_rows",
        "DROP FUNCTION bench_id(integer, bigint)",
        "DROP FUNCTION bench_hash(bigint, integer, integer)",
        "VACUUM ANALYZE",
    ] {
        diesel::sql_query(sql).execute(conn)?;
    }
    step("VACUUM ANALYZE", 0, started);

    let mut tables = Vec::new();
    for table in ["accounts", "plans", "plan_instalments", "promises", "payments", "payment_parts"] {
        tables.push((table, count(conn, &format!("SELECT count(*) AS n FROM {table}"))?));
    }
    Ok(Generation { creditor_id, seconds: clock.elapsed().as_secs_f64(), tables })
}

fn create_user(conn: &mut PgConnection, email: &str, role: Role) -> anyhow::Result<Uuid> {
    let request = CreateUserRequest { email: email.to_string(), password: PASSWORD.to_string(), role, display_name: None };
    let user = api::services::users::create_user(conn, None, &request).map_err(|e| anyhow!("failed to create user {email}: {e}"))?;
    Ok(user.id)
}

fn print_generation(generation: &Generation) {
    println!("generated in {:.1} s:", generation.seconds);
    for (table, rows) in &generation.tables {
        println!("  {table:<18} {rows:>10}");
    }
}

/// Records every day up to `day` as evaluated, so the next run starts the day after.
fn mark_evaluated_through(conn: &mut PgConnection, creditor_id: Uuid, day: NaiveDate) -> anyhow::Result<()> {
    diesel::sql_query("INSERT INTO daily_runs (creditor_id, run_on, report) VALUES ($1, $2, '{\"benchmark\": \"generated\"}')")
        .bind::<SqlUuid, _>(creditor_id)
        .bind::<Date, _>(day)
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The daily run

/// Rows the run covers at the start of a day.
struct Workload {
    active_plans: i64,
    active_instalments: i64,
    open_promises: i64,
}

impl Workload {
    fn read(conn: &mut PgConnection) -> anyhow::Result<Workload> {
        Ok(Workload {
            active_plans: count(conn, "SELECT count(*) AS n FROM plans WHERE status IN ('on_track', 'in_arrears')")?,
            active_instalments: count(
                conn,
                "SELECT count(*) AS n FROM plan_instalments i JOIN plans pl ON pl.id = i.plan_id
                 WHERE pl.status IN ('on_track', 'in_arrears')",
            )?,
            open_promises: count(conn, "SELECT count(*) AS n FROM promises WHERE status = 'open'")?,
        })
    }
}

/// One call of `daily_run::run` that evaluated one day.
struct DayRun {
    day: NaiveDate,
    seconds: f64,
    /// CPU seconds of the server backend that ran the day.
    backend_cpu: Option<f64>,
    before: Workload,
    result: DailyRunDay,
    interest_charged: i64,
}

impl DayRun {
    fn print(&self) {
        let cpu = self.backend_cpu.map(|s| format!("{s:.1} s")).unwrap_or_else(|| "unknown".to_string());
        println!(
            "  at the start: {} active plans with {} instalments, {} open promises",
            self.before.active_plans, self.before.active_instalments, self.before.open_promises
        );
        println!("  run: {:.2} s wall clock, server backend CPU {cpu}", self.seconds);
        println!(
            "  reported: {} instalments changed, {} plans changed, {} promises changed, {} tasks created, {} instalments' interest charged",
            self.result.instalments_changed,
            self.result.plans_changed,
            self.result.promises_changed,
            self.result.tasks_created,
            self.interest_charged
        );
    }
}

/// Evaluates `day` (the only day due) on a new connection and times the call.
fn run_day(url: &str, creditor_id: Uuid, day: NaiveDate) -> anyhow::Result<DayRun> {
    let mut conn = PgConnection::establish(url)?;
    let before = Workload::read(&mut conn)?;
    let pid = backend_pid(&mut conn)?;
    let cpu_start = process_cpu_seconds(pid);
    let clock = Instant::now();
    let report = daily_run::run(&mut conn, Some(day)).map_err(|e| anyhow!("the daily run for {day} failed: {e}"))?;
    let seconds = clock.elapsed().as_secs_f64();
    let backend_cpu = cpu_start.zip(process_cpu_seconds(pid)).map(|(start, end)| end - start);

    let [result] = report.days.as_slice() else {
        bail!("the run for {day} evaluated {} days; expected exactly {day}", report.days.len());
    };
    if result.day != day || result.creditor_id != creditor_id {
        bail!("the run evaluated {} for creditor {}; expected {day} for {creditor_id}", result.day, result.creditor_id);
    }
    let interest_charged = count(
        &mut conn,
        &format!(
            "SELECT coalesce((report->>'interest_charged')::bigint, -1) AS n FROM daily_runs
             WHERE creditor_id = '{creditor_id}' AND run_on = '{day}'"
        ),
    )?;
    Ok(DayRun { day, seconds, backend_cpu, before, result: result.clone(), interest_charged })
}

/// Compares the run's counts with the rows it wrote to `follow_up_tasks`
/// and `audit_log`, and fails on any difference.
fn check_day(conn: &mut PgConnection, run: &DayRun) -> anyhow::Result<()> {
    let day = run.day;
    let result = &run.result;
    let tasks = count(conn, &format!("SELECT count(*) AS n FROM follow_up_tasks WHERE raised_on = '{day}'"))?;
    let plan_audits = count(
        conn,
        &format!("SELECT count(*) AS n FROM audit_log WHERE action = 'plan.status_changed' AND details->>'as_of' = '{day}'"),
    )?;
    let promise_audits = count(
        conn,
        &format!("SELECT count(*) AS n FROM audit_log WHERE action = 'promise.status_changed' AND details->>'as_of' = '{day}'"),
    )?;
    let missed_tasks = count(
        conn,
        &format!("SELECT count(*) AS n FROM follow_up_tasks WHERE raised_on = '{day}' AND kind = 'missed_instalment'"),
    )?;

    let mut problems = Vec::new();
    if tasks != result.tasks_created as i64 {
        problems.push(format!("tasks created is {}, but follow_up_tasks has {tasks} rows raised on {day}", result.tasks_created));
    }
    if plan_audits != result.plans_changed as i64 {
        problems.push(format!("plans changed is {}, but audit_log has {plan_audits} plan status changes as of {day}", result.plans_changed));
    }
    if promise_audits != result.promises_changed as i64 {
        problems.push(format!(
            "promises changed is {}, but audit_log has {promise_audits} promise status changes as of {day}",
            result.promises_changed
        ));
    }
    if (result.instalments_changed as i64) < missed_tasks || result.instalments_changed as i64 > run.before.active_instalments {
        problems.push(format!(
            "instalments changed is {}, outside {missed_tasks} (missed-instalment tasks) to {} (instalments of active plans)",
            result.instalments_changed, run.before.active_instalments
        ));
    }
    if run.interest_charged < 0 {
        problems.push(format!("daily_runs has no interest_charged for {day}"));
    }
    if !problems.is_empty() {
        bail!("the run's report for {day} disagrees with the database: {}", problems.join("; "));
    }
    println!("  check passed: the counts match follow_up_tasks and audit_log");
    Ok(())
}

/// A call of the run for a day that is already evaluated.
struct NoOpRun {
    seconds: f64,
    days_evaluated: usize,
}

fn run_again(url: &str, day: NaiveDate) -> anyhow::Result<NoOpRun> {
    let mut conn = PgConnection::establish(url)?;
    let clock = Instant::now();
    let report = daily_run::run(&mut conn, Some(day)).map_err(|e| anyhow!("the second run for {day} failed: {e}"))?;
    Ok(NoOpRun { seconds: clock.elapsed().as_secs_f64(), days_evaluated: report.days.len() })
}

/// Evaluates `day` with `auto_explain` on and prints the plans it logged.
fn run_explained_day(url: &str, cluster_dir: &Path, day: NaiveDate) -> anyhow::Result<f64> {
    let log_path: PathBuf = cluster_dir.join("postgres").join("server.log");
    let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let mut conn = PgConnection::establish(url)?;
    for sql in [
        "LOAD 'auto_explain'".to_string(),
        format!("SET auto_explain.log_min_duration = {EXPLAIN_MIN_MS}"),
        "SET auto_explain.log_analyze = on".to_string(),
        "SET auto_explain.log_buffers = on".to_string(),
        "SET auto_explain.log_timing = on".to_string(),
    ] {
        diesel::sql_query(&sql).execute(&mut conn).with_context(|| format!("{sql} failed"))?;
    }
    println!("\nday {day} with auto_explain (EXPLAIN ANALYZE of statements over {EXPLAIN_MIN_MS} ms; not comparable with the timed days):");
    let clock = Instant::now();
    let report = daily_run::run(&mut conn, Some(day)).map_err(|e| anyhow!("the daily run for {day} failed: {e}"))?;
    let seconds = clock.elapsed().as_secs_f64();
    if report.days.len() != 1 {
        bail!("the run for {day} evaluated {} days; expected exactly {day}", report.days.len());
    }
    drop(conn);

    let log = fs::read(&log_path).with_context(|| format!("failed to read {}", log_path.display()))?;
    let added = String::from_utf8_lossy(&log[(log_start as usize).min(log.len())..]).to_string();
    println!("{added}");
    println!("day {day} with auto_explain: {seconds:.2} s");
    Ok(seconds)
}

// ---------------------------------------------------------------------------
// The baseline

struct BaselineStatement {
    label: &'static str,
    seconds: f64,
    rows: usize,
}

/// Instalments of the active plans, each set to everything its account paid
/// since the plan counts payments: the run's joins without its ordering,
/// judgement, tasks or audit. `MATERIALIZED` sums each plan's payments
/// once. Without it PostgreSQL 15 pulls the subquery up and sums them again
/// for every instalment.
const BASELINE_INSTALMENTS: &str = "WITH active AS MATERIALIZED (
         SELECT pl.id,
                coalesce((SELECT sum(pp.amount) FROM payment_parts pp JOIN payments p ON p.id = pp.payment_id
                          WHERE pp.account_id = pl.account_id AND p.status = 'posted'
                            AND coalesce(p.held_until, p.received_on) BETWEEN pl.counts_from AND $2), 0)::bigint AS paid
         FROM plans pl
         WHERE pl.creditor_id = $1 AND pl.status IN ('on_track', 'in_arrears') AND pl.counts_from <= $2
     )
     UPDATE plan_instalments i SET paid = a.paid FROM active a WHERE i.plan_id = a.id";

/// Open promises, each set to what its account paid in its window after it was taken.
const BASELINE_PROMISES: &str = "UPDATE promises pm SET paid = coalesce(
         (SELECT sum(pp.amount) FROM payment_parts pp JOIN payments p ON p.id = pp.payment_id
          WHERE pp.account_id = pm.account_id AND p.status = 'posted' AND p.posted_at >= pm.taken_at
            AND coalesce(p.held_until, p.received_on) BETWEEN pm.taken_on AND least(pm.window_ends_on, $2)), 0)
     WHERE pm.creditor_id = $1 AND pm.status = 'open' AND pm.taken_on <= $2";

/// Times each baseline statement in a transaction that is rolled back, so the
/// database is left as the last timed day left it.
fn run_baseline(url: &str, creditor_id: Uuid, day: NaiveDate) -> anyhow::Result<Vec<BaselineStatement>> {
    println!("\nbaseline as of {day} (each statement in its own transaction, rolled back):");
    let mut results = Vec::new();
    for (label, sql) in [("UPDATE instalments of active plans", BASELINE_INSTALMENTS), ("UPDATE open promises", BASELINE_PROMISES)] {
        let mut conn = PgConnection::establish(url)?;
        diesel::sql_query("BEGIN").execute(&mut conn)?;
        let clock = Instant::now();
        let rows = diesel::sql_query(sql)
            .bind::<SqlUuid, _>(creditor_id)
            .bind::<Date, _>(day)
            .execute(&mut conn)
            .with_context(|| format!("baseline statement '{label}' failed"))?;
        let seconds = clock.elapsed().as_secs_f64();
        diesel::sql_query("ROLLBACK").execute(&mut conn)?;
        results.push(BaselineStatement { label, seconds, rows });
    }
    Ok(results)
}

fn print_baseline(baseline: &[BaselineStatement]) {
    for statement in baseline {
        println!("  {:<36} {:>9} rows {:>8.2} s", statement.label, statement.rows, statement.seconds);
    }
}

// ---------------------------------------------------------------------------
// The summary

struct Summary<'a> {
    sizes: &'a Sizes,
    generation: &'a Generation,
    catch_up: &'a DayRun,
    days: &'a [DayRun],
    no_op: &'a NoOpRun,
    /// The day evaluated with `auto_explain` and its wall-clock seconds.
    explained: Option<(NaiveDate, f64)>,
    baseline: &'a [BaselineStatement],
    machine: &'a Machine,
}

fn print_summary(s: &Summary<'_>) {
    let baseline_seconds: f64 = s.baseline.iter().map(|b| b.seconds).sum();
    println!("\n== summary ==");
    println!("accounts            {}", s.sizes.accounts);
    println!("plans, promises     {} generated active, {} generated open", s.sizes.plans, s.sizes.promises);
    println!("generation          {:.1} s", s.generation.seconds);
    println!(
        "catch-up day        {}  {:.2} s  ({} instalments, {} plans, {} promises changed, {} tasks)",
        s.catch_up.day,
        s.catch_up.seconds,
        s.catch_up.result.instalments_changed,
        s.catch_up.result.plans_changed,
        s.catch_up.result.promises_changed,
        s.catch_up.result.tasks_created
    );
    for day in s.days {
        println!(
            "day                 {}  {:.2} s  ratio {:.1} to the baseline  ({} active plans, {} open promises at the start; {} instalments, {} plans, {} promises changed, {} tasks)",
            day.day,
            day.seconds,
            day.seconds / baseline_seconds,
            day.before.active_plans,
            day.before.open_promises,
            day.result.instalments_changed,
            day.result.plans_changed,
            day.result.promises_changed,
            day.result.tasks_created
        );
    }
    println!("second call, D3     {:.3} s (nothing to evaluate)", s.no_op.seconds);

    for statement in s.baseline {
        println!("baseline            {:.2} s  {} ({} rows)", statement.seconds, statement.label, statement.rows);
    }
    println!("baseline total      {baseline_seconds:.2} s");

    if let Some((day, seconds)) = s.explained {
        println!("auto_explain day    {day}  {seconds:.2} s (EXPLAIN ANALYZE overhead included)");
    }
    println!("machine             {} CPUs, {}", s.machine.cpus, s.machine.model);
    println!("load average        {} at start, {} at end", s.machine.load_average, load_average());
}
