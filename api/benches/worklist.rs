//! Worklist benchmark: `services::worklist::rank::worklist` (a page read
//! in stored-score order plus the contact rules on the page's candidates)
//! at a million accounts with contact history, against the bare SQL query
//! that selects the same agent's page without scores or rules, in the same
//! run. It also times the daily rescoring of every account and the first
//! page of an agent whose scores have all expired.
//!
//! Starts a private cluster with durability off (`THROWAWAY_SETTINGS`) in a
//! fresh directory under `/tmp` and generates, with set-based SQL:
//!
//! - one creditor (America/Chicago) and `AGENTS` collectors; account n
//!   belongs to collector n % `AGENTS`;
//! - N accounts, each with its own debtor, an Illinois address and one
//!   valid mobile number with a 217 area code (so every debtor is in
//!   America/Chicago only);
//! - contact history: two calls on every second account within the last 60
//!   days, one of them a conversation on every tenth account, one broken
//!   promise on every tenth account, and a manager hold on every 50th.
//!
//! The timed instant is today at 17:00 UTC, inside the calling window in
//! Chicago. Each timed round asks for the first page (50 accounts) of one
//! agent's worklist, cycling through the agents, then runs the bare query
//! for the same agent. The directory is removed at the end.
//!
//! Run it with `make bench` or `cargo bench -p api --bench worklist`.
//! Environment:
//! - `BENCH_ACCOUNTS`: accounts to generate, at least 1,000 (default 1,000,000).
//! - `BENCH_ROUNDS`: timed requests of each kind, at least 10 (default 200).
//! - `BENCH_EXPLAIN`: when set, prints the executed plan of each expired
//!   agent's rescore (rolled back before the timed page).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use api::auth::CurrentUser;
use api::postgres::cluster::THROWAWAY_SETTINGS;
use api::postgres::Cluster;
use api::services::worklist::rank::{self, WorklistRequest};
use api::services::worklist::score;
use chrono::{NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use shared::users::{CreateUserRequest, Role};
use uuid::Uuid;

const DEFAULT_ACCOUNTS: u64 = 1_000_000;
const MINIMUM_ACCOUNTS: u64 = 1_000;
const DEFAULT_ROUNDS: u64 = 200;
const AGENTS: usize = 20;
const PAGE: u32 = 50;
const DATABASE: &str = "bench_worklist";
/// Agents whose first page is timed with every score expired.
const EXPIRED_ROUNDS: usize = 5;

fn main() -> anyhow::Result<()> {
    let accounts = number_from_env("BENCH_ACCOUNTS", DEFAULT_ACCOUNTS, MINIMUM_ACCOUNTS)? as i64;
    let rounds = number_from_env("BENCH_ROUNDS", DEFAULT_ROUNDS, 10)? as usize;
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("worklist benchmark: {accounts} accounts, {AGENTS} agents, {rounds} rounds, pages of {PAGE}; {cpus} CPUs");

    let workspace = create_workspace()?;
    let cluster = Cluster::start(&workspace.path().join("cluster"), THROWAWAY_SETTINGS)?;
    let admin_url = cluster.url_for("postgres");
    let mut admin = PgConnection::establish(&admin_url)?;
    diesel::sql_query(format!("CREATE DATABASE {DATABASE}")).execute(&mut admin)?;
    let mut conn = PgConnection::establish(&cluster.url_for(DATABASE))?;
    api::postgres::run_migrations(&mut conn)?;

    let started = Instant::now();
    let agents = generate(&mut conn, accounts)?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    diesel::sql_query("VACUUM ANALYZE").execute(&mut conn)?;
    diesel::sql_query("CHECKPOINT").execute(&mut conn)?;

    // What the daily run does at the start of each day: score every account.
    let creditor: Uuid = diesel::select(diesel::dsl::sql::<SqlUuid>("(SELECT id FROM creditors LIMIT 1)")).get_result(&mut conn)?;
    let started = Instant::now();
    let rescored = score::rescore_creditor(&mut conn, creditor, Utc::now())?;
    let seconds = started.elapsed().as_secs_f64();
    println!("daily rescoring: {rescored} accounts in {seconds:.1} s, {:.0} accounts/s", rescored as f64 / seconds);
    diesel::sql_query("VACUUM ANALYZE").execute(&mut conn)?;

    let today = Utc::now().date_naive();
    let at = Utc.from_utc_datetime(&today.and_time(NaiveTime::from_hms_opt(17, 0, 0).expect("valid time")));
    let manager = CurrentUser { id: agents[0], role: Role::Manager };

    // One untimed request per agent warms the cache for both kinds alike.
    for agent in &agents {
        worklist_page(&mut conn, &manager, *agent, at)?;
        bare_page(&mut conn, *agent)?;
    }

    let mut scored = Vec::with_capacity(rounds);
    let mut bare = Vec::with_capacity(rounds);
    let mut returned = 0usize;
    for round in 0..rounds {
        let agent = agents[round % agents.len()];
        let clock = Instant::now();
        returned += worklist_page(&mut conn, &manager, agent, at)?;
        scored.push(clock.elapsed());
        let clock = Instant::now();
        bare_page(&mut conn, agent)?;
        bare.push(clock.elapsed());
    }
    println!("\nworklist pages returned {:.1} accounts on average", returned as f64 / rounds as f64);
    print_line("worklist (stored scores + rules)", &mut scored);
    print_line("bare SQL (same agent, no scoring)", &mut bare);

    // The first page of an agent whose scores all expired, as when the
    // daily run has not rescored yet: the request rescores them itself.
    let mut first_of_day = Vec::new();
    for agent in agents.iter().take(EXPIRED_ROUNDS) {
        diesel::sql_query("UPDATE accounts SET worklist_scored_until = '-infinity' WHERE assigned_agent_id = $1")
            .bind::<SqlUuid, _>(*agent)
            .execute(&mut conn)?;
        if std::env::var_os("BENCH_EXPLAIN").is_some() {
            let plan = conn.transaction(|conn| {
                let plan = score::explain_rescore(conn, score::Scope::Agent(*agent), Utc::now(), i64::MAX);
                // The plan ran the statement; roll it back so the timed page rescores.
                plan.and_then(|plan| { println!("{}", plan.join("\n")); Err(diesel::result::Error::RollbackTransaction) })
            });
            if !matches!(plan, Err(diesel::result::Error::RollbackTransaction)) { plan?; }
        }
        let clock = Instant::now();
        worklist_page(&mut conn, &manager, *agent, at)?;
        first_of_day.push(clock.elapsed());
    }
    print_line("worklist, all scores expired", &mut first_of_day);
    Ok(())
}

fn worklist_page(conn: &mut PgConnection, user: &CurrentUser, agent: Uuid, at: chrono::DateTime<Utc>) -> anyhow::Result<usize> {
    let request = WorklistRequest { agent_id: Some(agent), include_blocked: false, at, limit: PAGE, cursor: None };
    let page = rank::worklist(conn, user, &request).map_err(|e| anyhow!("worklist request failed: {}", e.message))?;
    Ok(page.items.len())
}

/// The agent's worked accounts with the joins of the worklist query,
/// ordered by balance instead of the score.
fn bare_page(conn: &mut PgConnection, agent: Uuid) -> anyhow::Result<usize> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        _id: Uuid,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT a.id AS _id FROM accounts a JOIN creditors c ON c.id = a.creditor_id JOIN debtors d ON d.id = a.debtor_id
         WHERE a.status IN ('open', 'in_arrangement') AND a.assigned_agent_id = $1
         ORDER BY a.total_balance DESC, a.id DESC LIMIT $2",
    )
    .bind::<SqlUuid, _>(agent)
    .bind::<BigInt, _>(i64::from(PAGE))
    .load(conn)?;
    Ok(rows.len())
}

fn print_line(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    println!("  {label:<36} p50 {:>9.2} ms   p99 {:>9.2} ms   max {:>9.2} ms", at(0.5), at(0.99), at(1.0));
}

fn generate(conn: &mut PgConnection, accounts: i64) -> anyhow::Result<Vec<Uuid>> {
    let step = |name: &str, rows: usize, started: Instant| println!("  {name:<28} {rows:>10} rows {:>7.1} s", started.elapsed().as_secs_f64());
    let creditor_id = Uuid::now_v7();
    diesel::sql_query("INSERT INTO creditors (id, name, time_zone) VALUES ($1, 'Bench', 'America/Chicago')")
        .bind::<SqlUuid, _>(creditor_id)
        .execute(conn)?;
    let mut agents = Vec::with_capacity(AGENTS);
    for k in 0..AGENTS {
        let request = CreateUserRequest {
            email: format!("bench-agent-{k}@example.com"),
            password: "a long benchmark password".to_string(),
            role: Role::Collector,
            display_name: None,
        };
        let user = api::services::users::create_user(conn, None, &request).map_err(|e| anyhow!("failed to create an agent: {}", e.message))?;
        agents.push(user.id);
    }

    let statements: [(&str, &str); 7] = [
        (
            "debtors",
            "INSERT INTO debtors (id, creditor_id, debtor_ref, name)
             SELECT ('00000000-0000-7000-8001-' || lpad(to_hex(n), 12, '0'))::uuid, $1, 'DEB-' || n, 'Debtor ' || n
             FROM generate_series(0, $2 - 1) AS n",
        ),
        (
            "accounts",
            "INSERT INTO accounts (id, creditor_id, debtor_id, account_ref, currency, status, original_principal, original_interest,
                 original_fees, principal_balance, interest_balance, fees_balance, delinquent_since, assigned_agent_id,
                 no_valid_phone, no_valid_address, no_valid_email, source_hash)
             SELECT ('00000000-0000-7000-8002-' || lpad(to_hex(n), 12, '0'))::uuid, $1,
                    ('00000000-0000-7000-8001-' || lpad(to_hex(n), 12, '0'))::uuid, 'ACC-' || n, 'USD', 'open',
                    p, 0, 0, p, 0, 0, current_date - 30 - (n * 7919 % 700)::int, ($3::uuid[])[(n % $4)::int + 1],
                    false, false, false, sha256(convert_to('ACC-' || n, 'UTF8'))
             FROM generate_series(0, $2 - 1) AS n, LATERAL (SELECT 5000 + (n * 104729 % 2000000) AS p) b",
        ),
        (
            "debtor_addresses",
            "INSERT INTO debtor_addresses (id, creditor_id, debtor_id, line1, city, region, postal_code, country, is_valid)
             SELECT gen_random_uuid(), $1, ('00000000-0000-7000-8001-' || lpad(to_hex(n), 12, '0'))::uuid,
                    n || ' Main St', 'Springfield', 'IL', '62701', 'US', true
             FROM generate_series(0, $2 - 1) AS n",
        ),
        (
            "debtor_phones",
            "INSERT INTO debtor_phones (id, creditor_id, debtor_id, raw, e164, phone_type, is_valid, do_not_call)
             SELECT gen_random_uuid(), $1, ('00000000-0000-7000-8001-' || lpad(to_hex(n), 12, '0'))::uuid,
                    '217555' || lpad((n % 10000)::text, 4, '0'), '+1217555' || lpad((n % 10000)::text, 4, '0'), 'mobile', true, false
             FROM generate_series(0, $2 - 1) AS n",
        ),
        (
            "calls",
            "INSERT INTO calls (id, creditor_id, account_id, debtor_id, direction, outcome, conversation, started_at, logged_by)
             SELECT gen_random_uuid(), $1, ('00000000-0000-7000-8002-' || lpad(to_hex(n), 12, '0'))::uuid,
                    ('00000000-0000-7000-8001-' || lpad(to_hex(n), 12, '0'))::uuid, 'outbound',
                    CASE WHEN k = 1 AND n % 10 = 0 THEN 'right_party_contact' ELSE 'no_answer' END, k = 1 AND n % 10 = 0,
                    now() - make_interval(days => ((n * 31 + k * 17) % 60)::int, hours => 3),
                    ($3::uuid[])[(n % $4)::int + 1]
             FROM generate_series(0, $2 - 1, 2) AS n, generate_series(0, 1) AS k",
        ),
        (
            "broken promises",
            "INSERT INTO promises (id, creditor_id, account_id, amount, currency, promised_on, window_ends_on, channel, taken_by,
                 taken_on, status, resolved_on)
             SELECT gen_random_uuid(), $1, ('00000000-0000-7000-8002-' || lpad(to_hex(n), 12, '0'))::uuid, 10000, 'USD',
                    current_date - 20, current_date - 15, 'call', ($3::uuid[])[(n % $4)::int + 1], current_date - 25, 'broken',
                    current_date - 14
             FROM generate_series(0, $2 - 1, 10) AS n",
        ),
        (
            "contact holds",
            "INSERT INTO contact_holds (account_id, creditor_id, manager_hold)
             SELECT ('00000000-0000-7000-8002-' || lpad(to_hex(n), 12, '0'))::uuid, $1, true
             FROM generate_series(3, $2 - 1, 50) AS n",
        ),
    ];
    for (name, sql) in statements {
        let started = Instant::now();
        let mut query = diesel::sql_query(sql).into_boxed().bind::<SqlUuid, _>(creditor_id).bind::<BigInt, _>(accounts);
        if sql.contains("$3") {
            query = query.bind::<Array<SqlUuid>, _>(agents.clone()).bind::<BigInt, _>(AGENTS as i64);
        }
        let rows = query.execute(conn).with_context(|| format!("failed to generate {name}"))?;
        step(name, rows, started);
    }
    let version: Vec<Version> = diesel::sql_query("SELECT current_setting('server_version') AS v").load(conn)?;
    println!("PostgreSQL {}", version.first().map(|v| v.v.as_str()).unwrap_or("?"));
    Ok(agents)
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    v: String,
}

fn number_from_env(name: &str, default: u64, minimum: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(e) => bail!("{name} is not valid Unicode: {e}"),
        Ok(value) => match value.trim().parse::<u64>() {
            Ok(n) if n >= minimum => Ok(n),
            _ => bail!("{name} must be a whole number of at least {minimum}; got '{value}'"),
        },
    }
}

/// Creates an empty directory under /tmp that the `postgres` user can pass
/// through, because the cluster drops to that user when this process is root.
fn create_workspace() -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("recovery-desk-bench-").tempdir_in("/tmp").context("failed to create a directory under /tmp")?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o711))?;
    Ok(dir)
}
