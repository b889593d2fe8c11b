//! Authentication: password hashing, JWT access tokens, and the `CurrentUser`
//! extractor that every protected handler takes.

pub mod extractor;
pub mod jwt;
pub mod password;

pub use extractor::CurrentUser;
pub use jwt::JwtKeys;
