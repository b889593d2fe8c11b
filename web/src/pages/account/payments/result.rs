//! The confirmation of a posted payment: receipt, status, allocation and new balance.

use leptos::prelude::*;
use shared::payments::{PaymentDto, PaymentStatus};
use shared::Currency;

use super::display::{instrument_summary, AllocationTable, PaymentStatusBadge};
use super::receipt_link::ReceiptLink;
use crate::api::PaymentOutcome;
use crate::components::{format_date, MoneyAmount};

/// Explains the status in a sentence, above all that a held cheque leaves the balance unchanged.
fn status_explanation(payment: &PaymentDto) -> String {
    match (payment.status, payment.held_until) {
        (PaymentStatus::Held, Some(date)) => format!(
            "Post-dated cheque: applied to the balance on {}. Until then the balance does not change.",
            format_date(date)
        ),
        (PaymentStatus::Held, None) => {
            "Held: the payment is not applied to the balance yet, so the balance does not change.".to_string()
        }
        (PaymentStatus::Posted, _) => "Applied to the balance.".to_string(),
        (PaymentStatus::Reversed, _) => "Reversed: what it paid is owed again.".to_string(),
    }
}

/// Describes receipt deliveries such as `Email: pending`, one per channel.
fn delivery_summary(payment: &PaymentDto) -> Option<String> {
    if payment.deliveries.is_empty() {
        return None;
    }
    let parts: Vec<String> = payment
        .deliveries
        .iter()
        .map(|delivery| {
            let channel = match delivery.channel.as_str() {
                "email" => "Email",
                "print" => "Print",
                other => other,
            };
            format!("{channel}: {}", delivery.status)
        })
        .collect();
    Some(parts.join(", "))
}

#[component]
pub fn PaymentResult(outcome: PaymentOutcome, currency: Currency) -> impl IntoView {
    let payment = outcome.payment;
    let is_held = payment.status == PaymentStatus::Held;
    let heading = match (is_held, payment.held_until) {
        (true, Some(date)) => format!("Cheque held until {}", format_date(date)),
        (true, None) => "Payment held".to_string(),
        (false, _) => "Payment recorded".to_string(),
    };
    let method_text = match instrument_summary(payment.method, &payment.instrument) {
        Some(details) => format!("{} \u{00B7} {details}", payment.method.label()),
        None => payment.method.label().to_string(),
    };
    let allocation = if is_held {
        view! { <p class="hint">"Nothing is allocated until the cheque's date."</p> }.into_any()
    } else {
        view! { <AllocationTable allocation=payment.allocation currency=currency id="payment-allocation" /> }.into_any()
    };
    let unapplied_credit = (payment.account_unapplied_credit != 0).then(|| {
        view! {
            <dt>"Unapplied credit"</dt>
            <dd>
                <MoneyAmount amount=payment.account_unapplied_credit currency=currency />
            </dd>
        }
    });
    let received_on = view! {
        <dt>"Received on"</dt>
        <dd>{format_date(payment.received_on)}</dd>
    };
    let replay_note = outcome.replayed.then(|| {
        view! {
            <p class="hint" id="payment-replayed">
                "An earlier attempt had already recorded this payment; it was not posted twice."
            </p>
        }
    });

    view! {
        <div class="payment-result" class:held=is_held id="payment-result">
            <h3 id="payment-result-heading" tabindex="-1">{heading}</h3>
            {replay_note}
            <dl class="facts">
                <dt>"Receipt number"</dt>
                <dd>
                    <span class="ref" id="payment-receipt-number">{payment.receipt_number.clone()}</span>
                    " \u{00B7} "
                    <ReceiptLink
                        payment_id=payment.id
                        receipt_number=payment.receipt_number.clone()
                        label="Open receipt (PDF)"
                        id="payment-receipt-link"
                    />
                </dd>
                <dt>"Status"</dt>
                <dd id="payment-status">
                    <PaymentStatusBadge payment=payment.clone() />
                    " "
                    <span>{status_explanation(&payment)}</span>
                </dd>
                <dt>"Amount"</dt>
                <dd>
                    <MoneyAmount amount=payment.amount currency=currency />
                </dd>
                <dt>"Method"</dt>
                <dd>{method_text}</dd>
                {received_on}
                <dt>"New balance"</dt>
                <dd id="payment-new-balance">
                    <strong>
                        <MoneyAmount amount=payment.account_balance.total currency=currency />
                    </strong>
                </dd>
                {unapplied_credit}
                {delivery_summary(&payment)
                    .map(|summary| {
                        view! {
                            <dt>"Receipt delivery"</dt>
                            <dd>{summary}</dd>
                        }
                    })}
            </dl>
            <h4>"Allocation"</h4>
            {allocation}
        </div>
    }
}
