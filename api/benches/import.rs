//! Placement-import benchmark: the real import against PostgreSQL's `COPY`.
//!
//! Starts a private cluster with durability off in a fresh directory under
//! `/tmp`, generates a seeded placement file in the built-in `standard`
//! profile's layout, and imports it through `services::imports` into one
//! database. It then copies the rows that import wrote into a second, freshly
//! migrated database with `COPY ... FROM STDIN`, which is the fastest way to
//! load the same rows, and prints both rates side by side. The directory is
//! removed at the end.
//!
//! Run it with `make bench` or `cargo bench -p api --bench import`.
//! Environment:
//! - `BENCH_ROWS`: placement rows to generate (default 1,000,000).
//! - `BENCH_SMALL_RUN=0`: skip the extra import of a file 10 times smaller,
//!   which only measures peak memory for comparison.
//! - `BENCH_STATEMENT_STATS=1`: load `pg_stat_statements` and print the
//!   statements that took the most server time in the import and in COPY.
//!   The extension slows the server down, so rates from such a run are not
//!   comparable with the recorded ones.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use api::db::schema::{
    accounts, audit_log, creditors, debtor_addresses, debtor_emails, debtor_phones, debtors, import_rejections, imports,
    journal_entries, journal_lines,
};
use api::postgres::cluster::THROWAWAY_SETTINGS;
use api::postgres::Cluster;
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared::imports::ImportReport;

const DEFAULT_ROWS: u64 = 1_000_000;
/// Seed of the generated file, so every run imports the same content.
const SEED: u64 = 20_261_204;
const IMPORT_DATABASE: &str = "bench_import";
const SMALL_IMPORT_DATABASE: &str = "bench_import_small";
const COPY_DATABASE: &str = "bench_copy";
/// The import should reach at least this fraction of COPY's rows per second.
const TARGET_RATIO: f64 = 0.5;
const RSS_SAMPLE_INTERVAL: Duration = Duration::from_millis(10);
/// Server settings added by `BENCH_STATEMENT_STATS=1`. Tracking nested
/// statements shows the foreign-key checks and trigger queries as well.
const STATEMENT_STATS_SETTINGS: [(&str, &str); 3] = [
    ("shared_preload_libraries", "pg_stat_statements"),
    ("pg_stat_statements.track", "all"),
    ("pg_stat_statements.track_planning", "on"),
];
/// Statements listed by `BENCH_STATEMENT_STATS=1`.
const TOP_STATEMENTS: i64 = 15;

fn main() -> anyhow::Result<()> {
    let rows = rows_from_env()?;
    let small_run = flag_from_env("BENCH_SMALL_RUN", true)?;
    let statement_stats = flag_from_env("BENCH_STATEMENT_STATS", false)?;
    let machine = Machine::read();
    println!("placement import benchmark: {rows} rows");
    println!("machine: {} CPUs, {}; load average {}", machine.cpus, machine.model, machine.load_average);

    // Declared before the cluster, so the cluster is dropped (stopped) first.
    let workspace = create_workspace()?;
    println!("working directory: {}", workspace.path().display());
    let mut settings = THROWAWAY_SETTINGS.to_vec();
    if statement_stats {
        settings.extend(STATEMENT_STATS_SETTINGS);
    }
    let mut cluster = Cluster::start(&workspace.path().join("cluster"), &settings)?;
    let admin_url = cluster.url_for("postgres");
    let server_version = server_version(&admin_url)?;
    println!("PostgreSQL: {server_version}");

    let small = if small_run { Some(run_small_import(&cluster, workspace.path(), rows)?) } else { None };

    let placement_path = workspace.path().join("placements.csv");
    let clock = Instant::now();
    let file_bytes = write_placement_file(&placement_path, rows, SEED)?;
    println!(
        "\ngenerated {} ({} bytes, {}) in {:.1} s",
        placement_path.display(),
        file_bytes,
        format_bytes(file_bytes),
        clock.elapsed().as_secs_f64()
    );

    create_migrated_database(&admin_url, IMPORT_DATABASE)?;
    create_migrated_database(&admin_url, COPY_DATABASE)?;
    if statement_stats {
        println!("pg_stat_statements is loaded: these rates are slower than without it");
        for database in [IMPORT_DATABASE, COPY_DATABASE] {
            create_statement_stats(&cluster.url_for(database))?;
        }
    }

    println!("importing into database {IMPORT_DATABASE}");
    let import = run_import(&cluster.url_for(IMPORT_DATABASE), &placement_path)?;
    print_import(&import, rows);
    if statement_stats {
        print_statement_stats(&cluster.url_for(IMPORT_DATABASE))?;
    }

    println!("\ncopying the imported rows into database {COPY_DATABASE}");
    let copy = run_copy_baseline(&cluster.url_for(IMPORT_DATABASE), &cluster.url_for(COPY_DATABASE), workspace.path())?;
    print_copy(&copy, rows);
    if statement_stats {
        print_statement_stats(&cluster.url_for(COPY_DATABASE))?;
    }

    print_summary(&Summary {
        rows,
        file_bytes,
        import: &import,
        copy: &copy,
        small: small.as_ref(),
        machine: &machine,
        server_version: &server_version,
        settings: settings.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(", "),
    });
    let checked = check_report(&import.report, rows);

    cluster.stop();
    drop(cluster);
    workspace.close().context("failed to remove the benchmark's working directory")?;
    checked
}

fn rows_from_env() -> anyhow::Result<u64> {
    match std::env::var("BENCH_ROWS") {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_ROWS),
        Err(e) => bail!("BENCH_ROWS is not valid Unicode: {e}"),
        Ok(value) => match value.trim().parse::<u64>() {
            Ok(rows) if rows > 0 => Ok(rows),
            _ => bail!("BENCH_ROWS must be a positive whole number of rows, such as 20000; got '{value}'"),
        },
    }
}

/// Reads a 0/1 switch. `default` applies when the variable is not set.
fn flag_from_env(name: &str, default: bool) -> anyhow::Result<bool> {
    match std::env::var(name).as_deref() {
        Err(_) => Ok(default),
        Ok("1") => Ok(true),
        Ok("0") => Ok(false),
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

// ---------------------------------------------------------------------------
// The machine

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
                info.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, value)| value.trim().to_string())
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

fn server_version(admin_url: &str) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        server_version: String,
    }
    let mut conn = PgConnection::establish(admin_url)?;
    let version: Version = diesel::sql_query("SHOW server_version").get_result(&mut conn)?;
    Ok(version.server_version)
}

// ---------------------------------------------------------------------------
// The placement file

/// Columns of the `standard` profile that the generated file fills. The
/// profile's second phone column, `phone2`, is left out.
const COLUMNS: [&str; 20] = [
    "account_ref",
    "debtor_ref",
    "debtor_name",
    "debtor_kind",
    "currency",
    "principal",
    "interest",
    "fees",
    "opened_on",
    "last_payment_on",
    "delinquent_since",
    "charged_off_on",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "email",
];

const FIRST_NAMES: &[&str] = &[
    "Ana", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hector", "Irene", "James", "Keiko", "Luis", "Maria",
    "Nathan", "Olivia", "Pedro", "Quinn", "Rosa", "Samuel", "Tanya", "Umar", "Vera", "Walter", "Yuki",
];

const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Garcia", "Brown", "Nguyen", "Miller", "Davis", "Lopez", "Wilson", "Anderson", "Thomas", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
];

const STREETS: &[&str] = &[
    "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St", "Washington Blvd", "Lake Rd", "Hill St",
    "Park Ave", "Sunset Blvd", "River Rd", "Church St", "Mill Rd", "Spring St", "Highland Ave",
];

/// City, state, ZIP code and the city's telephone area code.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Springfield", "IL", "62701", "217"),
    ("Columbus", "OH", "43215", "614"),
    ("Austin", "TX", "78701", "512"),
    ("Denver", "CO", "80202", "303"),
    ("Portland", "OR", "97205", "503"),
    ("Madison", "WI", "53703", "608"),
    ("Raleigh", "NC", "27601", "919"),
    ("Boise", "ID", "83702", "208"),
    ("Albany", "NY", "12207", "518"),
    ("Tucson", "AZ", "85701", "520"),
    ("Omaha", "NE", "68102", "402"),
    ("Richmond", "VA", "23219", "804"),
    ("Savannah", "GA", "31401", "912"),
    ("Burlington", "VT", "05401", "802"),
    ("Fresno", "CA", "93721", "559"),
    ("Tulsa", "OK", "74103", "918"),
];

/// Writes `rows` placement lines plus a header to `path` and returns the file's size in bytes.
///
/// Every line has its own account and debtor reference, so each line is a new
/// account with a new debtor. About 3% of debtors are companies. Amounts are
/// USD with two decimals, dates are `%Y-%m-%d`, and phone numbers use the
/// 555-01xx range that US numbering reserves for fiction.
fn write_placement_file(path: &Path, rows: u64, seed: u64) -> anyhow::Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let file = File::create(path).with_context(|| format!("failed to create {}", path.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    writer.write_record(COLUMNS)?;

    let first_opening = NaiveDate::from_ymd_opt(2012, 1, 1).expect("valid date");
    for n in 1..=rows {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let is_company = rng.gen_ratio(3, 100);
        let (name, kind) = if is_company { (format!("{last} Supply LLC"), "company") } else { (format!("{first} {last}"), "person") };

        let principal_cents: u64 = rng.gen_range(5_000..=2_500_000);
        let interest_cents = rng.gen_range(0..=principal_cents / 5);
        let fees_cents = if rng.gen_bool(0.4) { 0 } else { rng.gen_range(500..=7_500) };

        let opened_on = first_opening + Days::new(rng.gen_range(0..3_000));
        let delinquent_since = opened_on + Days::new(rng.gen_range(180..1_500));
        let last_payment_on = delinquent_since - Days::new(30);
        let charged_off_on = delinquent_since + Days::new(180);

        let (city, region, postal_code, area_code) = PLACES[rng.gen_range(0..PLACES.len())];
        let line1 = format!("{} {}", rng.gen_range(1..9_999), STREETS[rng.gen_range(0..STREETS.len())]);
        let line2 = if rng.gen_ratio(1, 5) { format!("Apt {}", rng.gen_range(1..400)) } else { String::new() };
        let phone = format!("({area_code}) 555-01{:02}", rng.gen_range(0..100));
        let email = format!("{}.{}{n}@example.com", first.to_ascii_lowercase(), last.to_ascii_lowercase());

        let account_ref = format!("ACC-{n:09}");
        let debtor_ref = format!("DEB-{n:09}");
        let dates = [opened_on, last_payment_on, delinquent_since, charged_off_on].map(|d| d.format("%Y-%m-%d").to_string());
        let record: [&str; 20] = [
            &account_ref,
            &debtor_ref,
            &name,
            kind,
            "USD",
            &format_cents(principal_cents),
            &format_cents(interest_cents),
            &format_cents(fees_cents),
            &dates[0],
            &dates[1],
            &dates[2],
            &dates[3],
            &line1,
            &line2,
            city,
            region,
            postal_code,
            "US",
            &phone,
            &email,
        ];
        writer.write_record(record)?;
    }
    writer.flush()?;
    drop(writer);
    Ok(fs::metadata(path)?.len())
}

fn format_cents(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

// ---------------------------------------------------------------------------
// Databases

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

fn drop_database(admin_url: &str, database: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::establish(admin_url)?;
    diesel::sql_query(format!("DROP DATABASE {database}"))
        .execute(&mut admin)
        .with_context(|| format!("failed to drop database {database}"))?;
    Ok(())
}

/// Writes dirty buffers now, so a timed phase does not pay for the one before it.
fn checkpoint(conn: &mut PgConnection) -> anyhow::Result<()> {
    diesel::sql_query("CHECKPOINT").execute(conn).context("CHECKPOINT failed")?;
    Ok(())
}

fn backend_pid(conn: &mut PgConnection) -> anyhow::Result<i32> {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let row: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(conn)?;
    Ok(row.pid)
}

/// Creates the `pg_stat_statements` view in `url`'s database and clears its counters.
fn create_statement_stats(url: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::establish(url)?;
    diesel::sql_query("CREATE EXTENSION pg_stat_statements").execute(&mut conn)?;
    diesel::sql_query("SELECT pg_stat_statements_reset()").execute(&mut conn)?;
    Ok(())
}

/// Prints the statements of `url`'s database that took the most execution time.
fn print_statement_stats(url: &str) -> anyhow::Result<()> {
    #[derive(QueryableByName)]
    struct Statement {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        calls: i64,
        #[diesel(sql_type = diesel::sql_types::Double)]
        exec_ms: f64,
        #[diesel(sql_type = diesel::sql_types::Double)]
        plan_ms: f64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        toplevel: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        query: String,
    }
    let mut conn = PgConnection::establish(url)?;
    let statements: Vec<Statement> = diesel::sql_query(format!(
        "SELECT calls, total_exec_time AS exec_ms, total_plan_time AS plan_ms, rows, toplevel,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
         FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         ORDER BY total_exec_time + total_plan_time DESC
         LIMIT {TOP_STATEMENTS}"
    ))
    .load(&mut conn)?;
    println!("  statements by server time (pg_stat_statements; a nested statement's time is also in its top-level one's):");
    println!("    {:>9} {:>10} {:>9} {:>9}  {:<6} query", "calls", "exec s", "plan s", "rows", "level");
    for s in statements {
        println!(
            "    {:>9} {:>10.1} {:>9.1} {:>9}  {:<6} {}",
            s.calls,
            s.exec_ms / 1000.0,
            s.plan_ms / 1000.0,
            s.rows,
            if s.toplevel { "top" } else { "nested" },
            s.query
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Memory and CPU measurements

/// Reads a field of /proc/self/status in KiB, such as `VmRSS` or `VmHWM`.
fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets `VmHWM` (the kernel's peak RSS) to the current RSS and returns
/// whether the kernel accepted it (proc(5): Linux 4.0 and later support it).
fn reset_peak_rss() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Samples this process's RSS on a thread until `finish` and keeps the maximum.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    thread: JoinHandle<()>,
}

impl RssSampler {
    fn start() -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(status_kib("VmRSS").unwrap_or(0)));
        let thread = {
            let stop = stop.clone();
            let peak_kib = peak_kib.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(rss) = status_kib("VmRSS") {
                        peak_kib.fetch_max(rss, Ordering::Relaxed);
                    }
                    std::thread::sleep(RSS_SAMPLE_INTERVAL);
                }
            })
        };
        RssSampler { stop, peak_kib, thread }
    }

    /// Stops sampling and returns the highest RSS seen, in KiB.
    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak_kib.load(Ordering::Relaxed)
    }
}

/// Returns the user plus system CPU time of this process so far, in seconds.
fn own_cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Reads the user plus system CPU time of another process, in seconds, from /proc/PID/stat.
fn process_cpu_seconds(pid: i32) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces, so fields are counted from its closing
    // bracket. Field 3 (state) comes first, so utime (14) and stime (15) are at 11 and 12.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Some(ticks as f64 / ticks_per_second.max(1) as f64)
}

/// CPU seconds used by this process and by one server backend over a timed phase.
struct CpuClock {
    backend_pid: i32,
    own_start: f64,
    backend_start: Option<f64>,
}

struct CpuUse {
    own_seconds: f64,
    backend_seconds: Option<f64>,
}

impl CpuUse {
    fn total_seconds(&self) -> Option<f64> {
        self.backend_seconds.map(|backend| backend + self.own_seconds)
    }
}

impl CpuClock {
    fn start(backend_pid: i32) -> CpuClock {
        CpuClock { backend_pid, own_start: own_cpu_seconds(), backend_start: process_cpu_seconds(backend_pid) }
    }

    fn stop(self) -> CpuUse {
        let backend_end = process_cpu_seconds(self.backend_pid);
        CpuUse {
            own_seconds: own_cpu_seconds() - self.own_start,
            backend_seconds: self.backend_start.zip(backend_end).map(|(start, end)| end - start),
        }
    }
}

// ---------------------------------------------------------------------------
// The import

struct ImportRun {
    /// Wall-clock seconds of `imports::start` plus `imports::execute`.
    seconds: f64,
    report: ImportReport,
    rss_before_kib: u64,
    rss_after_kib: u64,
    /// Highest RSS seen by sampling every `RSS_SAMPLE_INTERVAL`.
    rss_peak_sampled_kib: u64,
    /// The kernel's exact peak since the reset, when the reset worked.
    rss_peak_kernel_kib: Option<u64>,
    cpu: CpuUse,
    tables: Vec<TableActivity>,
}

impl ImportRun {
    fn rss_peak_kib(&self) -> u64 {
        self.rss_peak_kernel_kib.unwrap_or(self.rss_peak_sampled_kib).max(self.rss_peak_sampled_kib)
    }
}

/// Runs the product's import of `path` with the `standard` profile and measures it.
fn run_import(url: &str, path: &Path) -> anyhow::Result<ImportRun> {
    let bytes_total = fs::metadata(path)?.len();
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("placements.csv");
    let mut conn = PgConnection::establish(url)?;
    let pid = backend_pid(&mut conn)?;
    checkpoint(&mut conn)?;

    let rss_before_kib = status_kib("VmRSS").unwrap_or(0);
    let kernel_peak_reset = reset_peak_rss();
    let sampler = RssSampler::start();
    let cpu_clock = CpuClock::start(pid);
    let clock = Instant::now();

    let started = api::services::imports::start(&mut conn, "Bench", "standard", file_name, bytes_total, None)
        .map_err(|e| anyhow!("failed to start the import: {e}"))?;
    let mut next_progress_percent = 10;
    let report = api::services::imports::execute(&mut conn, &started, path, |read, total| {
        let percent = read.saturating_mul(100) / total.max(1);
        if percent >= next_progress_percent && percent < 100 {
            eprintln!("  {percent}% of the file read after {:.1} s", clock.elapsed().as_secs_f64());
            next_progress_percent = percent / 10 * 10 + 10;
        }
    })
    .map_err(|e| anyhow!("the import failed: {e}"))?;

    let seconds = clock.elapsed().as_secs_f64();
    let cpu = cpu_clock.stop();
    let rss_peak_sampled_kib = sampler.finish();
    let rss_peak_kernel_kib = if kernel_peak_reset { status_kib("VmHWM") } else { None };
    let rss_after_kib = status_kib("VmRSS").unwrap_or(0);

    // A backend sends its table statistics when it exits, so read them on a new connection.
    drop(conn);
    std::thread::sleep(Duration::from_millis(500));
    let tables = table_activity(&mut PgConnection::establish(url)?)?;

    Ok(ImportRun {
        seconds,
        report,
        rss_before_kib,
        rss_after_kib,
        rss_peak_sampled_kib,
        rss_peak_kernel_kib,
        cpu,
        tables,
    })
}

/// Imports a file a tenth of the size in its own database, to show how peak memory scales.
fn run_small_import(cluster: &Cluster, workspace: &Path, rows: u64) -> anyhow::Result<SmallRun> {
    let small_rows = (rows / 10).max(1);
    let path = workspace.join("placements-small.csv");
    write_placement_file(&path, small_rows, SEED)?;
    let admin_url = cluster.url_for("postgres");
    create_migrated_database(&admin_url, SMALL_IMPORT_DATABASE)?;
    println!("\nimporting {small_rows} rows into database {SMALL_IMPORT_DATABASE} to compare peak memory");
    let run = run_import(&cluster.url_for(SMALL_IMPORT_DATABASE), &path)?;
    println!(
        "  {:.1} s, {:.0} rows/s; RSS before {}, peak {}",
        run.seconds,
        small_rows as f64 / run.seconds,
        format_kib(run.rss_before_kib),
        format_kib(run.rss_peak_kib())
    );
    drop_database(&admin_url, SMALL_IMPORT_DATABASE)?;
    fs::remove_file(&path)?;
    Ok(SmallRun { rows: small_rows, rss_before_kib: run.rss_before_kib, rss_peak_kib: run.rss_peak_kib() })
}

struct SmallRun {
    rows: u64,
    rss_before_kib: u64,
    rss_peak_kib: u64,
}

/// Row changes per table from `pg_stat_user_tables`, to show what the import did beyond inserting.
struct TableActivity {
    table: String,
    inserted: i64,
    updated: i64,
    hot_updated: i64,
    deleted: i64,
}

fn table_activity(conn: &mut PgConnection) -> anyhow::Result<Vec<TableActivity>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        relname: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n_tup_ins: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n_tup_upd: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n_tup_hot_upd: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n_tup_del: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT relname::text AS relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del
         FROM pg_stat_user_tables
         WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
         ORDER BY n_tup_ins + n_tup_upd DESC, relname",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| TableActivity {
            table: r.relname,
            inserted: r.n_tup_ins,
            updated: r.n_tup_upd,
            hot_updated: r.n_tup_hot_upd,
            deleted: r.n_tup_del,
        })
        .collect())
}

fn print_import(import: &ImportRun, rows: u64) {
    let report = &import.report;
    println!(
        "import: {:.2} s, {:.0} rows/s (the import's own duration_ms: {} ms)",
        import.seconds,
        rows as f64 / import.seconds,
        report.duration_ms
    );
    println!(
        "  report: status {:?}, rows {}, imported {}, updated {}, unchanged {}, skipped {}, rejected {}, invalid phones {}, invalid emails {}, no valid contact {}",
        report.status,
        report.rows,
        report.imported,
        report.updated,
        report.unchanged,
        report.skipped,
        report.rejected,
        report.invalid_phones,
        report.invalid_emails,
        report.no_valid_contact
    );
    println!(
        "  RSS before {}, after {}, peak {} (sampled every {} ms: {}; kernel VmHWM since reset: {})",
        format_kib(import.rss_before_kib),
        format_kib(import.rss_after_kib),
        format_kib(import.rss_peak_kib()),
        RSS_SAMPLE_INTERVAL.as_millis(),
        format_kib(import.rss_peak_sampled_kib),
        import.rss_peak_kernel_kib.map(format_kib).unwrap_or_else(|| "reset not supported".to_string())
    );
    print_cpu("  ", &import.cpu, import.seconds);
    println!("  rows changed per table (pg_stat_user_tables):");
    for t in &import.tables {
        println!(
            "    {:<20} inserted {:>9}  updated {:>9} (HOT {:>9})  deleted {:>6}",
            t.table, t.inserted, t.updated, t.hot_updated, t.deleted
        );
    }
}

fn print_cpu(indent: &str, cpu: &CpuUse, wall_seconds: f64) {
    let backend = cpu.backend_seconds.map(|s| format!("{s:.1} s")).unwrap_or_else(|| "unknown".to_string());
    println!(
        "{indent}CPU: this process {:.1} s, its PostgreSQL backend {backend}, wall clock {wall_seconds:.1} s",
        cpu.own_seconds
    );
}

fn check_report(report: &ImportReport, rows: u64) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    if report.rows != rows {
        problems.push(format!("rows is {}, expected {rows}", report.rows));
    }
    if report.imported != rows {
        problems.push(format!("imported is {}, expected {rows}", report.imported));
    }
    if report.rejected != 0 {
        let first = report.rejected_rows.first().map(|r| format!(" (first: line {} {}: {})", r.line, r.code, r.message));
        problems.push(format!("rejected is {}, expected 0{}", report.rejected, first.unwrap_or_default()));
    }
    if !problems.is_empty() {
        bail!("the import's report is wrong: {}", problems.join("; "));
    }
    println!("\nreport check passed: rows == imported == {rows}, rejected == 0");
    Ok(())
}

// ---------------------------------------------------------------------------
// The COPY baseline

/// Moves one table's rows between databases in PostgreSQL's text COPY format.
/// Generated columns and identity columns are left out, so the target
/// database computes them as the import's database did.
struct TableCopy {
    table: &'static str,
    /// Writes the table's rows to a file, returning its size in bytes.
    export: fn(&mut PgConnection, &Path) -> anyhow::Result<u64>,
    /// Loads the file with `COPY ... FROM STDIN`, returning the rows copied.
    load: fn(&mut PgConnection, &Path) -> anyhow::Result<usize>,
}

macro_rules! table_copy {
    ($table:ident: $($column:ident),+ $(,)?) => {
        TableCopy {
            table: stringify!($table),
            export: |conn, path| {
                let mut rows = diesel::copy_to(($($table::$column,)+)).load_raw(conn)?;
                let mut file = BufWriter::with_capacity(1 << 20, File::create(path)?);
                let bytes = io::copy(&mut rows, &mut file)?;
                file.flush()?;
                Ok(bytes)
            },
            load: |conn, path| {
                let rows = diesel::copy_from($table::table)
                    .from_raw_data(($($table::$column,)+), |sink| send_file(path, sink))
                    .execute(conn)?;
                Ok(rows)
            },
        }
    };
}

fn send_file(path: &Path, sink: &mut dyn Write) -> QueryResult<()> {
    let as_diesel_error = |e: io::Error| diesel::result::Error::SerializationError(Box::new(e));
    let mut file = BufReader::with_capacity(1 << 20, File::open(path).map_err(as_diesel_error)?);
    io::copy(&mut file, sink).map_err(as_diesel_error)?;
    Ok(())
}

/// Lists every table the import writes to, in an order that satisfies the foreign keys.
/// `import_profiles` is missing because the migration creates the built-in
/// profiles with fixed ids in both databases.
fn copied_tables() -> Vec<TableCopy> {
    vec![
        table_copy!(creditors: id, name, time_zone, created_at),
        table_copy!(imports: id, creditor_id, profile_id, file_name, status, started_by, rows, imported, updated, unchanged,
            skipped, rejected, bytes_read, bytes_total, report, failure, started_at, finished_at),
        table_copy!(debtors: id, creditor_id, debtor_ref, kind, name, created_at, updated_at),
        table_copy!(debtor_addresses: id, creditor_id, debtor_id, line1, line2, city, region, postal_code, country, is_valid,
            invalid_reason, created_at),
        table_copy!(debtor_phones: id, creditor_id, debtor_id, raw, e164, phone_type, is_valid, do_not_call, created_at),
        table_copy!(debtor_emails: id, creditor_id, debtor_id, address, is_valid, opted_out, created_at),
        // total_balance and no_valid_contact are generated columns.
        table_copy!(accounts: id, creditor_id, debtor_id, account_ref, currency, status, original_principal, original_interest,
            original_fees, principal_balance, interest_balance, fees_balance, opened_on, last_payment_on, delinquent_since,
            charged_off_on, assigned_agent_id, name_missing, no_valid_phone, no_valid_address, no_valid_email, source_hash,
            created_at, updated_at, last_import_id),
        table_copy!(journal_entries: id, creditor_id, account_id, kind, effective_on, memo, corrects_entry_id, created_by,
            created_at),
        // journal_lines.id, audit_log.id and import_rejections.id are GENERATED ALWAYS identity columns.
        table_copy!(journal_lines: entry_id, creditor_id, account_id, ledger_account, currency, amount),
        table_copy!(audit_log: creditor_id, actor_user_id, action, entity_type, entity_id, details, created_at),
        table_copy!(import_rejections: import_id, line, column_name, code, message),
    ]
}

struct TableTiming {
    table: &'static str,
    rows: usize,
    bytes: u64,
    seconds: f64,
}

struct CopyRun {
    seconds: f64,
    tables: Vec<TableTiming>,
    cpu: CpuUse,
}

impl CopyRun {
    fn rows_total(&self) -> usize {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Exports the import's rows from `source_url` (untimed), then loads them
/// into `target_url` with one `COPY ... FROM STDIN` per table (timed). The
/// target keeps every index, constraint and trigger of the migrated schema,
/// including the journal's balance check, which fires for COPY as for INSERT.
fn run_copy_baseline(source_url: &str, target_url: &str, workspace: &Path) -> anyhow::Result<CopyRun> {
    let tables = copied_tables();
    let export_dir = workspace.join("copy");
    fs::create_dir_all(&export_dir)?;
    let file_of = |table: &str| -> PathBuf { export_dir.join(format!("{table}.copy")) };

    let mut source = PgConnection::establish(source_url)?;
    let mut expected_rows = Vec::with_capacity(tables.len());
    let mut bytes = Vec::with_capacity(tables.len());
    for table in &tables {
        bytes.push((table.export)(&mut source, &file_of(table.table)).with_context(|| format!("failed to export {}", table.table))?);
        expected_rows.push(count_rows(&mut source, table.table)?);
    }
    drop(source);

    let mut target = PgConnection::establish(target_url)?;
    let pid = backend_pid(&mut target)?;
    checkpoint(&mut target)?;
    let cpu_clock = CpuClock::start(pid);
    let clock = Instant::now();
    let mut timings = Vec::with_capacity(tables.len());
    for (table, bytes) in tables.iter().zip(bytes) {
        let table_clock = Instant::now();
        let rows = (table.load)(&mut target, &file_of(table.table)).with_context(|| format!("failed to COPY into {}", table.table))?;
        timings.push(TableTiming { table: table.table, rows, bytes, seconds: table_clock.elapsed().as_secs_f64() });
    }
    let seconds = clock.elapsed().as_secs_f64();
    let cpu = cpu_clock.stop();

    for (timing, expected) in timings.iter().zip(expected_rows) {
        if timing.rows as i64 != expected {
            bail!("COPY loaded {} rows into {} but the import's database has {expected}", timing.rows, timing.table);
        }
    }
    fs::remove_dir_all(&export_dir)?;
    Ok(CopyRun { seconds, tables: timings, cpu })
}

fn count_rows(conn: &mut PgConnection, table: &str) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}")).get_result(conn)?;
    Ok(count.n)
}

fn print_copy(copy: &CopyRun, rows: u64) {
    println!(
        "COPY: {:.2} s for {} table rows, {:.0} placement rows/s",
        copy.seconds,
        copy.rows_total(),
        rows as f64 / copy.seconds
    );
    for t in &copy.tables {
        println!("    {:<20} {:>9} rows {:>10}  {:>7.2} s", t.table, t.rows, format_bytes(t.bytes), t.seconds);
    }
    print_cpu("  ", &copy.cpu, copy.seconds);
}

// ---------------------------------------------------------------------------
// The summary

struct Summary<'a> {
    rows: u64,
    file_bytes: u64,
    import: &'a ImportRun,
    copy: &'a CopyRun,
    small: Option<&'a SmallRun>,
    machine: &'a Machine,
    server_version: &'a str,
    settings: String,
}

fn print_summary(s: &Summary<'_>) {
    let import_rate = s.rows as f64 / s.import.seconds;
    let copy_rate = s.rows as f64 / s.copy.seconds;
    let ratio = import_rate / copy_rate;
    let verdict = if ratio >= TARGET_RATIO { "met" } else { "not met" };
    let small = match s.small {
        Some(small) => format!(
            "{} rows: peak {} (before {})",
            small.rows,
            format_kib(small.rss_peak_kib),
            format_kib(small.rss_before_kib)
        ),
        None => "skipped (BENCH_SMALL_RUN=0)".to_string(),
    };

    println!("\n== summary ==");
    println!("rows                {}", s.rows);
    println!("file                {}", format_bytes(s.file_bytes));
    println!("import              {:.2} s  {:.0} rows/s", s.import.seconds, import_rate);
    println!("COPY                {:.2} s  {:.0} rows/s", s.copy.seconds, copy_rate);
    println!("import / COPY       {ratio:.3} of COPY's rate (aim: at least {TARGET_RATIO}, {verdict})");
    if let (Some(import_cpu), Some(copy_cpu)) = (s.import.cpu.total_seconds(), s.copy.cpu.total_seconds()) {
        // On a loaded machine the import, which waits for the server after every
        // statement, loses more wall-clock time than COPY does, so CPU time is shown too.
        println!(
            "CPU seconds         import {import_cpu:.1}, COPY {copy_cpu:.1}, COPY / import {:.3} (this process plus its backend)",
            copy_cpu / import_cpu
        );
    }
    println!(
        "peak RSS            {} (before the import {}, after {})",
        format_kib(s.import.rss_peak_kib()),
        format_kib(s.import.rss_before_kib),
        format_kib(s.import.rss_after_kib)
    );
    println!("peak RSS, 1/10 run  {small}");
    println!("machine             {} CPUs, {}", s.machine.cpus, s.machine.model);
    println!("load average        {} at start, {} at end", s.machine.load_average, load_average());
    println!("PostgreSQL          {} with {}", s.server_version, s.settings);
}

fn format_kib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn format_bytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
