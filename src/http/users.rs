//! `/api/v1/users`: user administration (admin only).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsAdmin, Principal, password};
use crate::domain::user::{Role, check_new_user};
use crate::store::{
    audit,
    users::{self, UserRow},
};

type State = web::Data<AppState>;

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            role: Role::parse(&u.role),
            username: u.username,
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3–50 characters: letters, digits, `.`, `_`, `-`.
    #[schema(min_length = 3, max_length = 50)]
    pub username: String,
    #[schema(write_only, min_length = 8, max_length = 256)]
    pub password: String,
    pub role: Role,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<Role>,
    /// A disabled user cannot log in; their sessions end at once.
    pub disabled: Option<bool>,
    /// Set a new password (admin reset).
    #[schema(write_only, min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

fn last_admin() -> ApiError {
    ApiError::Conflict("this is the last active admin; create another admin first".into())
}

/// argon2id on a blocking thread: it is deliberately slow and must not hold an arbiter.
async fn hash_password(password: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))?
        .map_err(ApiError::Internal)
}

async fn load(state: &AppState, id: i64) -> Result<UserRow, ApiError> {
    users::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("user {id} does not exist")))
}

#[utoipa::path(tag = "users", responses((status = 200, body = [UserView]), (status = 403, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/users")]
pub async fn list(state: State, _who: AsAdmin) -> Result<web::Json<Vec<UserView>>, ApiError> {
    Ok(web::Json(
        users::list(&state.pool)
            .await?
            .into_iter()
            .map(UserView::from)
            .collect(),
    ))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), responses((status = 200, body = UserView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/users/{id}")]
pub async fn get_one(
    state: State,
    who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<UserView>, ApiError> {
    if who.user_id != *id {
        who.require(Role::Admin)?;
    }
    Ok(web::Json(load(&state, *id).await?.into()))
}

#[utoipa::path(tag = "users", request_body = NewUser, responses((status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/users")]
pub async fn create(
    state: State,
    who: AsAdmin,
    body: ValidJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let NewUser {
        username,
        password: pw,
        role,
    } = body.0;
    let username = check_new_user(&username, &pw).map_err(ApiError::Validation)?;
    if users::by_username(&state.pool, &username).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "user {username} already exists"
        )));
    }
    let hash = hash_password(pw).await?;
    let user = users::insert(&state.pool, &username, &hash, role.as_str())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                ApiError::Conflict(format!("user {username} already exists"))
            }
            _ => e.into(),
        })?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "user.create",
        Some(format!("user:{}", user.id)),
        Some(serde_json::json!({"username": user.username, "role": user.role})),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(UserView::from(user)))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), request_body = UserPatch, responses((status = 200, body = UserView), (status = 409, body = Problem, description = "would leave no active admin"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/users/{id}")]
pub async fn update(
    state: State,
    who: AsAdmin,
    id: web::Path<i64>,
    body: ValidJson<UserPatch>,
) -> Result<web::Json<UserView>, ApiError> {
    let user = load(&state, *id).await?;
    let UserPatch {
        role,
        disabled,
        password: new_password,
    } = body.0;
    let role = role.unwrap_or(Role::parse(&user.role));
    let disabled = disabled.unwrap_or(user.disabled);
    let demotes_admin = user.role == "admin" && !user.disabled && (role != Role::Admin || disabled);
    if demotes_admin && users::count_admins(&state.pool).await? <= 1 {
        return Err(last_admin());
    }
    // Validate and hash a new password before changing anything, so a bad one changes nothing.
    let new_hash = match new_password {
        Some(pw) => {
            let mut v = crate::domain::Validation::default();
            crate::domain::user::validate_password(&mut v, "password", &pw);
            v.finish(()).map_err(ApiError::Validation)?;
            Some(hash_password(pw).await?)
        }
        None => None,
    };
    // `None` here means the store's guard refused: it would leave no active admin (a
    // concurrent change got there first).
    let updated = users::update(&state.pool, user.id, role.as_str(), disabled)
        .await?
        .ok_or_else(last_admin)?;
    if let Some(hash) = new_hash {
        users::set_password(&state.pool, user.id, &hash, None).await?;
    }
    audit::record(
        &state.pool,
        who.audit_user(),
        "user.update",
        Some(format!("user:{}", updated.id)),
        Some(serde_json::json!({"role": updated.role, "disabled": updated.disabled})),
    )
    .await?;
    Ok(web::Json(updated.into()))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/users/{id}")]
pub async fn remove(
    state: State,
    who: AsAdmin,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = load(&state, *id).await?;
    if user.role == "admin" && !user.disabled && users::count_admins(&state.pool).await? <= 1 {
        return Err(last_admin());
    }
    if !users::delete(&state.pool, user.id).await? {
        return Err(last_admin());
    }
    audit::record(
        &state.pool,
        who.audit_user(),
        "user.delete",
        Some(format!("user:{}", user.id)),
        Some(serde_json::json!({"username": user.username})),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
