//! The fake's REST API (v10): the routes confbot calls, every request recorded, injected
//! failures answered first.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::payloads::{self, APP_ID, GUILD_ID};
use super::{channels, Request, Shared};

pub async fn serve(shared: Arc<Shared>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(handle).with_state(shared);
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let record = |status: u16, body: Value, path: String| {
        let method = method.to_string();
        shared.requests.lock().unwrap().push(Request {
            method,
            path,
            authorization: authorization.clone(),
            body,
            at,
            status,
        });
        shared.notify();
    };
    if held(&shared, method.as_str(), &path, &body) {
        record(0, body, path);
        return std::future::pending().await;
    }
    let (status, response) = match injected(&shared, method.as_str(), &path) {
        Some(failure) => failure,
        None => route(&shared, &method, &path, uri.query().unwrap_or(""), &body),
    };
    record(status.as_u16(), body, path);
    response
}

/// Whether the request is to be held (the first matching hold, used up); creates the
/// message first if the hold says so.
fn held(shared: &Shared, method: &str, path: &str, body: &Value) -> bool {
    let mut channels = shared.channels.lock().unwrap();
    let Some(i) = channels.holds.iter().position(|h| h.method == method && path.contains(&h.path_contains)) else {
        return false;
    };
    let hold = channels.holds.remove(i);
    if hold.create {
        if let Some(id) = channel_of(path) {
            channels::post(&mut channels, id, body);
        }
    }
    true
}

fn channel_of(path: &str) -> Option<u64> {
    path.trim_start_matches("/api/v10/channels/").split('/').next()?.parse().ok()
}

/// The first matching injected failure, used up by one.
fn injected(shared: &Shared, method: &str, path: &str) -> Option<(StatusCode, Response)> {
    let mut all = shared.injected.lock().unwrap();
    let i = all.iter().position(|f| f.method == method && path.contains(&f.path_contains) && f.times > 0)?;
    all[i].times -= 1;
    let f = all[i].clone();
    let status = StatusCode::from_u16(f.status).unwrap();
    let response = if f.status == 429 {
        let body = json!({"message": "You are being rate limited.", "retry_after": f.retry_after, "global": false});
        (status, [("retry-after", f.retry_after.to_string()), ("x-ratelimit-scope", "user".into())], Json(body))
            .into_response()
    } else {
        (status, Json(json!({"message": "injected failure", "code": 0}))).into_response()
    };
    Some((status, response))
}

fn route(shared: &Shared, method: &Method, path: &str, query: &str, body: &Value) -> (StatusCode, Response) {
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let ok = |v: Value| (StatusCode::OK, Json(v).into_response());
    let gateway_url = shared.gateway_url.lock().unwrap().clone();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({ "url": gateway_url })),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": gateway_url, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        })),
        ("GET", ["users", "@me"]) => ok(payloads::bot_user()),
        ("GET", ["oauth2", "applications", "@me"]) => ok(json!({
            "id": APP_ID.to_string(), "name": payloads::BOT_NAME, "icon": null, "description": "",
            "bot_public": true, "bot_require_code_grant": false, "verify_key": "00", "flags": 0,
            "owner": payloads::human(800_000_000_000_000_002), "team": null,
        })),
        ("PUT", ["applications", _, "commands"]) => ok(commands(body, None)),
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => ok(commands(body, Some(guild))),
        ("POST", ["interactions", _, _, "callback"]) => {
            (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT.into_response())
        }
        ("PATCH", ["webhooks", _, _, "messages", _]) | ("POST", ["webhooks", _, _]) => {
            ok(payloads::message(payloads::snowflake(), body))
        }
        ("POST", ["users", "@me", "channels"]) => answer(channels::open_dm(body)),
        ("POST", ["channels", id, "messages"]) => {
            answer(channels::post(&mut shared.channels.lock().unwrap(), id.parse().unwrap_or(0), body))
        }
        ("GET", ["channels", id, "messages"]) => {
            answer(channels::list(&shared.channels.lock().unwrap(), id.parse().unwrap_or(0), query))
        }
        ("GET", ["channels", id]) => match channels::channel(id.parse().unwrap_or(0)) {
            Some(c) => ok(c),
            None => answer((404, json!({"message": "Unknown Channel", "code": 10003}))),
        },
        ("GET", ["guilds", g]) if *g == GUILD_ID.to_string() => ok(channels::guild()),
        ("GET", ["guilds", g, "members", user]) if *g == GUILD_ID.to_string() && channels::is_bot(user) => {
            ok(channels::bot_member())
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({"message": "404: Not Found", "code": 0})).into_response()),
    }
}

fn answer((status, body): (u16, Value)) -> (StatusCode, Response) {
    let status = StatusCode::from_u16(status).unwrap();
    (status, (status, Json(body)).into_response())
}

/// What a bulk overwrite returns: the commands with the ids Discord assigns.
fn commands(body: &Value, guild: Option<&str>) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    Value::Array(
        list.into_iter()
            .map(|mut c| {
                c["id"] = json!(payloads::snowflake().to_string());
                c["application_id"] = json!(APP_ID.to_string());
                c["version"] = json!(payloads::snowflake().to_string());
                if let Some(g) = guild {
                    c["guild_id"] = json!(g);
                }
                c
            })
            .collect(),
    )
}
