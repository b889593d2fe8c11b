//! One account: balances, dates, status and its change, assignment,
//! payments and their reversal, repayment plans, promises to pay, calls and
//! the timeline, letters and emails, disputes, debtor contacts and ledger.

mod assignment;
mod calls;
mod contacts;
mod correspondence;
mod disputes;
mod keys;
mod ledger;
mod payments;
pub mod plans;
mod promises;
mod status_change;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::accounts::{AccountDetail, Balance};
use shared::status::AccountStatus;
use shared::Currency;
use uuid::Uuid;

use self::assignment::{load_agents, may_assign, AgentList, Assignment};
use self::calls::CallsSection;
use self::contacts::DebtorContacts;
use self::correspondence::CorrespondenceSection;
use self::disputes::DisputesSection;
use self::ledger::LedgerTable;
use self::payments::PaymentsSection;
use self::plans::PlansSection;
use self::promises::PromisesSection;
use self::status_change::StatusChange;
use crate::api::{self, ApiError};
use crate::app::LastWorklistUrl;
use crate::components::{format_datetime, format_optional_date, ErrorBanner, MoneyAmount, Notice, StatusBadge};

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let last_worklist_url = expect_context::<LastWorklistUrl>();
    let account_id = Memo::new(move |_| params.with(|params| params.get("id").unwrap_or_default()));

    let detail = RwSignal::new(None::<Result<AccountDetail, ApiError>>);
    // Confirmations of a status change and of an assignment. They sit outside
    // the account view because each change replaces the view.
    let status_notice = RwSignal::new(None::<String>);
    let assignment_notice = RwSignal::new(None::<String>);
    let agents: AgentList = RwSignal::new(None);
    if may_assign() {
        load_agents(agents);
    }
    let generation = StoredValue::new(0u64);
    let reload = Trigger::new();
    // Counts changes made on this page, so the timeline and the promises load again.
    let activity = RwSignal::new(0u64);
    Effect::new(move |_| {
        reload.track();
        let id_text = account_id.get();
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        detail.set(None);
        status_notice.set(None);
        assignment_notice.set(None);
        let Ok(id) = id_text.parse::<Uuid>() else {
            detail.set(Some(Err(ApiError::Server {
                status: 400,
                error: shared::ErrorBody {
                    code: "invalid_path".to_string(),
                    message: format!("'{id_text}' is not a valid account id; open the account from the worklist."),
                    fields: Vec::new(),
                },
            })));
            return;
        };
        spawn_local(async move {
            let response = api::get_account(id).await;
            if generation.try_get_value() == Some(this_request) {
                detail.try_set(Some(response));
            }
        });
    });

    // Loads the account again without the loading state, so the page stays as
    // it is until the new data arrives. A failed load leaves the page as it was.
    let refresh_quietly = move || {
        let Ok(id) = account_id.get_untracked().parse::<Uuid>() else {
            return;
        };
        let this_request = generation.get_value() + 1;
        generation.set_value(this_request);
        spawn_local(async move {
            let response = api::get_account(id).await;
            if generation.try_get_value() != Some(this_request) {
                return;
            }
            match response {
                Ok(account) => {
                    detail.try_set(Some(Ok(account)));
                }
                Err(error) => leptos::logging::warn!("account {id} could not be loaded again: {error}"),
            }
        });
    };
    // A payment or reversal returns the new balance at once. The ledger and
    // the last payment date follow with the account loaded again.
    let on_balance_changed = Callback::new(move |balance: Balance| {
        detail.update(|loaded| {
            if let Some(Ok(account)) = loaded {
                account.summary.balance = balance;
            }
        });
        activity.update(|count| *count += 1);
        refresh_quietly();
    });
    // The payments section is built once per account, so a new balance or
    // status does not clear its form, result or list.
    let loaded_account = Memo::new(move |_| {
        detail.with(|loaded| match loaded {
            Some(Ok(account)) => Some((account.summary.id, account.summary.currency)),
            _ => None,
        })
    });
    // The call section is built once per account, with the numbers first loaded.
    let call_context = Memo::new(move |_| {
        detail.with(|loaded| match loaded {
            Some(Ok(account)) => Some((account.summary.id, account.summary.currency, account.debtor.phones.clone())),
            _ => None,
        })
    });
    // The plan, promise, letter and dispute sections are built once per account too.
    let plan_context = Memo::new(move |_| {
        detail.with(|loaded| match loaded {
            Some(Ok(account)) => Some((account.summary.id, account.summary.creditor_id, account.summary.currency)),
            _ => None,
        })
    });
    let balance_total = Signal::derive(move || {
        detail.with(|loaded| match loaded {
            Some(Ok(account)) => account.summary.balance.total,
            _ => 0,
        })
    });
    // A saved or cancelled plan can change the account's status.
    let on_account_changed = Callback::new(move |_: ()| {
        activity.update(|count| *count += 1);
        refresh_quietly();
    });
    let accepts_payments = Memo::new(move |_| {
        detail.with(|loaded| !matches!(loaded, Some(Ok(account)) if account.summary.status == AccountStatus::Returned))
    });

    let body = move || match detail.get() {
        None => view! { <p class="page-status">"Loading account\u{2026}"</p> }.into_any(),
        Some(Err(error)) => view! { <AccountError error=error reload=reload /> }.into_any(),
        Some(Ok(account)) => view! {
            <AccountView
                account=account
                detail=detail
                status_notice=status_notice
                assignment_notice=assignment_notice
                agents=agents
            />
        }
        .into_any(),
    };

    view! {
        <p class="back-link">
            <a href=move || last_worklist_url.0.get() id="back-to-worklist">
                "\u{2190} Back to worklist"
            </a>
        </p>
        {move || status_notice.get().map(|message| view! { <Notice message=message /> })}
        {body}
        {move || {
            call_context
                .get()
                .map(|(id, currency, phones)| view! { <CallsSection account_id=id currency=currency phones=phones activity=activity /> })
        }}
        {move || {
            loaded_account
                .get()
                .map(|(id, currency)| {
                    view! {
                        <PaymentsSection
                            account_id=id
                            currency=currency
                            accepts_payments=accepts_payments
                            on_balance_changed=on_balance_changed
                        />
                    }
                })
        }}
        {move || {
            plan_context
                .get()
                .map(|(id, creditor_id, currency)| {
                    view! {
                        <PlansSection
                            account_id=id
                            creditor_id=creditor_id
                            currency=currency
                            balance=balance_total
                            on_account_changed=on_account_changed
                        />
                        <PromisesSection account_id=id currency=currency activity=activity />
                        <CorrespondenceSection account_id=id creditor_id=creditor_id activity=activity />
                        <DisputesSection account_id=id activity=activity />
                    }
                })
        }}
        {move || match detail.get() {
            Some(Ok(account)) => Some(view! { <AccountRecords account=account /> }),
            _ => None,
        }}
    }
}

/// Explains why the account could not be shown. A failure that may pass
/// (network, server error) offers to try again. A missing account or a bad
/// link offers the way back to the worklist instead.
#[component]
fn AccountError(error: ApiError, reload: Trigger) -> impl IntoView {
    let last_worklist_url = expect_context::<LastWorklistUrl>();
    let hint = (error.status() == Some(404))
        .then(|| view! { <p>"The link may be out of date, or the account is not one you may see."</p> });
    let next_step = if error.is_retryable() {
        view! {
            <button type="button" on:click=move |_| reload.notify()>
                "Try again"
            </button>
        }
        .into_any()
    } else {
        view! {
            <a class="button-link" href=move || last_worklist_url.0.get() id="account-error-back">
                "Back to worklist"
            </a>
        }
        .into_any()
    };
    view! {
        <ErrorBanner message=error.message() id="account-error" />
        {hint}
        {next_step}
    }
}

#[component]
fn AccountView(
    account: AccountDetail,
    detail: RwSignal<Option<Result<AccountDetail, ApiError>>>,
    status_notice: RwSignal<Option<String>>,
    assignment_notice: RwSignal<Option<String>>,
    agents: AgentList,
) -> impl IntoView {
    let summary = account.summary.clone();
    let currency = summary.currency;
    let debtor_name = match summary.debtor_name.clone() {
        Some(name) => view! { <span>{name}</span> }.into_any(),
        None => view! { <span class="badge flag-warn">"Name missing"</span> }.into_any(),
    };
    let on_changed = Callback::new(move |updated: AccountDetail| {
        status_notice.set(Some(format!("Status changed to {}.", updated.summary.status.label())));
        assignment_notice.set(None);
        detail.set(Some(Ok(updated)));
    });
    let on_assigned = Callback::new(move |updated: AccountDetail| {
        status_notice.set(None);
        detail.set(Some(Ok(updated)));
    });

    view! {
        <div class="page-header account-header">
            <h1>
                "Account " <span class="ref" id="account-ref">{summary.account_ref.clone()}</span>
            </h1>
            <StatusBadge status=summary.status />
        </div>
        <p class="account-subtitle">
            {debtor_name} " \u{00B7} " {summary.creditor_name.clone()} " \u{00B7} "
            {match (&summary.assigned_agent_id, &summary.assigned_agent_name) {
                (Some(_), Some(name)) => format!("Assigned to {name}"),
                (Some(_), None) => "Assigned".to_string(),
                (None, _) => "Unassigned".to_string(),
            }}
        </p>
        <div class="account-grid">
            <section class="card" aria-labelledby="balances-heading">
                <h2 id="balances-heading">"Balances"</h2>
                <div class="scroll-x">
                    <BalanceTable
                        original=account.original_balance
                        current=summary.balance
                        unapplied_credit=account.unapplied_credit
                        currency=currency
                    />
                </div>
            </section>
            <section class="card" aria-labelledby="dates-heading">
                <h2 id="dates-heading">"Dates"</h2>
                <dl class="facts">
                    <dt>"Days past due"</dt>
                    <dd>
                        {summary.days_past_due.map(|days| days.to_string()).unwrap_or_else(|| "\u{2014}".to_string())}
                        {summary.dpd_bucket.map(|bucket| format!(" (bucket {})", bucket.as_str()))}
                    </dd>
                    <dt>"Delinquent since"</dt>
                    <dd>{format_optional_date(summary.delinquent_since)}</dd>
                    <dt>"Last payment"</dt>
                    <dd>{format_optional_date(summary.last_payment_on)}</dd>
                    <dt>"Opened"</dt>
                    <dd>{format_optional_date(account.opened_on)}</dd>
                    <dt>"Charged off"</dt>
                    <dd>{format_optional_date(account.charged_off_on)}</dd>
                    <dt>"Placed"</dt>
                    <dd>{format_datetime(account.created_at)}</dd>
                    <dt>"Last updated"</dt>
                    <dd>{format_datetime(account.updated_at)}</dd>
                </dl>
            </section>
            // Status and assignment share a column, so the balances keep room for their amounts.
            <div class="card-stack">
                <section class="card" aria-labelledby="status-heading">
                    <h2 id="status-heading">"Status"</h2>
                    <StatusChange
                        account_id=summary.id
                        current=summary.status
                        allowed=account.allowed_next_statuses.clone()
                        on_changed=on_changed
                    />
                </section>
                <section class="card" aria-labelledby="assignment-heading">
                    <h2 id="assignment-heading">"Assignment"</h2>
                    <Assignment
                        account_id=summary.id
                        agent_id=summary.assigned_agent_id
                        agent_name=summary.assigned_agent_name.clone()
                        agents=agents
                        notice=assignment_notice
                        on_assigned=on_assigned
                    />
                </section>
            </div>
        </div>
    }
}

/// Renders the debtor's contacts and the account's ledger, below the payments.
#[component]
fn AccountRecords(account: AccountDetail) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="debtor-heading">
            <h2 id="debtor-heading">"Debtor contacts"</h2>
            <DebtorContacts debtor=account.debtor.clone() flags=account.summary.contact_flags />
        </section>
        <section class="card" aria-labelledby="ledger-heading">
            <h2 id="ledger-heading">"Ledger"</h2>
            <LedgerTable entries=account.ledger.clone() currency=account.summary.currency />
        </section>
    }
}

/// Original and current balance side by side, one row per component, and
/// the debtor's unapplied credit on the account when there is any.
#[component]
fn BalanceTable(original: Balance, current: Balance, unapplied_credit: i64, currency: Currency) -> impl IntoView {
    let credit_row = (unapplied_credit != 0).then(|| {
        view! {
            <tr>
                <th scope="row">"Unapplied credit"</th>
                <td></td>
                <td class="numeric" id="account-unapplied-credit">
                    <MoneyAmount amount=unapplied_credit currency=currency />
                </td>
            </tr>
        }
    });
    let rows = [
        ("Principal", original.principal, current.principal),
        ("Interest", original.interest, current.interest),
        ("Fees", original.fees, current.fees),
    ];
    view! {
        <table class="data-table compact balances">
            <thead>
                <tr>
                    <th scope="col">"Component"</th>
                    <th scope="col" class="numeric">"Original"</th>
                    <th scope="col" class="numeric">"Current"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(label, original, current)| {
                        view! {
                            <tr>
                                <th scope="row">{label}</th>
                                <td class="numeric">
                                    <MoneyAmount amount=original currency=currency />
                                </td>
                                <td class="numeric">
                                    <MoneyAmount amount=current currency=currency />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
                <tr class="total">
                    <th scope="row">"Total"</th>
                    <td class="numeric">
                        <MoneyAmount amount=original.total currency=currency />
                    </td>
                    <td class="numeric" id="account-balance-total">
                        <MoneyAmount amount=current.total currency=currency />
                    </td>
                </tr>
                {credit_row}
            </tbody>
        </table>
    }
}
