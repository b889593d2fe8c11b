//! The account's promises to pay, newest first.

use leptos::prelude::*;
use shared::plans::{PromiseDto, PromiseStatus};

use crate::components::{format_date, MoneyAmount};

/// Column count of the promise table, for rows that span all columns.
pub const COLUMN_COUNT: u32 = 6;

fn status_class(status: PromiseStatus) -> &'static str {
    match status {
        PromiseStatus::Open => "badge",
        PromiseStatus::Kept => "badge plan-good",
        PromiseStatus::PartiallyKept => "badge plan-warn",
        PromiseStatus::Broken => "badge plan-bad",
        PromiseStatus::Cancelled => "badge plan-closed",
    }
}

#[component]
pub fn PromiseRow(promise: PromiseDto) -> impl IntoView {
    let currency = promise.currency;
    let resolved = promise.resolved_on.map(|day| format!("Resolved {}", format_date(day)));
    view! {
        <tr data-promise-id=promise.id.to_string() data-promise-status=promise.status.as_str()>
            <td class="nowrap">
                {format_date(promise.promised_on)}
                <span class="payment-note muted">
                    {format!("Counts payments until {}", format_date(promise.window_ends_on))}
                </span>
            </td>
            <td class="numeric">
                <MoneyAmount amount=promise.amount currency=currency />
            </td>
            <td class="numeric">
                <MoneyAmount amount=promise.paid currency=currency />
            </td>
            <td>
                <span class=status_class(promise.status)>{promise.status.label()}</span>
                {resolved.map(|text| view! { <span class="payment-note muted">{text}</span> })}
            </td>
            <td>{promise.channel.label()}</td>
            <td>
                <span class="nowrap">{format_date(promise.taken_on)}</span>
                {promise.note.clone().map(|note| view! { <span class="payment-note muted">{format!("Note: {note}")}</span> })}
            </td>
        </tr>
    }
}

/// Renders the table around the rows, with its header.
#[component]
pub fn PromisesTable(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" id="promises-table">
                <caption class="visually-hidden">"Promises to pay on this account, newest first."</caption>
                <thead>
                    <tr>
                        <th scope="col">"Promised by"</th>
                        <th scope="col" class="numeric">"Amount"</th>
                        <th scope="col" class="numeric">"Paid"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Given by"</th>
                        <th scope="col">"Taken"</th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
