//! Disputes on the account page: the list, the form that raises one, and
//! for managers and administrators the verification of an open dispute.

mod raise;
mod verify;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::contact::{DisputeDto, DisputeStatus, DISPUTE_NOTE_MAX_CHARS};
use uuid::Uuid;

use self::raise::RaiseDisputeForm;
use self::verify::VerifyDisputeForm;
use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{format_date, format_datetime, ErrorBanner, Notice, TableMessageRow};

/// Column count of the dispute table, for rows that span all columns.
const COLUMN_COUNT: u32 = 4;

/// Checks a dispute or verification note: at most `DISPUTE_NOTE_MAX_CHARS`
/// characters, without NUL, and not blank when `required`. Returns the trimmed text.
fn check_note(text: &str, required: bool) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() && required {
        return Err("Say how the debt was verified and what was sent.".to_string());
    }
    let count = trimmed.chars().count();
    if count > DISPUTE_NOTE_MAX_CHARS {
        return Err(format!("The note has {count} characters; shorten it to at most {DISPUTE_NOTE_MAX_CHARS}."));
    }
    if trimmed.contains('\0') {
        return Err("The note contains a NUL character; remove it.".to_string());
    }
    Ok(trimmed.to_string())
}

#[component]
pub fn DisputesSection(
    account_id: Uuid,
    /// Counts the changes made on the account page. A dispute or its
    /// verification adds one, so the timeline and the contact checks load
    /// again. The list loads again on each, because a call can raise a dispute.
    activity: RwSignal<u64>,
) -> impl IntoView {
    let may_verify = use_session().user().is_some_and(|user| user.role.sees_all_accounts());
    let disputes = RwSignal::new(None::<Result<Vec<DisputeDto>, ApiError>>);
    let notice = RwSignal::new(None::<String>);

    let load = move || {
        spawn_local(async move {
            let response = api::list_disputes(account_id).await;
            disputes.try_set(Some(response));
        });
    };
    Effect::new(move |_| {
        activity.track();
        load();
    });

    let on_raised = Callback::new(move |_: DisputeDto| {
        notice.set(Some("Dispute raised. Contact with the debtor is on hold until it is verified.".to_string()));
        activity.update(|count| *count += 1);
    });
    let on_verified = Callback::new(move |_: DisputeDto| {
        notice.set(Some(
            "Verification recorded. Contact may resume once no dispute on the account is open.".to_string(),
        ));
        activity.update(|count| *count += 1);
    });

    let rows = move || match disputes.get() {
        None => view! { <TableMessageRow colspan=COLUMN_COUNT>"Loading disputes\u{2026}"</TableMessageRow> }.into_any(),
        Some(Err(error)) => view! {
            <TableMessageRow colspan=COLUMN_COUNT>
                <ErrorBanner message=format!("The disputes could not be loaded. {}", error.message()) id="disputes-error" />
                <button type="button" on:click=move |_| load()>
                    "Load disputes again"
                </button>
            </TableMessageRow>
        }
        .into_any(),
        Some(Ok(items)) if items.is_empty() => {
            view! { <TableMessageRow colspan=COLUMN_COUNT>"No disputes on this account."</TableMessageRow> }.into_any()
        }
        Some(Ok(items)) => items
            .into_iter()
            .map(|dispute| view! { <DisputeRow dispute=dispute may_verify=may_verify on_verified=on_verified /> })
            .collect_view()
            .into_any(),
    };

    view! {
        <div class="payments-layout">
            <section class="card" aria-labelledby="dispute-form-heading">
                <h2 id="dispute-form-heading">"Raise a dispute"</h2>
                {move || notice.get().map(|message| view! { <div id="dispute-notice"><Notice message=message /></div> })}
                <RaiseDisputeForm account_id=account_id on_raised=on_raised />
            </section>
            <section class="card" aria-labelledby="disputes-heading">
                <h2 id="disputes-heading">"Disputes"</h2>
                <div class="table-wrap">
                    <table class="data-table" id="disputes-table">
                        <caption class="visually-hidden">"Disputes on this account, newest first."</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Raised"</th>
                                <th scope="col">"Note"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Verification"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        </div>
    }
}

#[component]
fn DisputeRow(dispute: DisputeDto, may_verify: bool, on_verified: Callback<DisputeDto>) -> impl IntoView {
    let (status_class, status_label) = match dispute.status {
        DisputeStatus::Open => ("badge plan-warn", "Open"),
        DisputeStatus::Verified => ("badge plan-good", "Verified"),
    };
    let raised_on_call = dispute.call_id.is_some().then_some(" (on a call)");
    let verification = match dispute.status {
        DisputeStatus::Verified => {
            let sent = match (dispute.verification_sent_via, dispute.verification_sent_on) {
                (Some(channel), Some(day)) => format!("Sent by {} on {}.", channel.as_str(), format_date(day)),
                _ => "Verified.".to_string(),
            };
            view! {
                <span>{sent}</span>
                {dispute.verification_note.clone().map(|note| view! { <span class="payment-note muted">{note}</span> })}
            }
            .into_any()
        }
        DisputeStatus::Open if may_verify => {
            view! { <VerifyDisputeForm dispute_id=dispute.id on_verified=on_verified /> }.into_any()
        }
        DisputeStatus::Open => {
            view! { <span class="muted">"A manager or an administrator records the verification."</span> }.into_any()
        }
    };
    view! {
        <tr data-dispute-id=dispute.id.to_string() data-dispute-status=match dispute.status {
            DisputeStatus::Open => "open",
            DisputeStatus::Verified => "verified",
        }>
            <td class="nowrap">{format_datetime(dispute.raised_at)} {raised_on_call}</td>
            <td>{dispute.note.clone().unwrap_or_else(|| "\u{2014}".to_string())}</td>
            <td>
                <span class=status_class>{status_label}</span>
            </td>
            <td>{verification}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_trimmed() {
        assert_eq!(check_note("  goods never arrived \n", false), Ok("goods never arrived".to_string()));
    }

    #[test]
    fn blank_note_only_when_optional() {
        assert_eq!(check_note("  ", false), Ok(String::new()));
        assert!(check_note("  ", true).is_err());
    }

    #[test]
    fn long_note_rejected() {
        let long = "x".repeat(DISPUTE_NOTE_MAX_CHARS + 1);
        let problem = check_note(&long, false).unwrap_err();
        assert!(problem.contains("at most 2000"), "{problem}");
    }
}
