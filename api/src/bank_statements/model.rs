//! The common model that every supported format is parsed into.
//!
//! Amounts are integer minor units of their currency (cents for EUR, yen for
//! JPY, fils for KWD). Signed amounts are positive for credits to the account
//! and negative for debits, so that opening balance plus the sum of the entries
//! gives the closing balance.

use chrono::NaiveDate;
use serde::Serialize;

/// Message format of a parsed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// ISO 20022 camt.052, bank to customer account report (intraday).
    Camt052,
    /// ISO 20022 camt.053, bank to customer statement (end of day).
    Camt053,
    /// ISO 20022 camt.054, bank to customer debit/credit notification.
    Camt054,
    /// SWIFT MT940, customer statement message.
    Mt940,
    /// SWIFT MT942, interim transaction report.
    Mt942,
}

/// Character encoding that the input was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SourceEncoding {
    Utf8,
    /// Used for MT940/MT942 input that is not valid UTF-8.
    Windows1252,
    /// An encoding that the caller of `parse_mt9xx_with_encoding` chose,
    /// by its WHATWG name such as "ISO-8859-2".
    Other(&'static str),
}

/// One parsed file: a camt document or a sequence of MT940/MT942 messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementFile {
    pub format: Format,
    /// camt `GrpHdr/MsgId`. MT940/MT942 files have no file-level id.
    pub message_id: Option<String>,
    /// ISO 20022 schema version, such as 2 for camt.053.001.02. None for MT.
    pub camt_version: Option<u8>,
    pub encoding: SourceEncoding,
    /// Statements, reports or notifications in file order.
    pub statements: Vec<Statement>,
}

/// One statement (camt.053 `Stmt`, camt.052 `Rpt`, camt.054 `Ntfctn`) or one
/// MT940/MT942 message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// camt `Id`, or the MT `:20:` transaction reference number.
    pub id: String,
    /// camt `ElctrncSeqNb` (or `LglSeqNb` when that is missing), or the MT
    /// `:28C:` statement and sequence number as written, such as "19321/1".
    pub sequence_number: Option<String>,
    /// 1-based source line of the `:20:` field or of the camt record element.
    pub line: u32,
    /// IBAN, or another account identifier as the bank wrote it (MT `:25:`).
    pub account: String,
    /// ISO 4217 code of the account. camt files take it from `Acct/Ccy`, or
    /// else from a balance or the first entry. None when the file states no
    /// currency at all.
    pub currency: Option<String>,
    /// Booked opening balance: camt `OPBD` (or `PRCD` when there is no
    /// `OPBD`), MT `:60F:` or intermediate `:60M:`.
    pub opening_balance: Option<Balance>,
    /// Booked closing balance: camt `CLBD`, MT `:62F:` or intermediate
    /// `:62M:`. Always None for MT942, and camt.054 carries no balances.
    pub closing_balance: Option<Balance>,
    /// Every other balance in file order, such as MT `:64:`/`:65:` or camt
    /// `CLAV`, `ITBD` and `FWAV`.
    pub other_balances: Vec<Balance>,
    /// Every entry of the statement in file order.
    pub entries: Vec<Entry>,
    /// Statement-level free text: camt `AddtlStmtInf`/`AddtlRptInf`/
    /// `AddtlNtfctnInf`, or MT `:86:` fields outside an entry, one per line.
    pub information: Option<String>,
    /// MT942 `:90D:` number and sum of debit entries.
    pub debit_total: Option<EntryTotal>,
    /// MT942 `:90C:` number and sum of credit entries.
    pub credit_total: Option<EntryTotal>,
    /// MT fields with tags that this parser does not interpret, such as the
    /// `:NS:` fields of some German and Hungarian banks. Always empty for camt.
    pub unknown_fields: Vec<UnknownField>,
}

/// Kind of a balance, named after the ISO 20022 balance type codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum BalanceKind {
    /// camt `OPBD`, MT `:60F:`.
    OpeningBooked,
    /// MT `:60M:`: opening balance of a statement continued from the
    /// previous message.
    IntermediateOpening,
    /// camt `PRCD`: closing balance of the previous statement.
    PreviouslyClosedBooked,
    /// camt `CLBD`, MT `:62F:`.
    ClosingBooked,
    /// MT `:62M:`: closing balance of a statement continued in the next
    /// message.
    IntermediateClosing,
    /// camt `OPAV`.
    OpeningAvailable,
    /// camt `CLAV`, MT `:64:`.
    ClosingAvailable,
    /// camt `FWAV`, MT `:65:`.
    ForwardAvailable,
    /// camt `ITBD`.
    InterimBooked,
    /// camt `ITAV`.
    InterimAvailable,
    /// camt `INFO`.
    Information,
    /// camt `XPCD`.
    ExpectedCredit,
    /// camt `XPDT`.
    ExpectedDebit,
    /// Any other camt code or proprietary type, as written.
    Other(String),
}

/// A balance on a given date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub kind: BalanceKind,
    /// Signed minor units: a credit balance is positive, a debit balance
    /// (overdraft) negative.
    pub amount_minor: i64,
    pub currency: String,
    pub date: NaiveDate,
}

/// Status of a camt entry. MT940/MT942 entries carry none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum EntryStatus {
    /// `BOOK`: posted to the account.
    Booked,
    /// `PDNG`: not yet posted and may still change.
    Pending,
    /// `INFO`: for information only, never posted.
    Information,
    /// `FUTR`: to be posted on a later date.
    Future,
    Other(String),
}

/// One booking on the account: a camt `Ntry` or an MT `:61:` statement line
/// with the `:86:` fields that follow it.
///
/// The counterparty, reference and remittance fields describe the whole entry.
/// For a camt entry they are copied from its transaction detail when it has
/// exactly one, and stay None for batch entries, whose transactions are in
/// `details`. MT entries have no `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// 1-based source line of the `:61:` field or of the camt `Ntry` element.
    pub line: u32,
    /// camt `BookgDt`, MT entry date (the optional MMDD of `:61:`).
    pub booking_date: Option<NaiveDate>,
    /// camt `ValDt`, MT value date.
    pub value_date: Option<NaiveDate>,
    /// Signed minor units: credit positive, debit negative. A reversal keeps
    /// the sign of its own booking, so a reversed credit (MT `RC`, camt `DBIT`
    /// with `RvslInd`) is negative.
    pub amount_minor: i64,
    pub currency: String,
    /// camt `RvslInd` is true, or the MT mark is `RC` or `RD`: the entry
    /// undoes an earlier entry of the opposite direction.
    pub reversal: bool,
    /// camt `Sts`. None for MT940/MT942.
    pub status: Option<EntryStatus>,
    /// Reference of the account servicing bank: camt `AcctSvcrRef`, or the
    /// MT `:61:` reference after `//`.
    pub bank_reference: Option<String>,
    /// Reference for the account owner: camt `NtryRef`, or the MT `:61:`
    /// reference. "NONREF", which MT940 uses for "no reference", becomes None.
    pub customer_reference: Option<String>,
    /// End-to-end id of the payment. "NOTPROVIDED", which SEPA uses for "no
    /// id", becomes None.
    pub end_to_end_id: Option<String>,
    /// Direct debit mandate id: camt `MndtId`, German `MREF+`, or `/MARF/`.
    pub mandate_id: Option<String>,
    /// Structured creditor reference (camt `CdtrRefInf/Ref`), such as an ISO
    /// 11649 RF reference.
    pub creditor_reference: Option<String>,
    /// Remittance text for matching. camt: `Ustrd` lines, then
    /// `AddtlRmtInf`, one per line. MT: the `SVWZ+` or `/REMI/` part of a
    /// structured `:86:`, the whole purpose text of a German `:86:` without
    /// `SVWZ+`, or else the whole `:86:` text.
    pub remittance_info: Option<String>,
    /// The other party. camt: the debtor (payer) of a credit or of a reversed
    /// debit, the creditor (payee) of a debit or of a reversed credit. MT: the
    /// name in a structured `:86:` (German `?32`/`?33`, or `/NAME/`).
    pub counterparty_name: Option<String>,
    /// IBAN or other account number of the other party.
    pub counterparty_account: Option<String>,
    /// BIC or national bank code of the other party's bank.
    pub counterparty_bank: Option<String>,
    /// camt `BkTxCd/Domn` as "DOMAIN/FAMILY/SUBFAMILY" (for example
    /// "PMNT/RCDT/ESCT"), or the MT `:61:` transaction type such as "NTRF".
    pub bank_transaction_code: Option<String>,
    /// camt `BkTxCd/Prtry/Cd`, or the 3-digit German business transaction
    /// code (GVC) that starts a structured `:86:`.
    pub proprietary_transaction_code: Option<String>,
    /// camt `AddtlNtryInf`, or the booking text (`?00`) of a German `:86:`.
    pub booking_text: Option<String>,
    /// MT `:61:` supplementary details (the lines after the first).
    pub supplementary_details: Option<String>,
    /// MT `:86:` text as written, lines joined with '\n' and leading and
    /// trailing whitespace removed. Several `:86:` fields are joined with '\n'.
    pub information: Option<String>,
    /// Return reason code: camt `RtrInf/Rsn`, or MT `/RTRN/`.
    pub return_reason: Option<String>,
    /// camt `Btch/PmtInfId` of a batch entry.
    pub batch_payment_id: Option<String>,
    /// camt `TxDtls`, one per underlying transaction, in file order.
    pub details: Vec<TransactionDetail>,
}

/// One camt `TxDtls`: an underlying transaction of an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionDetail {
    /// 1-based source line of the `TxDtls` element.
    pub line: u32,
    /// Signed minor units of the transaction amount (`Amt`, or
    /// `AmtDtls/TxAmt/Amt` in version 2). The sign follows the detail's own
    /// `CdtDbtInd` and, when that is missing, the entry's.
    pub amount_minor: Option<i64>,
    /// Currency of `amount_minor`, which may differ from the entry's.
    pub currency: Option<String>,
    pub account_servicer_reference: Option<String>,
    pub payment_information_id: Option<String>,
    pub instruction_id: Option<String>,
    pub end_to_end_id: Option<String>,
    pub transaction_id: Option<String>,
    pub mandate_id: Option<String>,
    /// SWIFT gpi unique end-to-end transaction reference (`UETR`).
    pub uetr: Option<String>,
    pub debtor: Option<Party>,
    pub creditor: Option<Party>,
    pub ultimate_debtor: Option<Party>,
    pub ultimate_creditor: Option<Party>,
    /// `Ustrd` lines, then `Strd/AddtlRmtInf` lines, joined with '\n'.
    pub remittance_info: Option<String>,
    /// Every `Strd/CdtrRefInf/Ref`, in file order.
    pub creditor_references: Vec<String>,
    /// Every `Strd/RfrdDocInf/Nb` (such as invoice numbers), in file order.
    pub referred_document_numbers: Vec<String>,
    /// `RtrInf/Rsn/Cd` or `RtrInf/Rsn/Prtry`.
    pub return_reason: Option<String>,
    /// `AddtlTxInf`.
    pub additional_info: Option<String>,
}

/// A party of a camt transaction with its account and bank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: Option<String>,
    /// IBAN or other account id (`DbtrAcct`/`CdtrAcct`).
    pub account: Option<String>,
    /// BIC (`RltdAgts/DbtrAgt` or `CdtrAgt`).
    pub bank: Option<String>,
}

/// MT942 `:90D:` or `:90C:`: the number and sum of the debit or credit
/// entries, as stated by the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryTotal {
    pub count: u32,
    /// Unsigned minor units.
    pub amount_minor: i64,
    pub currency: String,
}

/// An MT field whose tag the parser does not interpret, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownField {
    /// 1-based source line of the tag.
    pub line: u32,
    /// Tag without colons, such as "NS" or "12".
    pub tag: String,
    /// Field text, lines joined with '\n', without leading and trailing
    /// whitespace.
    pub value: String,
    /// Index in `Statement::entries` of the entry that the field follows,
    /// or None when it comes before the first entry or after the closing
    /// balance (MT940) or totals (MT942).
    pub entry_index: Option<usize>,
}
