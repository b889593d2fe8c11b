//! Turning a file's lines into `PlacementRow`s by the rules of an import profile.

use std::collections::HashMap;

use csv::StringRecord;
use shared::imports::{ProfileConfig, ProfileKind};
use shared::Currency;

use super::fields::{FieldRules, LineTally};
use super::row::{EmailInput, PhoneInput, RowOutcome};
use super::{columns, lending_club};
use crate::imports::phone::normalise_phone;

/// Column positions by normalised header name.
pub struct Header {
    positions: HashMap<String, usize>,
    names: Vec<String>,
    /// Normalised names that appear more than once in the header.
    duplicates: Vec<String>,
    pub width: usize,
}

impl Header {
    pub fn new(record: &StringRecord) -> Header {
        let mut positions = HashMap::new();
        let mut duplicates = Vec::new();
        for (i, name) in record.iter().enumerate() {
            let normalised = super::reader::normalise_header(name);
            if positions.contains_key(&normalised) {
                duplicates.push(normalised);
            } else {
                positions.insert(normalised, i);
            }
        }
        let names = record.iter().map(|n| n.trim().to_string()).collect();
        Header { positions, names, duplicates, width: record.len() }
    }

    /// The column's name as the file writes it.
    pub fn name(&self, position: usize) -> Option<&str> {
        self.names.get(position).map(String::as_str)
    }

    pub fn position(&self, column: &str) -> Option<usize> {
        self.positions.get(&super::reader::normalise_header(column)).copied()
    }

    pub fn has(&self, column: &str) -> bool {
        self.position(column).is_some()
    }
}

/// A line with its header, giving fields by column name.
pub struct Line<'a> {
    pub header: &'a Header,
    pub record: &'a StringRecord,
}

impl Line<'_> {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.header.position(column).and_then(|i| self.record.get(i))
    }
}

/// A profile ready to map lines of one file.
pub struct Mapper {
    pub config: ProfileConfig,
    pub rules: FieldRules,
    pub default_currency: Currency,
}

impl Mapper {
    /// Checks the profile against the file's header, naming every required column that is missing.
    pub fn new(config: ProfileConfig, header: &Header) -> anyhow::Result<Mapper> {
        let default_currency: Currency = config
            .default_currency
            .parse()
            .map_err(|e| anyhow::anyhow!("the profile's default_currency is invalid: {e}"))?;
        let (kind, required, used) = match config.kind {
            ProfileKind::LendingClub => (
                "lending_club",
                lending_club::REQUIRED_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                lending_club::USED_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ),
            ProfileKind::Columns => {
                ("columns", columns::required_columns(&config.columns), columns::used_columns(&config.columns))
            }
        };
        let missing: Vec<&String> = required.iter().filter(|c| !header.has(c)).collect();
        if !missing.is_empty() {
            let found: Vec<&str> = header.names.iter().take(20).map(String::as_str).collect();
            anyhow::bail!(
                "the file's header lacks the column(s) {} that the profile (kind {kind}) reads; the header has {}{}. \
                 Check the delimiter and the header line, or create a profile that maps this file's columns",
                missing.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "),
                found.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "),
                if header.names.len() > 20 { ", …" } else { "" }
            );
        }
        let ambiguous: Vec<&String> =
            header.duplicates.iter().filter(|d| used.iter().any(|u| super::reader::normalise_header(u) == **d)).collect();
        if !ambiguous.is_empty() {
            anyhow::bail!(
                "the header names the column(s) {} more than once, so the profile cannot tell which to read; rename or remove the extra columns",
                ambiguous.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
            );
        }
        let rules = FieldRules {
            decimal_separator: config.decimal_separator,
            rounding: config.rounding,
            date_formats: config.date_formats.clone(),
        };
        Ok(Mapper { config, rules, default_currency })
    }

    pub fn map(&self, line: &Line<'_>, tally: &mut LineTally) -> RowOutcome {
        let outcome = match self.config.kind {
            ProfileKind::LendingClub => lending_club::map(self, line, tally),
            ProfileKind::Columns => columns::map(self, line, tally),
        };
        match outcome {
            RowOutcome::Row(row) => {
                let problems = row.check();
                if problems.is_empty() {
                    RowOutcome::Row(row)
                } else {
                    RowOutcome::Reject(problems)
                }
            }
            other => other,
        }
    }

    /// Normalises a phone number, reading national numbers in `region` or else the profile's default country.
    pub fn phone(&self, raw: &str, region: Option<&str>) -> PhoneInput {
        let normalised = normalise_phone(raw, region.unwrap_or(&self.config.default_country));
        PhoneInput {
            raw: raw.trim().to_string(),
            e164: normalised.e164,
            phone_type: normalised.phone_type.as_str(),
            is_valid: normalised.is_valid,
        }
    }

    pub fn email(&self, raw: &str) -> EmailInput {
        let address = raw.trim().to_string();
        let is_valid = shared::validation::check_email(&address).is_ok();
        EmailInput { address, is_valid }
    }
}
