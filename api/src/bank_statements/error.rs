//! The one error type of the bank statement parsers.

/// Reason a file was rejected. Each message names where the problem is (the
/// MT line number or the camt element path and line) and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error(
        "the input is empty; expected a camt.052, camt.053 or camt.054 XML \
         document or an MT940/MT942 file"
    )]
    Empty,

    #[error(
        "unrecognized bank statement format: the input starts with {start:?}; \
         expected camt.052/053/054 XML (namespace \
         urn:iso:std:iso:20022:tech:xsd:camt.05x.001.xx) or MT940/MT942 text \
         with a :20: field at the start of a line"
    )]
    UnrecognizedFormat { start: String },

    #[error(
        "the XML is not valid UTF-8 at byte offset {offset}; ISO 20022 \
         messages must be encoded in UTF-8"
    )]
    NotUtf8 { offset: usize },

    #[error("invalid XML at line {line}, column {column}: {message}")]
    Xml {
        line: u32,
        column: u32,
        message: String,
    },

    #[error(
        "unsupported document: root element {root:?} in namespace \
         {namespace:?}; expected a Document in namespace \
         urn:iso:std:iso:20022:tech:xsd:camt.052, camt.053 or camt.054 with \
         version .001.01 to .001.08"
    )]
    UnsupportedDocument { root: String, namespace: String },

    /// A camt element is missing or has an invalid value.
    #[error("{path} (line {line}): {message}")]
    Camt {
        /// Element path such as `/Document/BkToCstmrStmt/Stmt/Ntry[2]/Amt`,
        /// with 1-based positions among same-named siblings.
        path: String,
        line: u32,
        message: String,
    },

    /// An MT940/MT942 field is missing, misplaced or invalid.
    #[error("line {line}: {message}")]
    Mt { line: u32, message: String },
}
