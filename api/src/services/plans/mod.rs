//! Repayment plans and settlement offers: the creditor's repayment policy,
//! previews, saving a plan (at once or as a request for approval),
//! decisions, cancellation and renegotiation. The daily run that watches
//! the instalments is in `services::daily_run`.

pub mod account_status;
pub mod create;
pub mod decide;
pub mod policy;
pub mod read;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date, Uuid as SqlUuid};
use crate::db::schema::disputes;
use shared::plans::RepaymentPolicy;
use shared::status::AccountStatus;
use shared::users::Role;
use shared::ErrorCode;
use uuid::Uuid;

use super::ledger::{self, LockedAccount};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};

/// What measuring a plan against its account needs: the account (locked
/// when saving), the creditor's policy and today in the creditor's time zone.
pub struct PlanContext {
    pub account: LockedAccount,
    pub policy: RepaymentPolicy,
    pub today: NaiveDate,
    /// A dispute on the account awaits verification, which pauses collection.
    pub open_dispute: bool,
}

impl PlanContext {
    /// The balance a plan is measured against: everything owed.
    pub fn balance(&self) -> i64 {
        self.account.principal_balance + self.account.interest_balance + self.account.fees_balance
    }
}

impl PlanContext {
    /// Refuses plans and promises unless the account is open or in arrangement:
    /// closed accounts are not collected, and disputed or held ones wait.
    pub fn require_collectable(&self, what: &str) -> ApiResult<()> {
        if self.open_dispute {
            return Err(ApiError::new(
                ErrorCode::UnprocessableState,
                format!("the debt is disputed, so {what} cannot be made: collection is paused until the verification is recorded"),
            ));
        }
        let status: AccountStatus = self.account.status.parse().map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
        let why = match status {
            AccountStatus::Open | AccountStatus::InArrangement => return Ok(()),
            AccountStatus::Disputed | AccountStatus::OnHold => "collection is paused until it is open again",
            _ => "it is closed and no longer collected",
        };
        Err(ApiError::new(
            ErrorCode::UnprocessableState,
            format!("the account is {}, so {what} cannot be made: {why}", status.label().to_lowercase()),
        ))
    }
}

/// A role with its article, as messages name it: "a manager", "an administrator".
pub fn role_phrase(role: Role) -> &'static str {
    match role {
        Role::Admin => "an administrator",
        Role::Manager => "a manager",
        Role::Assistant => "an assistant",
        Role::Collector => "a collector",
    }
}

/// Loads the account with its creditor's policy; `lock` takes the account's
/// row lock for the rest of the transaction.
pub fn context(conn: &mut PgConnection, user: &CurrentUser, account_id: Uuid, lock: bool) -> ApiResult<PlanContext> {
    let account = if lock {
        ledger::lock_accounts(conn, &[account_id])?.pop()
    } else {
        read_account(conn, account_id)?
    };
    let account = account.ok_or_else(|| ApiError::not_found("account"))?;
    if !visible_to(user, &account) {
        return Err(ApiError::not_found("account"));
    }
    let policy = policy::load(conn, account.creditor_id)?;
    let today = creditor_today(conn, account.creditor_id)?;
    let open_dispute = diesel::select(diesel::dsl::exists(
        disputes::table.filter(disputes::account_id.eq(account.id)).filter(disputes::status.eq("open")),
    ))
    .get_result(conn)?;
    Ok(PlanContext { account, policy, today, open_dispute })
}

fn read_account(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Option<LockedAccount>> {
    diesel::sql_query(
        "SELECT id, creditor_id, debtor_id, account_ref, currency::text AS currency, status, principal_balance,
                interest_balance, fees_balance, unapplied_credit, ledger_through, delinquent_since, assigned_agent_id
         FROM accounts WHERE id = $1",
    )
    .bind::<SqlUuid, _>(account_id)
    .get_result(conn)
    .optional()
}

/// Whether the user works this account: managers see all, others their own.
pub fn visible_to(user: &CurrentUser, account: &LockedAccount) -> bool {
    user.role.sees_all_accounts() || account.assigned_agent_id == Some(user.id)
}

/// Today in the creditor's time zone.
pub fn creditor_today(conn: &mut PgConnection, creditor_id: Uuid) -> QueryResult<NaiveDate> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Date)]
        today: NaiveDate,
    }
    let row: Row = diesel::sql_query("SELECT (now() AT TIME ZONE time_zone)::date AS today FROM creditors WHERE id = $1")
        .bind::<SqlUuid, _>(creditor_id)
        .get_result(conn)?;
    Ok(row.today)
}
