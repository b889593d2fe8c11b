use actix_web::web;
use shared::worklist::{CreateTeamRequest, SetTeamRequest, TeamDto};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::postgres::PgPool;
use crate::routes::{parse_id, with_conn};
use crate::services::worklist::assign;

/// Every team with the ids of its members.
#[utoipa::path(get, path = "/api/v1/teams", tag = "worklist", responses((status = 200, body = [TeamDto])), security(("bearer" = [])))]
pub async fn list_teams(pool: web::Data<PgPool>, _user: CurrentUser) -> ApiResult<web::Json<Vec<TeamDto>>> {
    with_conn(&pool, assign::list_teams).await.map(web::Json)
}

/// Creates a team; managers and administrators only.
#[utoipa::path(post, path = "/api/v1/teams", tag = "worklist", request_body = CreateTeamRequest,
    responses((status = 200, body = TeamDto), (status = 409, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn create_team(pool: web::Data<PgPool>, user: CurrentUser, body: web::Json<CreateTeamRequest>) -> ApiResult<web::Json<TeamDto>> {
    let name = body.into_inner().name;
    with_conn(&pool, move |conn| assign::create_team(conn, &user, &name)).await.map(web::Json)
}

/// Puts a user in a team, or in none with `team_id: null`; managers and administrators only.
#[utoipa::path(put, path = "/api/v1/users/{id}/team", tag = "worklist", params(("id" = uuid::Uuid, Path)), request_body = SetTeamRequest,
    responses((status = 204), (status = 404, body = shared::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn set_user_team(
    pool: web::Data<PgPool>,
    user: CurrentUser,
    path: web::Path<String>,
    body: web::Json<SetTeamRequest>,
) -> ApiResult<actix_web::HttpResponse> {
    let id = parse_id(&path, "user")?;
    let team_id = body.into_inner().team_id;
    with_conn(&pool, move |conn| assign::set_user_team(conn, &user, id, team_id)).await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}
