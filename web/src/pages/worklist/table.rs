//! The worklist table: one keyboard-focusable row per account.

use leptos::prelude::*;
use shared::accounts::{AccountSort, AccountSummary};
use wasm_bindgen::JsCast;

use crate::components::{format_optional_date, ContactFlagBadges, MoneyAmount, StatusBadge};

/// Renders a column header that sorts the list when clicked. The first click
/// uses `descending` and the next one `ascending`, if the column has one.
#[component]
fn SortHeader(
    label: &'static str,
    descending: AccountSort,
    ascending: Option<AccountSort>,
    current: Signal<AccountSort>,
    on_sort: Callback<AccountSort>,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let aria_sort = move || {
        let sort = current.get();
        if sort == descending && ascending.is_some() {
            "descending"
        } else if Some(sort) == ascending || (sort == descending && ascending.is_none()) {
            "ascending"
        } else {
            "none"
        }
    };
    let arrow = move || match aria_sort() {
        "descending" => " \u{25BC}",
        "ascending" => " \u{25B2}",
        _ => "",
    };
    let on_click = move |_| {
        let next = match ascending {
            Some(ascending) if current.get_untracked() == descending => ascending,
            _ => descending,
        };
        on_sort.run(next);
    };
    view! {
        <th scope="col" aria-sort=aria_sort class:numeric=numeric>
            <button type="button" class="sort-button" on:click=on_click>
                {label}
                <span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

#[component]
fn AccountRow(account: AccountSummary, on_open: Callback<String>) -> impl IntoView {
    let href = format!("/accounts/{}", account.id);
    let open_on_click = {
        let href = href.clone();
        move |event: leptos::ev::MouseEvent| {
            // A click on the link itself is left to the link, so it is not followed twice.
            let on_link = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest("a").ok().flatten())
                .is_some();
            if !on_link {
                on_open.run(href.clone());
            }
        }
    };
    let open_on_enter = {
        let href = href.clone();
        move |event: leptos::ev::KeyboardEvent| {
            if event.key() == "Enter" {
                event.prevent_default();
                on_open.run(href.clone());
            }
        }
    };
    let currency = account.currency;
    let debtor = match account.debtor_name.clone() {
        Some(name) if !account.contact_flags.name_missing => view! { <span>{name}</span> }.into_any(),
        _ => view! { <span class="badge flag-warn">"Name missing"</span> }.into_any(),
    };
    let agent = match account.assigned_agent_name.clone() {
        Some(name) => view! { <span>{name}</span> }.into_any(),
        None => view! { <span class="muted">"Unassigned"</span> }.into_any(),
    };
    let days_past_due = account.days_past_due.map(|days| days.to_string()).unwrap_or_else(|| "\u{2014}".to_string());

    view! {
        <tr
            tabindex="0"
            class="row-link"
            data-account-ref=account.account_ref.clone()
            aria-label=format!("Account {}", account.account_ref)
            on:click=open_on_click
            on:keydown=open_on_enter
        >
            <td class="ref">
                // The row is the keyboard target, so the link stays out of the tab order.
                <a href=href tabindex="-1">
                    {account.account_ref.clone()}
                </a>
            </td>
            <td>{debtor}</td>
            <td>{account.creditor_name.clone()}</td>
            <td>
                <StatusBadge status=account.status />
            </td>
            <td class="numeric">
                <MoneyAmount amount=account.balance.total currency=currency />
            </td>
            <td class="numeric">{days_past_due}</td>
            <td class="nowrap">{format_optional_date(account.last_payment_on)}</td>
            <td>{agent}</td>
            <td class="flags">
                <ContactFlagBadges flags=account.contact_flags />
            </td>
        </tr>
    }
}

/// Column count of the worklist table, for rows that span all columns.
pub const COLUMN_COUNT: u32 = 9;

#[component]
pub fn AccountsTable(
    sort: Signal<AccountSort>,
    on_sort: Callback<AccountSort>,
    /// Rows, or the message row shown in their place.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table id="worklist-table" class="data-table">
                <caption class="visually-hidden">
                    "Delinquent accounts. Select a row or press Enter on it to open the account."
                </caption>
                <thead>
                    <tr>
                        <SortHeader label="Account ref" descending=AccountSort::AccountRef ascending=None current=sort on_sort=on_sort />
                        <th scope="col">"Debtor"</th>
                        <th scope="col">"Creditor"</th>
                        <th scope="col">"Status"</th>
                        <SortHeader
                            label="Balance"
                            descending=AccountSort::BalanceDesc
                            ascending=Some(AccountSort::BalanceAsc)
                            current=sort
                            on_sort=on_sort
                            numeric=true
                        />
                        <SortHeader
                            label="Days past due"
                            descending=AccountSort::DpdDesc
                            ascending=Some(AccountSort::DpdAsc)
                            current=sort
                            on_sort=on_sort
                            numeric=true
                        />
                        <th scope="col">"Last payment"</th>
                        <th scope="col">"Agent"</th>
                        <th scope="col">"Contact"</th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// Renders the rows of one page of accounts.
pub fn account_rows(accounts: Vec<AccountSummary>, on_open: Callback<String>) -> impl IntoView {
    accounts.into_iter().map(|account| view! { <AccountRow account=account on_open=on_open /> }).collect_view()
}
