//! `recovery-desk verify`: recomputes every balance from the journal and
//! checks the ledger's invariants; exits 1 naming the accounts that fail.

use crate::config::DatabaseArgs;
use crate::postgres::{self, Database};
use crate::services::ledger;

pub fn run(args: &DatabaseArgs) -> anyhow::Result<i32> {
    use diesel::Connection;
    let database = Database::open(args.database_url.as_deref(), &args.data_dir)?;
    let mut conn = diesel::PgConnection::establish(&database.url())?;
    postgres::run_migrations(&mut conn)?;
    // One snapshot for every check, so postings running meanwhile cannot show as mismatches.
    let violations = conn.build_transaction().read_only().repeatable_read().run(ledger::verify)?;
    if violations.is_empty() {
        println!("Ledger verified: every entry balances, every stored balance equals its ledger sum, receipts are gap-free.");
        return Ok(0);
    }
    for violation in &violations {
        println!("{}", violation.message);
    }
    let mut accounts: Vec<String> = violations.iter().filter_map(|v| v.account_id).map(|id| id.to_string()).collect();
    accounts.sort();
    accounts.dedup();
    eprintln!(
        "Ledger check failed: {} problem(s) on {} account(s){}",
        violations.len(),
        accounts.len(),
        if accounts.is_empty() { String::new() } else { format!(": {}", accounts.join(", ")) }
    );
    Ok(1)
}
