//! Pieces of data tables.

use leptos::prelude::*;

/// Renders a table row spanning every column, for loading, empty and error states.
#[component]
pub fn TableMessageRow(colspan: u32, children: Children) -> impl IntoView {
    view! {
        <tr class="message-row">
            <td colspan=colspan.to_string()>{children()}</td>
        </tr>
    }
}
