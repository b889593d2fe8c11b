//! Integration tests live in `tests/api/`: one test binary whose modules each
//! cover one capability. See `docs/testing.md`.
