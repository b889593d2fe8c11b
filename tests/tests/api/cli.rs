//! The `recovery-desk` binary, run as a user would run it.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::helpers::{create_test_database, drop_test_database};

pub fn binary() -> std::path::PathBuf {
    // Cargo builds the api crate's binary next to the test binary's deps folder.
    let mut path = std::env::current_exe().unwrap();
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("recovery-desk")
}

struct Database(String);

impl Drop for Database {
    fn drop(&mut self) {
        drop_test_database(&self.0);
    }
}

pub fn run(url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(binary())
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run recovery-desk; build it with `cargo build -p api` first");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn import_json_report_counts_every_line() {
    let (name, url) = create_test_database();
    let _db = Database(name);
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lending_club_small.csv");
    let output = run(&url, &["import", file, "--profile", "lending_club", "--creditor", "LC", "--json"], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON object");
    for key in ["rows", "imported", "updated", "unchanged", "skipped", "rejected"] {
        assert!(report[key].is_u64(), "{key} missing");
    }
    let sum: u64 = ["imported", "updated", "unchanged", "skipped", "rejected"].iter().map(|k| report[k].as_u64().unwrap()).sum();
    assert_eq!(report["rows"].as_u64().unwrap(), sum);
    assert_eq!(report["imported"], 4);
}

#[test]
fn import_missing_file_exits_non_zero() {
    let (name, url) = create_test_database();
    let _db = Database(name);
    let output = run(&url, &["import", "/nonexistent/file.csv", "--profile", "lending_club", "--creditor", "LC", "--json"], None);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/file.csv"));
}

#[test]
fn user_create_reads_password_from_stdin() {
    let (name, url) = create_test_database();
    let _db = Database(name);
    let output = run(&url, &["user", "create", "--email", "cli@example.com", "--role", "manager"], Some("a long cli password\n"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let weak = run(&url, &["user", "create", "--email", "weak@example.com", "--role", "manager"], Some("short\n"));
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    let bad_role = run(&url, &["user", "create", "--email", "x@example.com", "--role", "boss"], Some("a long cli password\n"));
    assert!(!bad_role.status.success());
}
