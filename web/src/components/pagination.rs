//! Previous and next page buttons for cursor-paginated lists.

use leptos::prelude::*;

#[component]
pub fn Pagination(
    #[prop(into)] has_previous: Signal<bool>,
    #[prop(into)] has_next: Signal<bool>,
    /// Text between the buttons, such as "Page 2".
    #[prop(into)]
    label: Signal<String>,
    on_previous: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    view! {
        <nav class="pagination" aria-label="Pages">
            <button
                type="button"
                id="page-previous"
                disabled=move || !has_previous.get()
                on:click=move |_| on_previous.run(())
            >
                "Previous page"
            </button>
            <span class="page-label">{move || label.get()}</span>
            <button
                type="button"
                id="page-next"
                disabled=move || !has_next.get()
                on:click=move |_| on_next.run(())
            >
                "Next page"
            </button>
        </nav>
    }
}
