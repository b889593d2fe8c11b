//! Deposit batches: the cash and cheques a field collector hands in for one
//! bank deposit, checked against the totals the collector declared.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Currency;
use crate::payments::PaymentMethod;

/// `POST /api/v1/deposit-batches`: opens a batch for the signed-in collector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenBatchRequest {
    pub creditor_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    /// How many payments the collector counts in the bag.
    pub control_count: i32,
    /// Their total in minor units.
    pub control_amount: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/deposit-batches/{id}/payments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddToBatchRequest {
    /// Cash, cheque or money-order payments the collector took; adding one that is already in this batch changes nothing.
    pub payment_ids: Vec<Uuid>,
}

/// `POST /api/v1/deposit-batches/{id}/close`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseBatchRequest {
    /// The bank's deposit slip or reference.
    pub deposit_reference: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Takes payments.
    Open,
    /// Closed, and the payments match the control totals.
    Balanced,
    /// Closed with a difference between the payments and the control totals.
    Difference,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Open => "open",
            BatchStatus::Balanced => "balanced",
            BatchStatus::Difference => "difference",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [BatchStatus::Open, BatchStatus::Balanced, BatchStatus::Difference].into_iter().find(|s| s.as_str() == text)
    }
}

/// One payment in a batch, with who took it and who put it in the batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchPaymentDto {
    pub payment_id: Uuid,
    pub receipt_number: String,
    pub method: PaymentMethod,
    pub amount: i64,
    /// `posted`, `held` or `reversed`; a reversed payment no longer counts towards the totals.
    pub status: String,
    pub received_by: Uuid,
    pub posted_at: DateTime<Utc>,
    pub batched_by: Uuid,
    pub batched_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepositBatchDto {
    pub id: Uuid,
    pub creditor_id: Uuid,
    pub collector_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub status: BatchStatus,
    pub control_count: i32,
    pub control_amount: i64,
    /// Count and total of the payments in the batch that are not reversed;
    /// for a closed batch, as they were when it was closed.
    pub actual_count: i32,
    pub actual_amount: i64,
    /// Actual minus control; non-zero values are the difference to investigate.
    pub count_difference: i32,
    pub amount_difference: i64,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    pub deposit_reference: Option<String>,
    pub note: Option<String>,
    pub payments: Vec<BatchPaymentDto>,
}
