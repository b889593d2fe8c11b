//! Stored column-mapping profiles for placement files.

use diesel::prelude::*;
use shared::imports::{CreateImportProfileRequest, ImportProfileDto, ProfileConfig, ProfileKind};
use shared::FieldError;
use uuid::Uuid;

use crate::db::schema::import_profiles;
use crate::error::{ApiError, ApiResult};
use crate::imports::{columns, reader::Encoding};
use crate::services::audit::{self, AuditEvent};

#[derive(Queryable, Selectable)]
#[diesel(table_name = import_profiles)]
struct ProfileRow {
    id: Uuid,
    name: String,
    description: String,
    config: serde_json::Value,
}

impl ProfileRow {
    fn into_dto(self) -> ApiResult<ImportProfileDto> {
        let config: ProfileConfig = serde_json::from_value(self.config)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored profile {} is unreadable: {e}", self.id)))?;
        Ok(ImportProfileDto { id: self.id, name: self.name, description: self.description, config })
    }
}

pub fn list(conn: &mut PgConnection) -> ApiResult<Vec<ImportProfileDto>> {
    let rows: Vec<ProfileRow> =
        import_profiles::table.select(ProfileRow::as_select()).order(import_profiles::name.asc()).load(conn)?;
    rows.into_iter().map(ProfileRow::into_dto).collect()
}

pub fn find_by_name(conn: &mut PgConnection, name: &str) -> ApiResult<ImportProfileDto> {
    let row: Option<ProfileRow> = import_profiles::table
        .filter(import_profiles::name.eq(name.trim()))
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => row.into_dto(),
        None => {
            let known: Vec<String> = import_profiles::table.select(import_profiles::name).order(import_profiles::name.asc()).load(conn)?;
            Err(ApiError::validation(vec![FieldError::new(
                "profile",
                "unknown_profile",
                format!("there is no import profile named '{}'; use one of: {}", name.trim(), known.join(", ")),
            )]))
        }
    }
}

/// Checks a profile's settings, returning every problem as a field error.
pub fn check_config(config: &ProfileConfig) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if let Err(e) = config.default_currency.parse::<shared::Currency>() {
        problems.push(FieldError::new("config.default_currency", "invalid_currency", e.to_string()));
    }
    let country = &config.default_country;
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        problems.push(FieldError::new(
            "config.default_country",
            "invalid_country",
            format!("'{country}' is not a two-letter ISO 3166-1 country code such as US or GB"),
        ));
    }
    if let Some(d) = config.delimiter {
        if ![',', ';', '\t', '|'].contains(&d) {
            problems.push(FieldError::new("config.delimiter", "invalid_delimiter", format!("delimiter '{d}' is not supported; use ',', ';', '|' or a tab")));
        }
    }
    if let Err(e) = Encoding::from_profile(config.encoding.as_deref()) {
        problems.push(FieldError::new("config.encoding", "invalid_encoding", e.to_string()));
    }
    if config.date_formats.is_empty() {
        problems.push(FieldError::new("config.date_formats", "missing", "date_formats needs at least one format such as %Y-%m-%d"));
    }
    for format in &config.date_formats {
        let has_year = format.contains("%Y") || format.contains("%y") || format.contains("%F");
        let broken = chrono::format::StrftimeItems::new(format).any(|item| matches!(item, chrono::format::Item::Error));
        if broken || !has_year {
            problems.push(FieldError::new(
                "config.date_formats",
                "invalid_format",
                format!("'{format}' is not a usable date format; it needs a year (%Y) and chrono's strftime codes"),
            ));
        }
    }
    if config.kind == ProfileKind::Columns {
        if let Err(message) = columns::check_map(&config.columns) {
            problems.push(FieldError::new("config.columns", "missing", message));
        }
    }
    problems
}

pub fn create(conn: &mut PgConnection, actor: Uuid, request: &CreateImportProfileRequest) -> ApiResult<ImportProfileDto> {
    let mut problems = check_config(&request.config);
    let name = request.name.trim();
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        problems.insert(
            0,
            FieldError::new("name", "invalid_name", "name must be 1 to 64 lowercase letters, digits or underscores, such as acme_monthly"),
        );
    }
    if request.description.chars().count() > 1000 {
        problems.push(FieldError::new("description", "too_long", "description is longer than 1000 characters; shorten it"));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let id = Uuid::now_v7();
    let mut normalised = request.config.clone();
    normalised.default_currency = normalised.default_currency.trim().to_ascii_uppercase();
    normalised.default_country = normalised.default_country.trim().to_ascii_uppercase();
    let config = serde_json::to_value(&normalised).map_err(ApiError::internal)?;
    conn.transaction(|conn| {
        diesel::insert_into(import_profiles::table)
            .values((
                import_profiles::id.eq(id),
                import_profiles::name.eq(name),
                import_profiles::description.eq(request.description.trim()),
                import_profiles::config.eq(&config),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            AuditEvent {
                creditor_id: None,
                actor_user_id: Some(actor),
                action: "import_profile.created",
                entity_type: "import_profile",
                entity_id: id,
                details: serde_json::json!({ "name": name }),
            },
        )
    })?;
    find_by_name(conn, name)
}
