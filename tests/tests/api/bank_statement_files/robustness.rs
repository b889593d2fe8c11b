//! The parsers must return an error, never panic, on damaged input: every
//! fixture cut short at many byte offsets, and with single bytes replaced.

use std::panic::{catch_unwind, AssertUnwindSafe};

use api::bank_statements::{
    check_balances, check_entry_totals, parse, parse_camt, parse_mt9xx,
};

use super::common::{fixture_files, relative_name};

fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut paths = fixture_files("camt-genkgo", ".xml");
    paths.extend(fixture_files("mt940-rs", ".sta"));
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("readable fixture");
            (relative_name(&path), bytes)
        })
        .collect()
}

/// Runs every parser and the checks on `bytes`, and returns a description of
/// the panic if one occurs.
fn panic_of(bytes: &[u8]) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let results = [parse(bytes), parse_camt(bytes), parse_mt9xx(bytes)];
        for file in results.iter().flatten() {
            for statement in &file.statements {
                let _ = check_balances(statement);
                let _ = check_entry_totals(statement);
            }
        }
    }));
    outcome.err().map(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "non-text panic".to_string())
    })
}

/// Returns the cut offsets for a file: every offset of a small file, or
/// about 1000 evenly spread offsets, each with the three after it so that
/// cuts land inside multi-byte characters and line breaks.
fn cut_offsets(length: usize) -> Vec<usize> {
    if length <= 1500 {
        return (0..=length).collect();
    }
    let step = length / 250;
    let mut offsets: Vec<usize> = (0..=length)
        .step_by(step)
        .flat_map(|start| start..(start + 4).min(length + 1))
        .collect();
    offsets.push(length);
    offsets
}

#[test]
fn truncated_fixtures_never_panic() {
    let mut panics = Vec::new();
    let mut runs = 0;
    for (name, bytes) in all_fixtures() {
        for end in cut_offsets(bytes.len()) {
            runs += 1;
            if let Some(message) = panic_of(&bytes[..end]) {
                panics.push(format!("{name} cut at byte {end}: {message}"));
            }
        }
    }
    assert!(runs > 40_000, "only {runs} cuts tried");
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

#[test]
fn corrupted_fixtures_never_panic() {
    // Bytes that change the meaning of MT and XML text, plus invalid UTF-8.
    const REPLACEMENTS: &[u8] = b":-\n\r<>/?09CDRN,.& \x00\xC3\xFF";

    let mut panics = Vec::new();
    let mut runs = 0;
    // A fixed linear congruential generator keeps the positions reproducible.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for (name, bytes) in all_fixtures() {
        if bytes.is_empty() {
            continue;
        }
        for _ in 0..400 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let position = (state >> 33) as usize % bytes.len();
            let replacement = REPLACEMENTS[(state >> 20) as usize % REPLACEMENTS.len()];

            let mut corrupted = bytes.clone();
            corrupted[position] = replacement;
            runs += 1;
            if let Some(message) = panic_of(&corrupted) {
                panics.push(format!(
                    "{name} byte {position} set to {replacement:#04x}: {message}"
                ));
            }
        }
    }
    assert!(runs > 20_000, "only {runs} corruptions tried");
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

#[test]
fn extreme_inputs_are_rejected() {
    let cases: &[&[u8]] = &[
        b"",
        b"   \n\r\n\t",
        b"\xEF\xBB\xBF",
        b"<",
        b"<?xml version=\"1.0\"?>",
        b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><Document/>",
        b":20:",
        b":20:X\n:25:A\n:60F:C",
        b":20:X\n:25:A\n:60F:C991231EUR99999999999999999999,99\n:62F:C991231EUR0,",
        b":20:X\n:25:A\n:60F:C200101EUR0,\n:61:2001010101C1,NTRF\n-",
        b"\xFF\xFE:\x00",
    ];
    for bytes in cases {
        assert_eq!(panic_of(bytes), None, "{bytes:?}");
        assert!(parse(bytes).is_err(), "{bytes:?} should be rejected");
    }
}
