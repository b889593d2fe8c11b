//! Status and contact-data badges.

use leptos::prelude::*;
use shared::accounts::ContactFlags;
use shared::status::AccountStatus;

#[component]
pub fn StatusBadge(status: AccountStatus) -> impl IntoView {
    let class = format!("badge status-{}", status.as_str().replace('_', "-"));
    view! { <span class=class>{status.label()}</span> }
}

/// Renders one badge per unusable contact channel, or a single one when none is usable.
#[component]
pub fn ContactFlagBadges(flags: ContactFlags) -> impl IntoView {
    let mut badges: Vec<(&'static str, &'static str)> = Vec::new();
    if flags.no_valid_contact() {
        badges.push(("badge flag-danger", "No valid contact"));
    } else {
        if flags.no_valid_phone {
            badges.push(("badge flag-warn", "No phone"));
        }
        if flags.no_valid_address {
            badges.push(("badge flag-warn", "No address"));
        }
        if flags.no_valid_email {
            badges.push(("badge flag-warn", "No email"));
        }
    }
    if badges.is_empty() {
        return view! { <span class="muted">"Reachable"</span> }.into_any();
    }
    badges
        .into_iter()
        .map(|(class, label)| view! { <span class=class>{label}</span> })
        .collect_view()
        .into_any()
}
