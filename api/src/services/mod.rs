//! Use cases. Each public function takes a connection, opens the
//! transaction it needs, applies the domain rules, and writes the audit row
//! in the same transaction.

pub mod accounts;
pub mod audit;
pub mod bank_statements;
pub mod contact;
pub mod correspondence;
pub mod creditors;
pub mod deposit_batches;
pub mod idempotency;
pub mod import_profiles;
pub mod imports;
pub mod ledger;
pub mod payment_settings;
pub mod payments;
pub mod plans;
pub mod promises;
pub mod tasks;
pub mod timeline;
pub mod daily_run;
pub mod receipts;
pub mod sessions;
pub mod users;
pub mod worklist;
