//! Rebuilds the crate when a migration is added, because `embed_migrations!`
//! reads the migrations folder at compile time and Cargo does not watch it.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
