//! Cursor pagination shared by every list endpoint.

use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// One page of a list: `next_cursor` is null on the last page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Checks a requested page size: absent means the default, 1..=500 is accepted.
pub fn check_limit(limit: Option<u32>) -> Result<u32, String> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(format!("limit {n} is out of range; use a value from 1 to {MAX_LIMIT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(check_limit(None), Ok(50));
        assert_eq!(check_limit(Some(1)), Ok(1));
        assert_eq!(check_limit(Some(500)), Ok(500));
        assert!(check_limit(Some(0)).is_err());
        assert!(check_limit(Some(501)).is_err());
    }
}
