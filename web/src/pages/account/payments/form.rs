//! The "Record payment" form: method, amount, dates, instrument and receipt delivery.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::payments::{PaymentMethod, ReceiptDelivery};
use shared::{Currency, FieldError};
use uuid::Uuid;

use super::draft::{field, reference_label, PaymentDraft};
use crate::pages::account::keys::PendingKeys;
use super::result::PaymentResult;
use crate::api::{self, as_sentence, ApiError, PaymentOutcome};
use crate::components::{browser_today, ErrorBanner, FieldMessage};

/// Every field name the form shows a message for. Server messages about
/// other fields go into the banner above the form.
const FORM_FIELDS: [&str; 11] = [
    field::METHOD,
    field::AMOUNT,
    field::CURRENCY,
    field::RECEIVED_ON,
    field::CHEQUE_NUMBER,
    field::DRAWEE_BANK,
    field::CHEQUE_DATE,
    field::CARD_LAST4,
    field::GATEWAY_REFERENCE,
    field::REFERENCE,
    field::RECEIPT_DELIVERY,
];

/// Returns the element id of a field's input, for moving focus to the first problem.
fn input_id(field_name: &str) -> &'static str {
    match field_name {
        field::METHOD => "payment-method",
        field::RECEIVED_ON => "payment-received-on",
        field::CHEQUE_NUMBER => "payment-cheque-number",
        field::DRAWEE_BANK => "payment-drawee-bank",
        field::CHEQUE_DATE => "payment-cheque-date",
        field::CARD_LAST4 => "payment-card-last4",
        field::GATEWAY_REFERENCE => "payment-gateway-reference",
        field::REFERENCE => "payment-reference",
        field::RECEIPT_DELIVERY => "payment-receipt-delivery",
        _ => "payment-amount",
    }
}

/// Scrolls the confirmation of a posted payment to the top of the window and
/// moves focus to its heading, so that screen readers read it next.
fn show_result() {
    let result = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("payment-result"));
    if let Some(result) = result {
        result.scroll_into_view_with_bool(true);
    }
    focus_element("payment-result-heading");
}

fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

fn delivery_value(delivery: ReceiptDelivery) -> &'static str {
    match delivery {
        ReceiptDelivery::None => "none",
        ReceiptDelivery::Email => "email",
        ReceiptDelivery::Print => "print",
    }
}

fn delivery_label(delivery: ReceiptDelivery) -> &'static str {
    match delivery {
        ReceiptDelivery::None => "Do not send",
        ReceiptDelivery::Email => "Email to the debtor",
        ReceiptDelivery::Print => "Print to hand over",
    }
}

/// Renders one text input with its label, hint and message.
#[component]
fn TextField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    message: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] input_mode: Option<&'static str>,
    #[prop(optional)] max_length: Option<u32>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                inputmode=input_mode
                maxlength=max_length.map(|length| length.to_string())
                aria-describedby=described_by
                aria-invalid=move || message.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
            <FieldMessage id=error_id message=message />
        </div>
    }
}

/// Renders one date input with its label, hint and message.
#[component]
fn DateField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    message: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// Latest date the picker offers, as `YYYY-MM-DD`.
    #[prop(optional)]
    max: Option<String>,
    /// Called on every change, after `value` is set.
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="date"
                max=max
                aria-describedby=described_by
                aria-invalid=move || message.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |event| {
                    value.set(event_target_value(&event));
                    if let Some(callback) = on_edit {
                        callback.run(());
                    }
                }
            />
            {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
            <FieldMessage id=error_id message=message />
        </div>
    }
}

#[component]
pub fn PaymentForm(
    account_id: Uuid,
    currency: Currency,
    /// Keys of payments with an unknown outcome, by account id.
    keys: PendingKeys,
    /// The confirmation of the last payment posted, shown above the form.
    result: RwSignal<Option<PaymentOutcome>>,
    /// Called after the server recorded a payment, including a replay of one recorded before.
    on_posted: Callback<PaymentOutcome>,
    /// Called when the server reports that an earlier attempt already posted,
    /// so the payment list must be loaded again to show it.
    on_list_stale: Callback<()>,
) -> impl IntoView {
    let today = browser_today().format("%Y-%m-%d").to_string();

    let method = RwSignal::new(None::<PaymentMethod>);
    let amount = RwSignal::new(String::new());
    let received_on = RwSignal::new(today.clone());
    let received_on_edited = RwSignal::new(false);
    let cheque_number = RwSignal::new(String::new());
    let drawee_bank = RwSignal::new(String::new());
    let cheque_date = RwSignal::new(String::new());
    let card_last4 = RwSignal::new(String::new());
    let gateway_reference = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let receipt_delivery = RwSignal::new(ReceiptDelivery::None);

    let problems = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<ApiError>);
    let posting = RwSignal::new(false);

    let reset_inputs = {
        let today = today.clone();
        move || {
            method.set(None);
            amount.set(String::new());
            received_on.set(today.clone());
            received_on_edited.set(false);
            for text in [cheque_number, drawee_bank, cheque_date, card_last4, gateway_reference, reference] {
                text.set(String::new());
            }
            receipt_delivery.set(ReceiptDelivery::None);
        }
    };

    // The form's own problems for a field come first, because the server's are from the previous submission.
    let message_for = move |fields: &'static [&'static str]| {
        Signal::derive(move || {
            let own: Vec<String> = problems.with(|problems| {
                problems
                    .iter()
                    .filter(|problem| fields.contains(&problem.field.as_str()))
                    .map(|problem| problem.message.clone())
                    .collect()
            });
            if !own.is_empty() {
                return Some(own.join(" "));
            }
            let from_server: Vec<String> = error.with(|error| {
                fields.iter().filter_map(|name| error.as_ref().and_then(|error| error.field_message(name))).collect()
            });
            (!from_server.is_empty()).then(|| from_server.join(" "))
        })
    };
    let method_message = message_for(&[field::METHOD]);
    let amount_message = message_for(&[field::AMOUNT, field::CURRENCY]);
    let received_on_message = message_for(&[field::RECEIVED_ON]);
    let cheque_number_message = message_for(&[field::CHEQUE_NUMBER]);
    let drawee_bank_message = message_for(&[field::DRAWEE_BANK]);
    let cheque_date_message = message_for(&[field::CHEQUE_DATE]);
    let card_last4_message = message_for(&[field::CARD_LAST4]);
    let gateway_reference_message = message_for(&[field::GATEWAY_REFERENCE]);
    let reference_message = message_for(&[field::REFERENCE]);
    let receipt_delivery_message = message_for(&[field::RECEIPT_DELIVERY]);

    let banner_message = move || {
        error.with(|error| {
            let error = error.as_ref()?;
            if error.outcome_unknown() {
                return Some(format!(
                    "{} The payment may or may not have been recorded. Press \u{201C}Retry posting\u{201D} to send it again: \
                     the server recognises the repeat and records the payment only once.",
                    error.message()
                ));
            }
            if error.code() == Some("idempotency_key_reused") {
                return Some(
                    "An earlier attempt already recorded this payment with other details. It is in the payment list; \
                     check it there before you post again."
                        .to_string(),
                );
            }
            let other_fields: Vec<String> = error
                .field_errors()
                .iter()
                .filter(|problem| !FORM_FIELDS.contains(&problem.field.as_str()))
                .map(|problem| as_sentence(&problem.message))
                .collect();
            Some(if error.field_errors().is_empty() {
                format!("The payment was not recorded. {}", error.message())
            } else if other_fields.is_empty() {
                "The payment was not recorded. Correct the fields marked below and post it again.".to_string()
            } else {
                format!("The payment was not recorded. {}", other_fields.join(" "))
            })
        })
    };

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if posting.get_untracked() {
            return;
        }
        let draft = PaymentDraft {
            method: method.get_untracked(),
            amount: amount.get_untracked(),
            received_on: received_on_edited.get_untracked().then(|| received_on.get_untracked()),
            cheque_number: cheque_number.get_untracked(),
            drawee_bank: drawee_bank.get_untracked(),
            cheque_date: cheque_date.get_untracked(),
            card_last4: card_last4.get_untracked(),
            gateway_reference: gateway_reference.get_untracked(),
            reference: reference.get_untracked(),
            receipt_delivery: receipt_delivery.get_untracked(),
        };
        // A second click right after a success finds the form empty, and it
        // must not replace the confirmation with "missing" messages.
        if draft == PaymentDraft::default() && result.with_untracked(Option::is_some) {
            return;
        }
        error.set(None);
        let request = match draft.to_request(currency) {
            Ok(request) => request,
            Err(found) => {
                let first = found.first().map(|problem| input_id(&problem.field));
                problems.set(found);
                if let Some(id) = first {
                    focus_element(id);
                }
                return;
            }
        };
        problems.set(Vec::new());
        result.set(None);

        // Every retry sends the same key until the server accepts or rejects the request.
        let key = keys.key_for(account_id);
        posting.set(true);
        let reset_inputs = reset_inputs.clone();
        spawn_local(async move {
            let response = api::post_payment(account_id, &request, &key).await;
            keys.settle(account_id, response.as_ref().err());
            match response {
                Ok(outcome) => {
                    reset_inputs();
                    result.try_set(Some(outcome.clone()));
                    on_posted.run(outcome);
                    request_animation_frame(show_result);
                }
                Err(failure) => {
                    if failure.code() == Some("idempotency_key_reused") {
                        on_list_stale.run(());
                    }
                    error.try_set(Some(failure));
                }
            }
            posting.try_set(false);
        });
    };

    let instrument_fields = move || match method.get() {
        Some(PaymentMethod::Cheque) => view! {
            <TextField id="payment-cheque-number" label="Cheque number" value=cheque_number message=cheque_number_message />
            <TextField id="payment-drawee-bank" label="Drawee bank" value=drawee_bank message=drawee_bank_message />
            <DateField
                id="payment-cheque-date"
                label="Cheque date"
                value=cheque_date
                message=cheque_date_message
                hint="The date written on the cheque. A later date than today holds the cheque until then."
            />
        }
        .into_any(),
        Some(PaymentMethod::Card) => view! {
            <TextField
                id="payment-card-last4"
                label="Last four digits of the card"
                value=card_last4
                message=card_last4_message
                hint="Never type the full card number."
                input_mode="numeric"
                max_length=4
            />
            <TextField
                id="payment-gateway-reference"
                label="Gateway reference"
                value=gateway_reference
                message=gateway_reference_message
            />
        }
        .into_any(),
        Some(other) => match reference_label(other) {
            Some(label) => view! {
                <TextField id="payment-reference" label=label value=reference message=reference_message />
            }
            .into_any(),
            None => ().into_any(),
        },
        None => ().into_any(),
    };

    let submit_label = move || {
        if posting.get() {
            "Posting\u{2026}"
        } else if keys.is_pending(account_id) {
            "Retry posting"
        } else {
            "Post payment"
        }
    };

    view! {
        {move || result.get().map(|outcome| view! { <PaymentResult outcome=outcome currency=currency /> })}
        <form class="payment-form" on:submit=on_submit novalidate=true>
            {move || banner_message().map(|message| view! { <ErrorBanner message=message id="payment-error" /> })}
            <div class="field-row">
                <div class="field">
                    <label for="payment-method">"Method"</label>
                    <select
                        id="payment-method"
                        aria-describedby="payment-method-error"
                        aria-invalid=move || method_message.get().is_some().to_string()
                        on:change=move |event| method.set(PaymentMethod::parse(&event_target_value(&event)))
                    >
                        <option value="" prop:selected=move || method.get().is_none()>
                            "Choose a method"
                        </option>
                        {PaymentMethod::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.as_str() prop:selected=move || method.get() == Some(choice)>
                                        {choice.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <FieldMessage id="payment-method-error" message=method_message />
                </div>
                <div class="field field-amount">
                    <label for="payment-amount">{format!("Amount ({})", currency.code())}</label>
                    <input
                        id="payment-amount"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        aria-describedby="payment-amount-error"
                        aria-invalid=move || amount_message.get().is_some().to_string()
                        prop:value=move || amount.get()
                        on:input=move |event| amount.set(event_target_value(&event))
                    />
                    <FieldMessage id="payment-amount-error" message=amount_message />
                </div>
                <DateField
                    id="payment-received-on"
                    label="Received on"
                    value=received_on
                    message=received_on_message
                    max=today.clone()
                    on_edit=Callback::new(move |_| received_on_edited.set(true))
                />
            </div>
            <div class="field-row">{instrument_fields}</div>
            <div class="field">
                <label for="payment-receipt-delivery">"Receipt delivery"</label>
                <select
                    id="payment-receipt-delivery"
                    aria-describedby="payment-receipt-delivery-error"
                    on:change=move |event| {
                        let chosen = match event_target_value(&event).as_str() {
                            "email" => ReceiptDelivery::Email,
                            "print" => ReceiptDelivery::Print,
                            _ => ReceiptDelivery::None,
                        };
                        receipt_delivery.set(chosen);
                    }
                >
                    {[ReceiptDelivery::None, ReceiptDelivery::Email, ReceiptDelivery::Print]
                        .into_iter()
                        .map(|choice| {
                            view! {
                                <option
                                    value=delivery_value(choice)
                                    prop:selected=move || receipt_delivery.get() == choice
                                >
                                    {delivery_label(choice)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldMessage id="payment-receipt-delivery-error" message=receipt_delivery_message />
            </div>
            <button type="submit" id="payment-submit" class="primary" disabled=move || posting.get()>
                {submit_label}
            </button>
        </form>
    }
}
