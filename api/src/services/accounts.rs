//! The worklist and the account page: filtered, sorted, cursor-paged account
//! lists, one account with its debtor and ledger, status changes and assignment.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Text, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use shared::accounts::{
    AccountDetail, AccountSort, AccountSummary, AddressDto, Balance, ContactFlags, DebtorDto, EmailDto, LedgerEntryDto,
    PhoneDto,
};
use shared::status::{AccountStatus, DpdBucket};
use shared::users::Role;
use shared::FieldError;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::schema::{accounts, debtor_addresses, debtor_emails, debtor_phones, debtors, users};
use crate::error::{ApiError, ApiResult};
use crate::services::audit::{self, AuditEvent};

/// Worklist filters, already checked.
#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub statuses: Vec<AccountStatus>,
    pub dpd: Option<DpdBucket>,
    /// NOTE: balance bounds compare minor units of each account's own currency,
    /// so with several currencies in one portfolio a bound also matches other
    /// currencies' accounts. A currency filter is not built yet.
    pub min_balance: Option<i64>,
    pub max_balance: Option<i64>,
    pub creditor_id: Option<Uuid>,
    /// `Some(None)` selects unassigned accounts.
    pub assigned_agent: Option<Option<Uuid>>,
    pub no_valid_contact: Option<bool>,
    /// Matches the start of the account reference or any part of the debtor's name.
    pub search: Option<String>,
    pub sort: AccountSort,
}

/// Position after the previous page: the sort key and id of its last row.
#[derive(Serialize, Deserialize, Debug)]
struct Cursor {
    sort: String,
    balance: Option<i64>,
    date: Option<NaiveDate>,
    account_ref: Option<String>,
    id: Uuid,
}

pub fn decode_cursor(text: &str, sort: AccountSort) -> Result<(Option<i64>, Option<NaiveDate>, Option<String>, Uuid), FieldError> {
    let invalid = || FieldError::new("cursor", "invalid_cursor", "cursor is not one this server issued; start again from the first page");
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if cursor.sort != sort.as_str() {
        return Err(FieldError::new(
            "cursor",
            "cursor_sort_mismatch",
            "cursor belongs to another sort order; start again from the first page when changing the sort",
        ));
    }
    Ok((cursor.balance, cursor.date, cursor.account_ref, cursor.id))
}

fn encode_cursor(sort: AccountSort, row: &SummaryRow) -> String {
    let cursor = Cursor {
        sort: sort.as_str().to_string(),
        balance: Some(row.total_balance),
        date: Some(sort_date(sort, row.delinquent_since)),
        account_ref: Some(row.account_ref.clone()),
        id: row.id,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

/// Stand-in dates for accounts without a delinquency date, so they sort after
/// all others in both date orders. The same dates appear in `sort_key`; both
/// lie within PostgreSQL's date range, which chrono's `NaiveDate::MIN` does not.
const NO_DATE_LAST_ASCENDING: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
const NO_DATE_LAST_DESCENDING: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();

fn sort_date(sort: AccountSort, date: Option<NaiveDate>) -> NaiveDate {
    match (sort, date) {
        (_, Some(d)) => d,
        (AccountSort::DpdAsc, None) => NO_DATE_LAST_DESCENDING,
        (_, None) => NO_DATE_LAST_ASCENDING,
    }
}

#[derive(QueryableByName, Debug)]
struct SummaryRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Text)]
    creditor_name: String,
    #[diesel(sql_type = Text)]
    account_ref: String,
    #[diesel(sql_type = SqlUuid)]
    debtor_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    debtor_name: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    principal_balance: i64,
    #[diesel(sql_type = BigInt)]
    interest_balance: i64,
    #[diesel(sql_type = BigInt)]
    fees_balance: i64,
    #[diesel(sql_type = BigInt)]
    total_balance: i64,
    #[diesel(sql_type = Nullable<Date>)]
    delinquent_since: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Integer>)]
    days_past_due: Option<i32>,
    #[diesel(sql_type = Nullable<Date>)]
    last_payment_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    assigned_agent_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    agent_name: Option<String>,
    #[diesel(sql_type = Bool)]
    name_missing: bool,
    #[diesel(sql_type = Bool)]
    no_valid_phone: bool,
    #[diesel(sql_type = Bool)]
    no_valid_address: bool,
    #[diesel(sql_type = Bool)]
    no_valid_email: bool,
}

impl SummaryRow {
    fn into_dto(self) -> AccountSummary {
        let currency = self.currency.trim().parse().unwrap_or_else(|_| shared::Currency::usd());
        AccountSummary {
            id: self.id,
            creditor_id: self.creditor_id,
            creditor_name: self.creditor_name,
            account_ref: self.account_ref,
            debtor_id: self.debtor_id,
            debtor_name: self.debtor_name,
            status: self.status.parse().unwrap_or(AccountStatus::Open),
            currency,
            balance: Balance {
                principal: self.principal_balance,
                interest: self.interest_balance,
                fees: self.fees_balance,
                total: self.total_balance,
            },
            delinquent_since: self.delinquent_since,
            days_past_due: self.days_past_due.map(|d| d.max(0)),
            dpd_bucket: self.days_past_due.map(|d| DpdBucket::for_days(d.max(0))),
            last_payment_on: self.last_payment_on,
            assigned_agent_id: self.assigned_agent_id,
            assigned_agent_name: self.agent_name,
            contact_flags: ContactFlags {
                name_missing: self.name_missing,
                no_valid_phone: self.no_valid_phone,
                no_valid_address: self.no_valid_address,
                no_valid_email: self.no_valid_email,
            },
        }
    }
}

/// Days past due are counted to today in the creditor's time zone.
const SUMMARY_SELECT: &str = "SELECT a.id, a.creditor_id, c.name AS creditor_name, a.account_ref, a.debtor_id,
        d.name AS debtor_name, a.status, a.currency::text AS currency, a.principal_balance, a.interest_balance,
        a.fees_balance, a.total_balance, a.delinquent_since,
        ((now() AT TIME ZONE c.time_zone)::date - a.delinquent_since) AS days_past_due,
        a.last_payment_on, a.assigned_agent_id, u.display_name AS agent_name, a.name_missing,
        a.no_valid_phone, a.no_valid_address, a.no_valid_email
    FROM accounts a
    JOIN creditors c ON c.id = a.creditor_id
    JOIN debtors d ON d.id = a.debtor_id
    LEFT JOIN users u ON u.id = a.assigned_agent_id
    WHERE TRUE";

/// A raw query whose binds get numbered placeholders (`$1`, `$2`, …) as they are added.
pub(crate) struct Query<'a> {
    pub(crate) inner: BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>,
    binds: usize,
}

impl<'a> Query<'a> {
    pub(crate) fn new(sql: &str) -> Self {
        Query { inner: diesel::sql_query(sql).into_boxed(), binds: 0 }
    }

    pub(crate) fn sql(mut self, sql: &str) -> Self {
        self.inner = self.inner.sql(sql);
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub(crate) fn bind<T, V>(mut self, value: V) -> Self
    where
        Pg: diesel::sql_types::HasSqlType<T>,
        V: diesel::serialize::ToSql<T, Pg> + Send + 'a,
        T: diesel::sql_types::SqlType + Send + 'a,
    {
        self.binds += 1;
        self.inner = self.inner.sql(&format!("${}", self.binds)).bind::<T, V>(value);
        self
    }
}

/// Returns the ids, in id order, of at most `max` accounts that `filter`
/// selects among those `user` may see.
pub(crate) fn ids_matching(conn: &mut PgConnection, user: &CurrentUser, filter: &AccountFilter, max: usize) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let query =
        Query::new("SELECT a.id FROM accounts a JOIN creditors c ON c.id = a.creditor_id JOIN debtors d ON d.id = a.debtor_id WHERE TRUE");
    let rows: Vec<Id> = with_filters(query, user, filter).sql(" ORDER BY a.id LIMIT ").bind::<BigInt, _>(max as i64).inner.load(conn)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

pub(crate) fn with_filters<'a>(mut query: Query<'a>, user: &CurrentUser, filter: &'a AccountFilter) -> Query<'a> {
    if !user.role.sees_all_accounts() {
        query = query.sql(" AND a.assigned_agent_id = ").bind::<SqlUuid, _>(user.id);
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query = query.sql(" AND a.status = ANY(").bind::<Array<Text>, _>(statuses).sql(")");
    }
    if let Some(bucket) = filter.dpd {
        let (low, high) = bucket.bounds();
        query = query.sql(" AND ((now() AT TIME ZONE c.time_zone)::date - a.delinquent_since) >= ").bind::<Integer, _>(low);
        if let Some(high) = high {
            query = query.sql(" AND ((now() AT TIME ZONE c.time_zone)::date - a.delinquent_since) <= ").bind::<Integer, _>(high);
        }
    }
    if let Some(min) = filter.min_balance {
        query = query.sql(" AND a.total_balance >= ").bind::<BigInt, _>(min);
    }
    if let Some(max) = filter.max_balance {
        query = query.sql(" AND a.total_balance <= ").bind::<BigInt, _>(max);
    }
    if let Some(creditor) = filter.creditor_id {
        query = query.sql(" AND a.creditor_id = ").bind::<SqlUuid, _>(creditor);
    }
    match filter.assigned_agent {
        Some(Some(agent)) => query = query.sql(" AND a.assigned_agent_id = ").bind::<SqlUuid, _>(agent),
        Some(None) => query = query.sql(" AND a.assigned_agent_id IS NULL"),
        None => {}
    }
    if let Some(flag) = filter.no_valid_contact {
        query = query.sql(" AND a.no_valid_contact = ").bind::<Bool, _>(flag);
    }
    if let Some(search) = &filter.search {
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query = query
            .sql(" AND (a.account_ref LIKE ")
            .bind::<Text, _>(format!("{escaped}%"))
            .sql(" OR d.name ILIKE ")
            .bind::<Text, _>(format!("%{escaped}%"))
            .sql(")");
    }
    query
}

/// Returns the SQL sort key of a worklist order and whether it runs descending.
/// Accounts without a delinquency date sort last in both date orders, matching `sort_date`.
fn sort_key(sort: AccountSort) -> (&'static str, bool) {
    match sort {
        AccountSort::BalanceDesc => ("a.total_balance", true),
        AccountSort::BalanceAsc => ("a.total_balance", false),
        // Oldest delinquency first means the earliest date first.
        AccountSort::DpdDesc => ("coalesce(a.delinquent_since, '9999-12-31'::date)", false),
        AccountSort::DpdAsc => ("coalesce(a.delinquent_since, '0001-01-01'::date)", true),
        AccountSort::AccountRef => ("a.account_ref", false),
    }
}

pub fn list(
    conn: &mut PgConnection,
    user: &CurrentUser,
    filter: &AccountFilter,
    cursor: Option<(Option<i64>, Option<NaiveDate>, Option<String>, Uuid)>,
    limit: u32,
) -> ApiResult<(Vec<AccountSummary>, Option<String>)> {
    let mut query = with_filters(Query::new(SUMMARY_SELECT), user, filter);
    let (key, descending) = sort_key(filter.sort);
    if let Some((balance, date, account_ref, id)) = cursor {
        // The next page starts after the previous page's last (key, id) in the sort direction.
        let after = if descending { "<" } else { ">" };
        query = query.sql(&format!(" AND ({key}, a.id) {after} ("));
        query = match filter.sort {
            AccountSort::BalanceDesc => query.bind::<BigInt, _>(balance.unwrap_or(i64::MAX)),
            AccountSort::BalanceAsc => query.bind::<BigInt, _>(balance.unwrap_or(i64::MIN)),
            AccountSort::DpdDesc => query.bind::<Date, _>(date.unwrap_or(NaiveDate::MIN)),
            AccountSort::DpdAsc => query.bind::<Date, _>(date.unwrap_or(NaiveDate::MAX)),
            AccountSort::AccountRef => query.bind::<Text, _>(account_ref.unwrap_or_default()),
        };
        query = query.sql(", ").bind::<SqlUuid, _>(id).sql(")");
    }
    let direction = if descending { "DESC" } else { "ASC" };
    let order = format!(" ORDER BY {key} {direction}, a.id {direction}");
    let mut rows: Vec<SummaryRow> = query.sql(&order).sql(" LIMIT ").bind::<BigInt, _>(i64::from(limit) + 1).inner.load(conn)?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| encode_cursor(filter.sort, row))
    } else {
        None
    };
    Ok((rows.into_iter().map(SummaryRow::into_dto).collect(), next_cursor))
}

/// Loads the worklist row of one account. Fails with 404 (not 403) when the user
/// may not see the account, so ids of others' accounts are not confirmed.
pub fn get_summary(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<AccountSummary> {
    summary_row(conn, user, id).map(SummaryRow::into_dto)
}

fn summary_row(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<SummaryRow> {
    let filter = AccountFilter::default();
    let query = with_filters(Query::new(SUMMARY_SELECT), user, &filter)
        .sql(" AND a.id = ")
        .bind::<SqlUuid, _>(id);
    query.inner.get_result(conn).optional()?.ok_or_else(|| ApiError::not_found("account"))
}

/// The account with its debtor, contacts and ledger; 404 when the user may not see it.
pub fn get(conn: &mut PgConnection, user: &CurrentUser, id: Uuid) -> ApiResult<AccountDetail> {
    let row = summary_row(conn, user, id)?;

    #[derive(Queryable)]
    struct Extra {
        original_principal: i64,
        original_interest: i64,
        original_fees: i64,
        opened_on: Option<NaiveDate>,
        charged_off_on: Option<NaiveDate>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        unapplied_credit: i64,
    }
    let extra: Extra = accounts::table
        .find(id)
        .select((
            accounts::original_principal,
            accounts::original_interest,
            accounts::original_fees,
            accounts::opened_on,
            accounts::charged_off_on,
            accounts::created_at,
            accounts::updated_at,
            accounts::unapplied_credit,
        ))
        .first(conn)?;

    let debtor_id = row.debtor_id;
    let (debtor_ref, kind, name): (String, String, Option<String>) =
        debtors::table.find(debtor_id).select((debtors::debtor_ref, debtors::kind, debtors::name)).first(conn)?;
    let addresses = debtor_addresses::table
        .filter(debtor_addresses::debtor_id.eq(debtor_id))
        .order(debtor_addresses::created_at.asc())
        .select((
            debtor_addresses::id,
            debtor_addresses::line1,
            debtor_addresses::line2,
            debtor_addresses::city,
            debtor_addresses::region,
            debtor_addresses::postal_code,
            debtor_addresses::country,
            debtor_addresses::is_valid,
            debtor_addresses::invalid_reason,
        ))
        .load::<(Uuid, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, bool, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, line1, line2, city, region, postal_code, country, is_valid, invalid_reason)| AddressDto {
            id,
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
            is_valid,
            invalid_reason,
        })
        .collect();
    let phones = debtor_phones::table
        .filter(debtor_phones::debtor_id.eq(debtor_id))
        .order(debtor_phones::created_at.asc())
        .select((debtor_phones::id, debtor_phones::raw, debtor_phones::e164, debtor_phones::phone_type, debtor_phones::is_valid, debtor_phones::do_not_call))
        .load::<(Uuid, String, Option<String>, String, bool, bool)>(conn)?
        .into_iter()
        .map(|(id, raw, e164, phone_type, is_valid, do_not_call)| PhoneDto { id, raw, e164, phone_type, is_valid, do_not_call })
        .collect();
    let emails = debtor_emails::table
        .filter(debtor_emails::debtor_id.eq(debtor_id))
        .order(debtor_emails::created_at.asc())
        .select((debtor_emails::id, debtor_emails::address, debtor_emails::is_valid, debtor_emails::opted_out))
        .load::<(Uuid, String, bool, bool)>(conn)?
        .into_iter()
        .map(|(id, address, is_valid, opted_out)| EmailDto { id, address, is_valid, opted_out })
        .collect();

    let ledger = ledger_entries(conn, id)?;
    let summary = row.into_dto();
    Ok(AccountDetail {
        allowed_next_statuses: summary.status.allowed_next().to_vec(),
        original_balance: Balance::new(extra.original_principal, extra.original_interest, extra.original_fees),
        opened_on: extra.opened_on,
        charged_off_on: extra.charged_off_on,
        debtor: DebtorDto { id: debtor_id, debtor_ref, kind, name, addresses, phones, emails },
        ledger,
        unapplied_credit: extra.unapplied_credit,
        created_at: extra.created_at,
        updated_at: extra.updated_at,
        summary,
    })
}

fn ledger_entries(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<LedgerEntryDto>> {
    #[derive(QueryableByName)]
    struct EntryRow {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Date)]
        effective_on: NaiveDate,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        created_at: DateTime<Utc>,
        #[diesel(sql_type = Text)]
        memo: String,
        #[diesel(sql_type = BigInt)]
        principal: i64,
        #[diesel(sql_type = BigInt)]
        interest: i64,
        #[diesel(sql_type = BigInt)]
        fees: i64,
    }
    let rows: Vec<EntryRow> = diesel::sql_query(format!(
        "SELECT e.id, e.kind, e.effective_on, e.created_at, e.memo, {}
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
         WHERE e.account_id = $1
         GROUP BY e.id
         ORDER BY e.effective_on, e.created_at, e.id",
        super::ledger::OWED_SUMS
    ))
    .bind::<SqlUuid, _>(account_id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| LedgerEntryDto {
            id: r.id,
            kind: r.kind,
            effective_on: r.effective_on,
            created_at: r.created_at,
            memo: r.memo,
            change: Balance::new(r.principal, r.interest, r.fees),
        })
        .collect())
}

pub fn change_status(conn: &mut PgConnection, user: &CurrentUser, id: Uuid, to: AccountStatus, reason: &str) -> ApiResult<AccountDetail> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid_field("reason", "reason is missing; say why the status changes"));
    }
    if reason.chars().count() > 1000 {
        return Err(ApiError::invalid_field("reason", "reason is longer than 1000 characters; shorten it"));
    }
    // Visibility check first, so an assistant cannot change accounts that are not theirs.
    get(conn, user, id)?;
    conn.transaction(|conn| {
        let (creditor_id, current): (Uuid, String) = accounts::table
            .find(id)
            .select((accounts::creditor_id, accounts::status))
            .for_update()
            .first(conn)?;
        let from: AccountStatus = current.parse().map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
        from.check_transition(to)
            .map_err(|message| ApiError::new(shared::ErrorCode::InvalidStatusTransition, message))?;
        // The status follows an active plan; changing it by hand would leave the plan watched on an account it no longer fits.
        let active_plan: Option<Uuid> = crate::db::schema::plans::table
            .filter(crate::db::schema::plans::account_id.eq(id))
            .filter(crate::db::schema::plans::status.eq_any(["on_track", "in_arrears"]))
            .select(crate::db::schema::plans::id)
            .first(conn)
            .optional()?;
        if let Some(plan) = active_plan {
            return Err(ApiError::new(
                shared::ErrorCode::UnprocessableState,
                format!("the account has an active plan ({plan}); cancel the plan before changing the status to {}", to.as_str()),
            ));
        }
        diesel::update(accounts::table.find(id))
            .set((accounts::status.eq(to.as_str()), accounts::updated_at.eq(Utc::now())))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "account.status_changed",
                entity_type: "account",
                entity_id: id,
                details: serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    tracing::info!(account.id = %id, status = to.as_str(), "account status changed");
    get(conn, user, id)
}

pub fn assign(conn: &mut PgConnection, user: &CurrentUser, id: Uuid, agent: Option<Uuid>) -> ApiResult<AccountDetail> {
    user.require(Role::sees_all_accounts, "assign accounts")?;
    if let Some(agent_id) = agent {
        let role: Option<(String, bool)> = users::table.find(agent_id).select((users::role, users::active)).first(conn).optional()?;
        match role {
            None => return Err(ApiError::invalid_field("agent_id", "agent_id names no user; pick an existing user")),
            Some((_, false)) => return Err(ApiError::invalid_field("agent_id", "the user is deactivated; pick an active user")),
            Some(_) => {}
        }
    }
    conn.transaction(|conn| {
        let (creditor_id, previous): (Uuid, Option<Uuid>) = accounts::table
            .find(id)
            .select((accounts::creditor_id, accounts::assigned_agent_id))
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::not_found("account"))?;
        diesel::update(accounts::table.find(id))
            .set((accounts::assigned_agent_id.eq(agent), accounts::updated_at.eq(Utc::now())))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: Some(creditor_id),
                actor_user_id: Some(user.id),
                action: "account.assigned",
                entity_type: "account",
                entity_id: id,
                details: serde_json::json!({ "from": previous, "to": agent }),
            },
        )?;
        Ok::<_, ApiError>(())
    })?;
    get(conn, user, id)
}
