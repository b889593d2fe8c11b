//! Payment details as the page shows them: status badges, instrument details,
//! allocations and reversal reasons.

use leptos::prelude::*;
use shared::payments::{AllocationDto, Instrument, PaymentDto, PaymentMethod, PaymentStatus, ReversalReason};
use shared::Currency;

use crate::components::{format_date, MoneyAmount};

/// Labels a reversal reason for the reason choice, in the words a bank's
/// return advice or the payer uses.
pub fn reversal_reason_label(reason: ReversalReason) -> &'static str {
    match reason {
        ReversalReason::Nsf => "Bounced: not sufficient funds (NSF)",
        ReversalReason::AccountClosed => "Returned: the payer's account is closed",
        ReversalReason::PaymentStopped => "Stopped by the payer",
        ReversalReason::Disputed => "Disputed by the payer",
        ReversalReason::Chargeback => "Card chargeback",
        ReversalReason::Other => "Other reason (explain in the note)",
    }
}

/// Describes the instrument in a few words, such as `No. 001234, First Bank`
/// for a cheque or `Ending 4242` for a card. Returns `None` for cash.
pub fn instrument_summary(method: PaymentMethod, instrument: &Instrument) -> Option<String> {
    let join = |parts: Vec<String>| if parts.is_empty() { None } else { Some(parts.join(", ")) };
    match method {
        PaymentMethod::Cash => None,
        PaymentMethod::Cheque => {
            let mut parts = Vec::new();
            if let Some(number) = &instrument.cheque_number {
                parts.push(format!("No. {number}"));
            }
            if let Some(bank) = &instrument.drawee_bank {
                parts.push(bank.clone());
            }
            if let Some(date) = instrument.cheque_date {
                parts.push(format!("dated {}", format_date(date)));
            }
            join(parts)
        }
        PaymentMethod::Card => {
            let mut parts = Vec::new();
            if let Some(last4) = &instrument.card_last4 {
                parts.push(format!("Ending {last4}"));
            }
            if let Some(reference) = &instrument.gateway_reference {
                parts.push(format!("ref. {reference}"));
            }
            join(parts)
        }
        PaymentMethod::BankTransfer | PaymentMethod::DirectDebit | PaymentMethod::MoneyOrder => {
            instrument.reference.as_ref().map(|reference| format!("Ref. {reference}"))
        }
    }
}

/// Renders the payment's status as a badge: posted, held until a date, or reversed.
#[component]
pub fn PaymentStatusBadge(payment: PaymentDto) -> impl IntoView {
    let (class, text) = match payment.status {
        PaymentStatus::Posted => ("badge payment-posted", "Posted".to_string()),
        PaymentStatus::Held => match payment.held_until {
            Some(date) => ("badge payment-held", format!("Held until {}", format_date(date))),
            None => ("badge payment-held", "Held".to_string()),
        },
        PaymentStatus::Reversed => ("badge payment-reversed", "Reversed".to_string()),
    };
    view! { <span class=class>{text}</span> }
}

/// Returns the parts of an allocation with a label each, in the order the ledger pays them.
fn allocation_parts(allocation: &AllocationDto) -> [(&'static str, i64); 4] {
    [
        ("Fees", allocation.fees),
        ("Interest", allocation.interest),
        ("Principal", allocation.principal),
        ("Unapplied credit", allocation.unapplied),
    ]
}

/// Renders every part of an allocation, zeros included, as a small table.
#[component]
pub fn AllocationTable(
    allocation: AllocationDto,
    currency: Currency,
    #[prop(optional, into)] id: Option<String>,
) -> impl IntoView {
    view! {
        <table class="data-table compact allocation" id=id>
            <caption class="visually-hidden">"What the payment paid"</caption>
            <tbody>
                {allocation_parts(&allocation)
                    .into_iter()
                    .map(|(label, amount)| {
                        view! {
                            <tr>
                                <th scope="row">{label}</th>
                                <td class="numeric">
                                    <MoneyAmount amount=amount currency=currency />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Renders the non-zero parts of an allocation on one line each, for table cells.
#[component]
pub fn AllocationSummary(allocation: AllocationDto, currency: Currency) -> impl IntoView {
    let parts: Vec<(&'static str, i64)> =
        allocation_parts(&allocation).into_iter().filter(|(_, amount)| *amount != 0).collect();
    if parts.is_empty() {
        return view! { <span class="muted">"Nothing applied"</span> }.into_any();
    }
    view! {
        <ul class="allocation-summary">
            {parts
                .into_iter()
                .map(|(label, amount)| {
                    view! {
                        <li>
                            <span class="muted">{label} " "</span>
                            <MoneyAmount amount=amount currency=currency />
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheque_summary_names_number_and_bank() {
        let instrument = Instrument {
            cheque_number: Some("001234".to_string()),
            drawee_bank: Some("First Bank".to_string()),
            ..Instrument::default()
        };
        assert_eq!(
            instrument_summary(PaymentMethod::Cheque, &instrument).as_deref(),
            Some("No. 001234, First Bank")
        );
    }

    #[test]
    fn card_summary_shows_only_last_digits() {
        let instrument = Instrument {
            card_last4: Some("4242".to_string()),
            gateway_reference: Some("ch_1".to_string()),
            ..Instrument::default()
        };
        assert_eq!(instrument_summary(PaymentMethod::Card, &instrument).as_deref(), Some("Ending 4242, ref. ch_1"));
    }

    #[test]
    fn cash_has_no_summary() {
        assert_eq!(instrument_summary(PaymentMethod::Cash, &Instrument::default()), None);
    }

    #[test]
    fn every_reversal_reason_has_own_label() {
        let mut labels: Vec<&str> = ReversalReason::ALL.into_iter().map(reversal_reason_label).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), ReversalReason::ALL.len());
    }
}
