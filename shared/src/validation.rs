//! Validation rules with the messages that both the web form and the API show.

use std::str::FromStr;

pub const PASSWORD_MIN_CHARS: usize = 12;

/// Checks an email address's syntax (RFC 5322 address, as the `email_address` crate reads it).
pub fn check_email(email: &str) -> Result<(), String> {
    let trimmed = email.trim();
    if trimmed.is_empty() {
        return Err("email is missing; enter an address such as name@example.com".to_string());
    }
    if email_address::EmailAddress::from_str(trimmed).is_err() || !trimmed.contains('.') {
        return Err("email is not a valid address; enter one such as name@example.com".to_string());
    }
    Ok(())
}

/// Checks a new password: at least 12 characters.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.is_empty() {
        return Err("password is missing; give a password of at least 12 characters".to_string());
    }
    if password.trim().is_empty() {
        return Err("password is only spaces; use at least 12 characters that include letters, digits or symbols".to_string());
    }
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(format!("password is too short; use at least {PASSWORD_MIN_CHARS} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert!(check_email("ana@example.com").is_ok());
        assert!(check_email("").is_err());
        assert!(check_email("ana@").is_err());
        assert!(check_email("ana example.com").is_err());
        assert!(check_email("ana@localhost").is_err());
    }

    #[test]
    fn password_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
    }
}
