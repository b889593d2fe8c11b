//! Payments, their allocation, reversals and receipts as the API takes and returns them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::Balance;
use crate::money::Currency;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Cheque,
    Card,
    BankTransfer,
    DirectDebit,
    MoneyOrder,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::Cash,
        PaymentMethod::Cheque,
        PaymentMethod::Card,
        PaymentMethod::BankTransfer,
        PaymentMethod::DirectDebit,
        PaymentMethod::MoneyOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Card => "card",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::DirectDebit => "direct_debit",
            PaymentMethod::MoneyOrder => "money_order",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Cheque => "Cheque",
            PaymentMethod::Card => "Card",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::DirectDebit => "Direct debit",
            PaymentMethod::MoneyOrder => "Money order",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// Instrument details of the payment. Which fields a method needs is checked by
/// [`crate::validation::check_payment`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Cheque number as printed on the cheque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cheque_number: Option<String>,
    /// The bank the cheque is drawn on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawee_bank: Option<String>,
    /// The date written on the cheque. A date after today keeps the cheque held until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cheque_date: Option<NaiveDate>,
    /// Last four digits of the card; never send the full card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_last4: Option<String>,
    /// The card gateway's reference for the charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_reference: Option<String>,
    /// Bank transfer reference, direct debit mandate reference or money order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Rule for spreading a payment over several accounts of the same debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpreadRule {
    /// Oldest delinquency first, each account paid off before the next.
    OldestFirst,
    /// Largest balance first, each account paid off before the next.
    LargestFirst,
    /// In proportion to the balances.
    Proportional,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Spread {
    pub rule: SpreadRule,
    /// Other accounts of the same debtor, in the same currency, besides the one in the path.
    pub other_accounts: Vec<Uuid>,
}

/// Delivery channel of the receipt once the payment is posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptDelivery {
    /// To the debtor's valid email addresses, over SMTP.
    Email,
    /// Printed by the person who took the payment.
    Print,
    #[default]
    None,
}

/// `POST /api/v1/accounts/{id}/payments`, sent with an `Idempotency-Key` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// Minor units of `currency`, greater than zero.
    pub amount: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub method: PaymentMethod,
    /// The day the money was received; defaults to today in the creditor's time zone; may be earlier (back-dated), never later.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    #[serde(default)]
    pub instrument: Instrument,
    #[serde(default)]
    pub spread: Option<Spread>,
    /// Code of the receipt book to number the receipt from; defaults to the collector's own book, or the creditor's main book.
    #[serde(default)]
    pub receipt_book: Option<String>,
    #[serde(default)]
    pub receipt_delivery: ReceiptDelivery,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// A post-dated cheque waiting for its date; nothing is applied yet.
    Held,
    Posted,
    Reversed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Held => "held",
            PaymentStatus::Posted => "posted",
            PaymentStatus::Reversed => "reversed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [PaymentStatus::Held, PaymentStatus::Posted, PaymentStatus::Reversed].into_iter().find(|s| s.as_str() == text)
    }
}

/// Amounts a payment paid, in minor units. The parts add up to the payment's amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationDto {
    pub fees: i64,
    pub interest: i64,
    pub principal: i64,
    /// Kept as credit for the debtor because nothing more was owed.
    pub unapplied: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReversalReason {
    /// Not sufficient funds.
    Nsf,
    AccountClosed,
    PaymentStopped,
    Disputed,
    Chargeback,
    Other,
}

impl ReversalReason {
    pub const ALL: [ReversalReason; 6] = [
        ReversalReason::Nsf,
        ReversalReason::AccountClosed,
        ReversalReason::PaymentStopped,
        ReversalReason::Disputed,
        ReversalReason::Chargeback,
        ReversalReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReversalReason::Nsf => "nsf",
            ReversalReason::AccountClosed => "account_closed",
            ReversalReason::PaymentStopped => "payment_stopped",
            ReversalReason::Disputed => "disputed",
            ReversalReason::Chargeback => "chargeback",
            ReversalReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReversalReason::Nsf => "returned unpaid: not sufficient funds",
            ReversalReason::AccountClosed => "returned: the payer's account is closed",
            ReversalReason::PaymentStopped => "payment stopped by the payer",
            ReversalReason::Disputed => "disputed by the payer",
            ReversalReason::Chargeback => "card chargeback",
            ReversalReason::Other => "reversed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ReversalReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// `POST /api/v1/payments/{id}/reversal`, sent with an `Idempotency-Key` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReversalRequest {
    pub reason: ReversalReason,
    /// Free text for the timeline, such as the bank's return advice number.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReversalDto {
    pub reason: ReversalReason,
    pub note: Option<String>,
    pub reversed_at: DateTime<Utc>,
    pub reversed_by: Uuid,
    /// The returned-payment fee charged, in minor units; null when none was.
    pub fee_charged: Option<i64>,
    /// Reason a fee was or was not charged.
    pub fee_decision: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentPartDto {
    pub account_id: Uuid,
    pub amount: i64,
    pub allocation: AllocationDto,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptDeliveryDto {
    pub id: Uuid,
    /// `email` or `print`.
    pub channel: String,
    /// `pending`, `sent`, `failed` or `printed`.
    pub status: String,
    pub attempts: i32,
    /// Reason the last attempt failed, without personal data.
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub debtor_id: Uuid,
    pub amount: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "USD"))]
    pub currency: Currency,
    pub method: PaymentMethod,
    pub instrument: Instrument,
    pub received_on: NaiveDate,
    pub status: PaymentStatus,
    /// For a post-dated cheque, its date: the day it is (or was) applied and its date on the account's timeline.
    pub held_until: Option<NaiveDate>,
    /// `BOOK-SEQUENCE`, such as `MAIN-000042`.
    pub receipt_number: String,
    pub receipt_book: String,
    pub receipt_sequence: i64,
    /// The allocation now, over all accounts; re-allocations and reversals change it.
    pub allocation: AllocationDto,
    pub parts: Vec<PaymentPartDto>,
    /// The balance of the account in the path after this request.
    pub account_balance: Balance,
    /// The debtor's unapplied credit on that account.
    pub account_unapplied_credit: i64,
    pub received_by: Uuid,
    pub posted_at: DateTime<Utc>,
    pub reversal: Option<ReversalDto>,
    pub deliveries: Vec<ReceiptDeliveryDto>,
}

/// Policy for allocating a creditor's payments and charging for returned payments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentPolicy {
    /// `fees`, `interest` and `principal`, each once, in the order payments pay them off.
    pub allocation_order: Vec<String>,
    /// Fee in minor units of the account's currency charged when a payment is returned; null charges none.
    pub returned_payment_fee: Option<i64>,
    /// Country (`US`) or country-region (`US-CA`) codes where the creditor's agreements authorise the fee and the law allows it.
    pub returned_payment_fee_jurisdictions: Vec<String>,
}

/// A book of gap-free receipt numbers: the creditor's main book or one collector's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptBookDto {
    pub id: Uuid,
    pub creditor_id: Uuid,
    /// Prefix of the receipt numbers, such as `MAIN` or `C07`.
    pub code: String,
    /// The collector whose payments are numbered from this book by default.
    pub collector_id: Option<Uuid>,
    /// How many receipts the book has issued.
    pub issued: i64,
}

/// `POST /api/v1/receipt-books`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateReceiptBookRequest {
    pub creditor_id: Uuid,
    /// 1 to 12 capital letters or digits.
    pub code: String,
    #[serde(default)]
    pub collector_id: Option<Uuid>,
}

/// Checks a jurisdiction code: `US` or `US-CA` (ISO 3166-1 alpha-2, then an optional subdivision).
pub fn check_jurisdiction(code: &str) -> Result<(), String> {
    let (country, region) = match code.split_once('-') {
        Some((country, region)) => (country, Some(region)),
        None => (code, None),
    };
    let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    let region_ok = region.is_none_or(|r| (1..=3).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    if country_ok && region_ok {
        Ok(())
    } else {
        Err(format!("'{code}' is not a jurisdiction code; use a country such as US or a country and region such as US-CA"))
    }
}

/// Checks a receipt book code: 1 to 12 capital letters or digits.
pub fn check_book_code(code: &str) -> Result<(), String> {
    if (1..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("'{code}' is not a receipt book code; use 1 to 12 capital letters or digits, such as C07"))
    }
}
