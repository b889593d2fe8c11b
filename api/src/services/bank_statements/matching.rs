//! Finding the account that a bank credit pays, with a confidence score.
//!
//! Scoring table (confidence 0 to 100). A credit is posted without review
//! only at [`AUTO_POST_THRESHOLD`] or above, so only a reference that names
//! exactly one account posts by itself. Everything else goes to the review
//! queue with the candidates listed best first.
//!
//! | evidence | confidence |
//! |---|---|
//! | an account reference of exactly one account in the credit's currency | 100 |
//! | references of several accounts in the credit's currency | 60 each |
//! | the payer's name equals the debtor's name and the amount equals the balance | 80 |
//! | the payer's name contains the debtor's (or the reverse) and the amount equals the balance | 60 |
//! | the payer's name equals the debtor's name | 50 |
//! | the payer's name contains the debtor's (or the reverse) | 30 |
//! | the amount equals the balance, and at most 5 accounts have that balance | 20 |
//! | an account reference of an account in another currency | 0 (listed, never posted) |
//!
//! A reference is found when an account reference of 3 or more characters
//! equals, ignoring case, a token of the remittance information, the
//! end-to-end id, the customer reference or the creditor reference. Tokens
//! are split at characters other than letters, digits, `-`, `_`, `/` and `.`,
//! and lose leading and trailing `-`, `_`, `/` and `.`. Names are compared
//! as sets of lowercase words without titles (Mr, Mrs, Dr, …); a single
//! letter counts as the initial of a word.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use shared::bank_statements::MatchCandidate;
use uuid::Uuid;

use crate::error::ApiResult;

/// Confidence at or above which a credit is posted without review.
pub const AUTO_POST_THRESHOLD: i32 = 90;

pub const REFERENCE_UNIQUE: i32 = 100;
pub const REFERENCE_SHARED: i32 = 60;
pub const NAME_EQUAL_AND_BALANCE: i32 = 80;
pub const NAME_CONTAINED_AND_BALANCE: i32 = 60;
pub const NAME_EQUAL: i32 = 50;
pub const NAME_CONTAINED: i32 = 30;
pub const BALANCE_ONLY: i32 = 20;
pub const OTHER_CURRENCY: i32 = 0;

/// Account references shorter than this are not looked for in free text,
/// because "1" or "42" would match unrelated numbers.
const MIN_REFERENCE_CHARS: usize = 3;
/// An amount equal to the balance of more accounts than this is no evidence.
const MAX_BALANCE_ONLY_CANDIDATES: usize = 5;
/// Candidates kept on the entry for the reviewer.
const MAX_CANDIDATES: usize = 5;
/// Accounts read for name and balance scoring.
const MAX_ACCOUNTS_SCANNED: i64 = 500;

const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "m", "mme", "mlle", "sr", "sra"];

/// The fields of a credit that matching reads.
pub struct Credit<'a> {
    pub creditor_id: Uuid,
    pub amount: i64,
    pub currency: &'a str,
    pub texts: Vec<&'a str>,
    pub counterparty_name: Option<&'a str>,
}

/// The outcome of matching: candidates best first, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchResult {
    pub candidates: Vec<MatchCandidate>,
    pub reason: String,
}

impl MatchResult {
    /// Returns the candidate to post automatically: one at or above the
    /// threshold that no other candidate ties.
    pub fn confident(&self) -> Option<&MatchCandidate> {
        let best = self.candidates.first()?;
        let tied = self.candidates.get(1).is_some_and(|second| second.confidence == best.confidence);
        (best.confidence >= AUTO_POST_THRESHOLD && !tied).then_some(best)
    }
}

#[derive(QueryableByName)]
struct AccountRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    account_ref: String,
    #[diesel(sql_type = Text)]
    currency: String,
}

#[derive(QueryableByName)]
struct ScoredRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    account_ref: String,
    #[diesel(sql_type = BigInt)]
    total_balance: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    debtor_name: Option<String>,
}

/// Scores the creditor's accounts for a credit: by reference first, and by
/// name and amount only when no reference is found.
pub fn find(conn: &mut PgConnection, credit: &Credit<'_>) -> ApiResult<MatchResult> {
    let tokens = reference_tokens(&credit.texts);
    if !tokens.is_empty() {
        let found: Vec<AccountRow> = diesel::sql_query(
            "SELECT id, account_ref, currency::text AS currency FROM accounts
             WHERE creditor_id = $1 AND lower(account_ref) = ANY($2) AND length(account_ref) >= $3
             ORDER BY account_ref, id",
        )
        .bind::<SqlUuid, _>(credit.creditor_id)
        .bind::<Array<Text>, _>(tokens.iter().cloned().collect::<Vec<_>>())
        .bind::<diesel::sql_types::Integer, _>(MIN_REFERENCE_CHARS as i32)
        .load(conn)?;
        if !found.is_empty() {
            return Ok(score_references(&found, credit.currency));
        }
    }

    let name_words = credit.counterparty_name.map(name_words).unwrap_or_default();
    let patterns: Vec<String> = name_words.iter().filter(|w| w.chars().count() >= 3).map(|w| format!("%{}%", escape_like(w))).collect();
    let rows: Vec<ScoredRow> = diesel::sql_query(
        "SELECT a.id, a.account_ref, a.total_balance, d.name AS debtor_name
         FROM accounts a JOIN debtors d ON d.id = a.debtor_id
         WHERE a.creditor_id = $1 AND a.currency = $2 AND a.status <> 'returned'
           AND (a.total_balance = $3 OR d.name ILIKE ANY($4))
         ORDER BY a.account_ref, a.id LIMIT $5",
    )
    .bind::<SqlUuid, _>(credit.creditor_id)
    .bind::<Text, _>(credit.currency)
    .bind::<BigInt, _>(credit.amount)
    .bind::<Array<Text>, _>(patterns)
    .bind::<BigInt, _>(MAX_ACCOUNTS_SCANNED)
    .load(conn)?;
    Ok(score_names(&rows, credit.amount, &name_words))
}

fn score_references(found: &[AccountRow], currency: &str) -> MatchResult {
    let same_currency = found.iter().filter(|a| a.currency == currency).count();
    let mut candidates: Vec<MatchCandidate> = found
        .iter()
        .map(|a| {
            let (confidence, reason) = if a.currency != currency {
                (
                    OTHER_CURRENCY,
                    format!("reference {} found, but the account is in {}, the credit in {currency}", a.account_ref, a.currency),
                )
            } else if same_currency == 1 {
                (REFERENCE_UNIQUE, format!("reference {} found in the payment details", a.account_ref))
            } else {
                (
                    REFERENCE_SHARED,
                    format!("reference {} found, together with references of {} other accounts", a.account_ref, same_currency - 1),
                )
            };
            MatchCandidate { account_id: a.id, account_ref: a.account_ref.clone(), confidence, reason }
        })
        .collect();
    sort_candidates(&mut candidates);
    let reason = match same_currency {
        0 => "the payment details name accounts in another currency only".to_string(),
        1 => candidates[0].reason.clone(),
        n => format!("the payment details name {n} accounts; choose the one it pays"),
    };
    MatchResult { candidates, reason }
}

fn score_names(rows: &[ScoredRow], amount: i64, payer: &BTreeSet<String>) -> MatchResult {
    let balance_matches = rows.iter().filter(|r| r.total_balance == amount).count();
    let mut candidates = Vec::new();
    for row in rows {
        let debtor = row.debtor_name.as_deref().map(name_words).unwrap_or_default();
        let name = compare_names(payer, &debtor);
        let balance = row.total_balance == amount;
        let scored = match (name, balance) {
            (NameMatch::Equal, true) => Some((NAME_EQUAL_AND_BALANCE, "the payer's name is the debtor's and the amount is the balance")),
            (NameMatch::Contained, true) => {
                Some((NAME_CONTAINED_AND_BALANCE, "the payer's name is like the debtor's and the amount is the balance"))
            }
            (NameMatch::Equal, false) => Some((NAME_EQUAL, "the payer's name is the debtor's")),
            (NameMatch::Contained, false) => Some((NAME_CONTAINED, "the payer's name is like the debtor's")),
            (NameMatch::None, true) if balance_matches <= MAX_BALANCE_ONLY_CANDIDATES => Some((BALANCE_ONLY, "the amount is the balance")),
            (NameMatch::None, _) => None,
        };
        if let Some((confidence, reason)) = scored {
            candidates.push(MatchCandidate {
                account_id: row.id,
                account_ref: row.account_ref.clone(),
                confidence,
                reason: reason.to_string(),
            });
        }
    }
    sort_candidates(&mut candidates);
    candidates.truncate(MAX_CANDIDATES);
    let reason = match candidates.first() {
        None => "no account reference, debtor name or balance matches; match it by hand or dismiss it".to_string(),
        Some(best) => format!(
            "no account reference in the payment details; best candidate {} ({}, confidence {})",
            best.account_ref, best.reason, best.confidence
        ),
    };
    MatchResult { candidates, reason }
}

fn sort_candidates(candidates: &mut [MatchCandidate]) {
    candidates.sort_by(|a, b| b.confidence.cmp(&a.confidence).then_with(|| a.account_ref.cmp(&b.account_ref)));
}

/// Lowercase tokens of the texts that may be account references.
pub fn reference_tokens(texts: &[&str]) -> BTreeSet<String> {
    let trim: &[char] = &['-', '_', '/', '.'];
    texts
        .iter()
        .flat_map(|text| text.split(|c: char| !(c.is_alphanumeric() || trim.contains(&c))))
        .map(|token| token.trim_matches(trim).to_lowercase())
        .filter(|token| token.chars().count() >= MIN_REFERENCE_CHARS)
        .collect()
}

/// Splits a person's or company's name into lowercase words without titles.
pub fn name_words(name: &str) -> BTreeSet<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && !TITLES.contains(word))
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    Equal,
    /// Every word of the shorter name is in the longer one, a single letter
    /// standing for a word with that initial.
    Contained,
    None,
}

pub fn compare_names(a: &BTreeSet<String>, b: &BTreeSet<String>) -> NameMatch {
    if a.is_empty() || b.is_empty() {
        return NameMatch::None;
    }
    if a == b {
        return NameMatch::Equal;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // At least one full word (not only initials) must be shared.
    let shares_word = short.iter().any(|w| w.chars().count() > 1 && long.contains(w));
    let all_found = short.iter().all(|word| {
        if word.chars().count() == 1 {
            long.iter().any(|other| other.starts_with(word.as_str()))
        } else {
            long.contains(word)
        }
    });
    if shares_word && all_found {
        NameMatch::Contained
    } else {
        NameMatch::None
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> BTreeSet<String> {
        name_words(name)
    }

    #[test]
    fn tokens_split_at_punctuation_and_ignore_case() {
        let tokens = reference_tokens(&["Payment for account A-1, thanks", "REF:LC-00042/"]);
        assert!(tokens.contains("a-1"));
        assert!(tokens.contains("lc-00042"));
        assert!(tokens.contains("ref"));
        assert!(!tokens.contains("a-1,"));
    }

    #[test]
    fn short_tokens_are_left_out() {
        let tokens = reference_tokens(&["A1 to 42"]);
        assert!(tokens.is_empty(), "{tokens:?}");
    }

    #[test]
    fn names_compare_as_word_sets() {
        assert_eq!(compare_names(&words("SMITH, ANA"), &words("Ana Smith")), NameMatch::Equal);
        assert_eq!(compare_names(&words("Mrs Ana Smith"), &words("Ana Smith")), NameMatch::Equal);
        assert_eq!(compare_names(&words("A. Smith"), &words("Ana Smith")), NameMatch::Contained);
        assert_eq!(compare_names(&words("Ana Maria Smith"), &words("Ana Smith")), NameMatch::Contained);
        assert_eq!(compare_names(&words("Bob Smith"), &words("Ana Smith")), NameMatch::None);
        assert_eq!(compare_names(&words("A. S."), &words("Ana Smith")), NameMatch::None);
        assert_eq!(compare_names(&words(""), &words("Ana Smith")), NameMatch::None);
    }

    fn candidate(confidence: i32) -> MatchCandidate {
        MatchCandidate { account_id: Uuid::nil(), account_ref: "X".into(), confidence, reason: String::new() }
    }

    #[test]
    fn only_an_untied_reference_match_is_confident() {
        let result = |scores: &[i32]| MatchResult { candidates: scores.iter().map(|s| candidate(*s)).collect(), reason: String::new() };
        assert!(result(&[100]).confident().is_some());
        assert!(result(&[100, 0]).confident().is_some());
        assert!(result(&[100, 100]).confident().is_none());
        assert!(result(&[80]).confident().is_none());
        assert!(result(&[]).confident().is_none());
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
