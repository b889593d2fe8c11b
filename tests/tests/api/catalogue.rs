//! Rules checked across the whole schema.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::helpers::TestApp;

#[derive(QueryableByName, Debug)]
#[allow(dead_code, reason = "read through Debug in assertion messages")]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

#[tokio::test]
async fn no_floating_point_columns() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    let floats: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('real', 'double precision', 'numeric', 'money')",
    )
    .load(&mut conn)
    .unwrap();
    assert!(floats.is_empty(), "money and counts must be integers: {floats:?}");
}

#[tokio::test]
async fn large_tables_carry_creditor_id() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'creditor_id'",
    )
    .load(&mut conn)
    .unwrap();
    for table in ["debtors", "debtor_addresses", "debtor_phones", "debtor_emails", "accounts", "journal_entries", "journal_lines", "imports"] {
        assert!(columns.iter().any(|c| c.table_name == table), "{table} lacks creditor_id");
    }
}

#[tokio::test]
async fn journal_rejects_unbalanced_and_changed_lines() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    diesel::sql_query("INSERT INTO creditors (id, name) VALUES ('00000000-0000-7000-8000-00000000000a', 'C')").execute(&mut conn).unwrap();
    diesel::sql_query(
        "INSERT INTO journal_entries (id, creditor_id, kind, effective_on) VALUES
         ('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000a', 'placement', '2026-01-01')",
    )
    .execute(&mut conn)
    .unwrap();
    let unbalanced = diesel::sql_query(
        "INSERT INTO journal_lines (entry_id, creditor_id, ledger_account, currency, amount) VALUES
         ('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000a', 'debtor_principal', 'USD', 100),
         ('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000a', 'creditor_placements', 'USD', -99)",
    )
    .execute(&mut conn);
    assert!(unbalanced.is_err(), "an unbalanced entry must be refused");

    diesel::sql_query(
        "INSERT INTO journal_lines (entry_id, creditor_id, ledger_account, currency, amount) VALUES
         ('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000a', 'debtor_principal', 'USD', 100),
         ('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-00000000000a', 'creditor_placements', 'USD', -100)",
    )
    .execute(&mut conn)
    .unwrap();
    assert!(diesel::sql_query("UPDATE journal_lines SET amount = amount + 1").execute(&mut conn).is_err());
    assert!(diesel::sql_query("DELETE FROM journal_lines").execute(&mut conn).is_err());
}

#[tokio::test]
async fn migrations_revert_and_reapply() {
    use diesel_migrations_check::*;
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    revert_all_and_reapply(&mut conn);
}

/// Reverting every migration and applying them again proves each down.sql works.
mod diesel_migrations_check {
    use diesel::PgConnection;

    pub fn revert_all_and_reapply(conn: &mut PgConnection) {
        api::postgres::revert_all_migrations(conn).expect("every down.sql runs");
        let applied = api::postgres::run_migrations(conn).expect("migrations apply again");
        assert!(applied.len() >= 6, "expected all migrations to be reapplied, got {applied:?}");
    }
}
