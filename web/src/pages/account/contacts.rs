//! The debtor's addresses, phone numbers and email addresses with their validity.

use leptos::prelude::*;
use shared::accounts::{AddressDto, ContactFlags, DebtorDto, EmailDto, PhoneDto};

use crate::components::ContactFlagBadges;

fn validity_badge(is_valid: bool) -> impl IntoView {
    if is_valid {
        view! { <span class="badge flag-ok">"Valid"</span> }
    } else {
        view! { <span class="badge flag-danger">"Invalid"</span> }
    }
}

fn address_text(address: &AddressDto) -> String {
    let city_line = [address.postal_code.as_deref(), address.city.as_deref(), address.region.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<&str> = [
        address.line1.as_deref(),
        address.line2.as_deref(),
        Some(city_line.as_str()),
        address.country.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect();
    if parts.is_empty() {
        "(empty address)".to_string()
    } else {
        parts.join(", ")
    }
}

fn address_row(address: AddressDto) -> impl IntoView {
    let text = address_text(&address);
    view! {
        <tr>
            <td>{text}</td>
            <td>
                {validity_badge(address.is_valid)}
                {address.invalid_reason.map(|reason| view! { <span class="muted contact-note">{reason}</span> })}
            </td>
        </tr>
    }
}

fn phone_row(phone: PhoneDto) -> impl IntoView {
    let number = phone.e164.clone().unwrap_or_else(|| phone.raw.clone());
    let raw_note = phone.e164.as_ref().filter(|e164| **e164 != phone.raw).map(|_| format!("as placed: {}", phone.raw));
    view! {
        <tr>
            <td>
                <span class="nowrap">{number}</span>
                {raw_note.map(|note| view! { <span class="muted contact-note">{note}</span> })}
            </td>
            <td>{phone.phone_type.replace('_', " ")}</td>
            <td>
                <span class="badges">
                    {validity_badge(phone.is_valid)}
                    {phone.do_not_call.then(|| view! { <span class="badge flag-danger">"Do not call"</span> })}
                </span>
            </td>
        </tr>
    }
}

fn email_row(email: EmailDto) -> impl IntoView {
    view! {
        <tr>
            <td>{email.address}</td>
            <td>
                <span class="badges">
                    {validity_badge(email.is_valid)}
                    {email.opted_out.then(|| view! { <span class="badge flag-danger">"Opted out"</span> })}
                </span>
            </td>
        </tr>
    }
}

#[component]
pub fn DebtorContacts(debtor: DebtorDto, flags: ContactFlags) -> impl IntoView {
    let kind = if debtor.kind == "company" { "Company" } else { "Person" };
    let name = debtor.name.clone();
    view! {
        <dl class="facts inline">
            <dt>"Name"</dt>
            <dd>
                {match name {
                    Some(name) => view! { <span>{name}</span> }.into_any(),
                    None => view! { <span class="badge flag-warn">"Name missing"</span> }.into_any(),
                }}
            </dd>
            <dt>"Debtor ref"</dt>
            <dd class="ref">{debtor.debtor_ref.clone()}</dd>
            <dt>"Kind"</dt>
            <dd>{kind}</dd>
            <dt>"Contact"</dt>
            <dd>
                <ContactFlagBadges flags=flags />
            </dd>
        </dl>
        <div class="contact-lists">
            <div class="contact-list">
                <h3>"Addresses"</h3>
                {if debtor.addresses.is_empty() {
                    view! { <p class="muted">"No address on file."</p> }.into_any()
                } else {
                    view! {
                        <div class="scroll-x">
                            <table class="data-table compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Address"</th>
                                        <th scope="col">"Validity"</th>
                                    </tr>
                                </thead>
                                <tbody>{debtor.addresses.clone().into_iter().map(address_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </div>
            <div class="contact-list">
                <h3>"Phone numbers"</h3>
                {if debtor.phones.is_empty() {
                    view! { <p class="muted">"No phone number on file."</p> }.into_any()
                } else {
                    view! {
                        <div class="scroll-x">
                            <table class="data-table compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Number"</th>
                                        <th scope="col">"Type"</th>
                                        <th scope="col">"Validity"</th>
                                    </tr>
                                </thead>
                                <tbody>{debtor.phones.clone().into_iter().map(phone_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </div>
            <div class="contact-list">
                <h3>"Email addresses"</h3>
                {if debtor.emails.is_empty() {
                    view! { <p class="muted">"No email address on file."</p> }.into_any()
                } else {
                    view! {
                        <div class="scroll-x">
                            <table class="data-table compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Address"</th>
                                        <th scope="col">"Validity"</th>
                                    </tr>
                                </thead>
                                <tbody>{debtor.emails.clone().into_iter().map(email_row).collect_view()}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </div>
        </div>
    }
}
