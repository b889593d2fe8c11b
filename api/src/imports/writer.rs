//! Writing a batch of mapped lines in one transaction: debtors and contacts,
//! new accounts with their opening journal entry, changed accounts with an
//! adjustment entry, and the batch's audit row.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::prelude::*;
use diesel::upsert::excluded;
use uuid::Uuid;

use super::row::{PlacementRow, Rejection};
use crate::db::accounts::{
    component_lines, ExistingAccount, NewAccount, NewAddress, NewDebtor, NewEmail, NewJournalEntry, NewJournalLine,
    NewPhone,
};
use crate::db::schema::{
    accounts, debtor_addresses, debtor_emails, debtor_phones, debtors, import_rejections, imports, journal_entries, journal_lines,
};
use crate::services::audit::{self, AuditEvent};

/// Postgres takes at most 65,535 bound values in one statement; batches of
/// 1,000 lines keep every multi-row insert well below that.
pub const BATCH_SIZE: usize = 1000;

pub struct BatchContext {
    pub creditor_id: Uuid,
    pub import_id: Uuid,
    pub actor: Option<Uuid>,
}

pub struct PendingRow {
    /// File line where the record starts.
    pub line: u64,
    pub row: PlacementRow,
    pub hash: Vec<u8>,
}

#[derive(Default, Debug)]
pub struct BatchResult {
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<(u64, Rejection)>,
    /// Lines written as new or updated accounts whose debtor has no name.
    pub missing_name: u64,
    pub no_valid_contact: u64,
}

enum Plan<'a> {
    Insert(&'a PendingRow),
    Update(&'a PendingRow, &'a ExistingAccount),
}

/// Lines of the batch that never reached the database, and the file position after it.
pub struct BatchProgress {
    /// Lines rejected while mapping, with their problems.
    pub mapping_rejections: Vec<(u64, Rejection)>,
    /// Non-header lines the batch covers, whatever their outcome.
    pub rows: u64,
    /// Lines skipped by the profile's rules or because they were empty.
    pub skipped: u64,
    pub bytes_read: u64,
}

/// Applies the batch, its rejections and the import's progress counters in one transaction.
pub fn apply_batch(
    conn: &mut PgConnection,
    ctx: &BatchContext,
    rows: &[PendingRow],
    progress: BatchProgress,
) -> QueryResult<BatchResult> {
    conn.transaction(|conn| {
        let mut result = if rows.is_empty() { BatchResult::default() } else { apply_batch_in_transaction(conn, ctx, rows)? };
        let mut rejections = progress.mapping_rejections;
        rejections.append(&mut result.rejected);
        let rejected_lines = {
            let mut lines: Vec<u64> = rejections.iter().map(|(line, _)| *line).collect();
            lines.sort_unstable();
            lines.dedup();
            lines.len() as i64
        };
        if !rejections.is_empty() {
            let values: Vec<_> = rejections
                .iter()
                .map(|(line, r)| {
                    (
                        import_rejections::import_id.eq(ctx.import_id),
                        import_rejections::line.eq(*line as i64),
                        import_rejections::column_name.eq(r.column.as_deref()),
                        import_rejections::code.eq(r.code),
                        import_rejections::message.eq(&r.message),
                    )
                })
                .collect();
            for chunk in values.chunks(5000) {
                diesel::insert_into(import_rejections::table).values(chunk).execute(conn)?;
            }
        }
        diesel::update(imports::table.find(ctx.import_id))
            .set((
                imports::rows.eq(imports::rows + progress.rows as i64),
                imports::imported.eq(imports::imported + result.imported as i64),
                imports::updated.eq(imports::updated + result.updated as i64),
                imports::unchanged.eq(imports::unchanged + result.unchanged as i64),
                imports::skipped.eq(imports::skipped + progress.skipped as i64),
                imports::rejected.eq(imports::rejected + rejected_lines),
                imports::bytes_read.eq(progress.bytes_read as i64),
            ))
            .execute(conn)?;
        result.rejected = rejections;
        Ok(result)
    })
}

fn apply_batch_in_transaction(conn: &mut PgConnection, ctx: &BatchContext, rows: &[PendingRow]) -> QueryResult<BatchResult> {
    let mut result = BatchResult::default();

    // A reference seen twice in one batch: the later line is rejected.
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut unique_rows: Vec<&PendingRow> = Vec::with_capacity(rows.len());
    for pending in rows {
        match first_line.get(pending.row.account_ref.as_str()) {
            Some(first) => result.rejected.push((pending.line, duplicate_rejection(Some(*first)))),
            None => {
                first_line.insert(&pending.row.account_ref, pending.line);
                unique_rows.push(pending);
            }
        }
    }

    let refs: Vec<&str> = unique_rows.iter().map(|p| p.row.account_ref.as_str()).collect();
    let existing: Vec<ExistingAccount> = accounts::table
        .filter(accounts::creditor_id.eq(ctx.creditor_id))
        .filter(accounts::account_ref.eq_any(&refs))
        .select(ExistingAccount::as_select())
        .load(conn)?;
    let existing: HashMap<&str, &ExistingAccount> = existing.iter().map(|a| (a.account_ref.as_str(), a)).collect();

    let mut plans = Vec::with_capacity(unique_rows.len());
    let mut unchanged_ids = Vec::new();
    for pending in unique_rows {
        match existing.get(pending.row.account_ref.as_str()) {
            None => plans.push(Plan::Insert(pending)),
            Some(account) if account.last_import_id == Some(ctx.import_id) => {
                result.rejected.push((pending.line, duplicate_rejection(None)));
            }
            Some(account) if account.currency.trim() != pending.row.currency.code() => {
                result.rejected.push((
                    pending.line,
                    Rejection::at(
                        "currency",
                        "currency_changed",
                        format!(
                            "the account was placed in {} and this line says {}; an account's currency cannot change, so recall and re-place it",
                            account.currency.trim(),
                            pending.row.currency
                        ),
                    ),
                ));
            }
            Some(account) if account.source_hash == pending.hash => {
                unchanged_ids.push(account.id);
                result.unchanged += 1;
            }
            Some(account) => plans.push(Plan::Update(pending, account)),
        }
    }

    let (debtor_ids, created_debtors) = upsert_debtors(conn, ctx, &plans)?;
    insert_contacts(conn, ctx, &plans, &debtor_ids)?;
    // A debtor created in this batch has exactly the contacts of its lines in
    // the batch, so its accounts' flags follow from those lines without a query.
    let mut batch_contacts: HashMap<&str, ContactFlags> = HashMap::new();
    for plan in &plans {
        let row = match plan {
            Plan::Insert(p) | Plan::Update(p, _) => &p.row,
        };
        if created_debtors.contains(row.debtor_ref.as_str()) {
            batch_contacts.entry(row.debtor_ref.as_str()).or_insert(ContactFlags::NONE_VALID).add_row(row);
        }
    }
    let mut refresh_ids = Vec::new();

    let mut new_accounts = Vec::new();
    let mut entries = Vec::new();
    let mut lines: Vec<NewJournalLine> = Vec::new();
    let today = Utc::now().date_naive();
    let memo = format!("import {}", ctx.import_id);

    for plan in &plans {
        let row = match plan {
            Plan::Insert(p) | Plan::Update(p, _) => &p.row,
        };
        if row.debtor_name.is_none() {
            result.missing_name += 1;
        }
        let debtor_id = debtor_ids[row.debtor_ref.as_str()];
        let known_flags = batch_contacts.get(row.debtor_ref.as_str()).copied();
        match plan {
            Plan::Insert(pending) => {
                let id = Uuid::now_v7();
                let flags = match known_flags {
                    Some(flags) => {
                        if flags.no_valid_contact() {
                            result.no_valid_contact += 1;
                        }
                        flags
                    }
                    None => {
                        refresh_ids.push(id);
                        ContactFlags::NONE_VALID
                    }
                };
                new_accounts.push(NewAccount {
                    id,
                    creditor_id: ctx.creditor_id,
                    debtor_id,
                    account_ref: &row.account_ref,
                    currency: row.currency.code(),
                    original_principal: row.principal,
                    original_interest: row.interest,
                    original_fees: row.fees,
                    principal_balance: row.principal,
                    interest_balance: row.interest,
                    fees_balance: row.fees,
                    opened_on: row.opened_on,
                    last_payment_on: row.last_payment_on,
                    delinquent_since: row.delinquent_since,
                    charged_off_on: row.charged_off_on,
                    debt_type: row.debt_type,
                    name_missing: row.debtor_name.is_none(),
                    no_valid_phone: flags.no_valid_phone,
                    no_valid_address: flags.no_valid_address,
                    no_valid_email: flags.no_valid_email,
                    source_hash: &pending.hash,
                    last_import_id: Some(ctx.import_id),
                });
                let entry_id = Uuid::now_v7();
                entries.push(NewJournalEntry {
                    id: entry_id,
                    creditor_id: ctx.creditor_id,
                    account_id: Some(id),
                    kind: "placement",
                    effective_on: today,
                    memo: &memo,
                    created_by: ctx.actor,
                    payment_id: None,
                });
                lines.extend(component_lines(entry_id, ctx.creditor_id, id, row.currency.code(), row.principal, row.interest, row.fees));
                result.imported += 1;
            }
            Plan::Update(pending, account) => {
                refresh_ids.push(account.id);
                let delta = (
                    row.principal - account.original_principal,
                    row.interest - account.original_interest,
                    row.fees - account.original_fees,
                );
                diesel::update(accounts::table.find(account.id))
                    .set((
                        accounts::debtor_id.eq(debtor_id),
                        accounts::original_principal.eq(row.principal),
                        accounts::original_interest.eq(row.interest),
                        accounts::original_fees.eq(row.fees),
                        accounts::principal_balance.eq(accounts::principal_balance + delta.0),
                        accounts::interest_balance.eq(accounts::interest_balance + delta.1),
                        accounts::fees_balance.eq(accounts::fees_balance + delta.2),
                        accounts::opened_on.eq(row.opened_on),
                        accounts::last_payment_on.eq(row.last_payment_on),
                        accounts::delinquent_since.eq(row.delinquent_since),
                        accounts::charged_off_on.eq(row.charged_off_on),
                        // A file without a debt type keeps the one already known.
                        row.debt_type.map(|debt_type| accounts::debt_type.eq(debt_type)),
                        accounts::name_missing.eq(row.debtor_name.is_none()),
                        accounts::source_hash.eq(&pending.hash),
                        accounts::last_import_id.eq(Some(ctx.import_id)),
                        accounts::updated_at.eq(Utc::now()),
                    ))
                    .execute(conn)?;
                if delta != (0, 0, 0) {
                    let entry_id = Uuid::now_v7();
                    entries.push(NewJournalEntry {
                        id: entry_id,
                        creditor_id: ctx.creditor_id,
                        account_id: Some(account.id),
                        kind: "placement_adjustment",
                        effective_on: today,
                        memo: &memo,
                        created_by: ctx.actor,
                        payment_id: None,
                    });
                    lines.extend(component_lines(entry_id, ctx.creditor_id, account.id, row.currency.code(), delta.0, delta.1, delta.2));
                }
                result.updated += 1;
            }
        }
    }

    if !new_accounts.is_empty() {
        diesel::insert_into(accounts::table).values(&new_accounts).execute(conn)?;
    }
    if !entries.is_empty() {
        diesel::insert_into(journal_entries::table).values(&entries).execute(conn)?;
    }
    // Lines of one entry must go in one statement (the balance check runs per
    // statement), so chunks split only between entries.
    for chunk in chunk_by_entry(&lines, 8000) {
        diesel::insert_into(journal_lines::table).values(chunk).execute(conn)?;
    }
    if !unchanged_ids.is_empty() {
        diesel::update(accounts::table.filter(accounts::id.eq_any(&unchanged_ids)))
            .set(accounts::last_import_id.eq(Some(ctx.import_id)))
            .execute(conn)?;
    }
    if !refresh_ids.is_empty() {
        result.no_valid_contact += refresh_contact_flags(conn, &refresh_ids)?;
    }

    let lines_in_batch = rows.iter().map(|r| r.line);
    audit::record(
        conn,
        AuditEvent {
            creditor_id: Some(ctx.creditor_id),
            actor_user_id: ctx.actor,
            action: "import.batch_applied",
            entity_type: "import",
            entity_id: ctx.import_id,
            details: serde_json::json!({
                "first_line": lines_in_batch.clone().min(),
                "last_line": lines_in_batch.max(),
                "imported": result.imported,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected.len(),
            }),
        },
    )?;
    Ok(result)
}

fn duplicate_rejection(first_line: Option<u64>) -> Rejection {
    let place = match first_line {
        Some(line) => format!("on line {line}"),
        None => "earlier in this file".to_string(),
    };
    Rejection::at(
        "account_ref",
        "duplicate_account_ref",
        format!("this account reference already appears {place}; each account may appear once per file"),
    )
}

fn chunk_by_entry<'a, 'b>(lines: &'b [NewJournalLine<'a>], target: usize) -> Vec<&'b [NewJournalLine<'a>]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let mut end = (start + target).min(lines.len());
        while end < lines.len() && lines[end].entry_id == lines[end - 1].entry_id {
            end += 1;
        }
        chunks.push(&lines[start..end]);
        start = end;
    }
    chunks
}

/// Which of the three contact channels have no usable entry.
#[derive(Clone, Copy, Debug)]
struct ContactFlags {
    no_valid_phone: bool,
    no_valid_address: bool,
    no_valid_email: bool,
}

impl ContactFlags {
    const NONE_VALID: ContactFlags = ContactFlags { no_valid_phone: true, no_valid_address: true, no_valid_email: true };

    /// Clears the flags that the line's valid contacts satisfy. The rule matches `refresh_contact_flags`.
    fn add_row(&mut self, row: &PlacementRow) {
        self.no_valid_phone &= !row.phones.iter().any(|p| p.is_valid);
        self.no_valid_address &= !row.address.as_ref().is_some_and(|a| a.is_valid);
        self.no_valid_email &= !row.emails.iter().any(|e| e.is_valid);
    }

    fn no_valid_contact(&self) -> bool {
        self.no_valid_phone && self.no_valid_address && self.no_valid_email
    }
}

/// Debtor ids by reference, and the references of debtors this batch created.
type DebtorIds<'a> = (HashMap<&'a str, Uuid>, HashSet<&'a str>);

/// Inserts new debtors and updates known ones, returning every debtor id by
/// reference and which debtors were new.
fn upsert_debtors<'a>(conn: &mut PgConnection, ctx: &BatchContext, plans: &[Plan<'a>]) -> QueryResult<DebtorIds<'a>> {
    let mut by_ref: HashMap<&str, NewDebtor> = HashMap::new();
    for plan in plans {
        let row = match plan {
            Plan::Insert(p) | Plan::Update(p, _) => &p.row,
        };
        // The last line of a batch wins when several accounts share one debtor.
        by_ref.insert(
            &row.debtor_ref,
            NewDebtor {
                id: Uuid::now_v7(),
                creditor_id: ctx.creditor_id,
                debtor_ref: &row.debtor_ref,
                kind: row.debtor_kind,
                name: row.debtor_name.as_deref(),
            },
        );
    }
    if by_ref.is_empty() {
        return Ok((HashMap::new(), HashSet::new()));
    }
    let values: Vec<NewDebtor> = by_ref.into_values().collect();
    // `xmax = 0` holds for a row this statement inserted rather than updated.
    let returned: Vec<(Uuid, String, bool)> = diesel::insert_into(debtors::table)
        .values(&values)
        .on_conflict((debtors::creditor_id, debtors::debtor_ref))
        .do_update()
        .set((
            debtors::kind.eq(excluded(debtors::kind)),
            debtors::name.eq(excluded(debtors::name)),
            debtors::updated_at.eq(Utc::now()),
        ))
        .returning((debtors::id, debtors::debtor_ref, diesel::dsl::sql::<diesel::sql_types::Bool>("xmax = 0")))
        .get_results(conn)?;
    let returned: HashMap<String, (Uuid, bool)> =
        returned.into_iter().map(|(id, debtor_ref, inserted)| (debtor_ref, (id, inserted))).collect();
    let mut ids = HashMap::with_capacity(returned.len());
    let mut created = HashSet::new();
    for plan in plans {
        let row = match plan {
            Plan::Insert(p) | Plan::Update(p, _) => &p.row,
        };
        if let Some((id, inserted)) = returned.get(&row.debtor_ref) {
            ids.insert(row.debtor_ref.as_str(), *id);
            if *inserted {
                created.insert(row.debtor_ref.as_str());
            }
        }
    }
    Ok((ids, created))
}

/// Adds the contact data the debtors do not have yet; a re-import never removes
/// contacts or resets flags set since (such as do-not-call).
fn insert_contacts(conn: &mut PgConnection, ctx: &BatchContext, plans: &[Plan<'_>], debtor_ids: &HashMap<&str, Uuid>) -> QueryResult<()> {
    let mut addresses = Vec::new();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    for plan in plans {
        let row = match plan {
            Plan::Insert(p) | Plan::Update(p, _) => &p.row,
        };
        let debtor_id = debtor_ids[row.debtor_ref.as_str()];
        if let Some(a) = &row.address {
            addresses.push(NewAddress {
                id: Uuid::now_v7(),
                creditor_id: ctx.creditor_id,
                debtor_id,
                line1: a.line1.as_deref(),
                line2: a.line2.as_deref(),
                city: a.city.as_deref(),
                region: a.region.as_deref(),
                postal_code: a.postal_code.as_deref(),
                country: a.country.as_deref(),
                is_valid: a.is_valid,
                invalid_reason: a.invalid_reason.as_deref(),
            });
        }
        for p in &row.phones {
            phones.push(NewPhone {
                id: Uuid::now_v7(),
                creditor_id: ctx.creditor_id,
                debtor_id,
                raw: &p.raw,
                e164: p.e164.as_deref(),
                phone_type: p.phone_type,
                is_valid: p.is_valid,
            });
        }
        for e in &row.emails {
            emails.push(NewEmail { id: Uuid::now_v7(), creditor_id: ctx.creditor_id, debtor_id, address: &e.address, is_valid: e.is_valid });
        }
    }
    if !addresses.is_empty() {
        diesel::insert_into(debtor_addresses::table).values(&addresses).on_conflict_do_nothing().execute(conn)?;
    }
    if !phones.is_empty() {
        diesel::insert_into(debtor_phones::table).values(&phones).on_conflict_do_nothing().execute(conn)?;
    }
    if !emails.is_empty() {
        diesel::insert_into(debtor_emails::table).values(&emails).on_conflict_do_nothing().execute(conn)?;
    }
    Ok(())
}

/// Recomputes the contact flags of the given accounts from their debtors'
/// contacts, returning how many have no valid contact at all.
pub fn refresh_contact_flags(conn: &mut PgConnection, account_ids: &[Uuid]) -> QueryResult<u64> {
    #[derive(QueryableByName)]
    struct Flagged {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        no_valid_contact: bool,
    }
    let rows: Vec<Flagged> = diesel::sql_query(
        "UPDATE accounts a SET
             no_valid_phone = NOT EXISTS (SELECT 1 FROM debtor_phones p
                 WHERE p.debtor_id = a.debtor_id AND p.is_valid AND NOT p.do_not_call),
             no_valid_address = NOT EXISTS (SELECT 1 FROM debtor_addresses d
                 WHERE d.debtor_id = a.debtor_id AND d.is_valid),
             no_valid_email = NOT EXISTS (SELECT 1 FROM debtor_emails e
                 WHERE e.debtor_id = a.debtor_id AND e.is_valid AND NOT e.opted_out)
         WHERE a.id = ANY($1)
         RETURNING (no_valid_phone AND no_valid_address AND no_valid_email) AS no_valid_contact",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(account_ids)
    .load(conn)?;
    Ok(rows.iter().filter(|r| r.no_valid_contact).count() as u64)
}
