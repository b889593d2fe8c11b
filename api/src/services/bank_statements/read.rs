//! Reading imports, statements and entries as the API returns them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::bank_statements::{
    BalanceCheck, EntryStatus, RepeatedEntry, StatementDto, StatementEntryDto, StatementFormat, StatementImportDto, StatementImportSummary,
    StatusCount,
};
use uuid::Uuid;

use super::require_reviewer;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};

fn broken(field: &str, id: Uuid) -> ApiError {
    ApiError::internal(anyhow::anyhow!("bank statement record {id} has an unreadable {field}"))
}

/// The columns of [`EntryDtoRow`], from `bank_statement_entries e`.
pub const ENTRY_SELECT: &str = "SELECT e.id, e.import_id, e.statement_id, e.creditor_id, e.bank_account, e.line, e.booking_date,
        e.value_date, e.amount, e.currency::text AS currency, e.reversal, e.bank_status, e.transaction_count, e.bank_reference,
        e.customer_reference, e.end_to_end_id, e.bank_details->>'mandate_id' AS mandate_id,
        e.bank_details->>'creditor_reference' AS creditor_reference, e.counterparty_name,
        e.bank_details->>'counterparty_account' AS counterparty_account, e.remittance_info, e.return_reason,
        e.bank_details->>'bank_transaction_code' AS bank_transaction_code, e.status, e.account_id, e.payment_id, e.confidence,
        e.match_reason, e.candidates, e.reviewed_by, e.reviewed_at, e.dismiss_reason
    FROM bank_statement_entries e";

#[derive(QueryableByName)]
pub struct EntryDtoRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    import_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    statement_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Text)]
    bank_account: String,
    #[diesel(sql_type = Integer)]
    line: i32,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    booking_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    value_date: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    amount: i64,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    reversal: bool,
    #[diesel(sql_type = Nullable<Text>)]
    bank_status: Option<String>,
    #[diesel(sql_type = Integer)]
    transaction_count: i32,
    #[diesel(sql_type = Nullable<Text>)]
    bank_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    customer_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    end_to_end_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    mandate_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    creditor_reference: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    counterparty_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    counterparty_account: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    remittance_info: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    return_reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    bank_transaction_code: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    account_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    payment_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    confidence: Option<i32>,
    #[diesel(sql_type = Text)]
    match_reason: String,
    #[diesel(sql_type = Jsonb)]
    candidates: serde_json::Value,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    reviewed_by: Option<Uuid>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    reviewed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    dismiss_reason: Option<String>,
}

impl EntryDtoRow {
    pub fn into_dto(self) -> ApiResult<StatementEntryDto> {
        let status = EntryStatus::parse(&self.status).ok_or_else(|| broken("status", self.id))?;
        let candidates = serde_json::from_value(self.candidates).map_err(|_| broken("candidate list", self.id))?;
        Ok(StatementEntryDto {
            id: self.id,
            import_id: self.import_id,
            statement_id: self.statement_id,
            creditor_id: self.creditor_id,
            bank_account: self.bank_account,
            line: self.line,
            booking_date: self.booking_date,
            value_date: self.value_date,
            amount: self.amount,
            currency: self.currency,
            reversal: self.reversal,
            bank_status: self.bank_status,
            transaction_count: self.transaction_count,
            bank_reference: self.bank_reference,
            customer_reference: self.customer_reference,
            end_to_end_id: self.end_to_end_id,
            mandate_id: self.mandate_id,
            creditor_reference: self.creditor_reference,
            counterparty_name: self.counterparty_name,
            counterparty_account: self.counterparty_account,
            remittance_info: self.remittance_info,
            return_reason: self.return_reason,
            bank_transaction_code: self.bank_transaction_code,
            status,
            account_id: self.account_id,
            payment_id: self.payment_id,
            confidence: self.confidence,
            match_reason: self.match_reason,
            candidates,
            reviewed_by: self.reviewed_by,
            reviewed_at: self.reviewed_at,
            dismiss_reason: self.dismiss_reason,
        })
    }
}

pub fn load_entry(conn: &mut PgConnection, entry_id: Uuid) -> ApiResult<StatementEntryDto> {
    let row: EntryDtoRow = diesel::sql_query(format!("{ENTRY_SELECT} WHERE e.id = $1"))
        .bind::<SqlUuid, _>(entry_id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("bank statement entry"))?;
    row.into_dto()
}

#[derive(QueryableByName)]
struct ImportRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    creditor_id: Uuid,
    #[diesel(sql_type = Text)]
    creditor_name: String,
    #[diesel(sql_type = Text)]
    file_name: String,
    #[diesel(sql_type = Bytea)]
    file_sha256: Vec<u8>,
    #[diesel(sql_type = Text)]
    format: String,
    #[diesel(sql_type = Nullable<Text>)]
    message_id: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    uploaded_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    statement_count: i32,
    #[diesel(sql_type = Integer)]
    entry_count: i32,
    #[diesel(sql_type = Integer)]
    repeated_entry_count: i32,
    #[diesel(sql_type = Integer)]
    unbalanced_statement_count: i32,
    #[diesel(sql_type = Jsonb)]
    repeated_entries: serde_json::Value,
    #[diesel(sql_type = BigInt)]
    open_review_count: i64,
}

const IMPORT_SELECT: &str = "SELECT i.id, i.creditor_id, c.name AS creditor_name, i.file_name, i.file_sha256, i.format, i.message_id,
        i.uploaded_by, i.created_at, i.statement_count, i.entry_count, i.repeated_entry_count, i.unbalanced_statement_count,
        i.repeated_entries,
        (SELECT count(*) FROM bank_statement_entries e
         WHERE e.import_id = i.id AND e.status IN ('needs_review', 'unmatched_reversal')) AS open_review_count
    FROM bank_statement_imports i JOIN creditors c ON c.id = i.creditor_id";

/// `GET /bank-statements/{id}`: the import with its statements and entry counts by status.
pub fn get_import(conn: &mut PgConnection, user: &CurrentUser, import_id: Uuid) -> ApiResult<StatementImportDto> {
    require_reviewer(user, "see bank statements")?;
    load_import(conn, import_id)
}

pub fn load_import(conn: &mut PgConnection, import_id: Uuid) -> ApiResult<StatementImportDto> {
    let row: ImportRow = diesel::sql_query(format!("{IMPORT_SELECT} WHERE i.id = $1"))
        .bind::<SqlUuid, _>(import_id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("bank statement import"))?;

    #[derive(QueryableByName)]
    struct CountRow {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let counts: Vec<CountRow> =
        diesel::sql_query("SELECT status, count(*) AS count FROM bank_statement_entries WHERE import_id = $1 GROUP BY status")
            .bind::<SqlUuid, _>(import_id)
            .load(conn)?;
    let mut status_counts = Vec::new();
    for status in EntryStatus::ALL {
        if let Some(row) = counts.iter().find(|c| c.status == status.as_str()) {
            status_counts.push(StatusCount { status, count: row.count });
        }
    }

    #[derive(QueryableByName)]
    struct StatementRow {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        statement_ref: String,
        #[diesel(sql_type = Nullable<Text>)]
        sequence_number: Option<String>,
        #[diesel(sql_type = Integer)]
        line: i32,
        #[diesel(sql_type = Text)]
        bank_account: String,
        #[diesel(sql_type = Nullable<Text>)]
        currency: Option<String>,
        #[diesel(sql_type = Nullable<BigInt>)]
        opening_balance: Option<i64>,
        #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
        opening_date: Option<NaiveDate>,
        #[diesel(sql_type = Nullable<BigInt>)]
        closing_balance: Option<i64>,
        #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
        closing_date: Option<NaiveDate>,
        #[diesel(sql_type = Text)]
        balance_check: String,
        #[diesel(sql_type = Nullable<Text>)]
        balance_check_message: Option<String>,
        #[diesel(sql_type = Integer)]
        entry_count: i32,
    }
    let statements: Vec<StatementRow> = diesel::sql_query(
        "SELECT id, statement_ref, sequence_number, line, bank_account, currency::text AS currency, opening_balance, opening_date,
                closing_balance, closing_date, balance_check, balance_check_message, entry_count
         FROM bank_statements WHERE import_id = $1 ORDER BY position",
    )
    .bind::<SqlUuid, _>(import_id)
    .load(conn)?;
    let statements = statements
        .into_iter()
        .map(|s| {
            Ok(StatementDto {
                balance_check: BalanceCheck::parse(&s.balance_check).ok_or_else(|| broken("balance check", s.id))?,
                id: s.id,
                statement_ref: s.statement_ref,
                sequence_number: s.sequence_number,
                line: s.line,
                bank_account: s.bank_account,
                currency: s.currency,
                opening_balance: s.opening_balance,
                opening_date: s.opening_date,
                closing_balance: s.closing_balance,
                closing_date: s.closing_date,
                balance_check_message: s.balance_check_message,
                entry_count: s.entry_count,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;

    let repeated_entries: Vec<RepeatedEntry> =
        serde_json::from_value(row.repeated_entries).map_err(|_| broken("repeated entry list", row.id))?;
    Ok(StatementImportDto {
        id: row.id,
        creditor_id: row.creditor_id,
        creditor_name: row.creditor_name,
        file_name: row.file_name,
        file_sha256: hex(&row.file_sha256),
        format: StatementFormat::parse(&row.format).ok_or_else(|| broken("format", row.id))?,
        message_id: row.message_id,
        uploaded_by: row.uploaded_by,
        created_at: row.created_at,
        entry_count: row.entry_count,
        repeated_entry_count: row.repeated_entry_count,
        unbalanced_statement_count: row.unbalanced_statement_count,
        status_counts,
        statements,
        repeated_entries,
    })
}

/// `GET /bank-statements`: newest first, in cursor pages.
pub fn list_imports(
    conn: &mut PgConnection,
    user: &CurrentUser,
    creditor_id: Option<Uuid>,
    limit: u32,
    cursor: Option<&str>,
) -> ApiResult<(Vec<StatementImportSummary>, Option<String>)> {
    require_reviewer(user, "see bank statements")?;
    let (after_created, after_id) = match cursor {
        None => (None, None),
        Some(text) => {
            let parsed = text
                .split_once('_')
                .and_then(|(micros, id)| Some((DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?, id.parse::<Uuid>().ok()?)));
            let (created, id) = parsed
                .ok_or_else(|| ApiError::invalid_field("cursor", "cursor is not one this server issued; start again without a cursor"))?;
            (Some(created), Some(id))
        }
    };

    let rows: Vec<ImportRow> = diesel::sql_query(format!(
        "{IMPORT_SELECT}
         WHERE ($1::uuid IS NULL OR i.creditor_id = $1)
           AND ($2::timestamptz IS NULL OR (i.created_at, i.id) < ($2, $3))
         ORDER BY i.created_at DESC, i.id DESC LIMIT $4"
    ))
    .bind::<Nullable<SqlUuid>, _>(creditor_id)
    .bind::<Nullable<Timestamptz>, _>(after_created)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<Integer, _>(limit as i32 + 1)
    .load(conn)?;

    let more = rows.len() > limit as usize;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| {
            Ok(StatementImportSummary {
                format: StatementFormat::parse(&r.format).ok_or_else(|| broken("format", r.id))?,
                id: r.id,
                creditor_id: r.creditor_id,
                creditor_name: r.creditor_name,
                file_name: r.file_name,
                created_at: r.created_at,
                statement_count: r.statement_count,
                entry_count: r.entry_count,
                repeated_entry_count: r.repeated_entry_count,
                unbalanced_statement_count: r.unbalanced_statement_count,
                open_review_count: r.open_review_count,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let next =
        if more { items.last().map(|i: &StatementImportSummary| format!("{}_{}", i.created_at.timestamp_micros(), i.id)) } else { None };
    Ok((items, next))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
