//! The account's payments, newest first, with a receipt link and a "Reverse" action per row.

use leptos::prelude::*;
use shared::payments::{PaymentDto, PaymentStatus};
use shared::Currency;
use uuid::Uuid;

use super::display::{instrument_summary, AllocationSummary, PaymentStatusBadge};
use crate::pages::account::keys::PendingKeys;
use super::receipt_link::ReceiptLink;
use super::reversal::{ReversalForm, ReversalState};
use crate::api::{as_sentence, PaymentOutcome};
use crate::components::{format_date, format_datetime, MoneyAmount};

/// Column count of the payment table, for rows that span all columns.
pub const COLUMN_COUNT: u32 = 7;

/// Formats the day the money was received.
fn received_text(payment: &PaymentDto) -> String {
    format_date(payment.received_on)
}

/// Renders what the reversal changed, under the status badge of a reversed payment.
fn reversal_details(payment: &PaymentDto, currency: Currency) -> impl IntoView {
    payment.reversal.clone().map(|reversal| {
        view! {
            <span class="payment-note">{as_sentence(reversal.reason.label())}</span>
            {reversal.note.map(|note| view! { <span class="payment-note">{format!("Note: {note}")}</span> })}
            <span class="payment-note muted">{format!("Reversed {}", format_datetime(reversal.reversed_at))}</span>
            {reversal
                .fee_charged
                .map(|fee| {
                    view! {
                        <span class="payment-note">
                            "Returned-payment fee: " <MoneyAmount amount=fee currency=currency />
                        </span>
                    }
                })}
        }
    })
}

/// Says how much of a payment spread over several accounts went to this one.
fn spread_note(payment: &PaymentDto, account_id: Uuid, currency: Currency) -> Option<impl IntoView> {
    let part = payment.parts.iter().find(|p| p.account_id == account_id)?;
    (payment.parts.len() > 1).then(|| {
        view! {
            <span class="payment-note muted">
                {format!("Spread over {} accounts; this account: ", payment.parts.len())}
                <MoneyAmount amount=part.amount currency=currency />
            </span>
        }
    })
}

/// Renders one payment row, and the reversal form under it while that is open.
#[component]
pub fn PaymentRow(
    payment: PaymentDto,
    /// The account whose page lists the payment: a spread payment shows only its part here.
    account_id: Uuid,
    currency: Currency,
    /// False for roles the server does not let reverse payments.
    may_reverse: bool,
    reversal: ReversalState,
    keys: PendingKeys,
    on_reversed: Callback<PaymentOutcome>,
    on_list_stale: Callback<()>,
) -> impl IntoView {
    let payment_id = payment.id;
    let here = payment.parts.iter().find(|p| p.account_id == account_id).map_or(payment.allocation, |p| p.allocation);
    let reversible = may_reverse && payment.status != PaymentStatus::Reversed;
    let is_open = move || reversal.open.get() == Some(payment_id);
    let instrument = instrument_summary(payment.method, &payment.instrument);
    let reverse_button = reversible.then(|| {
        view! {
            <button
                type="button"
                class="payment-reverse secondary"
                aria-expanded=move || is_open().to_string()
                aria-label=format!("Reverse receipt {}", payment.receipt_number)
                on:click=move |_| reversal.toggle(payment_id)
            >
                "Reverse"
            </button>
        }
    });
    let form_payment = payment.clone();
    let form_row = move || {
        is_open().then(|| {
            view! {
                <tr class="reversal-row">
                    <td colspan=COLUMN_COUNT.to_string()>
                        <ReversalForm
                            payment=form_payment.clone()
                            currency=currency
                            state=reversal
                            keys=keys
                            on_reversed=on_reversed
                            on_list_stale=on_list_stale
                        />
                    </td>
                </tr>
            }
        })
    };

    view! {
        <tr data-payment-id=payment_id.to_string() data-status=payment.status.as_str()>
            <td class="ref nowrap">{payment.receipt_number.clone()}</td>
            <td class="nowrap">{received_text(&payment)}</td>
            <td>
                {payment.method.label()}
                {instrument.map(|text| view! { <span class="payment-note muted">{text}</span> })}
            </td>
            <td class="numeric">
                <MoneyAmount amount=payment.amount currency=currency />
            </td>
            <td>
                <PaymentStatusBadge payment=payment.clone() />
                {reversal_details(&payment, currency)}
            </td>
            <td>
                {spread_note(&payment, account_id, currency)}
                <AllocationSummary allocation=here currency=currency />
            </td>
            <td class="payment-actions">
                <ReceiptLink
                    payment_id=payment_id
                    receipt_number=payment.receipt_number.clone()
                    label="Receipt (PDF)"
                />
                {reverse_button}
            </td>
        </tr>
        {form_row}
    }
}

/// Renders the table around the rows, with its header.
#[component]
pub fn PaymentsTable(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" id="payments-table">
                <caption class="visually-hidden">"Payments on this account, newest first."</caption>
                <thead>
                    <tr>
                        <th scope="col">"Receipt"</th>
                        <th scope="col">"Received"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col" class="numeric">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Allocation"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
