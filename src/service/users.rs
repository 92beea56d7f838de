//! Users (AU-1): administration by admins, never leaving the appliance without an active
//! admin; passwords hashed with argon2id off the async threads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use crate::auth::{Principal, password};
use crate::domain::Validation;
use crate::domain::user::{Role, check_new_user, validate_password};
use crate::store::StoreError;
use crate::store::users::{self, UserRow};

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
            role: u.role,
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
    #[schema(pattern = r"^\s*[A-Za-z0-9._-]{3,50}\s*$")]
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

fn last_admin() -> ServiceError {
    ServiceError::Conflict("this is the last active admin; create another admin first".into())
}

/// argon2id on a blocking thread: it is deliberately slow and must not hold an async thread.
pub(super) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("hashing a password: {e}")))?
        .map_err(ServiceError::Internal)
}

async fn load(ctx: &Context, id: i64) -> Result<UserRow> {
    users::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("user {id} does not exist")))
}

pub async fn list(ctx: &Context) -> Result<Vec<UserView>> {
    Ok(users::list(&ctx.pool)
        .await?
        .into_iter()
        .map(UserView::from)
        .collect())
}

/// A user: anyone may read themselves; others need an admin.
pub async fn get(ctx: &Context, who: &Principal, id: i64) -> Result<UserView> {
    if who.user_id != id {
        who.require(Role::Admin)?;
    }
    Ok(load(ctx, id).await?.into())
}

pub async fn create(ctx: &Context, who: &Principal, new: NewUser) -> Result<UserView> {
    let username = check_new_user(&new.username, &new.password).map_err(ServiceError::Invalid)?;
    let taken = || ServiceError::Conflict(format!("user {username} already exists"));
    if users::by_username(&ctx.pool, &username).await?.is_some() {
        return Err(taken());
    }
    let hash = hash_password(new.password).await?;
    let user = users::insert(&ctx.pool, &username, &hash, new.role)
        .await
        .map_err(|e| match e {
            StoreError::Unique(_) => taken(),
            other => other.into(),
        })?;
    audit::record(
        ctx,
        who,
        "user.create",
        Some(format!("user:{}", user.id)),
        Some(serde_json::json!({"username": user.username, "role": user.role})),
    )
    .await?;
    Ok(user.into())
}

pub async fn update(ctx: &Context, who: &Principal, id: i64, patch: UserPatch) -> Result<UserView> {
    let user = load(ctx, id).await?;
    let role = patch.role.unwrap_or(user.role);
    let disabled = patch.disabled.unwrap_or(user.disabled);
    let demotes_admin =
        user.role == Role::Admin && !user.disabled && (role != Role::Admin || disabled);
    if demotes_admin && users::count_admins(&ctx.pool).await? <= 1 {
        return Err(last_admin());
    }
    // Validate and hash a new password before changing anything, so a bad one changes nothing.
    let new_hash = match patch.password {
        Some(pw) => {
            let mut v = Validation::default();
            validate_password(&mut v, "password", &pw);
            v.finish(()).map_err(ServiceError::Invalid)?;
            Some(hash_password(pw).await?)
        }
        None => None,
    };
    // `None` here means the store's guard refused: it would leave no active admin (a
    // concurrent change got there first).
    let updated = users::update(&ctx.pool, user.id, role, disabled)
        .await?
        .ok_or_else(last_admin)?;
    if let Some(hash) = new_hash {
        users::set_password(&ctx.pool, user.id, &hash, None).await?;
    }
    audit::record(
        ctx,
        who,
        "user.update",
        Some(format!("user:{}", updated.id)),
        Some(serde_json::json!({"role": updated.role, "disabled": updated.disabled})),
    )
    .await?;
    Ok(updated.into())
}

pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let user = load(ctx, id).await?;
    if user.role == Role::Admin && !user.disabled && users::count_admins(&ctx.pool).await? <= 1 {
        return Err(last_admin());
    }
    if !users::delete(&ctx.pool, user.id).await? {
        return Err(last_admin());
    }
    audit::record(
        ctx,
        who,
        "user.delete",
        Some(format!("user:{}", user.id)),
        Some(serde_json::json!({"username": user.username})),
    )
    .await
}
