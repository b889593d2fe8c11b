//! Renders receipts and reads them back with a PDF text extractor.

use super::*;

fn usd_receipt() -> ReceiptDocument {
    ReceiptDocument {
        receipt_number: "MAIN-000123".to_string(),
        duplicate: false,
        issued_at_local: "4 Dec 2026, 14:03 EST".to_string(),
        organisation: "Northgate Recovery Services LLC".to_string(),
        payer_name: "Sam Carter".to_string(),
        account_ref: "LC-68407277".to_string(),
        currency: "USD".to_string(),
        amount_minor: 10000,
        minor_digits: 2,
        method: "Cheque no. 001234, First Bank, dated 2026-12-01".to_string(),
        allocation: vec![
            ("Fees".to_string(), 1500),
            ("Interest".to_string(), 2000),
            ("Principal".to_string(), 6500),
            ("Unapplied credit".to_string(), 0),
        ],
        balance_after_minor: 123456,
        received_by: "Jordan Miller".to_string(),
        annotations: Vec::new(),
    }
}

/// Renders `doc`, checks the file framing, and returns the extracted text
/// with each run of whitespace collapsed to one space, so that checks do
/// not depend on where lines wrap.
fn render_and_extract(doc: &ReceiptDocument) -> String {
    let bytes = render_pdf(doc).expect("receipt renders");
    assert_pdf_framing(&bytes);

    let text = pdf_extract::extract_text_from_mem(&bytes).expect("text extraction succeeds");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_pdf_framing(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-"), "missing %PDF- header");
    assert!(bytes.ends_with(b"%%EOF"), "missing %%EOF trailer");
}

fn assert_contains(text: &str, expected: &str) {
    assert!(
        text.contains(expected),
        "expected {expected:?} in extracted text:\n{text}"
    );
}

#[test]
fn ascii_receipt_text() {
    let text = render_and_extract(&usd_receipt());

    assert_contains(&text, "Northgate Recovery Services LLC");
    assert_contains(&text, "Payment receipt");
    assert_contains(&text, "MAIN-000123");
    assert_contains(&text, "4 Dec 2026, 14:03 EST");
    assert_contains(&text, "Sam Carter");
    assert_contains(&text, "LC-68407277");
    assert_contains(&text, "USD 100.00");
    assert_contains(&text, "One hundred US dollars and 00/100");
    assert_contains(&text, "Cheque no. 001234, First Bank, dated 2026-12-01");
    assert_contains(&text, "Jordan Miller");
    assert_contains(&text, "Balance after this payment USD 1,234.56");
    assert_contains(&text, "Page 1 of 1");
    assert!(
        !text.contains("DUPLICATE"),
        "original receipt says DUPLICATE:\n{text}"
    );
}

#[test]
fn allocation_table_text() {
    let text = render_and_extract(&usd_receipt());

    assert_contains(&text, "Amount (USD)");
    assert_contains(&text, "Fees 15.00");
    assert_contains(&text, "Interest 20.00");
    assert_contains(&text, "Principal 65.00");
    assert_contains(&text, "Unapplied credit 0.00");
    assert_contains(&text, "Total 100.00");
}

#[test]
fn empty_allocation_says_so() {
    let mut doc = usd_receipt();
    doc.allocation.clear();
    let text = render_and_extract(&doc);

    assert_contains(&text, "No allocation recorded.");
}

#[test]
fn accented_latin_payer() {
    let mut doc = usd_receipt();
    doc.payer_name = "Zoë Łukasiewicz".to_string();
    doc.received_by = "Åsa Nuñez-Čapek".to_string();
    let text = render_and_extract(&doc);

    assert_contains(&text, "Zoë Łukasiewicz");
    assert_contains(&text, "Åsa Nuñez-Čapek");
}

#[test]
fn cyrillic_and_greek_text() {
    let mut doc = usd_receipt();
    doc.payer_name = "Иван Петрович Сидоров".to_string();
    doc.organisation = "Ελληνική Εισπρακτική Α.Ε.".to_string();
    let text = render_and_extract(&doc);

    assert_contains(&text, "Иван Петрович Сидоров");
    assert_contains(&text, "Ελληνική Εισπρακτική Α.Ε.");
}

#[test]
fn cjk_payer_uses_fallback_font() {
    let mut doc = usd_receipt();
    doc.payer_name = "王小明".to_string();
    let bytes = render_pdf(&doc).unwrap();
    let text = render_and_extract(&doc);

    assert_contains(&text, "王小明");
    assert!(
        bytes
            .windows(b"WenQuanYiMicroHei".len())
            .any(|window| window == b"WenQuanYiMicroHei"),
        "fallback font is not embedded"
    );
}

#[test]
fn fallback_font_embedded_only_when_used() {
    let bytes = render_pdf(&usd_receipt()).unwrap();

    assert!(!bytes
        .windows(b"WenQuanYiMicroHei".len())
        .any(|window| window == b"WenQuanYiMicroHei"));
}

#[test]
fn duplicate_says_duplicate() {
    let mut doc = usd_receipt();
    doc.duplicate = true;
    let text = render_and_extract(&doc);

    assert_contains(&text, "DUPLICATE — reprint of receipt MAIN-000123");
    // Banner and footer.
    assert_eq!(text.matches("DUPLICATE").count(), 2, "{text}");
}

#[test]
fn reversed_receipt_annotation() {
    let mut doc = usd_receipt();
    doc.duplicate = true;
    doc.annotations = vec![
        "Reversed on 2026-12-10: cheque returned unpaid (nsf)".to_string(),
        "Fee of USD 25.00 charged for the returned cheque".to_string(),
    ];
    let text = render_and_extract(&doc);

    assert_contains(&text, "Notes");
    assert_contains(
        &text,
        "Reversed on 2026-12-10: cheque returned unpaid (nsf)",
    );
    assert_contains(&text, "Fee of USD 25.00 charged for the returned cheque");
}

#[test]
fn jpy_has_no_decimals() {
    let mut doc = usd_receipt();
    doc.currency = "JPY".to_string();
    doc.minor_digits = 0;
    doc.amount_minor = 1234;
    doc.allocation = vec![("Principal".to_string(), 1234)];
    doc.balance_after_minor = 50000;
    let text = render_and_extract(&doc);

    assert_contains(&text, "JPY 1,234");
    assert!(
        !text.contains("JPY 1,234."),
        "JPY amount has decimals:\n{text}"
    );
    assert_contains(&text, "One thousand two hundred thirty-four Japanese yen");
    assert_contains(&text, "Principal 1,234");
    assert_contains(&text, "Balance after this payment JPY 50,000");
}

#[test]
fn kwd_has_three_decimals() {
    let mut doc = usd_receipt();
    doc.currency = "KWD".to_string();
    doc.minor_digits = 3;
    doc.amount_minor = 1234500;
    doc.allocation = vec![
        ("Fees".to_string(), 4500),
        ("Principal".to_string(), 1230000),
    ];
    doc.balance_after_minor = 75;
    let text = render_and_extract(&doc);

    assert_contains(&text, "KWD 1,234.500");
    assert_contains(
        &text,
        "One thousand two hundred thirty-four Kuwaiti dinars and 500/1000",
    );
    assert_contains(&text, "Fees 4.500");
    assert_contains(&text, "Principal 1,230.000");
    assert_contains(&text, "Balance after this payment KWD 0.075");
}

#[test]
fn unnamed_currency_uses_code() {
    let mut doc = usd_receipt();
    doc.currency = "XAF".to_string();
    doc.minor_digits = 0;
    doc.amount_minor = 5000;
    doc.allocation = vec![("Principal".to_string(), 5000)];
    let text = render_and_extract(&doc);

    assert_contains(&text, "XAF 5,000");
    assert_contains(&text, "Five thousand XAF");
}

#[test]
fn long_notes_continue_on_next_page() {
    let mut doc = usd_receipt();
    doc.annotations = (1..=40)
        .map(|n| format!("Note {n}: the payer asked for a copy of the receipt by post to the address on file."))
        .collect();
    let text = render_and_extract(&doc);

    assert_contains(&text, "Page 1 of 2");
    assert_contains(&text, "Page 2 of 2");
    assert_contains(&text, "Receipt MAIN-000123 (continued)");
    assert_contains(&text, "Note 1: the payer");
    assert_contains(
        &text,
        "Note 40: the payer asked for a copy of the receipt by post to the address on file.",
    );
}

#[test]
fn long_words_wrap_without_loss() {
    let mut doc = usd_receipt();
    let gateway_ref = "ch_3QdV8fLkdIwHu7ix0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6";
    doc.method = format!("Card ending 4242 (gateway ref {gateway_ref})");
    let bytes = render_pdf(&doc).unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    // The reference may be split across lines, and joining them restores it.
    let joined: String = text.split_whitespace().collect();

    assert!(
        joined.contains(gateway_ref),
        "gateway reference lost:\n{text}"
    );
}

#[test]
fn decomposed_accents_are_kept() {
    let mut doc = usd_receipt();
    doc.payer_name = "Zoe\u{308} Ren\u{e9}e".to_string();
    let text = render_and_extract(&doc);

    assert_contains(&text, "Zoe\u{308} Ren\u{e9}e");
}

#[test]
fn typical_receipt_is_small() {
    let mut doc = usd_receipt();
    doc.duplicate = true;
    doc.payer_name = "Zoë Łukasiewicz".to_string();
    doc.annotations = vec!["Reversed on 2026-12-10: cheque returned unpaid (nsf)".to_string()];
    let bytes = render_pdf(&doc).unwrap();

    // The full regular and bold fonts alone are 1.4 MB, so this bound
    // also shows that only subsets are embedded.
    assert!(bytes.len() < 60_000, "receipt is {} bytes", bytes.len());
}

#[test]
fn output_is_deterministic() {
    let doc = usd_receipt();

    assert_eq!(render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
}

#[test]
fn empty_payer_rejected() {
    let mut doc = usd_receipt();
    doc.payer_name = "  ".to_string();

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::MissingField {
            field: "payer_name"
        })
    );
}

#[test]
fn empty_optional_fields_show_dash() {
    let mut doc = usd_receipt();
    doc.account_ref.clear();
    doc.method.clear();
    doc.received_by.clear();
    let text = render_and_extract(&doc);

    assert_contains(&text, "Account —");
    assert_contains(&text, "Payment method —");
    assert_contains(&text, "Received by —");
}

#[test]
fn emoji_rejected_with_code_point() {
    let mut doc = usd_receipt();
    doc.payer_name = "Sam 🙂".to_string();
    let error = render_pdf(&doc).unwrap_err();

    assert_eq!(
        error,
        ReceiptError::UnsupportedCharacters {
            field: "payer_name".to_string(),
            characters: "U+1F642".to_string(),
        }
    );
    assert!(error.to_string().contains("payer_name"), "{error}");
}

#[test]
fn right_to_left_name_rejected() {
    let mut doc = usd_receipt();
    doc.payer_name = "דוד".to_string();

    assert!(matches!(
        render_pdf(&doc),
        Err(ReceiptError::RightToLeftText { field, .. }) if field == "payer_name"
    ));
}

#[test]
fn control_character_rejected() {
    let mut doc = usd_receipt();
    doc.annotations = vec!["ok".to_string(), "bell\u{7}".to_string()];

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::ControlCharacters {
            field: "annotations[1]".to_string(),
            characters: "U+0007".to_string(),
        })
    );
}

#[test]
fn newlines_become_spaces() {
    let mut doc = usd_receipt();
    doc.annotations = vec!["Reversed on 2026-12-10:\ncheque returned\tunpaid".to_string()];
    let text = render_and_extract(&doc);

    assert_contains(&text, "Reversed on 2026-12-10: cheque returned unpaid");
}

#[test]
fn allocation_mismatch_rejected() {
    let mut doc = usd_receipt();
    doc.allocation[0].1 = 1499;

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::AllocationMismatch {
            allocated: 9999,
            amount_minor: 10000
        })
    );
}

#[test]
fn non_positive_amount_rejected() {
    let mut doc = usd_receipt();
    doc.amount_minor = 0;
    doc.allocation.clear();

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::InvalidAmount { amount_minor: 0 })
    );
}

#[test]
fn malformed_currency_rejected() {
    for currency in ["usd", "US", "USDX", "", "U$D"] {
        let mut doc = usd_receipt();
        doc.currency = currency.to_string();

        assert_eq!(
            render_pdf(&doc),
            Err(ReceiptError::InvalidCurrency {
                currency: currency.to_string()
            }),
            "{currency:?}"
        );
    }
}

#[test]
fn too_many_minor_digits_rejected() {
    let mut doc = usd_receipt();
    doc.minor_digits = 19;

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::InvalidMinorDigits { minor_digits: 19 })
    );
}

#[test]
fn long_receipt_number_rejected() {
    let mut doc = usd_receipt();
    doc.receipt_number = "R".repeat(MAX_RECEIPT_NUMBER_CHARS + 1);

    assert_eq!(
        render_pdf(&doc),
        Err(ReceiptError::ReceiptNumberTooLong {
            chars: MAX_RECEIPT_NUMBER_CHARS + 1
        })
    );
}

#[test]
fn blank_allocation_label_keeps_figures() {
    let mut doc = usd_receipt();
    doc.allocation[0].0 = " ".to_string();
    let text = render_and_extract(&doc);

    assert_contains(&text, "— 15.00");
}

#[test]
fn blank_annotations_skipped() {
    let mut doc = usd_receipt();
    doc.annotations = vec![" ".to_string()];
    let text = render_and_extract(&doc);

    assert!(
        !text.contains("Notes"),
        "blank notes printed a heading:\n{text}"
    );
}

#[test]
fn largest_amount_renders() {
    let mut doc = usd_receipt();
    doc.amount_minor = i64::MAX;
    doc.allocation = vec![("Principal".to_string(), i64::MAX)];
    doc.balance_after_minor = i64::MIN;
    let text = render_and_extract(&doc);

    assert_contains(&text, "USD 92,233,720,368,547,758.07");
    assert_contains(&text, "Ninety-two quadrillion");
    assert_contains(&text, "fifty-eight US dollars and 07/100");
    assert_contains(&text, "USD -92,233,720,368,547,758.08");
}
