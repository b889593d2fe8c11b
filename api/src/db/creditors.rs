use diesel::prelude::*;
use uuid::Uuid;

use super::schema::creditors;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = creditors)]
pub struct Creditor {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
}

#[derive(Insertable)]
#[diesel(table_name = creditors)]
pub struct NewCreditor<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub time_zone: &'a str,
}
