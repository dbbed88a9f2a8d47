//! Signing in and out: `login` (the shared password check and lockout, told apart as
//! `UNAUTHENTICATED` and `LOCKED`), `refreshSession` (a refresh token works once and brings a
//! new pair) and `logout` (ends the access token and its refresh token).

use serde::Deserialize;
use serde_json::{Value, json};

use super::ctx::Ctx;
use super::document::Field;
use super::errors::{Code, GraphError};
use super::json::user_json;
use crate::reference::app::auth::{LOCKOUT_FOR, LoginRefusal, TokenPair};

#[derive(Deserialize)]
struct LoginArgs {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshArgs {
    refresh_token: String,
}

fn pair_json(pair: &TokenPair) -> Value {
    json!({
        "accessToken": pair.access,
        "refreshToken": pair.refresh,
        "expiresIn": pair.expires_in,
    })
}

/// The whole value of `Mutation` field `f` if it is one of signing in and out.
pub(crate) fn resolve(ctx: &Ctx, f: &Field) -> Option<Result<Value, GraphError>> {
    Some(match f.name.as_str() {
        "login" => login(ctx, f),
        "refreshSession" => refresh(ctx, f),
        "logout" => ctx.caller().map(|c| {
            ctx.state.auth.revoke(&c.sid);
            json!(true)
        }),
        _ => return None,
    })
}

fn login(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    let LoginArgs { email, password } = f.args()?;
    match ctx.state.auth.check_login(&email, &password) {
        Ok(user) => {
            let mut body = pair_json(&ctx.state.auth.open_token_pair(user));
            body["user"] = user_json(user);
            Ok(body)
        }
        Err(LoginRefusal::Invalid) => Err(GraphError::new(
            Code::Unauthenticated,
            "the email address or password is not correct",
        )),
        Err(LoginRefusal::Locked) => Err(GraphError::new(
            Code::Locked,
            format!(
                "too many failed sign-ins: the account is locked for {} minutes",
                LOCKOUT_FOR.as_secs() / 60
            ),
        )),
    }
}

fn refresh(ctx: &Ctx, f: &Field) -> Result<Value, GraphError> {
    let RefreshArgs { refresh_token } = f.args()?;
    let pair = ctx.state.auth.refresh(&refresh_token).ok_or_else(|| {
        GraphError::new(
            Code::Unauthenticated,
            "the refresh token is unknown, already used, revoked or expired",
        )
    })?;
    Ok(pair_json(&pair))
}
