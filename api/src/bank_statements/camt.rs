//! ISO 20022 camt.052 (account report), camt.053 (statement) and camt.054
//! (debit/credit notification) XML, versions .001.01 to .001.08.
//!
//! The parser reads the elements that the model needs and checks their
//! values. It does not validate the whole document against the XSD, so
//! unknown or extra elements are ignored. Missing required elements and
//! invalid values are errors that name the element path and line.
//!
//! Date-times (`DtTm`) become the calendar date written in them, in the
//! bank's own time zone, without conversion to UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use roxmltree::{Document, Node, ParsingOptions};

use super::amount::{is_currency_code, parse_minor_units, Notation};
use super::camt_details::copy_single_detail;
use super::error::StatementError;
use super::model::{
    Balance, BalanceKind, Entry, EntryStatus, Format, SourceEncoding, Statement, StatementFile,
};

const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:camt.";

/// Parses a camt.052, camt.053 or camt.054 document.
pub fn parse_camt(bytes: &[u8]) -> Result<StatementFile, StatementError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| StatementError::NotUtf8 {
        offset: error.valid_up_to(),
    })?;
    if text.trim().is_empty() {
        return Err(StatementError::Empty);
    }

    // DTDs are rejected: ISO 20022 messages have none, and entity expansion
    // is a denial-of-service risk.
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).map_err(|error| {
        let position = error.pos();
        let message = match error {
            roxmltree::Error::DtdDetected => {
                "a DOCTYPE declaration (DTD) is not allowed in a camt document".to_string()
            }
            other => other.to_string(),
        };
        StatementError::Xml {
            line: position.row,
            column: position.col,
            message,
        }
    })?;

    let root = document.root_element();
    let namespace = root.tag_name().namespace().unwrap_or("");
    let kind = match namespace_kind(namespace) {
        Some(kind) if root.tag_name().name() == "Document" => kind,
        _ => {
            return Err(StatementError::UnsupportedDocument {
                root: root.tag_name().name().to_string(),
                namespace: namespace.to_string(),
            });
        }
    };

    let reader = Reader {
        document: &document,
        namespace,
    };
    reader.read_document(root, kind)
}

/// Returns the format and version of a camt namespace such as
/// "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", for versions 01 to 08.
pub(super) fn namespace_kind(namespace: &str) -> Option<(Format, u8)> {
    let rest = namespace.strip_prefix(NAMESPACE_PREFIX)?;
    let (message, version) = rest.split_once(".001.")?;
    let format = match message {
        "052" => Format::Camt052,
        "053" => Format::Camt053,
        "054" => Format::Camt054,
        _ => return None,
    };
    let version_number: u8 = match version.as_bytes() {
        [b'0', digit @ b'1'..=b'8'] => digit - b'0',
        _ => return None,
    };
    Some((format, version_number))
}

/// Names of the message element and of its records for each format.
fn element_names(format: Format) -> (&'static str, &'static str, &'static str) {
    match format {
        Format::Camt052 => ("BkToCstmrAcctRpt", "Rpt", "AddtlRptInf"),
        Format::Camt054 => ("BkToCstmrDbtCdtNtfctn", "Ntfctn", "AddtlNtfctnInf"),
        _ => ("BkToCstmrStmt", "Stmt", "AddtlStmtInf"),
    }
}

pub(super) struct Reader<'a, 'input> {
    document: &'a Document<'input>,
    namespace: &'a str,
}

pub(super) type XmlNode<'a, 'input> = Node<'a, 'input>;

impl<'a, 'input> Reader<'a, 'input> {
    fn read_document(
        &self,
        root: XmlNode<'a, 'input>,
        (format, version): (Format, u8),
    ) -> Result<StatementFile, StatementError> {
        let (message_name, record_name, information_name) = element_names(format);
        // Version .001.01 names the message element with a "V01" suffix.
        let versioned_name = format!("{message_name}V01");
        let message = self
            .child(root, message_name)
            .or_else(|| self.child(root, &versioned_name))
            .ok_or_else(|| {
                self.error(
                    root,
                    format!(
                        "missing <{message_name}> element; expected it as the child of Document"
                    ),
                )
            })?;

        let group_header = self.required_child(message, "GrpHdr", "the group header")?;
        let message_id = self.required_text(group_header, "MsgId", "the message id")?;

        let mut statements = Vec::new();
        for record in self.children(message, record_name) {
            statements.push(self.read_record(record, information_name)?);
        }
        if statements.is_empty() {
            return Err(self.error(
                message,
                format!(
                    "no <{record_name}> element; expected at least one {}",
                    record_noun(format)
                ),
            ));
        }

        Ok(StatementFile {
            format,
            message_id: Some(message_id.to_string()),
            camt_version: Some(version),
            encoding: SourceEncoding::Utf8,
            statements,
        })
    }

    fn read_record(
        &self,
        record: XmlNode<'a, 'input>,
        information_name: &str,
    ) -> Result<Statement, StatementError> {
        let id = self.required_text(record, "Id", "the statement id")?;
        let sequence_number = self
            .child_text(record, "ElctrncSeqNb")
            .or_else(|| self.child_text(record, "LglSeqNb"));

        let account_node = self.required_child(record, "Acct", "the account")?;
        let account = self.read_account_id(account_node).ok_or_else(|| {
            self.error(
                account_node,
                "missing account identification; expected Id/IBAN or Id/Othr/Id",
            )
        })?;
        let account_currency = match self.child(account_node, "Ccy") {
            Some(node) => Some(self.read_currency_text(node)?),
            None => None,
        };

        let mut balances = Vec::new();
        for node in self.children(record, "Bal") {
            balances.push(self.read_balance(node)?);
        }
        // PRCD is the opening balance when a bank sends no OPBD.
        let opening_position = position_of_kind(&balances, &BalanceKind::OpeningBooked)
            .or_else(|| position_of_kind(&balances, &BalanceKind::PreviouslyClosedBooked));
        let opening_balance = opening_position.map(|position| balances.remove(position));
        let closing_balance = position_of_kind(&balances, &BalanceKind::ClosingBooked)
            .map(|position| balances.remove(position));
        let other_balances = balances;

        let mut entries = Vec::new();
        for node in self.children(record, "Ntry") {
            entries.push(self.read_entry(node)?);
        }

        let currency = account_currency
            .or_else(|| {
                opening_balance
                    .as_ref()
                    .map(|balance| balance.currency.clone())
            })
            .or_else(|| {
                closing_balance
                    .as_ref()
                    .map(|balance| balance.currency.clone())
            })
            .or_else(|| {
                other_balances
                    .first()
                    .map(|balance| balance.currency.clone())
            })
            .or_else(|| entries.first().map(|entry| entry.currency.clone()));

        Ok(Statement {
            id: id.to_string(),
            sequence_number: sequence_number.map(str::to_string),
            line: self.line_of(record),
            account,
            currency,
            opening_balance,
            closing_balance,
            other_balances,
            entries,
            information: self
                .child_text(record, information_name)
                .map(str::to_string),
            debit_total: None,
            credit_total: None,
            unknown_fields: Vec::new(),
        })
    }

    fn read_balance(&self, node: XmlNode<'a, 'input>) -> Result<Balance, StatementError> {
        let type_node = self.required_child(node, "Tp", "the balance type")?;
        let code_holder = self.child(type_node, "CdOrPrtry").unwrap_or(type_node);
        let kind = if let Some(code) = self.child_text(code_holder, "Cd") {
            balance_kind(code)
        } else if let Some(proprietary) = self.child_text(code_holder, "Prtry") {
            BalanceKind::Other(proprietary.to_string())
        } else {
            return Err(self.error(
                type_node,
                "missing balance type code; expected CdOrPrtry/Cd such as OPBD or CLBD",
            ));
        };

        let (amount_minor, currency) = self.read_signed_amount_at(node, node, None)?;
        let date_node = self.required_child(node, "Dt", "the balance date")?;
        let date = self.read_date_choice(date_node)?;
        Ok(Balance {
            kind,
            amount_minor,
            currency,
            date,
        })
    }

    fn read_entry(&self, node: XmlNode<'a, 'input>) -> Result<Entry, StatementError> {
        let (amount_minor, currency) = self.read_signed_amount_at(node, node, None)?;
        let is_credit = self.child_text(node, "CdtDbtInd") == Some("CRDT");

        let reversal = match self.child(node, "RvslInd") {
            Some(indicator) => self.read_boolean(indicator)?,
            None => false,
        };
        let status = self.child(node, "Sts").map(|status| {
            let code = self
                .child_text(status, "Cd")
                .or_else(|| self.child_text(status, "Prtry"))
                .or_else(|| text_of(status))
                .unwrap_or("");
            entry_status(code)
        });
        let booking_date = match self.child(node, "BookgDt") {
            Some(date_node) => Some(self.read_date_choice(date_node)?),
            None => None,
        };
        let value_date = match self.child(node, "ValDt") {
            Some(date_node) => Some(self.read_date_choice(date_node)?),
            None => None,
        };
        let (bank_transaction_code, proprietary_transaction_code) = match self.child(node, "BkTxCd")
        {
            Some(code_node) => self.read_transaction_code(code_node),
            None => (None, None),
        };

        let mut batch_payment_id = None;
        let mut details = Vec::new();
        for entry_details in self.children(node, "NtryDtls") {
            if batch_payment_id.is_none() {
                batch_payment_id = self
                    .child(entry_details, "Btch")
                    .and_then(|batch| self.child_text(batch, "PmtInfId"))
                    .map(str::to_string);
            }
            for transaction in self.children(entry_details, "TxDtls") {
                details.push(self.read_transaction_detail(transaction, is_credit)?);
            }
        }

        let mut entry = Entry {
            line: self.line_of(node),
            booking_date,
            value_date,
            amount_minor,
            currency,
            reversal,
            status,
            bank_reference: self.child_text(node, "AcctSvcrRef").map(str::to_string),
            customer_reference: self.child_text(node, "NtryRef").map(str::to_string),
            end_to_end_id: None,
            mandate_id: None,
            creditor_reference: None,
            remittance_info: None,
            counterparty_name: None,
            counterparty_account: None,
            counterparty_bank: None,
            bank_transaction_code,
            proprietary_transaction_code,
            booking_text: self.child_text(node, "AddtlNtryInf").map(str::to_string),
            supplementary_details: None,
            information: None,
            return_reason: None,
            batch_payment_id,
            details,
        };
        if entry.details.len() == 1 {
            copy_single_detail(&mut entry, is_credit);
        }
        Ok(entry)
    }

    /// Returns ("DOMAIN/FAMILY/SUBFAMILY", proprietary code) of a `BkTxCd`.
    fn read_transaction_code(&self, node: XmlNode<'a, 'input>) -> (Option<String>, Option<String>) {
        let domain = self.child(node, "Domn").and_then(|domain| {
            let domain_code = self.child_text(domain, "Cd")?;
            let family = self.child(domain, "Fmly");
            let family_code = family.and_then(|family| self.child_text(family, "Cd"));
            let subfamily_code = family.and_then(|family| self.child_text(family, "SubFmlyCd"));
            let parts: Vec<&str> = [Some(domain_code), family_code, subfamily_code]
                .into_iter()
                .flatten()
                .collect();
            Some(parts.join("/"))
        });
        let proprietary = self
            .child(node, "Prtry")
            .and_then(|proprietary| self.child_text(proprietary, "Cd"))
            .map(str::to_string);
        (domain, proprietary)
    }

    /// Reads `Id/IBAN`, `Id/Othr/Id`, or a version .001.01 account id
    /// (`Id/PrtryAcct/Id`, `Id/BBAN`, `Id/UPIC`).
    pub(super) fn read_account_id(&self, account: XmlNode<'a, 'input>) -> Option<String> {
        let id = self.child(account, "Id")?;
        let value = self
            .child_text(id, "IBAN")
            .or_else(|| {
                self.child(id, "Othr")
                    .and_then(|other| self.child_text(other, "Id"))
            })
            .or_else(|| {
                self.child(id, "PrtryAcct")
                    .and_then(|other| self.child_text(other, "Id"))
            })
            .or_else(|| self.child_text(id, "BBAN"))
            .or_else(|| self.child_text(id, "UPIC"));
        value.map(str::to_string)
    }

    /// Reads `<Amt Ccy="...">` under `amount_parent` and the `CdtDbtInd`
    /// under `indicator_parent`, and returns the signed minor units and the
    /// currency. Without a `CdtDbtInd`, `default_sign` applies, or the
    /// indicator is reported missing when that is None.
    pub(super) fn read_signed_amount_at(
        &self,
        amount_parent: XmlNode<'a, 'input>,
        indicator_parent: XmlNode<'a, 'input>,
        default_sign: Option<i64>,
    ) -> Result<(i64, String), StatementError> {
        let amount_node = self.required_child(amount_parent, "Amt", "the amount")?;
        let currency = amount_node.attribute("Ccy").ok_or_else(|| {
            self.error(
                amount_node,
                "missing Ccy attribute; expected an ISO 4217 currency code",
            )
        })?;
        if !is_currency_code(currency) {
            return Err(self.error(
                amount_node,
                format!("invalid Ccy attribute {currency:?}; expected an ISO 4217 currency code"),
            ));
        }
        let text = amount_node.text().unwrap_or("").trim();
        let amount = parse_minor_units(text, Notation::XmlDecimal, currency).map_err(|reason| {
            self.error(
                amount_node,
                format!("invalid amount {text:?} for {currency}: {reason}"),
            )
        })?;

        let sign = match self.child(indicator_parent, "CdtDbtInd") {
            Some(indicator) => match text_of(indicator) {
                Some("CRDT") => 1,
                Some("DBIT") => -1,
                other => {
                    return Err(self.error(
                        indicator,
                        format!(
                            "invalid credit/debit indicator {:?}; expected CRDT or DBIT",
                            other.unwrap_or("")
                        ),
                    ));
                }
            },
            None => default_sign.ok_or_else(|| {
                self.error(
                    indicator_parent,
                    "missing <CdtDbtInd> element; expected CRDT or DBIT beside the amount",
                )
            })?,
        };
        Ok((sign * amount, currency.to_string()))
    }

    fn read_currency_text(&self, node: XmlNode<'a, 'input>) -> Result<String, StatementError> {
        let code = text_of(node).unwrap_or("");
        if is_currency_code(code) {
            Ok(code.to_string())
        } else {
            Err(self.error(
                node,
                format!("invalid currency {code:?}; expected an ISO 4217 code"),
            ))
        }
    }

    fn read_boolean(&self, node: XmlNode<'a, 'input>) -> Result<bool, StatementError> {
        match text_of(node) {
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            other => Err(self.error(
                node,
                format!(
                    "invalid boolean {:?}; expected true or false",
                    other.unwrap_or("")
                ),
            )),
        }
    }

    /// Reads a date choice: `<Dt>` (ISODate) or `<DtTm>` (ISODateTime).
    fn read_date_choice(&self, node: XmlNode<'a, 'input>) -> Result<NaiveDate, StatementError> {
        if let Some(date_node) = self.child(node, "Dt") {
            let text = text_of(date_node).unwrap_or("");
            return parse_iso_date(text).ok_or_else(|| {
                self.error(
                    date_node,
                    format!("invalid date {text:?}; expected YYYY-MM-DD"),
                )
            });
        }
        if let Some(date_time_node) = self.child(node, "DtTm") {
            let text = text_of(date_time_node).unwrap_or("");
            return parse_iso_date_time(text).ok_or_else(|| {
                self.error(
                    date_time_node,
                    format!(
                        "invalid date-time {text:?}; expected YYYY-MM-DDThh:mm:ss with optional \
                         fraction and time zone"
                    ),
                )
            });
        }
        Err(self.error(node, "missing <Dt> or <DtTm> element; expected a date"))
    }

    pub(super) fn child(
        &self,
        parent: XmlNode<'a, 'input>,
        name: &str,
    ) -> Option<XmlNode<'a, 'input>> {
        self.children(parent, name).next()
    }

    pub(super) fn children<'b>(
        &'b self,
        parent: XmlNode<'a, 'input>,
        name: &'b str,
    ) -> impl Iterator<Item = XmlNode<'a, 'input>> + 'b {
        parent.children().filter(move |node| {
            node.is_element()
                && node.tag_name().name() == name
                && node.tag_name().namespace() == Some(self.namespace)
        })
    }

    pub(super) fn child_text(&self, parent: XmlNode<'a, 'input>, name: &str) -> Option<&'a str> {
        self.child(parent, name).and_then(text_of)
    }

    fn required_child(
        &self,
        parent: XmlNode<'a, 'input>,
        name: &str,
        description: &str,
    ) -> Result<XmlNode<'a, 'input>, StatementError> {
        self.child(parent, name).ok_or_else(|| {
            self.error(
                parent,
                format!("missing <{name}> element; expected {description}"),
            )
        })
    }

    fn required_text(
        &self,
        parent: XmlNode<'a, 'input>,
        name: &str,
        description: &str,
    ) -> Result<&'a str, StatementError> {
        let node = self.required_child(parent, name, description)?;
        text_of(node).ok_or_else(|| {
            self.error(
                node,
                format!("empty <{name}> element; expected {description}"),
            )
        })
    }

    pub(super) fn line_of(&self, node: XmlNode) -> u32 {
        self.document.text_pos_at(node.range().start).row
    }

    fn error(&self, node: XmlNode, message: impl Into<String>) -> StatementError {
        StatementError::Camt {
            path: element_path(node),
            line: self.line_of(node),
            message: message.into(),
        }
    }
}

fn record_noun(format: Format) -> &'static str {
    match format {
        Format::Camt052 => "report",
        Format::Camt054 => "notification",
        _ => "statement",
    }
}

/// Returns the trimmed text of an element, or None when it is empty.
pub(super) fn text_of<'a>(node: XmlNode<'a, '_>) -> Option<&'a str> {
    let text = node.text()?.trim();
    if text.is_empty() {
        None
    } else {
        Some(text)
    }
}

/// Returns a path such as "/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt". A
/// position is given when the parent has several elements of that name.
fn element_path(node: XmlNode) -> String {
    let mut parts: Vec<String> = Vec::new();
    for element in node.ancestors().filter(|ancestor| ancestor.is_element()) {
        let name = element.tag_name().name();
        let same_named =
            |sibling: &XmlNode| sibling.is_element() && sibling.tag_name().name() == name;
        let siblings = element
            .parent()
            .map(|parent| parent.children().filter(same_named).count());
        let part = match siblings {
            Some(count) if count > 1 => {
                let position = element.prev_siblings().filter(same_named).count();
                format!("{name}[{position}]")
            }
            _ => name.to_string(),
        };
        parts.push(part);
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

fn position_of_kind(balances: &[Balance], kind: &BalanceKind) -> Option<usize> {
    balances.iter().position(|balance| balance.kind == *kind)
}

fn balance_kind(code: &str) -> BalanceKind {
    match code {
        "OPBD" => BalanceKind::OpeningBooked,
        "PRCD" => BalanceKind::PreviouslyClosedBooked,
        "CLBD" => BalanceKind::ClosingBooked,
        "OPAV" => BalanceKind::OpeningAvailable,
        "CLAV" => BalanceKind::ClosingAvailable,
        "FWAV" => BalanceKind::ForwardAvailable,
        "ITBD" => BalanceKind::InterimBooked,
        "ITAV" => BalanceKind::InterimAvailable,
        "INFO" => BalanceKind::Information,
        "XPCD" => BalanceKind::ExpectedCredit,
        "XPDT" => BalanceKind::ExpectedDebit,
        other => BalanceKind::Other(other.to_string()),
    }
}

fn entry_status(code: &str) -> EntryStatus {
    match code {
        "BOOK" => EntryStatus::Booked,
        "PDNG" => EntryStatus::Pending,
        "INFO" => EntryStatus::Information,
        "FUTR" => EntryStatus::Future,
        other => EntryStatus::Other(other.to_string()),
    }
}

/// Parses an XML Schema date "YYYY-MM-DD" with an optional time zone ("Z" or
/// "+01:00"), which is ignored.
fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let date_part = text.get(0..10)?;
    let zone = text.get(10..)?;
    if !(zone.is_empty() || zone == "Z" || is_utc_offset(zone)) {
        return None;
    }
    parse_plain_date(date_part)
}

/// Parses an XML Schema dateTime and returns its calendar date as written.
fn parse_iso_date_time(text: &str) -> Option<NaiveDate> {
    if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
        // `parse_from_rfc3339` also accepts a space for 'T', but XML does not.
        if text.as_bytes().get(10) == Some(&b'T') {
            return Some(date_time.date_naive());
        }
        return None;
    }
    let date_time = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    parse_plain_date(text.get(0..10)?)?;
    Some(date_time.date())
}

fn parse_plain_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn is_utc_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 6
        && matches!(bytes[0], b'+' | b'-')
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && bytes[3] == b':'
        && bytes[4].is_ascii_digit()
        && bytes[5].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_map_to_format_and_version() {
        assert_eq!(
            namespace_kind("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"),
            Some((Format::Camt053, 2))
        );
        assert_eq!(
            namespace_kind("urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"),
            Some((Format::Camt052, 8))
        );
        assert_eq!(
            namespace_kind("urn:iso:std:iso:20022:tech:xsd:camt.053.001.09"),
            None
        );
        assert_eq!(
            namespace_kind("urn:iso:std:iso:20022:tech:xsd:camt.056.001.02"),
            None
        );
        assert_eq!(
            namespace_kind("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"),
            None
        );
    }

    #[test]
    fn dates_parse_with_and_without_zone() {
        let day = NaiveDate::from_ymd_opt(2014, 12, 31);
        assert_eq!(parse_iso_date("2014-12-31"), day);
        assert_eq!(parse_iso_date("2014-12-31Z"), day);
        assert_eq!(parse_iso_date("2014-12-31+01:00"), day);
        assert_eq!(parse_iso_date("2014-12-32"), None);
        assert_eq!(parse_iso_date("2014-12-3"), None);
        assert_eq!(parse_iso_date("2014-12-31 "), None);
    }

    #[test]
    fn date_times_keep_local_date() {
        let day = NaiveDate::from_ymd_opt(2007, 10, 18);
        assert_eq!(parse_iso_date_time("2007-10-18T00:15:00+01:00"), day);
        assert_eq!(parse_iso_date_time("2007-10-18T23:15:00-05:00"), day);
        assert_eq!(parse_iso_date_time("2007-10-18T10:15:00Z"), day);
        assert_eq!(parse_iso_date_time("2007-10-18T10:15:00.000000000"), day);
        assert_eq!(parse_iso_date_time("2007-10-18T10:15:00"), day);
        assert_eq!(parse_iso_date_time("2007-10-18 10:15:00+01:00"), None);
        assert_eq!(parse_iso_date_time("2007-10-18T25:15:00"), None);
        assert_eq!(parse_iso_date_time("2007-10-18"), None);
    }
}
