//! The bank statement parser (`api::bank_statements`) against the fixture
//! files of two other open-source parsers, kept with their MIT licenses in
//! `tests/fixtures/bank-statements`.

mod balances;
mod camt;
mod common;
mod mt940;
mod robustness;
