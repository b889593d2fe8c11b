//! One integration-test binary; each module covers one capability.

mod accounts;
mod auth;
mod bank_statement_files;
mod bank_statements;
mod browser;
mod catalogue;
mod cli;
mod contact;
mod deposit_batches;
mod health;
mod helpers;
mod imports;
mod ledger_properties;
mod letters;
mod openapi;
mod payments;
mod plans;
mod receipt_emails;
mod smtp_sink;
mod worklist;
