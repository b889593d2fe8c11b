//! Use cases. Each public function takes a connection, opens the
//! transaction it needs, applies the domain rules, and writes the audit row
//! in the same transaction.

pub mod accounts;
pub mod audit;
pub mod creditors;
pub mod idempotency;
pub mod import_profiles;
pub mod imports;
pub mod ledger;
pub mod payments;
pub mod receipts;
pub mod sessions;
pub mod users;
