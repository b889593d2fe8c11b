//! Letter and email templates: the merge-field syntax and its renderer, the
//! checks on template text, and the request and response bodies of
//! templates, previews, generated correspondence and batches.
//!
//! A template's subject and body are plain text with merge fields written
//! `{{name}}`, such as `{{debtor.name}}`. Only the names in `MERGE_FIELDS`
//! exist. The server and the web app parse and render with the same code
//! here, so a preview shows exactly what is generated.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// Maximum length of a template subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 200;
/// Maximum length of a template body, in characters.
pub const BODY_MAX_CHARS: usize = 20_000;
/// Maximum length of a template name, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// Maximum number of accounts in one batch request.
pub const BATCH_MAX_ACCOUNTS: usize = 10_000;

/// Every merge field, with what it is replaced by.
pub const MERGE_FIELDS: &[(&str, &str)] = &[
    ("debtor.name", "the debtor's name"),
    ("creditor.name", "the creditor's name"),
    ("account.reference", "the creditor's account reference"),
    ("account.currency", "the account's ISO 4217 currency code"),
    ("account.balance", "the total balance, with its currency, such as USD 1,555.50"),
    ("account.principal", "the principal balance, with its currency"),
    ("account.interest", "the interest balance, with its currency"),
    ("account.fees", "the fees balance, with its currency"),
    ("itemization.date", "the itemization date: the charge-off date, or else the date the account became delinquent"),
    ("itemization.amount", "the amount placed for collection (principal, interest and fees), with its currency"),
    ("today", "today's date in the creditor's time zone, such as 5 December 2026"),
    ("plan.total", "the total to pay under the account's open repayment plan"),
    ("plan.instalment_count", "the number of instalments of the open plan"),
    ("plan.start_date", "the first due date of the open plan"),
    ("plan.settlement_amount", "the amount the creditor accepts in settlement, from the open settlement plan"),
];

/// Words that show a text speaks of legal action. A template whose text
/// contains one must be marked `mentions_legal_action`, so the contact rules
/// keep it from time-barred debts.
///
/// Each entry is a whole word or phrase, with its plural and other forms
/// listed, because a stem such as "court" would also match "courtesy".
/// Hyphens and line breaks between words count as spaces.
pub const LEGAL_ACTION_WORDS: &[&str] = &[
    "legal action",
    "legal proceedings",
    "legal proceeding",
    "lawsuit",
    "lawsuits",
    "sue",
    "sued",
    "suing",
    "court",
    "courts",
    "litigation",
    "litigate",
    "attorney",
    "attorneys",
    "solicitor",
    "solicitors",
    "lawyer",
    "lawyers",
    "judgment",
    "judgments",
    "judgement",
    "judgements",
    "garnish",
    "garnishment",
    "garnishee",
    "bailiff",
    "bailiffs",
    "enforcement agent",
    "enforcement agents",
];

/// Returns whether `name` is a known merge field.
pub fn is_merge_field(name: &str) -> bool {
    MERGE_FIELDS.iter().any(|(known, _)| *known == name)
}

/// One piece of parsed template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// A problem in template text; the message names its character position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxProblem {
    pub code: &'static str,
    pub message: String,
}

/// Splits template text into literal text and merge fields.
///
/// Fails on `{{` without a closing `}}`, a `}}` without an opening `{{`, an
/// empty field and a name not in `MERGE_FIELDS`. Spaces inside the braces
/// are allowed: `{{ today }}` is `today`.
pub fn parse(text: &str) -> Result<Vec<Segment<'_>>, Vec<SyntaxProblem>> {
    let mut segments = Vec::new();
    let mut problems = Vec::new();
    let mut rest = text;
    let mut offset = 0;

    while !rest.is_empty() {
        let open = rest.find("{{");
        let close = rest.find("}}");
        match (open, close) {
            (Some(open), close) if close.is_none_or(|close| open < close) => {
                if open > 0 {
                    segments.push(Segment::Text(&rest[..open]));
                }
                let after_open = &rest[open + 2..];
                let Some(end) = after_open.find("}}") else {
                    problems.push(SyntaxProblem {
                        code: "unclosed_field",
                        message: format!(
                            "the merge field opened with {{{{ at character {} has no closing }}}}; close it or remove the braces",
                            char_position(text, offset + open)
                        ),
                    });
                    break;
                };
                let inner = &after_open[..end];
                let name = inner.trim();
                if let Some(nested) = inner.find("{{") {
                    problems.push(SyntaxProblem {
                        code: "unclosed_field",
                        message: format!(
                            "the merge field opened with {{{{ at character {} has no closing }}}} before the next {{{{; close it or remove the braces",
                            char_position(text, offset + open)
                        ),
                    });
                    let skip = open + 2 + nested;
                    offset += skip;
                    rest = &rest[skip..];
                    continue;
                }
                if name.is_empty() {
                    problems.push(SyntaxProblem {
                        code: "empty_field",
                        message: format!(
                            "the merge field at character {} is empty; write a field name such as {{{{debtor.name}}}}",
                            char_position(text, offset + open)
                        ),
                    });
                } else if !is_merge_field(name) {
                    problems.push(SyntaxProblem {
                        code: "unknown_field",
                        message: format!("the merge field {{{{{name}}}}} is unknown; use one of {}", field_names()),
                    });
                } else {
                    segments.push(Segment::Field(name));
                }
                let consumed = open + 2 + end + 2;
                offset += consumed;
                rest = &rest[consumed..];
            }
            (_, Some(close)) => {
                problems.push(SyntaxProblem {
                    code: "unopened_field",
                    message: format!(
                        "the }}}} at character {} closes no merge field; remove it or open the field with {{{{",
                        char_position(text, offset + close)
                    ),
                });
                let consumed = close + 2;
                offset += consumed;
                rest = &rest[consumed..];
            }
            (_, None) => {
                segments.push(Segment::Text(rest));
                rest = "";
            }
        }
    }

    if problems.is_empty() {
        Ok(segments)
    } else {
        Err(problems)
    }
}

/// Converts a byte offset to a 1-based character position for messages.
fn char_position(text: &str, byte_offset: usize) -> usize {
    text[..byte_offset].chars().count() + 1
}

/// Returns every merge-field name, comma-separated, for messages.
pub fn field_names() -> String {
    MERGE_FIELDS.iter().map(|(name, _)| format!("{{{{{name}}}}}")).collect::<Vec<_>>().join(", ")
}

/// The value of each merge field for one account. A field without a value
/// maps to `Err` with the reason and the fix, such as "the account has no
/// open repayment plan; create one first".
pub type MergeValues = BTreeMap<&'static str, Result<String, String>>;

/// Fills the merge fields of `text` from `values`.
///
/// `field` names the text in errors (`subject` or `body`). Every problem is
/// returned, never a blank in place of a value.
pub fn render(field: &str, text: &str, values: &MergeValues) -> Result<String, Vec<FieldError>> {
    let segments = parse(text)
        .map_err(|problems| problems.into_iter().map(|p| FieldError::new(field, p.code, p.message)).collect::<Vec<_>>())?;
    let mut output = String::with_capacity(text.len() + 64);
    let mut errors = Vec::new();
    for segment in segments {
        match segment {
            Segment::Text(literal) => output.push_str(literal),
            Segment::Field(name) => match values.get(name) {
                Some(Ok(value)) => output.push_str(value),
                Some(Err(reason)) => errors.push(FieldError::new(
                    field,
                    "missing_value",
                    format!("the merge field {{{{{name}}}}} has no value for this account: {reason}"),
                )),
                None => errors.push(FieldError::new(
                    field,
                    "missing_value",
                    format!("the merge field {{{{{name}}}}} has no value for this account; choose a template without it"),
                )),
            },
        }
    }
    if errors.is_empty() {
        Ok(output)
    } else {
        Err(errors)
    }
}

/// Returns the first entry of `LEGAL_ACTION_WORDS` that `text` contains as a
/// whole word, ignoring case, with hyphens and runs of whitespace read as
/// one space.
pub fn legal_action_word(text: &str) -> Option<&'static str> {
    let lower: String = text.to_lowercase().replace('-', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    LEGAL_ACTION_WORDS.iter().copied().find(|word| {
        lower.match_indices(word).any(|(start, _)| {
            let before = lower[..start].chars().next_back();
            let after = lower[start + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// The channel a template is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplateChannel {
    Letter,
    Email,
}

impl TemplateChannel {
    pub const ALL: [TemplateChannel; 2] = [TemplateChannel::Letter, TemplateChannel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateChannel::Letter => "letter",
            TemplateChannel::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        TemplateChannel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Returns the contact channel the rules check for this template.
    pub fn contact_channel(self) -> crate::contact::Channel {
        match self {
            TemplateChannel::Letter => crate::contact::Channel::Letter,
            TemplateChannel::Email => crate::contact::Channel::Email,
        }
    }
}

/// Checks a template's subject and body: lengths, the NUL character, merge
/// fields, and words of legal action in a template not marked for them.
pub fn check_template_text(subject: &str, body: &str, mentions_legal_action: bool) -> Vec<FieldError> {
    let mut problems = Vec::new();
    for (field, text, max_chars) in [("subject", subject, SUBJECT_MAX_CHARS), ("body", body, BODY_MAX_CHARS)] {
        if text.trim().is_empty() {
            problems.push(FieldError::new(field, "required", format!("{field} is empty; write the text of the {field}")));
            continue;
        }
        let chars = text.chars().count();
        if chars > max_chars {
            problems.push(FieldError::new(
                field,
                "too_long",
                format!("{field} is {chars} characters long; shorten it to at most {max_chars}"),
            ));
        }
        if text.contains('\0') {
            problems.push(FieldError::new(field, "invalid", format!("{field} contains a NUL character (\\u0000); remove it")));
        }
        if let Err(syntax) = parse(text) {
            problems.extend(syntax.into_iter().map(|p| FieldError::new(field, p.code, p.message)));
        }
        if !mentions_legal_action {
            if let Some(word) = legal_action_word(text) {
                problems.push(FieldError::new(
                    field,
                    "mentions_legal_action",
                    format!(
                        "{field} contains '{word}', which speaks of legal action, but the template is not marked mentions_legal_action; \
                         mark the template or reword the text, so time-barred debts never receive it"
                    ),
                ));
            }
        }
    }
    if subject.contains(['\r', '\n']) {
        problems.push(FieldError::new("subject", "invalid", "subject contains a line break; write it on one line"));
    }
    problems
}

/// One version of a template's text. Versions never change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateVersionDto {
    pub id: Uuid,
    pub template_id: Uuid,
    pub version: i32,
    pub subject: String,
    pub body: String,
    /// Null for the versions shipped with the product.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateDto {
    pub id: Uuid,
    /// Null for a template every creditor may use.
    pub creditor_id: Option<Uuid>,
    /// Stable name such as `final_demand`.
    pub key: String,
    pub name: String,
    pub channel: TemplateChannel,
    pub mentions_legal_action: bool,
    pub created_at: DateTime<Utc>,
    /// The newest version, used when a request names none.
    pub current: TemplateVersionDto,
}

/// `POST /templates`: a template with its first version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTemplateRequest {
    /// Leave out for a template every creditor may use.
    #[serde(default)]
    pub creditor_id: Option<Uuid>,
    /// Lower-case letters, digits and `_`, starting with a letter, at most 64 characters.
    pub key: String,
    pub name: String,
    pub channel: TemplateChannel,
    pub mentions_legal_action: bool,
    pub subject: String,
    pub body: String,
}

/// `POST /templates/{id}/versions`: the text of the next version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateVersionRequest {
    pub subject: String,
    pub body: String,
}

/// `POST /templates/{id}/preview`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRequest {
    pub account_id: Uuid,
    /// The version to render; the newest when left out.
    #[serde(default)]
    pub version: Option<i32>,
}

/// A rendered template and whether the contact rules would let it go out now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewDto {
    pub template_version_id: Uuid,
    pub version: i32,
    pub channel: TemplateChannel,
    pub subject: String,
    pub body: String,
    pub contact: crate::contact::EligibilityDto,
}

/// `POST /accounts/{id}/correspondence`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GenerateRequest {
    pub template_id: Uuid,
    /// The version to use; the newest when left out.
    #[serde(default)]
    pub version: Option<i32>,
}

/// `POST /correspondence-batches`: the template and the accounts, by id or
/// by the account-list filters. Exactly one of `account_ids` and `filter`
/// must be given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchRequest {
    pub template_id: Uuid,
    #[serde(default)]
    pub version: Option<i32>,
    /// 1 to 10,000 distinct account ids.
    #[serde(default)]
    pub account_ids: Option<Vec<Uuid>>,
    /// The query parameters of `GET /accounts` (`status`, `dpd`,
    /// `creditor_id`, `assigned_agent_id`, …) as strings; they must select 1
    /// to 10,000 accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<std::collections::BTreeMap<String, String>>,
}

/// The state of one letter or email.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CorrespondenceStatus {
    /// A letter is ready to print.
    Generated,
    /// An email waits for the mailer.
    Queued,
    /// The mailer is handing the email to the SMTP server. If the mailer
    /// stops here, the email is marked failed rather than sent twice.
    Sending,
    /// The SMTP server accepted the email.
    Sent,
    /// The email could not be sent, for the reason in `last_error`.
    Failed,
    /// The contact rules blocked it; `blocked_reasons` lists their codes.
    Blocked,
}

impl CorrespondenceStatus {
    pub const ALL: [CorrespondenceStatus; 6] = [
        CorrespondenceStatus::Generated,
        CorrespondenceStatus::Queued,
        CorrespondenceStatus::Sending,
        CorrespondenceStatus::Sent,
        CorrespondenceStatus::Failed,
        CorrespondenceStatus::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CorrespondenceStatus::Generated => "generated",
            CorrespondenceStatus::Queued => "queued",
            CorrespondenceStatus::Sending => "sending",
            CorrespondenceStatus::Sent => "sent",
            CorrespondenceStatus::Failed => "failed",
            CorrespondenceStatus::Blocked => "blocked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        CorrespondenceStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One letter or email logged on an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrespondenceDto {
    pub id: Uuid,
    pub account_id: Uuid,
    pub template_id: Uuid,
    pub template_key: String,
    pub template_version_id: Uuid,
    pub version: i32,
    pub channel: TemplateChannel,
    pub status: CorrespondenceStatus,
    /// Codes of the contact rules that blocked it, as in `contact-eligibility`.
    pub blocked_reasons: Vec<String>,
    /// The merged text; null when blocked.
    pub subject: Option<String>,
    pub body: Option<String>,
    pub batch_id: Option<Uuid>,
    /// The reason the email failed, by SMTP reply code and never with the address.
    pub last_error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// One account's line in a batch report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchItemDto {
    pub account_id: Uuid,
    pub correspondence_id: Uuid,
    pub status: CorrespondenceStatus,
    pub blocked_reasons: Vec<String>,
    /// The reason nothing was made for an account the rules allowed, such
    /// as a merge field without a value.
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchDto {
    pub id: Uuid,
    pub template_version_id: Uuid,
    pub channel: TemplateChannel,
    pub requested: i32,
    pub generated: i32,
    pub queued: i32,
    pub blocked: i32,
    pub failed: i32,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub items: Vec<BatchItemDto>,
}

/// The result of an opt-out link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptOutDto {
    pub channel: TemplateChannel,
    pub opted_out: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> MergeValues {
        let mut values = MergeValues::new();
        values.insert("debtor.name", Ok("Ana Smith".to_string()));
        values.insert("account.balance", Ok("USD 1,555.50".to_string()));
        values.insert("plan.total", Err("the account has no open repayment plan; create one first".to_string()));
        values
    }

    #[test]
    fn render_fills_fields() {
        let text = render("body", "Dear {{debtor.name}}, you owe {{ account.balance }}.", &values()).unwrap();
        assert_eq!(text, "Dear Ana Smith, you owe USD 1,555.50.");
    }

    #[test]
    fn render_keeps_text_without_fields() {
        assert_eq!(render("body", "No fields { here }", &values()).unwrap(), "No fields { here }");
        assert_eq!(render("body", "", &values()).unwrap(), "");
    }

    #[test]
    fn render_reports_missing_value_with_reason() {
        let errors = render("body", "Total {{plan.total}}", &values()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "missing_value");
        assert!(errors[0].message.contains("{{plan.total}}"), "{}", errors[0].message);
        assert!(errors[0].message.contains("no open repayment plan"), "{}", errors[0].message);
    }

    #[test]
    fn parse_rejects_bad_syntax() {
        let cases: &[(&str, &str, &str)] = &[
            ("Dear {{debtor.nmae}}", "unknown_field", "{{debtor.nmae}}"),
            ("Dear {{debtor.name", "unclosed_field", "character 6"),
            ("Dear {{debtor.name {{today}}", "unclosed_field", "character 6"),
            ("Dear debtor.name}}", "unopened_field", "character 17"),
            ("Dear {{ }}", "empty_field", "character 6"),
        ];
        for (text, code, named) in cases {
            let problems = parse(text).unwrap_err();
            assert_eq!(problems[0].code, *code, "{text}");
            assert!(problems[0].message.contains(named), "{text}: {}", problems[0].message);
        }
    }

    #[test]
    fn parse_reports_every_problem() {
        let problems = parse("{{a}} and {{b}}").unwrap_err();
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn legal_words_match_whole_words_only() {
        assert_eq!(legal_action_word("We may start Legal Action."), Some("legal action"));
        assert_eq!(legal_action_word("We may sue."), Some("sue"));
        assert_eq!(legal_action_word("Your issue is resolved; pursue it."), None);
        assert_eq!(legal_action_word("Courtesy reminder"), None);
        assert_eq!(legal_action_word("passed to our Attorneys"), Some("attorneys"));
        assert_eq!(legal_action_word("the courts may"), Some("courts"));
        assert_eq!(legal_action_word("we may take legal-\naction"), Some("legal action"));
        assert_eq!(legal_action_word("a County Court Judgment"), Some("court"));
        assert_eq!(legal_action_word("we have sued before"), Some("sued"));
    }

    #[test]
    fn template_text_checks() {
        assert!(check_template_text("Hello", "Dear {{debtor.name}}", false).is_empty());
        let problems = check_template_text("", "We will take you to court", false);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["required", "mentions_legal_action"]);
        assert!(check_template_text("Hello", "We will take you to court", true).is_empty());
        let problems = check_template_text("Two\nlines", "Body", false);
        assert_eq!(problems[0].field, "subject");
    }
}
