//! A template rendered for one account, and the contact rules' decision on sending it.

use leptos::prelude::*;
use shared::contact::EligibilityDto;
use shared::correspondence::{PreviewDto, TemplateChannel};

use super::format_datetime;

/// Renders the subject and body of a template version, merged for an account or as written.
#[component]
pub fn RenderedText(
    #[prop(into)] subject: String,
    #[prop(into)] body: String,
    version: i32,
    #[prop(into)] id: String,
    /// A line above the text, such as which version it is.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="letter-preview" id=id data-version=version.to_string()>
            {hint.map(|text| view! { <p class="hint">{text}</p> })}
            <p class="letter-subject">
                <span class="muted">"Subject: "</span>
                <span class="letter-subject-text">{subject}</span>
            </p>
            <pre class="letter-body">{body}</pre>
        </div>
    }
}

/// Says whether the contact rules allow sending a template of `channel` now, and why not.
#[component]
pub fn ContactDecision(
    contact: EligibilityDto,
    channel: TemplateChannel,
    #[prop(into)] id: String,
) -> impl IntoView {
    let noun = channel.as_str();
    if contact.allowed {
        return view! {
            <p class="contact-check allowed" id=id>
                {format!("The contact rules allow this {noun} now.")}
            </p>
        }
        .into_any();
    }
    let waiting = match (contact.next_allowed_at, channel) {
        (Some(at), TemplateChannel::Email) => {
            format!("The email would wait in the queue until {}, when the rules next allow it.", format_datetime(at))
        }
        (Some(at), TemplateChannel::Letter) => format!("Next allowed: {}.", format_datetime(at)),
        (None, _) => format!("Waiting will not make this {noun} allowed."),
    };
    view! {
        <div class="contact-check blocked" id=id role="status">
            <p>{format!("The contact rules do not allow this {noun} now:")}</p>
            <ul>
                {contact
                    .reasons
                    .into_iter()
                    .map(|reason| {
                        view! {
                            <li data-code=reason.code.clone()>
                                {reason.message} " " <span class="code">{format!("({})", reason.code)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p>{waiting}</p>
        </div>
    }
    .into_any()
}

/// Renders a preview: the merged text and the contact rules' decision on sending it now.
#[component]
pub fn PreviewView(
    preview: PreviewDto,
    /// Prefix of the element ids: `{id}` for the text, `{id}-contact` for the decision.
    id: &'static str,
) -> impl IntoView {
    let hint = format!("Version {}, filled in for this account as it would go out now.", preview.version);
    view! {
        <RenderedText subject=preview.subject body=preview.body version=preview.version id=id hint=hint />
        <ContactDecision contact=preview.contact channel=preview.channel id=format!("{id}-contact") />
    }
}
