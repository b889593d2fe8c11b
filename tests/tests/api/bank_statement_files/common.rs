//! Fixture helpers of the bank statement parser tests.

#![allow(dead_code)]

use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// Returns `tests/fixtures/bank-statements`, the copied test data.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bank-statements")
}

/// Lists files under `tests/fixtures/bank-statements/<folder>` whose name
/// ends with `suffix`, recursively and sorted.
pub fn fixture_files(folder: &str, suffix: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect_files(&data_dir().join(folder), suffix, &mut files);
    files.sort();
    files
}

fn collect_files(folder: &Path, suffix: &str, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()));
    for entry in entries {
        let path = entry.expect("readable folder entry").path();
        if path.is_dir() {
            collect_files(&path, suffix, files);
        } else if path.to_string_lossy().ends_with(suffix) {
            files.push(path);
        }
    }
}

/// Returns the path relative to `tests/fixtures/bank-statements`, for messages.
pub fn relative_name(path: &Path) -> String {
    path.strip_prefix(data_dir())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

pub fn read_fixture(relative: &str) -> Vec<u8> {
    let path = data_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Differences found while comparing a parse with an expected result. Every
/// comparison is counted, so a test can also assert that it compared enough.
#[derive(Default)]
pub struct Comparison {
    pub differences: Vec<String>,
    pub checks: usize,
}

impl Comparison {
    pub fn check<T: PartialEq + Debug>(
        &mut self,
        context: &str,
        field: &str,
        ours: T,
        expected: T,
    ) {
        self.checks += 1;
        if ours != expected {
            self.differences.push(format!(
                "{context}: {field}: parsed {ours:?}, expected {expected:?}"
            ));
        }
    }

    pub fn fail(&mut self, context: &str, message: &str) {
        self.checks += 1;
        self.differences.push(format!("{context}: {message}"));
    }

    pub fn assert_no_differences(&self) {
        assert!(
            self.differences.is_empty(),
            "{} differences in {} checks:\n{}",
            self.differences.len(),
            self.checks,
            self.differences.join("\n")
        );
    }
}
