//! Structured content of the MT940 `:86:` information field.
//!
//! Two layouts are recognized, and any other text is kept whole as
//! remittance information:
//! - German banks: a 3-digit business transaction code (GVC), then subfields
//!   "?NN" (Triodos writes ">NN"): 00 booking text, 20-29 and 60-63 purpose,
//!   30 bank code, 31 account, 32-33 name. SEPA keywords such as "EREF+" and
//!   "SVWZ+" divide the purpose.
//! - SWIFT-style codes between slashes, used by Dutch banks:
//!   "/EREF/ref/NAME/name/REMI/text/".
//!
//! Both layouts wrap text at a fixed width regardless of words, so their line
//! breaks are removed before the subfields are split.

/// Values found in an `:86:` field. Every value is trimmed and None when
/// empty.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct InformationFields {
    pub transaction_code: Option<String>,
    pub booking_text: Option<String>,
    pub remittance_info: Option<String>,
    pub end_to_end_id: Option<String>,
    pub mandate_id: Option<String>,
    pub creditor_reference: Option<String>,
    pub counterparty_name: Option<String>,
    pub counterparty_account: Option<String>,
    pub counterparty_bank: Option<String>,
    pub return_reason: Option<String>,
}

/// Extracts the structured values of an `:86:` text (lines joined with '\n').
pub(super) fn parse_information(text: &str) -> InformationFields {
    let unwrapped: String = text.split('\n').collect();
    let unwrapped = unwrapped.trim();

    if let Some(fields) = parse_german_subfields(unwrapped) {
        return fields;
    }
    if let Some(fields) = parse_slash_codes(unwrapped) {
        return fields;
    }
    InformationFields {
        remittance_info: non_empty(text),
        ..InformationFields::default()
    }
}

fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// Maps SEPA's "NOTPROVIDED" placeholder to None.
fn provided(value: Option<String>) -> Option<String> {
    value.filter(|value| value != "NOTPROVIDED")
}

/// Parses "166?00GUTSCHRIFT?20EREF+...?32NAME". Returns None when the text
/// does not start with three digits and a '?' or '>' separator.
fn parse_german_subfields(text: &str) -> Option<InformationFields> {
    let bytes = text.as_bytes();
    let starts_structured = bytes.len() >= 4
        && bytes[..3].iter().all(|byte| byte.is_ascii_digit())
        && matches!(bytes[3], b'?' | b'>');
    if !starts_structured {
        return None;
    }
    let separator = bytes[3] as char;

    // Each piece after a separator starts with a 2-digit key. A separator
    // that is not followed by two digits is part of the text.
    let mut subfields: Vec<(&str, String)> = Vec::new();
    for piece in text[4..].split(separator) {
        let key = piece
            .get(0..2)
            .filter(|key| key.bytes().all(|byte| byte.is_ascii_digit()));
        match (key, subfields.last_mut()) {
            (Some(key), _) => subfields.push((key, piece[2..].to_string())),
            (None, Some((_, value))) => {
                value.push(separator);
                value.push_str(piece);
            }
            (None, None) => subfields.push(("", piece.to_string())),
        }
    }

    let mut purpose = String::new();
    let mut name = String::new();
    let mut fields = InformationFields {
        transaction_code: Some(text[..3].to_string()),
        ..InformationFields::default()
    };
    for (key, value) in &subfields {
        match *key {
            "00" => fields.booking_text = non_empty(value),
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61"
            | "62" | "63" => purpose.push_str(value),
            "30" => fields.counterparty_bank = non_empty(value),
            "31" => fields.counterparty_account = non_empty(value),
            "32" | "33" => name.push_str(value),
            _ => {}
        }
    }
    fields.counterparty_name = non_empty(&name);

    let keywords = split_sepa_keywords(&purpose);
    fields.end_to_end_id = provided(keyword_value(&keywords, "EREF+"));
    fields.mandate_id = keyword_value(&keywords, "MREF+");
    fields.remittance_info = keyword_value(&keywords, "SVWZ+").or_else(|| non_empty(&purpose));
    Some(fields)
}

const SEPA_KEYWORDS: &[&str] = &[
    "EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+", "COAM+", "OAMT+",
    "IBAN+", "BIC+",
];

/// Splits a German purpose text at the SEPA keywords into (keyword, value)
/// pairs, in text order.
fn split_sepa_keywords(purpose: &str) -> Vec<(&'static str, &str)> {
    let mut starts: Vec<(usize, &'static str)> = Vec::new();
    for keyword in SEPA_KEYWORDS {
        for (position, _) in purpose.match_indices(keyword) {
            starts.push((position, keyword));
        }
    }
    starts.sort_unstable();

    let mut pairs = Vec::with_capacity(starts.len());
    for (index, (position, keyword)) in starts.iter().enumerate() {
        let value_start = position + keyword.len();
        let value_end = starts
            .get(index + 1)
            .map(|(next, _)| *next)
            .unwrap_or(purpose.len())
            .max(value_start);
        pairs.push((*keyword, &purpose[value_start..value_end]));
    }
    pairs
}

fn keyword_value(pairs: &[(&str, &str)], keyword: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(candidate, _)| *candidate == keyword)
        .and_then(|(_, value)| non_empty(value))
}

/// Codes recognized in the slash layout. Codes not listed stay part of the
/// value before them.
const SLASH_CODES: &[&str] = &[
    "ACCW", "ADDR", "BENM", "BIC", "BUSP", "CHGS", "CNTP", "CREF", "CSID", "EREF", "EXCH", "IBAN",
    "ID", "ISDT", "KREF", "MARF", "NAME", "OCMT", "ORDP", "PREF", "PURP", "REMI", "RTRN", "RTYP",
    "SVCL", "TRCD", "TRTP", "ULTB", "ULTC", "ULTD",
];

/// Parses "/EREF/123/BENM//NAME/J. Doe/REMI/Invoice 7/". Returns None unless
/// the text starts with a recognized "/CODE/".
fn parse_slash_codes(text: &str) -> Option<InformationFields> {
    let markers = find_slash_markers(text);
    match markers.first() {
        Some((0, _)) => {}
        _ => return None,
    }

    let mut fields = InformationFields::default();
    // The party that a following NAME, IBAN or BIC describes. Names of
    // ultimate parties (ULTC, ULTD, ULTB) are not the counterparty.
    let mut party = "";
    for (index, (position, code)) in markers.iter().enumerate() {
        let value_start = position + code.len() + 2;
        let value_end = markers
            .get(index + 1)
            .map(|(next, _)| *next)
            .unwrap_or(text.len())
            .max(value_start);
        let raw_value = &text[value_start..value_end];
        let value = raw_value.strip_suffix('/').unwrap_or(raw_value);
        let counterparty = !matches!(party, "ULTC" | "ULTD" | "ULTB");

        match *code {
            "ORDP" | "BENM" | "ULTC" | "ULTD" | "ULTB" => party = code,
            "EREF" => fields.end_to_end_id = provided(non_empty(value)),
            "MARF" => fields.mandate_id = non_empty(value),
            "RTRN" => fields.return_reason = non_empty(value.split('/').next().unwrap_or("")),
            "REMI" => set_remittance(&mut fields, value),
            "NAME" if counterparty && fields.counterparty_name.is_none() => {
                fields.counterparty_name = non_empty(value);
            }
            "IBAN" if counterparty && fields.counterparty_account.is_none() => {
                fields.counterparty_account = non_empty(value);
            }
            "BIC" if counterparty && fields.counterparty_bank.is_none() => {
                fields.counterparty_bank = non_empty(value);
            }
            // ING: "/CNTP/account/BIC/name/city/".
            "CNTP" => {
                let mut parts = value.split('/');
                let account = parts.next().and_then(non_empty);
                let bank = parts.next().and_then(non_empty);
                let name = parts.next().and_then(non_empty);
                fields.counterparty_account = fields.counterparty_account.take().or(account);
                fields.counterparty_bank = fields.counterparty_bank.take().or(bank);
                fields.counterparty_name = fields.counterparty_name.take().or(name);
            }
            _ => {}
        }
    }
    Some(fields)
}

/// Returns the positions of "/CODE/" markers, in text order.
fn find_slash_markers(text: &str) -> Vec<(usize, &'static str)> {
    let mut markers = Vec::new();
    for (position, _) in text.match_indices('/') {
        let after = &text[position + 1..];
        let code = SLASH_CODES.iter().find(|code| {
            after.starts_with(**code) && after.as_bytes().get(code.len()) == Some(&b'/')
        });
        if let Some(code) = code {
            // A marker cannot start inside the previous one or at its closing
            // slash: "/REMI/EREF/x" is REMI with the value "EREF/x".
            let overlaps =
                markers
                    .last()
                    .is_some_and(|(previous, previous_code): &(usize, &str)| {
                        position < previous + previous_code.len() + 2
                    });
            if !overlaps {
                markers.push((position, *code));
            }
        }
    }
    markers
}

/// Sets the remittance from a `/REMI/` value: "USTD//text" is unstructured
/// text, and "STRD/.../CDTRREF/ref" carries a structured creditor reference.
fn set_remittance(fields: &mut InformationFields, value: &str) {
    if let Some(text) = value.strip_prefix("USTD//") {
        fields.remittance_info = non_empty(text);
        return;
    }
    if value.starts_with("STRD/") {
        if let Some((_, after)) = value.split_once("CDTRREF/") {
            fields.creditor_reference = non_empty(after.split('/').next().unwrap_or(""));
        }
    }
    fields.remittance_info = non_empty(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_subfields_are_split() {
        let text = "166?00GUTSCHRIFT?100399?20EREF+EndToEndId TFNR 22 004?21 00001?22\n\
                    SVWZ+Verw CTSc-01 BC-PPP TF?23Nr 22 004?30DRESDEFF508?31DE1450880\n\
                    0500194785000?32KARL?33 MUSTER";
        let fields = parse_information(text);
        assert_eq!(fields.transaction_code.as_deref(), Some("166"));
        assert_eq!(fields.booking_text.as_deref(), Some("GUTSCHRIFT"));
        assert_eq!(
            fields.end_to_end_id.as_deref(),
            Some("EndToEndId TFNR 22 004 00001")
        );
        assert_eq!(
            fields.remittance_info.as_deref(),
            Some("Verw CTSc-01 BC-PPP TFNr 22 004")
        );
        assert_eq!(fields.counterparty_bank.as_deref(), Some("DRESDEFF508"));
        assert_eq!(
            fields.counterparty_account.as_deref(),
            Some("DE14508800500194785000")
        );
        assert_eq!(fields.counterparty_name.as_deref(), Some("KARL MUSTER"));
    }

    #[test]
    fn german_purpose_without_keywords_is_remittance() {
        let fields = parse_information("008?00DAUERAUFTRAG?100599?20Miete November?3010020030");
        assert_eq!(fields.remittance_info.as_deref(), Some("Miete November"));
        assert_eq!(fields.end_to_end_id, None);
    }

    #[test]
    fn german_separator_without_key_is_text() {
        let fields = parse_information("020?20Was ist das? Nichts?32Name");
        assert_eq!(
            fields.remittance_info.as_deref(),
            Some("Was ist das? Nichts")
        );
        assert_eq!(fields.counterparty_name.as_deref(), Some("Name"));
    }

    #[test]
    fn triodos_separator_is_recognized() {
        let fields = parse_information("000>100987654321\n>20ALGEMENE TUSSENREKENING KOS>21TEN");
        assert_eq!(fields.transaction_code.as_deref(), Some("000"));
        assert_eq!(
            fields.remittance_info.as_deref(),
            Some("ALGEMENE TUSSENREKENING KOSTEN")
        );
    }

    #[test]
    fn slash_codes_are_split() {
        let text = "/EREF/01-01-2013 12:00 0030000987654321/BENM//NAME/CONTRA ACCOUN\n\
                    T HOLDER/REMI//ISDT/2013-07-11";
        let fields = parse_information(text);
        assert_eq!(
            fields.end_to_end_id.as_deref(),
            Some("01-01-2013 12:00 0030000987654321")
        );
        assert_eq!(
            fields.counterparty_name.as_deref(),
            Some("CONTRA ACCOUNT HOLDER")
        );
        assert_eq!(fields.remittance_info, None);
    }

    #[test]
    fn slash_codes_read_ing_counterparty() {
        let text = "/RTRN/MD06/EREF/NOTPROVIDED/CNTP/NL12INGB0001234567/INGBNL2A/J. Janssen/\
                    AMSTERDAM/REMI/USTD//Factuur 2024-17/";
        let fields = parse_information(text);
        assert_eq!(fields.return_reason.as_deref(), Some("MD06"));
        assert_eq!(fields.end_to_end_id, None);
        assert_eq!(
            fields.counterparty_account.as_deref(),
            Some("NL12INGB0001234567")
        );
        assert_eq!(fields.counterparty_bank.as_deref(), Some("INGBNL2A"));
        assert_eq!(fields.counterparty_name.as_deref(), Some("J. Janssen"));
        assert_eq!(fields.remittance_info.as_deref(), Some("Factuur 2024-17"));
    }

    #[test]
    fn ultimate_party_name_is_not_counterparty() {
        let fields = parse_information("/ULTD//NAME/On Behalf Of/ORDP//NAME/Payer Ltd/REMI/x/");
        assert_eq!(fields.counterparty_name.as_deref(), Some("Payer Ltd"));
    }

    #[test]
    fn free_text_is_remittance() {
        let text = "BEA   NR:XXX1234   21.05.11/12.54 DIRCKIII FIL2500 KATWIJK,PAS999\nline 2";
        let fields = parse_information(text);
        assert_eq!(fields.remittance_info.as_deref(), Some(text));
        assert_eq!(fields.transaction_code, None);
    }
}
