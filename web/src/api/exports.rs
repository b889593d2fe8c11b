//! The call and mailing list exports of the accounts that match the
//! worklist's filters.

use super::accounts::AccountQuery;
use super::client::{error_from_response, Call};
use super::error::ApiError;

/// The list an export contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportList {
    /// One row per valid phone not marked do not call.
    Call,
    /// One row per account with a deliverable address.
    Mailing,
}

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

impl ExportList {
    /// Returns the path of the export without the API prefix, such as `/accounts/call-list.csv`.
    pub fn path(self, format: ExportFormat) -> String {
        let list = match self {
            ExportList::Call => "call-list",
            ExportList::Mailing => "mailing-list",
        };
        format!("/accounts/{list}.{}", format.extension())
    }
}

/// An export as the server sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    /// The name from `Content-Disposition`, or one made from the list and format.
    pub file_name: String,
    /// `X-Row-Count`: rows in the file, when the server sent a number.
    pub rows: Option<u64>,
    /// `X-Blocked-Account-Count`: matching accounts left out because the
    /// contact rules block them for good on the list's channel.
    pub blocked_accounts: Option<u64>,
}

/// Reads the file name from a `Content-Disposition` value such as
/// `attachment; filename="call-list-20261205-064501.csv"`.
fn disposition_file_name(value: &str) -> Option<String> {
    value.split(';').map(str::trim).find_map(|part| {
        let name = part.strip_prefix("filename=")?.trim_matches('"');
        // A name with a path separator is not used, so the download stays one plain file.
        (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_string())
    })
}

/// Downloads the call or mailing list of the accounts that match `query`.
/// The query's cursor is left out, because an export contains every match.
pub async fn download_export(list: ExportList, format: ExportFormat, query: &AccountQuery) -> Result<ExportFile, ApiError> {
    let filters = AccountQuery { cursor: None, ..query.clone() };
    let call = Call::get(list.path(format)).query(filters.to_params()).accept(format.media_type());
    let response = call.send().await?;
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    let headers = response.headers();
    let count = |name: &str| headers.get(name).and_then(|value| value.trim().parse::<u64>().ok());
    let rows = count("X-Row-Count");
    let blocked_accounts = count("X-Blocked-Account-Count");
    let file_name = headers
        .get("Content-Disposition")
        .and_then(|value| disposition_file_name(&value))
        .unwrap_or_else(|| list.path(format).trim_start_matches("/accounts/").to_string());
    let bytes = response.binary().await.map_err(|error| ApiError::InvalidResponse(error.to_string()))?;
    Ok(ExportFile { bytes, file_name, rows, blocked_accounts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_read_from_disposition() {
        let name = disposition_file_name("attachment; filename=\"call-list-20261205-064501.csv\"");
        assert_eq!(name.as_deref(), Some("call-list-20261205-064501.csv"));
    }

    #[test]
    fn file_name_with_path_ignored() {
        assert_eq!(disposition_file_name("attachment; filename=\"../x.csv\""), None);
        assert_eq!(disposition_file_name("attachment"), None);
    }

    #[test]
    fn paths_name_list_and_format() {
        assert_eq!(ExportList::Call.path(ExportFormat::Csv), "/accounts/call-list.csv");
        assert_eq!(ExportList::Mailing.path(ExportFormat::Xlsx), "/accounts/mailing-list.xlsx");
    }
}
