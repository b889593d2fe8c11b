//! A PostgreSQL cluster of the product's own, used when no `DATABASE_URL` is
//! given: created with `initdb` under the data directory, started as a child
//! process on 127.0.0.1 and stopped when its owner stops.
//!
//! PostgreSQL refuses to run as root, so when this process is root the
//! cluster's files belong to the `postgres` user and the server binaries run
//! as that user.

use std::ffi::CString;
use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};

const DATABASE_NAME: &str = "recovery_desk";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Settings for a cluster that exists only for tests or benchmarks, where
/// durability does not matter.
pub const THROWAWAY_SETTINGS: &[(&str, &str)] = &[
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
];

/// Cluster settings kept in the data directory between runs.
#[derive(Serialize, Deserialize)]
struct ClusterFile {
    port: u16,
    password: String,
}

/// A running private cluster. Dropping it stops the server if this process started it.
pub struct Cluster {
    pgdata: PathBuf,
    port: u16,
    password: String,
    /// The server process when this process started it; `None` when another
    /// process (such as a running `serve`) owns it.
    child: Option<Child>,
}

impl Cluster {
    /// Starts the cluster under `data_dir`, creating it first if needed.
    /// When a server for that directory is already running, connects to it instead.
    pub fn start(data_dir: &Path, extra_settings: &[(&str, &str)]) -> anyhow::Result<Cluster> {
        let binaries = find_server_binaries()?;
        let run_as = postgres_user_if_root()?;
        fs::create_dir_all(data_dir).with_context(|| format!("failed to create data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("failed to resolve data directory {}", data_dir.display()))?;
        let pgdata = data_dir.join("postgres");
        let cluster_file = data_dir.join("cluster.json");

        if let Some(user) = &run_as {
            check_reachable_by(&data_dir, user)?;
        }

        if !pgdata.join("PG_VERSION").exists() {
            init_cluster(&binaries, &pgdata, &cluster_file, run_as.as_ref())?;
        }
        let mut saved: ClusterFile = serde_json::from_slice(
            &fs::read(&cluster_file).with_context(|| format!("failed to read {}", cluster_file.display()))?,
        )
        .with_context(|| format!("{} is not valid JSON; delete it and the postgres folder to start afresh", cluster_file.display()))?;

        if server_running(&pgdata, saved.port) {
            tracing::info!(port = saved.port, "using the private PostgreSQL cluster that is already running");
            let cluster = Cluster { pgdata, port: saved.port, password: saved.password, child: None };
            cluster.create_database()?;
            return Ok(cluster);
        }

        if TcpListener::bind(("127.0.0.1", saved.port)).is_err() {
            saved.port = free_port()?;
            write_private_file(&cluster_file, &serde_json::to_vec(&saved)?)?;
        }
        let child = spawn_server(&binaries, &pgdata, saved.port, run_as.as_ref(), extra_settings)?;
        let mut cluster = Cluster { pgdata, port: saved.port, password: saved.password, child: Some(child) };
        cluster.wait_until_ready()?;
        cluster.create_database()?;
        tracing::info!(port = cluster.port, "started the private PostgreSQL cluster");
        Ok(cluster)
    }

    /// URL of the product's database in this cluster.
    pub fn database_url(&self) -> String {
        self.url_for(DATABASE_NAME)
    }

    /// URL of any database in this cluster.
    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://postgres:{}@127.0.0.1:{}/{}", self.password, self.port, database)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server with a fast shutdown if this process started it.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        // SIGINT requests a fast shutdown from PostgreSQL: open sessions are ended and the data is flushed.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                _ => {
                    tracing::error!(pgdata = %self.pgdata.display(), "PostgreSQL did not stop within 30 s; killing it");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
        tracing::info!("stopped the private PostgreSQL cluster");
    }

    fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "PostgreSQL exited during start-up ({status}); see {}",
                        self.pgdata.join("server.log").display()
                    );
                }
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() && self.admin_connection().is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("PostgreSQL did not accept connections within {} s", START_TIMEOUT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn admin_connection(&self) -> anyhow::Result<diesel::PgConnection> {
        use diesel::Connection;
        Ok(diesel::PgConnection::establish(&self.url_for("postgres"))?)
    }

    fn create_database(&self) -> anyhow::Result<()> {
        use diesel::RunQueryDsl;
        let mut conn = self.admin_connection()?;
        let exists: i64 = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{DATABASE_NAME}'"
        ))
        .get_result::<Count>(&mut conn)?
        .n;
        if exists == 0 {
            diesel::sql_query(format!("CREATE DATABASE {DATABASE_NAME}")).execute(&mut conn)?;
        }
        Ok(())
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The directory holding `initdb` and `postgres`. `RECOVERY_DESK_PG_BIN` wins;
/// then `PATH`; then the newest major version in the usual install locations.
pub fn find_server_binaries() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("RECOVERY_DESK_PG_BIN") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
            return Ok(dir);
        }
        bail!("RECOVERY_DESK_PG_BIN={} has no initdb and postgres binaries", dir.display());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
                return Ok(dir);
            }
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = Vec::new();
    for pattern_root in ["/usr/lib/postgresql", "/usr/local/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt", "/usr"] {
        let Ok(entries) = fs::read_dir(pattern_root) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let version_text = name
                .trim_start_matches("postgresql@")
                .trim_start_matches("postgresql-")
                .trim_start_matches("pgsql-");
            let Ok(version) = version_text.parse::<u32>() else { continue };
            let bin = entry.path().join("bin");
            if bin.join("initdb").is_file() && bin.join("postgres").is_file() {
                candidates.push((version, bin));
            }
        }
    }
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "no PostgreSQL server binaries (initdb, postgres) found on PATH or under /usr/lib/postgresql; \
             install them (Debian: apt-get install postgresql), set RECOVERY_DESK_PG_BIN to their directory, \
             or set DATABASE_URL to use an existing server"
        )
    })
}

/// The account to run PostgreSQL as: `postgres` when this process is root, else this process's user.
#[derive(Clone)]
struct RunAs {
    uid: u32,
    gid: u32,
    name: String,
}

fn postgres_user_if_root() -> anyhow::Result<Option<RunAs>> {
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = CString::new("postgres").expect("static name has no NUL");
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        bail!(
            "running as root, PostgreSQL must run as the 'postgres' user, which does not exist; \
             install the PostgreSQL server packages or run as an ordinary user"
        );
    }
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Some(RunAs { uid, gid, name: "postgres".to_string() }))
}

/// Checks that every parent of `dir` lets the `postgres` user through, so it can reach its data.
fn check_reachable_by(dir: &Path, user: &RunAs) -> anyhow::Result<()> {
    for ancestor in dir.ancestors() {
        let mode = fs::metadata(ancestor)?.permissions().mode();
        if mode & 0o001 == 0 {
            bail!(
                "the '{}' user cannot reach the data directory {} because {} is not searchable by others; \
                 choose a data directory elsewhere with --data-dir (for example /var/lib/recovery-desk) \
                 or run `chmod o+x {}`",
                user.name,
                dir.display(),
                ancestor.display(),
                ancestor.display()
            );
        }
    }
    // The data directory itself must be searchable so the server reaches its `postgres` folder.
    let mut perms = fs::metadata(dir)?.permissions();
    perms.set_mode(perms.mode() | 0o011);
    fs::set_permissions(dir, perms)?;
    Ok(())
}

fn init_cluster(bin: &Path, pgdata: &Path, cluster_file: &Path, run_as: Option<&RunAs>) -> anyhow::Result<()> {
    let password: String = {
        use rand::distributions::{Alphanumeric, DistString};
        Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
    };
    fs::create_dir_all(pgdata)?;
    let password_file = pgdata.with_file_name("initdb-password.tmp");
    write_private_file(&password_file, password.as_bytes())?;
    if let Some(user) = run_as {
        chown(pgdata, user)?;
        chown(&password_file, user)?;
    }

    tracing::info!(pgdata = %pgdata.display(), "creating a private PostgreSQL cluster");
    let mut command = Command::new(bin.join("initdb"));
    command
        .arg("--pgdata")
        .arg(pgdata)
        .args(["--username=postgres", "--encoding=UTF8", "--locale=C", "--auth-local=peer", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", password_file.display()))
        .current_dir(pgdata)
        .stdin(Stdio::null());
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid);
    }
    let output = command.output().context("failed to run initdb")?;
    let _ = fs::remove_file(&password_file);
    if !output.status.success() {
        let _ = fs::remove_dir_all(pgdata);
        bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let saved = ClusterFile { port: free_port()?, password };
    write_private_file(cluster_file, &serde_json::to_vec(&saved)?)?;
    Ok(())
}

fn spawn_server(
    bin: &Path,
    pgdata: &Path,
    port: u16,
    run_as: Option<&RunAs>,
    extra_settings: &[(&str, &str)],
) -> anyhow::Result<Child> {
    let log_path = pgdata.join("server.log");
    let log = fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
    if let Some(user) = run_as {
        chown(&log_path, user)?;
    }
    let mut command = Command::new(bin.join("postgres"));
    command
        .arg("-D")
        .arg(pgdata)
        .arg("-p")
        .arg(port.to_string())
        .args(["-c", "listen_addresses=127.0.0.1"])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", pgdata.display()));
    for (name, value) in extra_settings {
        command.arg("-c").arg(format!("{name}={value}"));
    }
    command.current_dir(pgdata).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
    if let Some(user) = run_as {
        command.uid(user.uid).gid(user.gid);
    }
    // The server must not outlive this process even when it is killed: ask the
    // kernel to send SIGINT (fast shutdown) when the spawning thread exits. That
    // thread is a dedicated one that never exits before the process does.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-parent".to_string())
        .spawn(move || {
            let _ = sender.send(command.spawn());
            loop {
                std::thread::park();
            }
        })?;
    receiver.recv()?.context("failed to start postgres")
}

fn server_running(pgdata: &Path, port: u16) -> bool {
    pgdata.join("postmaster.pid").exists() && TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn write_private_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new().create(true).write(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(contents)?;
    Ok(())
}

fn chown(path: &Path, user: &RunAs) -> anyhow::Result<()> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
        .with_context(|| format!("failed to give {} to the {} user", path.display(), user.name))
}
