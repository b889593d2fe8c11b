use crate::config::DatabaseArgs;
use crate::postgres::{self, Database};

pub fn run(args: &DatabaseArgs) -> anyhow::Result<i32> {
    use diesel::Connection;
    let database = Database::open(args.database_url.as_deref(), &args.data_dir)?;
    let mut conn = diesel::PgConnection::establish(&database.url())?;
    let applied = postgres::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for name in &applied {
            println!("Applied {name}");
        }
    }
    Ok(0)
}
