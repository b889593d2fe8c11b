//! The journal entries that touched the account.

use leptos::prelude::*;
use shared::accounts::LedgerEntryDto;
use shared::Currency;

use crate::components::{format_date, format_datetime, MoneyAmount};

#[component]
pub fn LedgerTable(entries: Vec<LedgerEntryDto>, currency: Currency) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"No ledger entries."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table" id="ledger-table">
                <thead>
                    <tr>
                        <th scope="col">"Effective"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Memo"</th>
                        <th scope="col" class="numeric">"Principal"</th>
                        <th scope="col" class="numeric">"Interest"</th>
                        <th scope="col" class="numeric">"Fees"</th>
                        <th scope="col" class="numeric">"Total change"</th>
                        <th scope="col">"Recorded"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|entry| {
                            view! {
                                <tr>
                                    <td class="nowrap">{format_date(entry.effective_on)}</td>
                                    <td>{entry.kind.replace('_', " ")}</td>
                                    <td>{entry.memo}</td>
                                    <td class="numeric">
                                        <MoneyAmount amount=entry.change.principal currency=currency />
                                    </td>
                                    <td class="numeric">
                                        <MoneyAmount amount=entry.change.interest currency=currency />
                                    </td>
                                    <td class="numeric">
                                        <MoneyAmount amount=entry.change.fees currency=currency />
                                    </td>
                                    <td class="numeric">
                                        <MoneyAmount amount=entry.change.total currency=currency />
                                    </td>
                                    <td class="nowrap muted">{format_datetime(entry.created_at)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
