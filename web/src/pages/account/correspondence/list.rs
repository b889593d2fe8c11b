//! The account's letters and emails, newest first.

use futures::FutureExt;
use leptos::prelude::*;
use shared::correspondence::{CorrespondenceDto, CorrespondenceStatus, TemplateChannel};

use crate::api;
use crate::components::{format_datetime, PdfLink};

/// Column count of the correspondence table, for rows that span all columns.
pub const COLUMN_COUNT: u32 = 6;

fn status_label(status: CorrespondenceStatus) -> &'static str {
    match status {
        CorrespondenceStatus::Generated => "Ready to print",
        CorrespondenceStatus::Queued => "Queued",
        CorrespondenceStatus::Sending => "Sending",
        CorrespondenceStatus::Sent => "Sent",
        CorrespondenceStatus::Failed => "Failed",
        CorrespondenceStatus::Blocked => "Blocked",
    }
}

fn status_class(status: CorrespondenceStatus) -> &'static str {
    match status {
        CorrespondenceStatus::Generated | CorrespondenceStatus::Sent => "badge plan-good",
        CorrespondenceStatus::Queued | CorrespondenceStatus::Sending => "badge",
        CorrespondenceStatus::Failed | CorrespondenceStatus::Blocked => "badge plan-bad",
    }
}

pub fn channel_label(channel: TemplateChannel) -> &'static str {
    match channel {
        TemplateChannel::Letter => "Letter",
        TemplateChannel::Email => "Email",
    }
}

#[component]
pub fn CorrespondenceRow(
    item: CorrespondenceDto,
    /// The template's name, or its key when the template list is not loaded.
    template_name: String,
) -> impl IntoView {
    let has_pdf = item.channel == TemplateChannel::Letter && item.status == CorrespondenceStatus::Generated;
    let pdf_link = has_pdf.then(|| {
        let id = item.id;
        let fetch = Callback::new(move |_: ()| api::download_letter_pdf(id).boxed_local());
        view! {
            <PdfLink
                href=api::letter_pdf_path(id)
                file_name=format!("letter-{}-v{}.pdf", item.template_key, item.version)
                label="PDF"
                document="letter"
                class="letter-link"
                fetch=fetch
                id=Some(format!("letter-pdf-{id}"))
            />
        }
    });
    let blocked = (!item.blocked_reasons.is_empty()).then(|| format!("Blocked by: {}", item.blocked_reasons.join(", ")));
    let sent = item.sent_at.map(|at| format!("Sent {}", format_datetime(at)));
    view! {
        <tr
            data-correspondence-id=item.id.to_string()
            data-status=item.status.as_str()
            data-version=item.version.to_string()
        >
            <td class="nowrap">{format_datetime(item.created_at)}</td>
            <td>
                {template_name} <span class="payment-note muted">{item.template_key.clone()}</span>
            </td>
            <td class="numeric">{format!("v{}", item.version)}</td>
            <td>{channel_label(item.channel)}</td>
            <td>
                <span class=status_class(item.status)>{status_label(item.status)}</span>
                {blocked.map(|text| view! { <span class="payment-note muted">{text}</span> })}
                {item.last_error.clone().map(|text| view! { <span class="payment-note muted">{format!("Error: {text}")}</span> })}
                {sent.map(|text| view! { <span class="payment-note muted">{text}</span> })}
            </td>
            <td>{pdf_link}</td>
        </tr>
    }
}

/// Renders the table around the rows, with its header.
#[component]
pub fn CorrespondenceTable(children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" id="correspondence-table">
                <caption class="visually-hidden">"Letters and emails on this account, newest first."</caption>
                <thead>
                    <tr>
                        <th scope="col">"Made"</th>
                        <th scope="col">"Template"</th>
                        <th scope="col" class="numeric">"Version"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"File"</th>
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
