//! Payment-posting benchmark: sustained `POST /api/v1/accounts/{id}/payments`
//! through the real server, against a bare transaction of the same shape.
//!
//! Starts a private cluster with durable commits (`fsync`,
//! `synchronous_commit` and `full_page_writes` on) in a fresh directory under
//! `/tmp` and imports a generated placement file through `services::imports`.
//! It creates a manager and eight collectors. Each collector gets a receipt
//! book of their own and an eighth of the accounts. Three scenarios
//! then run one after another with the same number of concurrent clients,
//! each with an untimed warm-up and a timed window:
//!
//! 1. bare transaction: each client thread runs `BEGIN; SELECT ... FOR
//!    UPDATE; INSERT; UPDATE; COMMIT` with diesel on a connection of its own;
//! 2. HTTP, one receipt book: the manager posts every payment, so every
//!    posting takes its number from the creditor's MAIN book;
//! 3. HTTP, eight receipt books: each collector posts to the accounts
//!    assigned to them and takes numbers from their own book.
//!
//! Each client posts to accounts of its own, so two clients never wait for
//! the same account row. Afterwards `services::ledger::verify` must report no
//! violations (which includes gap-free receipt numbers), and each book must
//! hold as many payments as the server returned 201 for. The directory is
//! removed at the end.
//!
//! Run it with `make bench` or `cargo bench -p api --bench payments`.
//! Environment:
//! - `BENCH_ACCOUNTS`: accounts to import (default 10,000).
//! - `BENCH_CLIENTS`: concurrent clients, at least 8 (default 16).
//! - `BENCH_SECONDS`: timed window of each scenario in seconds (default 20).
//! - `BENCH_WARM_UP_SECONDS`: untimed load before each window (default 5).
//! - `BENCH_PROFILE=1`: load `pg_stat_statements`, time WAL writes, sample
//!   `pg_stat_activity` every 10 ms and print each scenario's statements and
//!   wait events. This slows the server, so rates from such a run are not
//!   comparable with a normal run.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use api::config::{AuthSettings, Settings};
use api::db::schema::{accounts, receipt_books};
use api::postgres::{Cluster, PgPool};
use api::startup::Application;
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use shared::users::{CreateUserRequest, Role};
use uuid::Uuid;

const DEFAULT_ACCOUNTS: usize = 10_000;
const DEFAULT_CLIENTS: usize = 16;
const DEFAULT_SECONDS: u64 = 20;
const DEFAULT_WARM_UP_SECONDS: u64 = 5;
/// Collectors in the eight-book scenario, each with a receipt book of their own.
const COLLECTORS: usize = 8;
/// The eight-book scenario should sustain at least this many postings per second.
const TARGET_POSTINGS_PER_SECOND: f64 = 1_000.0;
const DATABASE: &str = "bench_payments";
const PASSWORD: &str = "a long benchmark password";
/// Every posting pays 1.00 USD in cash. The smallest generated balance is
/// 100.00, so no account is paid off within a run of normal length.
const PAYMENT_CENTS: i64 = 100;
const PAYMENT_BODY: &str = r#"{"amount": 100, "currency": "USD", "method": "cash"}"#;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Time for idle backends to send their statistics before the counters are
/// read. PostgreSQL 15 (`pgstat.c`) sends a backend's statistics at most once
/// a second, and an idle backend that held some back sends them 10 s later.
const STATISTICS_SETTLE: Duration = Duration::from_secs(11);
const POOL_SAMPLE_INTERVAL: Duration = Duration::from_millis(10);
const WAIT_SAMPLE_INTERVAL: Duration = Duration::from_millis(10);
/// Settings that make every commit durable. They are also PostgreSQL's
/// defaults, but are passed explicitly and checked with `SHOW` before any load.
const DURABLE_SETTINGS: [(&str, &str); 3] = [("fsync", "on"), ("synchronous_commit", "on"), ("full_page_writes", "on")];
/// Server settings added by `BENCH_PROFILE=1`.
const PROFILE_SETTINGS: [(&str, &str); 4] = [
    ("shared_preload_libraries", "pg_stat_statements"),
    ("pg_stat_statements.track", "all"),
    ("pg_stat_statements.track_planning", "on"),
    ("track_wal_io_timing", "on"),
];
/// Statements listed per scenario by `BENCH_PROFILE=1`.
const TOP_STATEMENTS: i64 = 40;

diesel::table! {
    /// Scratch table written by the bare-transaction baseline.
    bench_postings (id) {
        id -> BigInt,
        account_id -> Uuid,
        amount -> BigInt,
    }
}

struct Options {
    accounts: usize,
    clients: usize,
    warm_up: Duration,
    timed: Duration,
    profile: bool,
}

fn main() -> anyhow::Result<()> {
    let options = Options {
        accounts: number_from_env("BENCH_ACCOUNTS", DEFAULT_ACCOUNTS as u64, 1)? as usize,
        clients: number_from_env("BENCH_CLIENTS", DEFAULT_CLIENTS as u64, COLLECTORS as u64)? as usize,
        timed: Duration::from_secs(number_from_env("BENCH_SECONDS", DEFAULT_SECONDS, 1)?),
        warm_up: Duration::from_secs(number_from_env("BENCH_WARM_UP_SECONDS", DEFAULT_WARM_UP_SECONDS, 0)?),
        profile: flag_from_env("BENCH_PROFILE")?,
    };
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!(
        "payment posting benchmark: {} accounts, {} concurrent clients, {} s warm-up and {} s timed per scenario",
        options.accounts,
        options.clients,
        options.warm_up.as_secs(),
        options.timed.as_secs()
    );
    println!("machine: {cpus} CPUs, {}; load average {}", cpu_model(), load_average());

    // Declared before the cluster, so the cluster is dropped (stopped) first.
    let workspace = create_workspace()?;
    println!("working directory: {}", workspace.path().display());
    let mut settings = DURABLE_SETTINGS.to_vec();
    if options.profile {
        settings.extend(PROFILE_SETTINGS);
    }
    let cluster_dir = workspace.path().join("cluster");
    let mut cluster = Cluster::start(&cluster_dir, &settings)?;
    let postmaster_pid = postmaster_pid(&cluster_dir.join("postgres"))?;
    let admin_url = cluster.url_for("postgres");
    let server = describe_server(&admin_url)?;
    server.print();
    server.require_durable()?;
    if options.profile {
        println!("BENCH_PROFILE=1: pg_stat_statements, WAL timing and wait sampling are on, so these rates are lower than without them");
    }

    create_migrated_database(&admin_url, DATABASE)?;
    let url = cluster.url_for(DATABASE);
    if options.profile {
        let mut conn = PgConnection::establish(&url)?;
        diesel::sql_query("CREATE EXTENSION pg_stat_statements").execute(&mut conn)?;
    }
    let setup = set_up(&url, workspace.path(), options.accounts)?;
    let meter = Meter { url: url.clone(), postmaster_pid, profile: options.profile };

    let baseline = run_bare_transactions(&meter, &setup, &options)?;
    let upload_dir = workspace.path().join("uploads");
    let (one_book, eight_books, counts) = run_http_scenarios(&meter, &setup, &options, &upload_dir)?;
    let runs = [baseline, one_book, eight_books];

    let checked = check_ledger(&url, &setup, &counts);
    print_summary(&runs, &server, &options, cpus);

    cluster.stop();
    drop(cluster);
    workspace.close().context("failed to remove the benchmark's working directory")?;
    checked
}

/// Reads a whole number of at least `minimum`. `default` applies when the variable is not set.
fn number_from_env(name: &str, default: u64, minimum: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => bail!("{name} is not valid Unicode: {e}"),
        Ok(value) => match value.trim().parse::<u64>() {
            Ok(n) if n >= minimum => Ok(n),
            _ => bail!("{name} must be a whole number of at least {minimum}, such as {default}; got '{value}'"),
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

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, value)| value.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU model".to_string())
}

/// Returns the 1, 5 and 15 minute load averages from /proc/loadavg.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// Reads the server's process id from the first line of `postmaster.pid`.
fn postmaster_pid(pgdata: &Path) -> anyhow::Result<i32> {
    let path = pgdata.join("postmaster.pid");
    let text = fs::read_to_string(&path).with_context(|| format!("failed to read {}", path.display()))?;
    text.lines()
        .next()
        .and_then(|line| line.trim().parse().ok())
        .ok_or_else(|| anyhow!("{} does not start with a process id", path.display()))
}

// ---------------------------------------------------------------------------
// The server's settings

/// The server version and the settings that decide what a commit costs.
struct ServerSettings {
    version: String,
    /// (name, value) in the order printed.
    values: Vec<(&'static str, String)>,
}

impl ServerSettings {
    fn get(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    fn print(&self) {
        println!("PostgreSQL {}", self.version);
        for (name, value) in &self.values {
            println!("  SHOW {name}; -> {value}");
        }
    }

    /// Fails unless every commit waits for its WAL to reach the disk.
    fn require_durable(&self) -> anyhow::Result<()> {
        for name in ["fsync", "synchronous_commit"] {
            if self.get(name) != "on" {
                bail!("{name} is '{}', but this benchmark measures durable commits and needs it on", self.get(name));
            }
        }
        Ok(())
    }

    fn durability(&self) -> String {
        ["fsync", "synchronous_commit", "full_page_writes", "wal_sync_method"]
            .iter()
            .map(|name| format!("{name}={}", self.get(name)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn describe_server(admin_url: &str) -> anyhow::Result<ServerSettings> {
    let mut conn = PgConnection::establish(admin_url)?;
    let mut show = |name: &str| -> anyhow::Result<String> {
        #[derive(QueryableByName)]
        struct Setting {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let row: Setting = diesel::sql_query(format!("SELECT current_setting('{name}') AS value")).get_result(&mut conn)?;
        Ok(row.value)
    };
    let version = show("server_version")?;
    let mut values = Vec::new();
    for name in [
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_sync_method",
        "commit_delay",
        "shared_buffers",
        "max_wal_size",
        "max_connections",
    ] {
        values.push((name, show(name)?));
    }
    Ok(ServerSettings { version, values })
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

// ---------------------------------------------------------------------------
// Accounts, users and receipt books

struct Collector {
    email: String,
    code: String,
    /// Accounts assigned to this collector, in account_ref order.
    accounts: Vec<Uuid>,
}

struct Setup {
    manager_email: String,
    /// Every account, in account_ref order.
    accounts: Vec<Uuid>,
    collectors: Vec<Collector>,
}

/// Imports `count` accounts for the creditor "Bench", creates the manager and
/// the collectors with their books, and assigns the accounts round-robin.
fn set_up(url: &str, workspace: &Path, count: usize) -> anyhow::Result<Setup> {
    let mut conn = PgConnection::establish(url)?;
    let path = workspace.join("placements.csv");
    write_placement_file(&path, count)?;
    let clock = Instant::now();
    let bytes_total = fs::metadata(&path)?.len();
    let started = api::services::imports::start(&mut conn, "Bench", "standard", "placements.csv", bytes_total, None)
        .map_err(|e| anyhow!("failed to start the import: {e}"))?;
    let report = api::services::imports::execute(&mut conn, &started, &path, |_, _| {})
        .map_err(|e| anyhow!("the import failed: {e}"))?;
    if report.imported != count as u64 || report.rejected != 0 {
        bail!("the import wrote {} of {count} accounts and rejected {}; expected all and none", report.imported, report.rejected);
    }
    println!("\nimported {count} accounts in {:.1} s", clock.elapsed().as_secs_f64());
    let creditor_id = started.creditor_id;

    let manager_email = "bench-manager@example.com".to_string();
    create_user(&mut conn, &manager_email, Role::Manager)?;
    // The product creates the MAIN book on a creditor's first posting. It is
    // created here, like the collectors' books, so every timed posting finds it.
    insert_receipt_book(&mut conn, creditor_id, "MAIN", None)?;

    let mut collector_ids = Vec::with_capacity(COLLECTORS);
    let mut collectors = Vec::with_capacity(COLLECTORS);
    for k in 1..=COLLECTORS {
        let email = format!("bench-collector-{k}@example.com");
        let id = create_user(&mut conn, &email, Role::Collector)?;
        let code = format!("C{k}");
        insert_receipt_book(&mut conn, creditor_id, &code, Some(id))?;
        collector_ids.push(id);
        collectors.push(Collector { email, code, accounts: Vec::new() });
    }

    // Account n (0-based, in account_ref order) goes to collector n mod 8.
    diesel::sql_query(
        "UPDATE accounts a SET assigned_agent_id = ($1::uuid[])[(r.n % $2) + 1]
         FROM (SELECT id, row_number() OVER (ORDER BY account_ref) - 1 AS n FROM accounts) r
         WHERE a.id = r.id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(collector_ids.as_slice())
    .bind::<BigInt, _>(COLLECTORS as i64)
    .execute(&mut conn)?;
    let rows: Vec<(Uuid, Option<Uuid>)> = accounts::table
        .order(accounts::account_ref)
        .select((accounts::id, accounts::assigned_agent_id))
        .load(&mut conn)?;
    let mut all = Vec::with_capacity(rows.len());
    for (n, (id, agent)) in rows.into_iter().enumerate() {
        let k = n % COLLECTORS;
        if agent != Some(collector_ids[k]) {
            bail!("account {id} is assigned to {agent:?}, expected collector {}", k + 1);
        }
        collectors[k].accounts.push(id);
        all.push(id);
    }

    diesel::sql_query(
        "CREATE TABLE bench_postings (
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             account_id uuid NOT NULL,
             amount bigint NOT NULL,
             created_at timestamptz NOT NULL DEFAULT now())",
    )
    .execute(&mut conn)?;
    diesel::sql_query("VACUUM ANALYZE").execute(&mut conn)?;
    Ok(Setup { manager_email, accounts: all, collectors })
}

fn create_user(conn: &mut PgConnection, email: &str, role: Role) -> anyhow::Result<Uuid> {
    let request = CreateUserRequest { email: email.to_string(), password: PASSWORD.to_string(), role, display_name: None };
    let user = api::services::users::create_user(conn, None, &request).map_err(|e| anyhow!("failed to create user {email}: {e}"))?;
    Ok(user.id)
}

fn insert_receipt_book(conn: &mut PgConnection, creditor_id: Uuid, code: &str, collector_id: Option<Uuid>) -> anyhow::Result<()> {
    diesel::insert_into(receipt_books::table)
        .values((
            receipt_books::id.eq(Uuid::now_v7()),
            receipt_books::creditor_id.eq(creditor_id),
            receipt_books::code.eq(code),
            receipt_books::collector_id.eq(collector_id),
        ))
        .execute(conn)
        .with_context(|| format!("failed to create receipt book {code}"))?;
    Ok(())
}

const FIRST_NAMES: &[&str] = &["Ana", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hector", "Irene", "James", "Keiko", "Luis"];
const LAST_NAMES: &[&str] = &["Smith", "Garcia", "Nguyen", "Miller", "Lopez", "Wilson", "Moore", "Lee", "Perez", "Clark", "Young"];

/// Writes `count` placement lines in the `standard` profile's columns. The
/// values follow from the line number, so every run imports the same file.
/// Each line is a new account of a new debtor owing 100.00 to 599.99 principal.
fn write_placement_file(path: &Path, count: usize) -> anyhow::Result<()> {
    let file = fs::File::create(path).with_context(|| format!("failed to create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    writeln!(
        out,
        "account_ref,debtor_ref,debtor_name,currency,principal,interest,fees,delinquent_since,\
         address_line1,city,region,postal_code,country,phone,email"
    )?;
    let first_delinquency = NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date");
    for n in 0..count {
        let name = format!("{} {}", FIRST_NAMES[n % FIRST_NAMES.len()], LAST_NAMES[n / FIRST_NAMES.len() % LAST_NAMES.len()]);
        let principal_cents = 10_000 + (n * 7_919) % 50_000;
        let interest_cents = (n * 131) % 5_000;
        let fees_cents = if n % 3 == 0 { 0 } else { 2_500 };
        let delinquent_since = first_delinquency + Days::new((n % 700) as u64);
        writeln!(
            out,
            "PAY-{n:07},PDB-{n:07},{name},USD,{}.{:02},{}.{:02},{}.{:02},{},{} Main St,Springfield,IL,62701,US,(217) 555-01{:02},payer{n}@example.com",
            principal_cents / 100,
            principal_cents % 100,
            interest_cents / 100,
            interest_cents % 100,
            fees_cents / 100,
            fees_cents % 100,
            delinquent_since.format("%Y-%m-%d"),
            n + 1,
            n % 100,
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Splits `accounts` over `clients` so that no two clients share an account.
fn deal(accounts: &[Uuid], clients: usize) -> Vec<Vec<Uuid>> {
    let mut hands = vec![Vec::new(); clients];
    for (n, id) in accounts.iter().enumerate() {
        hands[n % clients].push(*id);
    }
    hands
}

// ---------------------------------------------------------------------------
// Timing windows and results

/// The warm-up and the timed window of one scenario, from a common start.
#[derive(Clone, Copy)]
struct Window {
    timed_start: Instant,
    timed_end: Instant,
}

impl Window {
    fn starting_now(options: &Options) -> Window {
        let timed_start = Instant::now() + options.warm_up;
        Window { timed_start, timed_end: timed_start + options.timed }
    }

    fn is_over(&self) -> bool {
        Instant::now() >= self.timed_end
    }

    /// Returns whether a posting that finished at `finished` counts toward the rate and the latencies.
    fn counts(&self, finished: Instant) -> bool {
        finished >= self.timed_start && finished <= self.timed_end
    }
}

/// Postings and latencies of one client in one scenario.
#[derive(Default)]
struct ClientLog {
    /// Postings of the whole scenario, warm-up included.
    postings: u64,
    /// Latencies of the postings that finished inside the timed window.
    timed_latencies: Vec<Duration>,
}

/// One scenario's measurements.
struct Run {
    label: &'static str,
    clients: usize,
    timed_seconds: f64,
    /// Latencies of the postings that finished in the timed window, sorted.
    latencies: Vec<Duration>,
    /// Postings of the whole scenario, warm-up included.
    all_postings: u64,
    costs: Costs,
    pool: Option<PoolUse>,
    profile: Option<Profile>,
}

impl Run {
    fn new(label: &'static str, clients: usize, options: &Options, logs: Vec<ClientLog>, costs: Costs) -> Run {
        let all_postings = logs.iter().map(|log| log.postings).sum();
        let mut latencies: Vec<Duration> = logs.into_iter().flat_map(|log| log.timed_latencies).collect();
        latencies.sort_unstable();
        Run {
            label,
            clients,
            timed_seconds: options.timed.as_secs_f64(),
            latencies,
            all_postings,
            costs,
            pool: None,
            profile: None,
        }
    }

    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.timed_seconds
    }

    /// Returns the latency below which `fraction` of the timed postings finished, in milliseconds.
    fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies.len() as f64 * fraction).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1].as_secs_f64() * 1000.0
    }

    fn print(&self) {
        println!(
            "\n{}: {} postings in {:.0} s = {:.1} postings/s with {} clients",
            self.label,
            self.latencies.len(),
            self.timed_seconds,
            self.rate(),
            self.clients
        );
        println!(
            "  latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
            self.percentile_ms(0.50),
            self.percentile_ms(0.90),
            self.percentile_ms(0.99),
            self.percentile_ms(1.0)
        );
        self.costs.print(self.all_postings);
        if let Some(pool) = &self.pool {
            pool.print();
        }
        if let Some(profile) = &self.profile {
            profile.print(self.all_postings);
        }
    }
}

// ---------------------------------------------------------------------------
// CPU, WAL and transaction counters

/// Sources of a scenario's counters: the benchmark database and the server's process id.
struct Meter {
    url: String,
    postmaster_pid: i32,
    profile: bool,
}

/// Counter readings at the start of a scenario.
struct MeterStart {
    process_cpu: f64,
    client_thread_cpu: f64,
    server_cpu: HashMap<i32, f64>,
    machine: MachineTicks,
    database: DatabaseCounters,
    wall: Instant,
}

/// Costs of a whole scenario, warm-up included, so they can be divided by all its postings.
struct Costs {
    wall_seconds: f64,
    /// CPU seconds of the load generator: the client threads of the baseline,
    /// or the thread that sends the HTTP requests.
    client_cpu: f64,
    /// CPU seconds of the rest of this process, which is the server in the HTTP scenarios.
    app_cpu: Option<f64>,
    /// CPU seconds of the PostgreSQL server's processes.
    postgres_cpu: f64,
    /// Number of the server's processes at the end.
    postgres_processes: usize,
    /// Fraction of all CPUs busy, counting every process on the machine.
    machine_busy: f64,
    cpus: usize,
    database: DatabaseCounters,
}

impl Meter {
    /// Reads the counters. `client_thread_cpu` is the load generator's CPU time
    /// when it runs on the calling thread, and 0 when it runs on threads of its own.
    fn start(&self, client_thread_cpu: f64) -> anyhow::Result<MeterStart> {
        std::thread::sleep(STATISTICS_SETTLE);
        Ok(MeterStart {
            process_cpu: process_cpu_seconds(),
            client_thread_cpu,
            server_cpu: server_cpu_seconds(self.postmaster_pid),
            machine: MachineTicks::read(),
            database: DatabaseCounters::read(&self.url)?,
            wall: Instant::now(),
        })
    }

    /// Reads the counters again after the scenario. `client_cpu` is the load
    /// generator's CPU time when it ran on threads of its own.
    fn stop(&self, start: MeterStart, client: ClientCpu) -> anyhow::Result<Costs> {
        let wall_seconds = start.wall.elapsed().as_secs_f64();
        let process_cpu = process_cpu_seconds() - start.process_cpu;
        let server_cpu = server_cpu_seconds(self.postmaster_pid);
        let postgres_cpu = server_cpu_delta(&start.server_cpu, &server_cpu);
        let machine = MachineTicks::read();
        std::thread::sleep(STATISTICS_SETTLE);
        let database = DatabaseCounters::read(&self.url)?.minus(&start.database);
        let (client_cpu, app_cpu) = match client {
            ClientCpu::OwnThreads(seconds) => (seconds, None),
            ClientCpu::CallingThread(now) => {
                let client = now - start.client_thread_cpu;
                (client, Some((process_cpu - client).max(0.0)))
            }
        };
        Ok(Costs {
            wall_seconds,
            client_cpu,
            app_cpu,
            postgres_cpu,
            postgres_processes: server_cpu.len(),
            machine_busy: machine.busy_since(&start.machine),
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            database,
        })
    }
}

enum ClientCpu {
    /// CPU seconds used by the client threads, summed.
    OwnThreads(f64),
    /// The calling thread's CPU seconds now.
    CallingThread(f64),
}

impl Costs {
    fn print(&self, postings: u64) {
        let per_posting_ms = |seconds: f64| seconds * 1000.0 / postings.max(1) as f64;
        let app = self.app_cpu.map(|s| format!("{:.2} ms server process, ", per_posting_ms(s))).unwrap_or_default();
        let used = self.client_cpu + self.app_cpu.unwrap_or(0.0) + self.postgres_cpu;
        println!(
            "  whole scenario, warm-up included: {postings} postings in {:.1} s",
            self.wall_seconds
        );
        println!(
            "  CPU per posting: {app}{:.2} ms client, {:.2} ms PostgreSQL ({} processes); together {:.2} of {} CPUs, machine {:.0}% busy",
            per_posting_ms(self.client_cpu),
            per_posting_ms(self.postgres_cpu),
            self.postgres_processes,
            used / self.wall_seconds,
            self.cpus,
            self.machine_busy * 100.0
        );
        self.database.print(postings);
    }
}

/// Cumulative counters of the benchmark database and of the WAL.
#[derive(Clone, Copy)]
struct DatabaseCounters {
    commits: i64,
    rollbacks: i64,
    rows_inserted: i64,
    rows_updated: i64,
    wal_bytes: f64,
    wal_writes: i64,
    wal_syncs: i64,
    /// Milliseconds; stays 0 unless `track_wal_io_timing` is on.
    wal_sync_ms: f64,
}

impl DatabaseCounters {
    fn read(url: &str) -> anyhow::Result<DatabaseCounters> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            commits: i64,
            #[diesel(sql_type = BigInt)]
            rollbacks: i64,
            #[diesel(sql_type = BigInt)]
            rows_inserted: i64,
            #[diesel(sql_type = BigInt)]
            rows_updated: i64,
            #[diesel(sql_type = Double)]
            wal_bytes: f64,
            #[diesel(sql_type = BigInt)]
            wal_writes: i64,
            #[diesel(sql_type = BigInt)]
            wal_syncs: i64,
            #[diesel(sql_type = Double)]
            wal_sync_ms: f64,
        }
        let mut conn = PgConnection::establish(url)?;
        let row: Row = diesel::sql_query(
            "SELECT d.xact_commit AS commits, d.xact_rollback AS rollbacks, d.tup_inserted AS rows_inserted,
                    d.tup_updated AS rows_updated, w.wal_bytes::float8 AS wal_bytes, w.wal_write AS wal_writes,
                    w.wal_sync AS wal_syncs, w.wal_sync_time AS wal_sync_ms
             FROM pg_stat_database d, pg_stat_wal w
             WHERE d.datname = current_database()",
        )
        .get_result(&mut conn)?;
        Ok(DatabaseCounters {
            commits: row.commits,
            rollbacks: row.rollbacks,
            rows_inserted: row.rows_inserted,
            rows_updated: row.rows_updated,
            wal_bytes: row.wal_bytes,
            wal_writes: row.wal_writes,
            wal_syncs: row.wal_syncs,
            wal_sync_ms: row.wal_sync_ms,
        })
    }

    fn minus(&self, earlier: &DatabaseCounters) -> DatabaseCounters {
        DatabaseCounters {
            commits: self.commits - earlier.commits,
            rollbacks: self.rollbacks - earlier.rollbacks,
            rows_inserted: self.rows_inserted - earlier.rows_inserted,
            rows_updated: self.rows_updated - earlier.rows_updated,
            wal_bytes: self.wal_bytes - earlier.wal_bytes,
            wal_writes: self.wal_writes - earlier.wal_writes,
            wal_syncs: self.wal_syncs - earlier.wal_syncs,
            wal_sync_ms: self.wal_sync_ms - earlier.wal_sync_ms,
        }
    }

    fn print(&self, postings: u64) {
        let per = |n: f64| n / postings.max(1) as f64;
        println!(
            "  per posting: {:.2} transactions committed ({} rolled back in all), {:.1} rows inserted, {:.1} rows updated, {:.1} KiB WAL",
            per(self.commits as f64),
            self.rollbacks,
            per(self.rows_inserted as f64),
            per(self.rows_updated as f64),
            per(self.wal_bytes) / 1024.0
        );
        let sync_time = if self.wal_sync_ms > 0.0 {
            format!(", {:.2} ms per WAL flush", self.wal_sync_ms / self.wal_syncs.max(1) as f64)
        } else {
            String::new()
        };
        println!(
            "  WAL flushes: {} in all, {:.2} per posting ({:.1} postings per flush){sync_time}; {} WAL writes",
            self.wal_syncs,
            per(self.wal_syncs as f64),
            postings as f64 / self.wal_syncs.max(1) as f64,
            self.wal_writes
        );
    }
}

/// Returns the user plus system CPU time of this process so far, in seconds.
fn process_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_SELF)
}

/// Returns the user plus system CPU time of the calling thread so far, in seconds.
fn thread_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_THREAD)
}

fn rusage_seconds(who: libc::c_int) -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        libc::getrusage(who, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Returns the CPU seconds of the postmaster and each of its children, by process id.
fn server_cpu_seconds(postmaster_pid: i32) -> HashMap<i32, f64> {
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let mut seconds = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else { return seconds };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<i32>().ok()) else { continue };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
        // The command name may contain spaces, so fields are counted from its closing
        // bracket: state, ppid, ... with utime and stime at 11 and 12 after it.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let parent: i32 = fields.get(1).and_then(|f| f.parse().ok()).unwrap_or(0);
        if pid != postmaster_pid && parent != postmaster_pid {
            continue;
        }
        let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
            + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
        seconds.insert(pid, ticks as f64 / ticks_per_second);
    }
    seconds
}

/// Sums the CPU used between two readings. A process that started in between
/// counts in full. A process that ended in between is missing from the sum.
fn server_cpu_delta(start: &HashMap<i32, f64>, end: &HashMap<i32, f64>) -> f64 {
    end.iter().map(|(pid, seconds)| seconds - start.get(pid).copied().unwrap_or(0.0)).sum()
}

/// CPU time of the whole machine, in clock ticks, from the first line of /proc/stat.
struct MachineTicks {
    busy: u64,
    total: u64,
}

impl MachineTicks {
    fn read() -> MachineTicks {
        let text = fs::read_to_string("/proc/stat").unwrap_or_default();
        let ticks: Vec<u64> = text
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|field| field.parse().ok())
            .collect();
        let total: u64 = ticks.iter().sum();
        // Fields 4 and 5 are idle and iowait.
        let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
        MachineTicks { busy: total.saturating_sub(idle), total }
    }

    fn busy_since(&self, earlier: &MachineTicks) -> f64 {
        let total = self.total.saturating_sub(earlier.total);
        if total == 0 {
            return f64::NAN;
        }
        self.busy.saturating_sub(earlier.busy) as f64 / total as f64
    }
}

// ---------------------------------------------------------------------------
// Sampling during the timed window

/// Runs `sample` every `interval` on a thread of its own during the timed window.
struct Sampler<T: Send + 'static> {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<anyhow::Result<T>>,
}

impl<T: Send + 'static> Sampler<T> {
    fn start<S: Send + 'static>(
        window: Window,
        interval: Duration,
        mut state: S,
        mut sample: impl FnMut(&mut S) -> anyhow::Result<()> + Send + 'static,
        finish: impl FnOnce(S) -> T + Send + 'static,
    ) -> Sampler<T> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(window.timed_start.saturating_duration_since(Instant::now()));
                while !stop.load(Ordering::Relaxed) && Instant::now() < window.timed_end {
                    sample(&mut state)?;
                    std::thread::sleep(interval);
                }
                Ok(finish(state))
            })
        };
        Sampler { stop, thread }
    }

    fn finish(self) -> anyhow::Result<T> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_err(|_| anyhow!("a sampling thread panicked"))?
    }
}

/// How many of the server's pooled connections were checked out, sampled in the timed window.
struct PoolUse {
    max_size: u32,
    samples: u64,
    busy_sum: u64,
    /// Samples in which no connection was idle, so a request would have waited.
    exhausted: u64,
}

impl PoolUse {
    fn print(&self) {
        let samples = self.samples.max(1) as f64;
        println!(
            "  server pool: {:.1} of {} connections checked out on average, none idle in {:.0}% of {} samples",
            self.busy_sum as f64 / samples,
            self.max_size,
            self.exhausted as f64 * 100.0 / samples,
            self.samples
        );
    }
}

fn sample_pool(pool: PgPool, window: Window) -> Sampler<PoolUse> {
    let state = PoolUse { max_size: pool.max_size(), samples: 0, busy_sum: 0, exhausted: 0 };
    Sampler::start(
        window,
        POOL_SAMPLE_INTERVAL,
        state,
        move |usage: &mut PoolUse| {
            let state = pool.state();
            usage.samples += 1;
            usage.busy_sum += u64::from(state.connections - state.idle_connections);
            if state.idle_connections == 0 {
                usage.exhausted += 1;
            }
            Ok(())
        },
        |usage| usage,
    )
}

/// Counts of the benchmark database's client backends per state, summed over
/// `pg_stat_activity` samples.
struct WaitProfile {
    samples: u64,
    counts: BTreeMap<String, i64>,
}

fn sample_waits(url: &str, window: Window) -> anyhow::Result<Sampler<WaitProfile>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        what: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = PgConnection::establish(url)?;
    let state = WaitProfile { samples: 0, counts: BTreeMap::new() };
    Ok(Sampler::start(
        window,
        WAIT_SAMPLE_INTERVAL,
        state,
        move |profile: &mut WaitProfile| {
            let rows: Vec<Row> = diesel::sql_query(
                "SELECT CASE
                            WHEN state = 'idle' THEN 'idle, outside a transaction'
                            WHEN state LIKE 'idle in transaction%' THEN 'idle in transaction: waiting for the client'
                            WHEN wait_event_type IS NULL THEN 'running: on a CPU or waiting for one'
                            ELSE 'waiting: ' || wait_event_type || ' ' || wait_event
                        END AS what,
                        count(*) AS n
                 FROM pg_stat_activity
                 WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
                 GROUP BY 1",
            )
            .load(&mut conn)?;
            profile.samples += 1;
            for row in rows {
                *profile.counts.entry(row.what).or_default() += row.n;
            }
            Ok(())
        },
        |profile| profile,
    ))
}

/// The statements with the most server time in one scenario.
struct StatementRow {
    calls: i64,
    exec_ms: f64,
    plan_ms: f64,
    toplevel: bool,
    query: String,
}

/// Statement and wait-event data that `BENCH_PROFILE=1` adds to a scenario.
struct Profile {
    waits: WaitProfile,
    statements: Vec<StatementRow>,
    /// Calls of top-level statements, BEGIN and COMMIT included.
    toplevel_calls: i64,
    toplevel_ms: f64,
}

impl Profile {
    fn print(&self, postings: u64) {
        let postings = postings.max(1) as f64;
        println!(
            "  statements per posting: {:.1} top-level (BEGIN and COMMIT included), {:.2} ms server time per posting",
            self.toplevel_calls as f64 / postings,
            self.toplevel_ms / postings
        );
        println!("  client backends by state, average over {} samples in the timed window:", self.waits.samples);
        let mut waits: Vec<(&String, &i64)> = self.waits.counts.iter().collect();
        waits.sort_by(|a, b| b.1.cmp(a.1));
        for (what, count) in waits {
            println!("    {:>6.2}  {what}", *count as f64 / self.waits.samples.max(1) as f64);
        }
        println!("  statements by server time (pg_stat_statements; a nested statement's time is also in its top-level one's):");
        println!("    {:>9} {:>8} {:>9} {:>9} {:>8}  {:<6} query", "calls", "/posting", "exec ms", "plan ms", "mean ms", "level");
        for s in &self.statements {
            println!(
                "    {:>9} {:>8.2} {:>9.0} {:>9.0} {:>8.3}  {:<6} {}",
                s.calls,
                s.calls as f64 / postings,
                s.exec_ms,
                s.plan_ms,
                (s.exec_ms + s.plan_ms) / s.calls.max(1) as f64,
                if s.toplevel { "top" } else { "nested" },
                s.query
            );
        }
    }
}

fn reset_statement_stats(url: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query("SELECT pg_stat_statements_reset()").execute(&mut conn)?;
    Ok(())
}

fn read_statement_stats(url: &str, waits: WaitProfile) -> anyhow::Result<Profile> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        calls: i64,
        #[diesel(sql_type = Double)]
        exec_ms: f64,
        #[diesel(sql_type = Double)]
        plan_ms: f64,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        toplevel: bool,
        #[diesel(sql_type = Text)]
        query: String,
    }
    #[derive(QueryableByName)]
    struct Total {
        #[diesel(sql_type = BigInt)]
        calls: i64,
        #[diesel(sql_type = Double)]
        ms: f64,
    }

    let mut conn = PgConnection::establish(url)?;
    let this_database = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())";
    // The counter queries of this benchmark are left out.
    let not_ours = "query NOT LIKE '%pg_stat_%'";

    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT calls, total_exec_time AS exec_ms, total_plan_time AS plan_ms, toplevel,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
         FROM pg_stat_statements
         WHERE {this_database} AND {not_ours}
         ORDER BY total_exec_time + total_plan_time DESC
         LIMIT {TOP_STATEMENTS}"
    ))
    .load(&mut conn)?;

    let total: Total = diesel::sql_query(format!(
        "SELECT coalesce(sum(calls), 0)::bigint AS calls, coalesce(sum(total_exec_time + total_plan_time), 0)::float8 AS ms
         FROM pg_stat_statements WHERE {this_database} AND {not_ours} AND toplevel"
    ))
    .get_result(&mut conn)?;

    Ok(Profile {
        waits,
        statements: rows
            .into_iter()
            .map(|r| StatementRow { calls: r.calls, exec_ms: r.exec_ms, plan_ms: r.plan_ms, toplevel: r.toplevel, query: r.query })
            .collect(),
        toplevel_calls: total.calls,
        toplevel_ms: total.ms,
    })
}

/// Writes dirty buffers now, so a scenario does not pay for the one before it.
fn checkpoint(url: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query("CHECKPOINT").execute(&mut conn).context("CHECKPOINT failed")?;
    Ok(())
}

/// Starts the profile's samplers for a scenario when `BENCH_PROFILE=1`.
fn start_profile(meter: &Meter, window: Window) -> anyhow::Result<Option<Sampler<WaitProfile>>> {
    if !meter.profile {
        return Ok(None);
    }
    Ok(Some(sample_waits(&meter.url, window)?))
}

fn finish_profile(meter: &Meter, waits: Option<Sampler<WaitProfile>>) -> anyhow::Result<Option<Profile>> {
    match waits {
        None => Ok(None),
        Some(sampler) => Ok(Some(read_statement_stats(&meter.url, sampler.finish()?)?)),
    }
}

// ---------------------------------------------------------------------------
// The bare-transaction baseline

/// Runs the payment-shaped transaction on `options.clients` threads, each
/// with its own connection and its own accounts.
fn run_bare_transactions(meter: &Meter, setup: &Setup, options: &Options) -> anyhow::Result<Run> {
    const LABEL: &str = "bare transaction (baseline)";
    println!("\nrunning: {LABEL}");
    checkpoint(&meter.url)?;
    let hands = deal(&setup.accounts, options.clients);
    // Connections are opened before the meter starts, like the server's pool.
    let mut connections = Vec::with_capacity(options.clients);
    for _ in 0..options.clients {
        connections.push(PgConnection::establish(&meter.url)?);
    }
    if meter.profile {
        reset_statement_stats(&meter.url)?;
    }
    let start = meter.start(0.0)?;
    let window = Window::starting_now(options);
    let waits = start_profile(meter, window)?;

    let results: Vec<anyhow::Result<(ClientLog, f64)>> = std::thread::scope(|scope| {
        let threads: Vec<_> = hands
            .iter()
            .zip(connections.iter_mut())
            .map(|(accounts, conn)| scope.spawn(move || bare_client(conn, accounts, window)))
            .collect();
        threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err(anyhow!("a client thread panicked")))).collect()
    });
    let mut logs = Vec::with_capacity(results.len());
    let mut client_cpu = 0.0;
    for result in results {
        let (log, cpu) = result?;
        logs.push(log);
        client_cpu += cpu;
    }

    // The connections stay open until the meter has read their backends' CPU time.
    let costs = meter.stop(start, ClientCpu::OwnThreads(client_cpu))?;
    drop(connections);
    let mut run = Run::new(LABEL, options.clients, options, logs, costs);
    run.profile = finish_profile(meter, waits)?;
    run.print();
    Ok(run)
}

/// Posts to `accounts` in turn until the window ends. Returns the log and the thread's CPU seconds.
fn bare_client(conn: &mut PgConnection, accounts: &[Uuid], window: Window) -> anyhow::Result<(ClientLog, f64)> {
    let cpu_start = thread_cpu_seconds();
    let mut log = ClientLog::default();
    for account in accounts.iter().cycle() {
        if window.is_over() {
            break;
        }
        let started = Instant::now();
        post_bare(conn, *account).with_context(|| format!("the bare transaction failed on account {account}"))?;
        let finished = Instant::now();
        log.postings += 1;
        if window.counts(finished) {
            log.timed_latencies.push(finished - started);
        }
    }
    Ok((log, thread_cpu_seconds() - cpu_start))
}

/// Locks the account, writes one row and touches the account, in one transaction.
fn post_bare(conn: &mut PgConnection, account: Uuid) -> QueryResult<()> {
    conn.transaction(|conn| {
        let _owed: (i64, i64, i64) = accounts::table
            .find(account)
            .select((accounts::principal_balance, accounts::interest_balance, accounts::fees_balance))
            .for_update()
            .first(conn)?;
        diesel::insert_into(bench_postings::table)
            .values((bench_postings::account_id.eq(account), bench_postings::amount.eq(PAYMENT_CENTS)))
            .execute(conn)?;
        diesel::update(accounts::table.find(account)).set(accounts::updated_at.eq(diesel::dsl::now)).execute(conn)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// The HTTP scenarios

/// One HTTP client: whose token it sends and which accounts it posts to.
struct HttpClient {
    token: Arc<str>,
    accounts: Vec<Uuid>,
}

/// Successful postings per receipt book code, warm-up included.
type BookCounts = BTreeMap<String, u64>;

/// Starts the server on a free loopback port and runs the one-book and the
/// eight-book scenario against it.
fn run_http_scenarios(meter: &Meter, setup: &Setup, options: &Options, upload_dir: &Path) -> anyhow::Result<(Run, Run, BookCounts)> {
    // One thread sends every request. The server's workers run on threads of their own.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let settings = Settings {
        bind: "127.0.0.1:0".to_string(),
        database_url: meter.url.clone(),
        web_dir: None,
        auth: AuthSettings::default(),
        upload_dir: upload_dir.to_path_buf(),
        max_upload_bytes: 8 << 20,
        mail: None,
        // The jobs would run on the load generator's thread. No posting here is a
        // post-dated cheque or requests an emailed receipt, so they would find nothing to do.
        run_jobs: false,
        public_url: None,
    };
    runtime.block_on(async move {
        let app = Application::build(settings)?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool();
        let handle = app.server_handle();
        tokio::spawn(app.into_server());
        println!("\nserver listening on {base}, database pool of {} connections", pool.max_size());
        // Keeps no idle connection: the runtime's thread blocks between scenarios, so
        // it would not notice the server closing one after its keep-alive timeout.
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).pool_max_idle_per_host(0).build()?;
        let mut counts = BookCounts::new();

        let manager = log_in(&http, &base, &setup.manager_email).await?;
        let clients: Vec<HttpClient> = deal(&setup.accounts, options.clients)
            .into_iter()
            .map(|accounts| HttpClient { token: manager.clone(), accounts })
            .collect();
        let (one_book, postings) = run_http(meter, options, "HTTP, 1 receipt book", &base, &pool, clients).await?;
        counts.insert("MAIN".to_string(), postings.iter().sum());

        // Client c posts as collector c mod 8, to its share of that collector's accounts.
        let mut clients = Vec::with_capacity(options.clients);
        let mut client_books = Vec::with_capacity(options.clients);
        let mut hands_per_collector = Vec::with_capacity(COLLECTORS);
        for (k, collector) in setup.collectors.iter().enumerate() {
            let sharing = (k..options.clients).step_by(COLLECTORS).count();
            let token = log_in(&http, &base, &collector.email).await?;
            hands_per_collector.push((token, deal(&collector.accounts, sharing).into_iter()));
        }
        for c in 0..options.clients {
            let k = c % COLLECTORS;
            let (token, hands) = &mut hands_per_collector[k];
            let accounts = hands.next().expect("one hand per client of this collector");
            clients.push(HttpClient { token: token.clone(), accounts });
            client_books.push(setup.collectors[k].code.clone());
        }
        let (eight_books, postings) = run_http(meter, options, "HTTP, 8 receipt books", &base, &pool, clients).await?;
        for (book, n) in client_books.into_iter().zip(postings) {
            *counts.entry(book).or_default() += n;
        }

        handle.stop(true).await;
        Ok((one_book, eight_books, counts))
    })
}

/// Signs in through the API and returns the access token.
async fn log_in(http: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<Arc<str>> {
    let body = serde_json::json!({ "email": email, "password": PASSWORD }).to_string();
    let response = http
        .post(format!("{base}/api/v1/auth/login"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if status != reqwest::StatusCode::OK {
        bail!("signing in as {email} failed with {status}: {}", String::from_utf8_lossy(&bytes));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes)?;
    let token = value["access_token"].as_str().ok_or_else(|| anyhow!("the login response has no access_token: {value}"))?;
    Ok(Arc::from(token))
}

/// Runs one HTTP scenario. Returns its measurements and each client's successful postings.
async fn run_http(
    meter: &Meter,
    options: &Options,
    label: &'static str,
    base: &str,
    pool: &PgPool,
    clients: Vec<HttpClient>,
) -> anyhow::Result<(Run, Vec<u64>)> {
    println!("\nrunning: {label}");
    checkpoint(&meter.url)?;
    if meter.profile {
        reset_statement_stats(&meter.url)?;
    }
    let start = meter.start(thread_cpu_seconds())?;
    let window = Window::starting_now(options);
    let pool_sampler = sample_pool(pool.clone(), window);
    let waits = start_profile(meter, window)?;

    // A new client per scenario, so no connection has sat idle while this thread was blocked.
    let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()?;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(http_client(http.clone(), base.to_string(), client, window)))
        .collect();
    let mut logs = Vec::with_capacity(tasks.len());
    let mut first_error = None;
    for task in tasks {
        match task.await? {
            Ok(log) => logs.push(log),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let pool_use = pool_sampler.finish()?;
    if let Some(e) = first_error {
        return Err(e.context(format!("{label} failed")));
    }

    let costs = meter.stop(start, ClientCpu::CallingThread(thread_cpu_seconds()))?;
    let postings: Vec<u64> = logs.iter().map(|log| log.postings).collect();
    let mut run = Run::new(label, options.clients, options, logs, costs);
    run.pool = Some(pool_use);
    run.profile = finish_profile(meter, waits)?;
    run.print();
    Ok((run, postings))
}

/// Posts to the client's accounts in turn until the window ends, each with a new Idempotency-Key.
async fn http_client(http: reqwest::Client, base: String, client: HttpClient, window: Window) -> anyhow::Result<ClientLog> {
    let mut log = ClientLog::default();
    for account in client.accounts.iter().cycle() {
        if window.is_over() {
            break;
        }
        let key = Uuid::now_v7().to_string();
        let started = Instant::now();
        let response = http
            .post(format!("{base}/api/v1/accounts/{account}/payments"))
            .bearer_auth(&client.token)
            .header("Idempotency-Key", &key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(PAYMENT_BODY)
            .send()
            .await
            .with_context(|| format!("POST payment to account {account} failed"))?;
        let status = response.status();
        let body = response.bytes().await.with_context(|| format!("reading the response for account {account} failed"))?;
        let finished = Instant::now();
        if status != reqwest::StatusCode::CREATED {
            bail!(
                "POST /api/v1/accounts/{account}/payments returned {status}, expected 201 Created: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            );
        }
        log.postings += 1;
        if window.counts(finished) {
            log.timed_latencies.push(finished - started);
        }
    }
    Ok(log)
}

// ---------------------------------------------------------------------------
// The checks and the summary

/// Runs the ledger's own checks and compares each book's payments with the 201 responses.
fn check_ledger(url: &str, setup: &Setup, expected: &BookCounts) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    let violations = api::services::ledger::verify(&mut conn).context("ledger::verify failed to run")?;
    #[derive(QueryableByName)]
    struct Book {
        #[diesel(sql_type = Text)]
        code: String,
        #[diesel(sql_type = BigInt)]
        payments: i64,
        #[diesel(sql_type = BigInt)]
        issued: i64,
    }
    let books: Vec<Book> = diesel::sql_query(
        "SELECT b.code, count(p.id) AS payments, b.next_sequence - 1 AS issued
         FROM receipt_books b LEFT JOIN payments p ON p.receipt_book_id = b.id
         GROUP BY b.id ORDER BY b.code",
    )
    .load(&mut conn)?;

    let mut problems: Vec<String> = violations
        .iter()
        .take(10)
        .map(|v| format!("ledger violation: {}", v.message))
        .collect();
    if violations.len() > 10 {
        problems.push(format!("... and {} more ledger violations", violations.len() - 10));
    }
    for book in &books {
        let answered = expected.get(&book.code).copied().unwrap_or(0);
        if book.payments as u64 != answered {
            problems.push(format!("receipt book {} holds {} payments, but the server returned 201 for {answered}", book.code, book.payments));
        }
    }
    if books.len() != setup.collectors.len() + 1 {
        problems.push(format!("found {} receipt books, expected MAIN and {} collectors' books", books.len(), setup.collectors.len()));
    }

    println!("\nreceipt books after the run:");
    for book in &books {
        println!("  {:<5} {:>8} payments, numbers 1 to {}", book.code, book.payments, book.issued);
    }
    if !problems.is_empty() {
        bail!("the checks after the run failed:\n  {}", problems.join("\n  "));
    }
    println!("ledger check passed: services::ledger::verify found no violations, receipt numbers are gap-free in every book");
    Ok(())
}

fn print_summary(runs: &[Run], server: &ServerSettings, options: &Options, cpus: usize) {
    println!("\n== summary ==");
    println!("{:<30} {:>11} {:>8} {:>8}", "scenario", "postings/s", "p50 ms", "p99 ms");
    for run in runs {
        println!("{:<30} {:>11.1} {:>8.2} {:>8.2}", run.label, run.rate(), run.percentile_ms(0.50), run.percentile_ms(0.99));
    }
    if let Some(eight) = runs.iter().find(|run| run.label == "HTTP, 8 receipt books") {
        let verdict = if eight.rate() >= TARGET_POSTINGS_PER_SECOND { "met" } else { "not met" };
        println!(
            "aim: at least {TARGET_POSTINGS_PER_SECOND:.0} postings/s with 8 receipt books: {verdict} ({:.1} postings/s)",
            eight.rate()
        );
    }
    println!(
        "clients             {} concurrent, {} s warm-up, {} s timed per scenario{}",
        options.clients,
        options.warm_up.as_secs(),
        options.timed.as_secs(),
        if options.profile { "; BENCH_PROFILE=1, rates not comparable" } else { "" }
    );
    println!("machine             {cpus} CPUs, {}; load average {} at end", cpu_model(), load_average());
    println!("PostgreSQL          {} with {}", server.version, server.durability());
}
