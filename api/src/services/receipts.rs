//! Receipts: the PDF built from the snapshot stored when the payment was
//! posted, the count of prints that makes every later copy a duplicate,
//! and the delivery status of each copy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use shared::payments::PaymentMethod;
use shared::ErrorCode;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::receipts::{self, ReceiptDocument};

/// A stored receipt with what is needed to draw it.
#[derive(QueryableByName)]
pub struct StoredReceipt {
    #[diesel(sql_type = Text)]
    pub receipt_number: String,
    #[diesel(sql_type = Timestamptz)]
    pub issued_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    pub content: Value,
    #[diesel(sql_type = Jsonb)]
    pub annotations: Value,
    #[diesel(sql_type = Integer)]
    pub print_count: i32,
    #[diesel(sql_type = Text)]
    pub time_zone: String,
}

pub fn load(conn: &mut PgConnection, payment_id: Uuid) -> QueryResult<Option<StoredReceipt>> {
    diesel::sql_query(
        "SELECT r.receipt_number, r.issued_at, r.content, r.annotations, r.print_count, c.time_zone
         FROM receipts r JOIN creditors c ON c.id = r.creditor_id WHERE r.payment_id = $1",
    )
    .bind::<SqlUuid, _>(payment_id)
    .get_result(conn)
    .optional()
}

/// `GET /payments/{id}/receipt`: the PDF, marked as a duplicate from the
/// second copy on. The copy is counted, print deliveries are marked done and
/// the PDF is drawn in one short transaction, so a receipt that cannot be
/// drawn is neither counted nor marked printed.
pub fn print(conn: &mut PgConnection, user: &CurrentUser, payment_id: Uuid) -> ApiResult<(String, Vec<u8>)> {
    super::payments::get(conn, user, payment_id)?;
    conn.transaction(|conn| {
        // The row lock of this UPDATE orders simultaneous prints, so only one of them is the original.
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = Integer)]
            before: i32,
        }
        let count: Count = diesel::sql_query(
            "UPDATE receipts SET print_count = print_count + 1 WHERE payment_id = $1 RETURNING print_count - 1 AS before",
        )
        .bind::<SqlUuid, _>(payment_id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("receipt"))?;
        let stored = load(conn, payment_id)?.ok_or_else(|| ApiError::not_found("receipt"))?;
        diesel::sql_query(
            "UPDATE receipt_deliveries SET status = 'printed', attempts = attempts + 1, updated_at = now()
             WHERE payment_id = $1 AND channel = 'print' AND status = 'pending'",
        )
        .bind::<SqlUuid, _>(payment_id)
        .execute(conn)?;
        let pdf = render(&stored, count.before > 0, payment_id)?;
        Ok((format!("receipt-{}.pdf", stored.receipt_number), pdf))
    })
}

/// Draws the stored receipt as PDF.
pub fn render(stored: &StoredReceipt, duplicate: bool, payment_id: Uuid) -> ApiResult<Vec<u8>> {
    let document = document(stored, duplicate)?;
    receipts::render_pdf(&document).map_err(|error| {
        // The error can quote characters of the payer's name: log its kind only.
        let kind = error_kind(&error);
        tracing::warn!(payment.id = %payment_id, error.kind = kind, "receipt cannot be drawn");
        match kind {
            // TODO: receipts cannot draw right-to-left scripts (Arabic, Hebrew): the PDF writer has no bidi reordering or shaping.
            "right_to_left_text" => ApiError::new(
                ErrorCode::UnprocessableState,
                "the receipt cannot be drawn as PDF: a name or note on it is in a right-to-left script (such as Arabic or Hebrew), which receipts do not support yet; give the payer a handwritten receipt with this receipt number",
            ),
            "unsupported_characters" | "control_characters" => ApiError::new(
                ErrorCode::UnprocessableState,
                "the receipt cannot be drawn as PDF: a name or note on it contains characters the receipt fonts lack; give the payer a handwritten receipt with this receipt number",
            ),
            _ => ApiError::internal(anyhow::anyhow!("receipt of payment {payment_id} cannot be drawn: {kind}")),
        }
    })
}

fn error_kind(error: &receipts::ReceiptError) -> &'static str {
    use receipts::ReceiptError::*;
    match error {
        MissingField { .. } => "missing_field",
        ReceiptNumberTooLong { .. } => "receipt_number_too_long",
        InvalidAmount { .. } => "invalid_amount",
        InvalidMinorDigits { .. } => "invalid_minor_digits",
        InvalidCurrency { .. } => "invalid_currency",
        AllocationMismatch { .. } => "allocation_mismatch",
        ControlCharacters { .. } => "control_characters",
        RightToLeftText { .. } => "right_to_left_text",
        UnsupportedCharacters { .. } => "unsupported_characters",
        Font { .. } => "font",
    }
}

fn document(stored: &StoredReceipt, duplicate: bool) -> ApiResult<ReceiptDocument> {
    let content = &stored.content;
    let broken = |what: &str| ApiError::internal(anyhow::anyhow!("receipt {} has no readable {what}", stored.receipt_number));
    let currency: shared::Currency = content["currency"].as_str().and_then(|c| c.parse().ok()).ok_or_else(|| broken("currency"))?;
    let amount = content["amount"].as_i64().ok_or_else(|| broken("amount"))?;
    let method = content["method"].as_str().and_then(PaymentMethod::parse).ok_or_else(|| broken("method"))?;
    let instrument = &content["instrument"];
    let text = |key: &str| instrument[key].as_str().unwrap_or("").to_string();
    let mut method_text = match method {
        PaymentMethod::Cash => "Cash".to_string(),
        PaymentMethod::Cheque => format!("Cheque no. {}, {}, dated {}", text("cheque_number"), text("drawee_bank"), text("cheque_date")),
        PaymentMethod::Card => format!("Card ending {} (gateway reference {})", text("card_last4"), text("gateway_reference")),
        PaymentMethod::BankTransfer => format!("Bank transfer, reference {}", text("reference")),
        PaymentMethod::DirectDebit => format!("Direct debit, mandate {}", text("reference")),
        PaymentMethod::MoneyOrder => format!("Money order no. {}", text("reference")),
    };
    let mut annotations = Vec::new();
    if let Some(held_until) = content["held_until"].as_str() {
        method_text.push_str(&format!(", held until {held_until}"));
        annotations.push(format!("Post-dated cheque: held until {held_until} and applied to the account on that date."));
    }
    let allocation: Vec<(String, i64)> = [("Fees", "fees"), ("Interest", "interest"), ("Principal", "principal"), ("Unapplied credit", "unapplied")]
        .into_iter()
        .map(|(label, key)| (label.to_string(), content["allocation"][key].as_i64().unwrap_or(0)))
        .filter(|(_, amount)| *amount != 0)
        .collect();
    annotations.extend(stored.annotations.as_array().into_iter().flatten().filter_map(|a| a.as_str()).map(str::to_string));
    let zone: chrono_tz::Tz = stored.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let account_refs: Vec<&str> = content["account_refs"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).collect();
    Ok(ReceiptDocument {
        receipt_number: stored.receipt_number.clone(),
        duplicate,
        issued_at_local: stored.issued_at.with_timezone(&zone).format("%-d %b %Y, %H:%M %Z").to_string(),
        organisation: content["organisation"].as_str().unwrap_or("").to_string(),
        payer_name: content["payer_name"].as_str().filter(|n| !n.trim().is_empty()).unwrap_or("Name not on file").to_string(),
        account_ref: account_refs.join(", "),
        currency: currency.code().to_string(),
        amount_minor: amount,
        minor_digits: currency.minor_unit_digits(),
        method: method_text,
        allocation,
        balance_after_minor: content["balance_after"].as_i64().unwrap_or(0),
        received_by: content["received_by"].as_str().unwrap_or("").to_string(),
        annotations,
    })
}
