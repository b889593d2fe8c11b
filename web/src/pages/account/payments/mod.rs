//! Payments on the account page: the "Record payment" form, the payment list
//! and reversals, with the receipt PDF of each payment.

mod display;
mod draft;
mod form;
mod list;
mod receipt_link;
mod result;
mod reversal;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::Balance;
use shared::payments::PaymentDto;
use shared::users::Role;
use shared::Currency;
use uuid::Uuid;

use self::form::PaymentForm;
use super::keys::PendingKeys;
use self::list::{PaymentRow, PaymentsTable, COLUMN_COUNT};
use self::reversal::ReversalState;
use crate::api::{self, as_sentence, ApiError, PaymentOutcome};
use crate::app::use_session;
use crate::components::{ErrorBanner, MoneyAmount, TableMessageRow};

type PaymentList = RwSignal<Option<Result<Vec<PaymentDto>, ApiError>>>;

/// Renders the confirmation of a reversal: reason, fee decision and the new balance.
#[component]
fn ReversalNotice(outcome: PaymentOutcome, currency: Currency) -> impl IntoView {
    let payment = outcome.payment;
    let (reason, fee_decision) = match &payment.reversal {
        Some(reversal) => (reversal.reason.label().to_string(), as_sentence(&reversal.fee_decision)),
        None => ("reversed".to_string(), String::new()),
    };
    let replayed = outcome.replayed.then_some(" An earlier attempt had already reversed it; it was not reversed twice.");
    view! {
        <div class="banner banner-info" role="status" id="reversal-result">
            "Receipt " <span class="ref">{payment.receipt_number.clone()}</span> " is reversed (" {reason} "). "
            {fee_decision} " The balance is now "
            <MoneyAmount amount=payment.account_balance.total currency=currency />
            "." {replayed}
        </div>
    }
}

#[component]
pub fn PaymentsSection(
    account_id: Uuid,
    currency: Currency,
    /// False while the account's status rules out payments (returned to the creditor).
    #[prop(into)]
    accepts_payments: Signal<bool>,
    /// Called with the account's balance after a payment or a reversal changed it.
    on_balance_changed: Callback<Balance>,
) -> impl IntoView {
    // The server lets every role but collectors reverse payments.
    let may_reverse = use_session().user().is_some_and(|user| user.role != Role::Collector);
    let payment_keys = PendingKeys::new();
    let reversal_keys = PendingKeys::new();
    let reversal = ReversalState::new();

    let payments: PaymentList = RwSignal::new(None);
    let next_cursor = RwSignal::new(None::<String>);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<ApiError>);
    let reversal_notice = RwSignal::new(None::<PaymentOutcome>);
    let posted = RwSignal::new(None::<PaymentOutcome>);

    // Responses to a superseded load are dropped, so the newest load wins.
    let generation = StoredValue::new(0u64);
    // Loads the newest page. With `keep_rows` the current rows stay on screen until it arrives.
    let load_first_page = move |keep_rows: bool| {
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        if !keep_rows {
            payments.set(None);
        }
        more_error.set(None);
        spawn_local(async move {
            let response = api::list_payments(account_id, None).await;
            if generation.try_get_value() != Some(this_request) {
                return;
            }
            match response {
                Ok(page) => {
                    next_cursor.try_set(page.next_cursor);
                    payments.try_set(Some(Ok(page.items)));
                }
                Err(error) => {
                    payments.try_set(Some(Err(error)));
                }
            }
        });
    };
    load_first_page(false);

    let load_more = move || {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        if loading_more.get_untracked() {
            return;
        }
        loading_more.set(true);
        more_error.set(None);
        let this_generation = generation.get_value();
        spawn_local(async move {
            let response = api::list_payments(account_id, Some(cursor)).await;
            if generation.try_get_value() == Some(this_generation) {
                match response {
                    Ok(page) => {
                        payments.try_update(|loaded| {
                            if let Some(Ok(items)) = loaded {
                                for payment in page.items {
                                    if !items.iter().any(|item| item.id == payment.id) {
                                        items.push(payment);
                                    }
                                }
                            }
                        });
                        next_cursor.try_set(page.next_cursor);
                    }
                    Err(error) => {
                        more_error.try_set(Some(error));
                    }
                }
            }
            loading_more.try_set(false);
        });
    };

    let on_posted = Callback::new(move |outcome: PaymentOutcome| {
        let payment = outcome.payment;
        on_balance_changed.run(payment.account_balance);
        reversal_notice.set(None);
        payments.update(|loaded| {
            if let Some(Ok(items)) = loaded {
                // A replayed payment may be listed already.
                if !items.iter().any(|item| item.id == payment.id) {
                    items.insert(0, payment);
                }
            }
        });
    });
    let on_reversed = Callback::new(move |outcome: PaymentOutcome| {
        let payment = outcome.payment.clone();
        on_balance_changed.run(payment.account_balance);
        // The confirmation of this payment's posting is out of date now.
        if posted.with_untracked(|posted| posted.as_ref().is_some_and(|shown| shown.payment.id == payment.id)) {
            posted.set(None);
        }
        reversal_notice.set(Some(outcome));
        let mut listed = false;
        payments.update(|loaded| {
            if let Some(Ok(items)) = loaded {
                if let Some(item) = items.iter_mut().find(|item| item.id == payment.id) {
                    *item = payment;
                    listed = true;
                }
            }
        });
        if !listed {
            load_first_page(true);
        }
    });
    let on_list_stale = Callback::new(move |_: ()| load_first_page(true));

    let rows = move || match payments.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading payments\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The payments could not be loaded. {}", error.message()) id="payments-error" />
                <button type="button" on:click=move |_| load_first_page(false)>
                    "Load payments again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No payments recorded yet."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => items
            .into_iter()
            .map(|payment| {
                view! {
                    <PaymentRow
                        payment=payment
                        account_id=account_id
                        currency=currency
                        may_reverse=may_reverse
                        reversal=reversal
                        keys=reversal_keys
                        on_reversed=on_reversed
                        on_list_stale=on_list_stale
                    />
                }
            })
            .collect_view()
            .into_any(),
    };
    let more_button = move || {
        next_cursor.get().map(|_| {
            view! {
                <p class="list-more">
                    <button type="button" id="payments-more" disabled=move || loading_more.get() on:click=move |_| load_more()>
                        {move || if loading_more.get() { "Loading\u{2026}" } else { "Show older payments" }}
                    </button>
                </p>
            }
        })
    };
    let form = move || {
        if accepts_payments.get() {
            view! {
                <PaymentForm
                    account_id=account_id
                    currency=currency
                    keys=payment_keys
                    result=posted
                    on_posted=on_posted
                    on_list_stale=on_list_stale
                />
            }
            .into_any()
        } else {
            view! {
                <p id="payment-not-accepted">
                    "The account has been returned to the creditor, so payments for it go to the creditor."
                </p>
            }
            .into_any()
        }
    };

    view! {
        <div class="payments-layout">
            <section class="card" aria-labelledby="record-payment-heading">
                <h2 id="record-payment-heading">"Record payment"</h2>
                {form}
            </section>
            <section class="card" aria-labelledby="payments-heading">
                <h2 id="payments-heading">"Payments"</h2>
                {move || reversal_notice.get().map(|outcome| view! { <ReversalNotice outcome=outcome currency=currency /> })}
                <PaymentsTable>{rows}</PaymentsTable>
                {more_button}
                {move || {
                    more_error
                        .get()
                        .map(|error| {
                            view! { <ErrorBanner message=format!("Older payments could not be loaded. {}", error.message()) /> }
                        })
                }}
                {(!may_reverse).then(|| view! { <p class="hint">"An assistant, a manager or an admin reverses payments."</p> })}
            </section>
        </div>
    }
}
