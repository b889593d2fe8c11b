//! The "Log a call" form, with the contact check for the call's start time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::accounts::PhoneDto;
use shared::contact::{CallDirection, CallOutcome, Channel, EligibilityDto};
use shared::{Currency, FieldError};
use uuid::Uuid;

use super::draft::{field, CallDraft};
use crate::api::{self, ApiError};
use crate::app::use_session;
use crate::components::{format_datetime, ErrorBanner, FieldMessage};

/// Maximum length of notes that the form sends, in characters.
const NOTES_MAX_CHARS: usize = 2000;

const FORM_FIELDS: [&str; 7] = [
    field::PHONE,
    field::NOTES,
    field::FOLLOW_UP_ON,
    field::STARTED_AT,
    field::OVERRIDE_REASON,
    field::PROMISE_AMOUNT,
    field::PROMISE_ON,
];

#[component]
pub fn CallForm(
    account_id: Uuid,
    currency: Currency,
    phones: Vec<PhoneDto>,
    /// Counts the changes made on the account page. The contact check runs
    /// again on each, because a dispute or a hold changes its result.
    activity: RwSignal<u64>,
    /// Called with a confirmation once the server logged the call.
    on_logged: Callback<String>,
) -> impl IntoView {
    // Numbers that can be dialled: valid ones first, as the debtor's record lists them.
    let mut dialable: Vec<PhoneDto> = phones.into_iter().filter(|phone| phone.e164.is_some()).collect();
    dialable.sort_by_key(|phone| !phone.is_valid);
    let first_number = dialable.first().and_then(|phone| phone.e164.clone()).unwrap_or_default();
    let may_override = use_session().user().is_some_and(|user| user.role.sees_all_accounts());

    let draft = RwSignal::new(CallDraft::new(first_number.clone()));
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    let check = RwSignal::new(None::<Result<EligibilityDto, ApiError>>);

    // Checks the contact rules for the start time as typed, or for now.
    let check_generation = StoredValue::new(0u64);
    // Only the start time and the number change the answer, so typing the
    // notes or other fields sends no check.
    let check_input = Memo::new(move |_| draft.with(|draft| (draft.started_at.clone(), draft.phone.trim().to_string())));
    Effect::new(move |_| {
        activity.track();
        let (_, phone) = check_input.get();
        let at = draft.with_untracked(|draft| draft.started_at());
        let Ok(at) = at else {
            check.set(None);
            return;
        };
        let phone = (!phone.is_empty()).then_some(phone);
        let this_check = check_generation.get_value() + 1;
        check_generation.set_value(this_check);
        spawn_local(async move {
            let response = api::contact_eligibility(account_id, Channel::Call, at, phone).await;
            if check_generation.try_get_value() == Some(this_check) {
                check.try_set(Some(response));
            }
        });
    });

    let message_for = move |name: &'static str| {
        Signal::derive(move || {
            let own: Vec<String> = problems.with(|problems| {
                problems.iter().filter(|problem| problem.field == name).map(|problem| problem.message.clone()).collect()
            });
            if !own.is_empty() {
                return Some(own.join(" "));
            }
            error.with(|error| error.as_ref().and_then(|error| error.field_message(name)))
        })
    };
    let phone_message = message_for(field::PHONE);
    let notes_message = message_for(field::NOTES);
    let follow_up_message = message_for(field::FOLLOW_UP_ON);
    let started_message = message_for(field::STARTED_AT);
    let override_message = message_for(field::OVERRIDE_REASON);
    let amount_message = message_for(field::PROMISE_AMOUNT);
    let promise_on_message = message_for(field::PROMISE_ON);
    let banner = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            let shown_at_field = error.field_errors().iter().any(|problem| FORM_FIELDS.contains(&problem.field.as_str()));
            Some(if shown_at_field {
                "The call was not logged. Correct the fields marked below and log it again.".to_string()
            } else {
                format!("The call was not logged. {}", error.message())
            })
        })
    };
    let takes_promise = move || draft.with(|draft| draft.outcome == CallOutcome::PromiseTaken);
    let outbound = move || draft.with(|draft| draft.direction == CallDirection::Outbound);

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        let request = match draft.with_untracked(|draft| draft.to_request(currency)) {
            Ok(request) => request,
            Err(found) => {
                problems.set(found);
                return;
            }
        };
        problems.set(Vec::new());
        saving.set(true);
        let first_number = first_number.clone();
        spawn_local(async move {
            match api::log_call(account_id, &request).await {
                Ok(call) => {
                    let mut message = format!("Call logged: {}.", call.outcome.label());
                    if call.promise_id.is_some() {
                        message.push_str(" The promise to pay was recorded.");
                    }
                    draft.try_set(CallDraft::new(first_number));
                    on_logged.run(message);
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
            saving.try_set(false);
        });
    };

    let phone_options = dialable
        .into_iter()
        .map(|phone| {
            let number = phone.e164.clone().unwrap_or_default();
            let mut label = format!("{number} ({})", phone.phone_type.replace('_', " "));
            if !phone.is_valid {
                label.push_str(", invalid");
            }
            if phone.do_not_call {
                label.push_str(", do not call");
            }
            let selected_number = number.clone();
            view! {
                <option value=number prop:selected=move || draft.with(|draft| draft.phone == selected_number)>
                    {label}
                </option>
            }
        })
        .collect_view();

    view! {
        <form class="call-form" on:submit=on_submit novalidate=true>
            {move || banner().map(|message| view! { <ErrorBanner message=message id="call-error" /> })}
            <div class="field-row">
                <div class="field">
                    <label for="call-direction">"Direction"</label>
                    <select
                        id="call-direction"
                        on:change=move |event| {
                            let chosen = CallDirection::parse(&event_target_value(&event)).unwrap_or(CallDirection::Outbound);
                            draft.update(|draft| draft.direction = chosen);
                        }
                    >
                        {CallDirection::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.as_str() prop:selected=move || draft.with(|draft| draft.direction == choice)>
                                        {choice.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="call-phone">"Number"</label>
                    <select
                        id="call-phone"
                        aria-describedby="call-phone-error"
                        on:change=move |event| draft.update(|draft| draft.phone = event_target_value(&event))
                    >
                        <option value="" prop:selected=move || draft.with(|draft| draft.phone.is_empty())>
                            {move || if outbound() { "Choose a number" } else { "Not on record" }}
                        </option>
                        {phone_options}
                    </select>
                    <FieldMessage id="call-phone-error" message=phone_message />
                </div>
                <div class="field">
                    <label for="call-outcome">"Outcome"</label>
                    <select
                        id="call-outcome"
                        on:change=move |event| {
                            let chosen = CallOutcome::parse(&event_target_value(&event)).unwrap_or(CallOutcome::NoAnswer);
                            draft.update(|draft| draft.outcome = chosen);
                        }
                    >
                        {CallOutcome::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.as_str() prop:selected=move || draft.with(|draft| draft.outcome == choice)>
                                        {choice.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="call-started-at">"Call started (UTC; empty for now)"</label>
                    <input
                        id="call-started-at"
                        type="datetime-local"
                        aria-describedby="call-started-at-error"
                        aria-invalid=move || started_message.get().is_some().to_string()
                        prop:value=move || draft.with(|draft| draft.started_at.clone())
                        on:input=move |event| draft.update(|draft| draft.started_at = event_target_value(&event))
                    />
                    <FieldMessage id="call-started-at-error" message=started_message />
                </div>
                <div class="field">
                    <label for="call-follow-up">"Follow up on (optional)"</label>
                    <input
                        id="call-follow-up"
                        type="date"
                        aria-describedby="call-follow-up-error"
                        prop:value=move || draft.with(|draft| draft.follow_up_on.clone())
                        on:input=move |event| draft.update(|draft| draft.follow_up_on = event_target_value(&event))
                    />
                    <FieldMessage id="call-follow-up-error" message=follow_up_message />
                </div>
            </div>
            <Show when=takes_promise>
                <div class="field-row">
                    <div class="field field-amount">
                        <label for="call-promise-amount">{format!("Promised amount ({})", currency.code())}</label>
                        <input
                            id="call-promise-amount"
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            aria-describedby="call-promise-amount-error"
                            prop:value=move || draft.with(|draft| draft.promise_amount.clone())
                            on:input=move |event| draft.update(|draft| draft.promise_amount = event_target_value(&event))
                        />
                        <FieldMessage id="call-promise-amount-error" message=amount_message />
                    </div>
                    <div class="field">
                        <label for="call-promise-on">"Promised to pay by"</label>
                        <input
                            id="call-promise-on"
                            type="date"
                            aria-describedby="call-promise-on-error"
                            prop:value=move || draft.with(|draft| draft.promise_on.clone())
                            on:input=move |event| draft.update(|draft| draft.promise_on = event_target_value(&event))
                        />
                        <FieldMessage id="call-promise-on-error" message=promise_on_message />
                    </div>
                </div>
            </Show>
            <div class="field">
                <label for="call-notes">"Notes (optional)"</label>
                <textarea
                    id="call-notes"
                    rows="2"
                    maxlength=NOTES_MAX_CHARS.to_string()
                    aria-describedby="call-notes-error"
                    prop:value=move || draft.with(|draft| draft.notes.clone())
                    on:input=move |event| draft.update(|draft| draft.notes = event_target_value(&event))
                ></textarea>
                <FieldMessage id="call-notes-error" message=notes_message />
            </div>
            <Show when=move || outbound()>
                <ContactCheck check=check />
            </Show>
            <Show when=move || may_override && outbound() && matches!(check.get(), Some(Ok(ref found)) if !found.allowed)>
                <div class="field">
                    <label for="call-override">"Reason to call anyway (managers; audited)"</label>
                    <input
                        id="call-override"
                        type="text"
                        aria-describedby="call-override-error"
                        prop:value=move || draft.with(|draft| draft.override_reason.clone())
                        on:input=move |event| draft.update(|draft| draft.override_reason = event_target_value(&event))
                    />
                    <FieldMessage id="call-override-error" message=override_message />
                </div>
            </Show>
            <button type="submit" id="call-save" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving\u{2026}" } else { "Log call" }}
            </button>
        </form>
    }
}

/// Says whether the contact rules allow the call, and why not.
#[component]
fn ContactCheck(check: RwSignal<Option<Result<EligibilityDto, ApiError>>>) -> impl IntoView {
    move || match check.get() {
        None => view! { <p class="contact-check" id="contact-check">"Checking the contact rules\u{2026}"</p> }.into_any(),
        Some(Err(error)) => view! {
            <p class="contact-check" id="contact-check">
                {format!("The contact rules could not be checked. {}", error.message())}
            </p>
        }
        .into_any(),
        Some(Ok(found)) if found.allowed => {
            view! { <p class="contact-check allowed" id="contact-check">"The contact rules allow a call at this time."</p> }
                .into_any()
        }
        Some(Ok(found)) => view! {
            <div class="contact-check blocked" id="contact-check" role="status">
                <p>"The contact rules do not allow a call at this time:"</p>
                <ul>
                    {found
                        .reasons
                        .into_iter()
                        .map(|reason| view! { <li data-code=reason.code>{reason.message}</li> })
                        .collect_view()}
                </ul>
                <p>
                    {match found.next_allowed_at {
                        Some(at) => format!("Next allowed: {}.", format_datetime(at)),
                        None => "Waiting will not make a call allowed.".to_string(),
                    }}
                </p>
            </div>
        }
        .into_any(),
    }
}
