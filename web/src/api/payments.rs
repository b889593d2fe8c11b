//! Payments: posting, listing, reversal and the receipt PDF.

use gloo_net::http::Response;
use shared::payments::{PaymentDto, PaymentRequest, ReversalRequest};
use shared::Page;
use uuid::Uuid;

use super::client::{error_from_response, read_json, Call, API_BASE};
use super::error::ApiError;

/// Payments per page of an account's payment list.
const PAYMENTS_PAGE_SIZE: u32 = 50;

/// The header that makes a money-moving request exactly-once on the server.
const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// A payment as returned by a posting or a reversal.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentOutcome {
    pub payment: PaymentDto,
    /// True when the server had already done this request (same `Idempotency-Key`
    /// and body) and returned the stored response instead of doing it again.
    pub replayed: bool,
}

/// Returns a new `Idempotency-Key` value: a random UUID (version 4), drawn
/// from the browser's `crypto.getRandomValues`.
pub fn new_idempotency_key() -> String {
    Uuid::new_v4().to_string()
}

async fn read_outcome(response: Response) -> Result<PaymentOutcome, ApiError> {
    let replayed = response.headers().get("Idempotent-Replayed").is_some_and(|value| value.eq_ignore_ascii_case("true"));
    let payment = read_json(response).await?;
    Ok(PaymentOutcome { payment, replayed })
}

/// Posts a payment to the account. Sending the same `idempotency_key` and
/// request again returns the first payment instead of posting a second one.
pub async fn post_payment(
    account_id: Uuid,
    request: &PaymentRequest,
    idempotency_key: &str,
) -> Result<PaymentOutcome, ApiError> {
    let call = Call::post(format!("/accounts/{account_id}/payments"))
        .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
        .json(request)?;
    read_outcome(call.send().await?).await
}

/// Lists one page of the account's payments, newest first. `cursor` is the
/// `next_cursor` of the page before, or `None` for the newest payments.
pub async fn list_payments(account_id: Uuid, cursor: Option<String>) -> Result<Page<PaymentDto>, ApiError> {
    let mut params = vec![("limit", PAYMENTS_PAGE_SIZE.to_string())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor));
    }
    read_json(Call::get(format!("/accounts/{account_id}/payments")).query(params).send().await?).await
}

/// Reverses a payment and returns it with its reversal and the account's new
/// balance. The `idempotency_key` works as in [`post_payment`].
pub async fn reverse_payment(
    payment_id: Uuid,
    request: &ReversalRequest,
    idempotency_key: &str,
) -> Result<PaymentOutcome, ApiError> {
    let call = Call::post(format!("/payments/{payment_id}/reversal"))
        .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
        .json(request)?;
    read_outcome(call.send().await?).await
}

/// Returns the path of a payment's receipt PDF, for display in links.
pub fn receipt_pdf_path(payment_id: Uuid) -> String {
    format!("{API_BASE}/payments/{payment_id}/receipt")
}

/// Downloads a payment's receipt as PDF bytes. The endpoint needs the bearer
/// token, so a plain link cannot fetch it.
pub async fn download_receipt_pdf(payment_id: Uuid) -> Result<Vec<u8>, ApiError> {
    let response = Call::get(format!("/payments/{payment_id}/receipt")).accept("application/pdf").send().await?;
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response.binary().await.map_err(|error| ApiError::InvalidResponse(error.to_string()))
}
