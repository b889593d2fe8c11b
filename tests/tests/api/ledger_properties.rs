//! Property tests of the ledger against a real database: random sequences
//! of postings, back-dated postings, reversals, retries and re-postings
//! keep every invariant that `verify` checks, and leave every payment split
//! as a fresh replay in date order would split it.

use actix_web::http::header::HeaderValue;
use api::auth::CurrentUser;
use api::domain::allocation::AllocationOrder;
use api::services::idempotency::IdempotencyKey;
use api::services::{ledger, payments};
use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use proptest::prelude::*;
use shared::payments::{Instrument, PaymentMethod, PaymentRequest, ReversalReason, ReversalRequest, Spread, SpreadRule};
use shared::users::{CreateUserRequest, Role};
use uuid::Uuid;

use crate::helpers::{create_test_database, drop_test_database};

#[derive(Clone, Debug)]
enum Op {
    /// Pay `amount` into account `account`, received `days_ago` days before today.
    Pay { account: usize, amount: i64, days_ago: i64, spread: bool },
    /// Reverse the n-th payment posted so far (modulo their count).
    Reverse { nth: usize, reason: usize },
    /// Send the n-th payment's request again with its key: must return the stored result.
    Retry { nth: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, 1i64..60_000, 0i64..40, proptest::bool::weighted(0.2))
            .prop_map(|(account, amount, days_ago, spread)| Op::Pay { account, amount, days_ago, spread }),
        2 => (0usize..64, 0usize..6).prop_map(|(nth, reason)| Op::Reverse { nth, reason }),
        1 => (0usize..64).prop_map(|nth| Op::Retry { nth }),
    ]
}

struct World {
    conn: PgConnection,
    user: CurrentUser,
    accounts: Vec<Uuid>,
    /// (key, account, request, first response) of every payment posted.
    posted: Vec<(String, Uuid, PaymentRequest, serde_json::Value)>,
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::from_header(Some(&HeaderValue::from_str(text).unwrap())).unwrap()
}

/// One creditor with a returned-payment fee in Illinois, one Illinois debtor
/// with three USD accounts that owe principal, interest and fees.
fn world(url: &str) -> World {
    let mut conn = PgConnection::establish(url).unwrap();
    let request = CreateUserRequest { email: "ledger@example.com".into(), password: "a long test password".into(), role: Role::Manager, display_name: None };
    let user_id = api::services::users::create_user(&mut conn, None, &request).unwrap().id;
    let creditor = Uuid::now_v7();
    let debtor = Uuid::now_v7();
    diesel::sql_query("INSERT INTO creditors (id, name, returned_payment_fee, returned_payment_fee_jurisdictions) VALUES ($1, 'Prop', 1500, '{US-IL}')")
        .bind::<diesel::sql_types::Uuid, _>(creditor)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO debtors (id, creditor_id, debtor_ref, name) VALUES ($1, $2, 'D', 'Pat Doe')")
        .bind::<diesel::sql_types::Uuid, _>(debtor)
        .bind::<diesel::sql_types::Uuid, _>(creditor)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO debtor_addresses (id, creditor_id, debtor_id, country, region, is_valid) VALUES (gen_random_uuid(), $1, $2, 'US', 'IL', true)")
        .bind::<diesel::sql_types::Uuid, _>(creditor)
        .bind::<diesel::sql_types::Uuid, _>(debtor)
        .execute(&mut conn)
        .unwrap();
    let mut accounts = Vec::new();
    for (i, (principal, interest, fees)) in [(100_000i64, 5_000i64, 2_500i64), (40_000, 0, 1_000), (7_000, 300, 0)].into_iter().enumerate() {
        let account = Uuid::now_v7();
        let entry = Uuid::now_v7();
        diesel::sql_query(
            "INSERT INTO accounts (id, creditor_id, debtor_id, account_ref, currency, original_principal, original_interest, original_fees,
                                   principal_balance, interest_balance, fees_balance, delinquent_since, source_hash)
             VALUES ($1, $2, $3, $4, 'USD', $5, $6, $7, $5, $6, $7, $8, '\\x00')",
        )
        .bind::<diesel::sql_types::Uuid, _>(account)
        .bind::<diesel::sql_types::Uuid, _>(creditor)
        .bind::<diesel::sql_types::Uuid, _>(debtor)
        .bind::<diesel::sql_types::Text, _>(format!("P-{i}"))
        .bind::<diesel::sql_types::BigInt, _>(principal)
        .bind::<diesel::sql_types::BigInt, _>(interest)
        .bind::<diesel::sql_types::BigInt, _>(fees)
        .bind::<diesel::sql_types::Date, _>(NaiveDate::from_ymd_opt(2025, 1 + i as u32, 1).unwrap())
        .execute(&mut conn)
        .unwrap();
        diesel::sql_query("INSERT INTO journal_entries (id, creditor_id, account_id, kind, effective_on) VALUES ($1, $2, $3, 'placement', current_date - 100)")
            .bind::<diesel::sql_types::Uuid, _>(entry)
            .bind::<diesel::sql_types::Uuid, _>(creditor)
            .bind::<diesel::sql_types::Uuid, _>(account)
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query(
            "INSERT INTO journal_lines (entry_id, creditor_id, account_id, ledger_account, currency, amount)
             VALUES ($1, $2, $3, 'debtor_principal', 'USD', $4), ($1, $2, $3, 'debtor_interest', 'USD', $5),
                    ($1, $2, $3, 'debtor_fees', 'USD', $6), ($1, $2, $3, 'creditor_placements', 'USD', -($4 + $5 + $6))",
        )
        .bind::<diesel::sql_types::Uuid, _>(entry)
        .bind::<diesel::sql_types::Uuid, _>(creditor)
        .bind::<diesel::sql_types::Uuid, _>(account)
        .bind::<diesel::sql_types::BigInt, _>(principal)
        .bind::<diesel::sql_types::BigInt, _>(interest)
        .bind::<diesel::sql_types::BigInt, _>(fees)
        .execute(&mut conn)
        .unwrap();
        accounts.push(account);
    }
    World { conn, user: CurrentUser { id: user_id, role: Role::Manager }, accounts, posted: Vec::new() }
}

fn run(world: &mut World, op: &Op) {
    let today = Utc::now().date_naive();
    match op {
        Op::Pay { account, amount, days_ago, spread } => {
            let request = PaymentRequest {
                amount: *amount,
                currency: shared::Currency::usd(),
                method: PaymentMethod::Cash,
                received_on: Some(today - Duration::days(*days_ago)),
                instrument: Instrument::default(),
                spread: spread.then(|| Spread {
                    rule: SpreadRule::Proportional,
                    other_accounts: world.accounts.iter().copied().filter(|a| *a != world.accounts[*account]).collect(),
                }),
                receipt_book: None,
                receipt_delivery: Default::default(),
            };
            let text = format!("pay-{}", world.posted.len());
            let target = world.accounts[*account];
            let outcome = payments::post(&mut world.conn, &world.user, target, &key(&text), request.clone()).expect("payment posts");
            assert!(!outcome.replayed);
            world.posted.push((text, target, request, outcome.body));
        }
        Op::Reverse { nth, reason } if !world.posted.is_empty() => {
            let (_, _, _, body) = &world.posted[nth % world.posted.len()];
            let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
            let request = ReversalRequest { reason: ReversalReason::ALL[*reason], note: None };
            let text = format!("rev-{id}-{nth}-{reason}");
            match payments::reverse(&mut world.conn, &world.user, id, &key(&text), request) {
                Ok(_) => {}
                Err(error) => assert_eq!(error.code, shared::ErrorCode::AlreadyReversed, "{error}"),
            }
        }
        Op::Retry { nth } if !world.posted.is_empty() => {
            let (text, account, request, first) = &world.posted[nth % world.posted.len()];
            let outcome = payments::post(&mut world.conn, &world.user, *account, &key(text), request.clone()).expect("retry answers");
            assert!(outcome.replayed);
            assert_eq!(&outcome.body, first, "a retry returns the first response");
        }
        Op::Reverse { .. } | Op::Retry { .. } => {}
    }
}

/// Re-running every account's allocation must change nothing: the ledger
/// already holds the split that date order gives.
fn assert_settled(world: &mut World) {
    let accounts = world.accounts.clone();
    let user = world.user.id;
    world
        .conn
        .transaction::<(), diesel::result::Error, _>(|conn| {
            for locked in ledger::lock_accounts(conn, &accounts)? {
                let mut change = ledger::BalanceChange::default();
                let written = ledger::reallocate(conn, &locked, AllocationOrder::default(), Some(user), Utc::now().date_naive(), &mut change)?;
                assert_eq!(written, 0, "account {} was not settled in date order", locked.account_ref);
            }
            // Undo the check's own locks and writes, if any.
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        })
        .unwrap_err();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_postings_and_reversals_keep_every_invariant(ops in proptest::collection::vec(op(), 1..25)) {
        let (name, url) = create_test_database();
        let mut world = world(&url);
        for op in &ops {
            run(&mut world, op);
        }
        let violations = ledger::verify(&mut world.conn).unwrap();
        assert_settled(&mut world);
        drop(world);
        drop_test_database(&name);
        prop_assert!(violations.is_empty(), "{violations:#?}");
    }
}
