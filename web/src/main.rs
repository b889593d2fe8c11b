//! Recovery Desk web app: a client-side rendered Leptos app served by the API server.

mod api;
mod app;
mod components;
mod pages;

fn main() {
    // Panics appear in the browser console with their message instead of `unreachable`.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
