//! camt transaction details (`TxDtls`): references, amount, related
//! parties and remittance information.

use super::camt::{text_of, Reader, XmlNode};
use super::error::StatementError;
use super::model::{Entry, Party, TransactionDetail};

impl<'a, 'input> Reader<'a, 'input> {
    pub(super) fn read_transaction_detail(
        &self,
        node: XmlNode<'a, 'input>,
        entry_is_credit: bool,
    ) -> Result<TransactionDetail, StatementError> {
        let mut detail = TransactionDetail {
            line: self.line_of(node),
            ..TransactionDetail::default()
        };

        if let Some(references) = self.child(node, "Refs") {
            let text = |name: &str| self.child_text(references, name).map(str::to_string);
            detail.account_servicer_reference = text("AcctSvcrRef");
            detail.payment_information_id = text("PmtInfId");
            detail.instruction_id = text("InstrId");
            detail.end_to_end_id = text("EndToEndId");
            detail.transaction_id = text("TxId");
            detail.mandate_id = text("MndtId");
            detail.uetr = text("UETR");
        }

        let default_sign = if entry_is_credit { 1 } else { -1 };
        let amount_holder = if self.child(node, "Amt").is_some() {
            Some(node)
        } else {
            self.child(node, "AmtDtls").and_then(|amount_details| {
                self.child(amount_details, "TxAmt")
                    .or_else(|| self.child(amount_details, "InstdAmt"))
            })
        };
        if let Some(holder) = amount_holder {
            let indicator_holder = if self.child(node, "CdtDbtInd").is_some() {
                node
            } else {
                holder
            };
            let (amount, currency) =
                self.read_signed_amount_at(holder, indicator_holder, Some(default_sign))?;
            detail.amount_minor = Some(amount);
            detail.currency = Some(currency);
        }

        let parties = self.child(node, "RltdPties");
        let agents = self.child(node, "RltdAgts");
        detail.debtor =
            self.read_party(parties, "Dbtr", Some("DbtrAcct"), agents, Some("DbtrAgt"))?;
        detail.creditor =
            self.read_party(parties, "Cdtr", Some("CdtrAcct"), agents, Some("CdtrAgt"))?;
        detail.ultimate_debtor = self.read_party(parties, "UltmtDbtr", None, None, None)?;
        detail.ultimate_creditor = self.read_party(parties, "UltmtCdtr", None, None, None)?;

        if let Some(remittance) = self.child(node, "RmtInf") {
            let mut lines: Vec<&str> = self
                .children(remittance, "Ustrd")
                .filter_map(text_of)
                .collect();
            for structured in self.children(remittance, "Strd") {
                for reference_information in self.children(structured, "CdtrRefInf") {
                    if let Some(reference) = self.child_text(reference_information, "Ref") {
                        detail.creditor_references.push(reference.to_string());
                    }
                }
                for document in self.children(structured, "RfrdDocInf") {
                    if let Some(number) = self.child_text(document, "Nb") {
                        detail.referred_document_numbers.push(number.to_string());
                    }
                }
                lines.extend(self.children(structured, "AddtlRmtInf").filter_map(text_of));
            }
            if !lines.is_empty() {
                detail.remittance_info = Some(lines.join("\n"));
            }
        }

        detail.return_reason = self
            .child(node, "RtrInf")
            .and_then(|return_information| self.child(return_information, "Rsn"))
            .and_then(|reason| {
                self.child_text(reason, "Cd")
                    .or_else(|| self.child_text(reason, "Prtry"))
            })
            .map(str::to_string);
        detail.additional_info = self.child_text(node, "AddtlTxInf").map(str::to_string);
        Ok(detail)
    }

    /// Reads a party from `RltdPties/<name>` (directly, under `Pty`, or as a
    /// financial institution under `Agt`), its account and its bank. Returns
    /// None when none of them is present.
    fn read_party(
        &self,
        parties: Option<XmlNode<'a, 'input>>,
        name: &str,
        account_name: Option<&str>,
        agents: Option<XmlNode<'a, 'input>>,
        agent_name: Option<&str>,
    ) -> Result<Option<Party>, StatementError> {
        let party_node = parties.and_then(|parties| self.child(parties, name));
        let party_name = party_node.and_then(|node| {
            self.child_text(node, "Nm")
                .or_else(|| {
                    self.child(node, "Pty")
                        .and_then(|party| self.child_text(party, "Nm"))
                })
                .or_else(|| {
                    let institution = self
                        .child(node, "Agt")
                        .and_then(|agent| self.child(agent, "FinInstnId"))?;
                    self.child_text(institution, "Nm").or_else(|| {
                        self.child(institution, "NmAndAdr")
                            .and_then(|name_and_address| self.child_text(name_and_address, "Nm"))
                    })
                })
        });

        let account = match (parties, account_name) {
            (Some(parties), Some(account_name)) => match self.child(parties, account_name) {
                Some(account_node) => self.read_account_id(account_node),
                None => None,
            },
            _ => None,
        };

        let bank = match (agents, agent_name) {
            (Some(agents), Some(agent_name)) => self
                .child(agents, agent_name)
                .and_then(|agent| self.child(agent, "FinInstnId"))
                .and_then(|institution| {
                    self.child_text(institution, "BICFI")
                        .or_else(|| self.child_text(institution, "BIC"))
                })
                .map(str::to_string),
            _ => None,
        };

        if party_node.is_none() && account.is_none() && bank.is_none() {
            return Ok(None);
        }
        Ok(Some(Party {
            name: party_name.map(str::to_string),
            account,
            bank,
        }))
    }
}

/// Copies the counterparty, references and remittance of an entry's only
/// transaction detail to the entry.
pub(super) fn copy_single_detail(entry: &mut Entry, is_credit: bool) {
    let detail = &entry.details[0];
    // The payer is the other party of a credit and of a reversed debit.
    let payer_side = is_credit != entry.reversal;
    let (party, ultimate) = if payer_side {
        (&detail.debtor, &detail.ultimate_debtor)
    } else {
        (&detail.creditor, &detail.ultimate_creditor)
    };

    let counterparty_name = party
        .as_ref()
        .and_then(|party| party.name.clone())
        .or_else(|| ultimate.as_ref().and_then(|party| party.name.clone()));
    let counterparty_account = party.as_ref().and_then(|party| party.account.clone());
    let counterparty_bank = party.as_ref().and_then(|party| party.bank.clone());
    let end_to_end_id = detail
        .end_to_end_id
        .clone()
        .filter(|id| id != "NOTPROVIDED");
    let mandate_id = detail.mandate_id.clone();
    let creditor_reference = detail.creditor_references.first().cloned();
    let remittance_info = detail.remittance_info.clone();
    let return_reason = detail.return_reason.clone();

    entry.counterparty_name = counterparty_name;
    entry.counterparty_account = counterparty_account;
    entry.counterparty_bank = counterparty_bank;
    entry.end_to_end_id = end_to_end_id;
    entry.mandate_id = mandate_id;
    entry.creditor_reference = creditor_reference;
    entry.remittance_info = remittance_info;
    entry.return_reason = return_reason;
}
