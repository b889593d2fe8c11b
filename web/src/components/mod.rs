//! Small building blocks that several pages use.

mod agents;
mod badges;
mod clock;
mod download;
mod error_banner;
mod format;
mod money;
mod pagination;
mod pdf_link;
mod preview;
mod table;

pub use agents::agent_label;
pub use badges::{ContactFlagBadges, StatusBadge};
pub use clock::browser_today;
pub use download::{save_bytes_file, save_text_file, PendingTab};
pub use error_banner::{ErrorBanner, FieldMessage, Notice};
pub use format::{format_bytes, format_count, format_date, format_datetime, format_optional_date};
pub use money::{describe_amount_error, minor_units_to_input, parse_major_units, MoneyAmount};
pub use pagination::Pagination;
pub use pdf_link::PdfLink;
pub use preview::{PreviewView, RenderedText};
pub use table::TableMessageRow;
