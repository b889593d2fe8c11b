use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use diesel::Connection;
use shared::users::{CreateUserRequest, Role};

use crate::config::DatabaseArgs;
use crate::postgres::{self, Database};
use crate::services::users;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input (one line).
    Create {
        /// The email the user signs in with.
        #[arg(long)]
        email: String,
        /// admin, manager, assistant or collector.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Name shown in the web app; defaults to the part of the email before '@'.
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub fn run(command: UserCommand) -> anyhow::Result<i32> {
    match command {
        UserCommand::Create { email, role, display_name, database } => {
            let password = read_password()?;
            let db = Database::open(database.database_url.as_deref(), &database.data_dir)?;
            let mut conn = diesel::PgConnection::establish(&db.url())?;
            postgres::run_migrations(&mut conn)?;
            let request = CreateUserRequest { email, password, role, display_name };
            match users::create_user(&mut conn, None, &request) {
                Ok(user) => {
                    println!("Created {} user {} ({})", user.role, user.email, user.id);
                    Ok(0)
                }
                Err(error) => {
                    eprintln!("error: {}", error.message);
                    for field in &error.fields {
                        if field.message != error.message {
                            eprintln!("  {}: {}", field.field, field.message);
                        }
                    }
                    Ok(1)
                }
            }
        }
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

/// Reads one line from standard input without echo when it is a terminal.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("Password: ")?);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
