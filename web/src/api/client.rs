//! The HTTP transport: builds requests against `/api/v1`, adds the bearer
//! token, refreshes an expired access token once, and decodes the error envelope.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::auth::{RefreshRequest, TokenResponse};
use shared::{ErrorBody, ErrorEnvelope};

use super::error::ApiError;
use super::tokens;

/// Path prefix of every API endpoint; the API server also serves this app, so paths stay relative.
pub const API_BASE: &str = "/api/v1";

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<(), ApiError>>>;

thread_local! {
    /// Called when the session ends, so the app can show the login page.
    static SESSION_END_HANDLER: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
    /// The token refresh in progress, shared by every request that saw `token_expired`,
    /// because each refresh token works only once.
    static REFRESH_IN_FLIGHT: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
}

/// Registers the function that runs when the server rejects the session for good.
pub fn set_session_end_handler(handler: impl Fn() + 'static) {
    SESSION_END_HANDLER.with(|slot| *slot.borrow_mut() = Some(Box::new(handler)));
}

/// Forgets the tokens and notifies the app, returning the error for the caller.
pub(super) fn end_session() -> ApiError {
    tokens::clear();
    SESSION_END_HANDLER.with(|slot| {
        if let Some(handler) = slot.borrow().as_ref() {
            handler();
        }
    });
    ApiError::SessionEnded
}

pub(super) enum Body {
    Empty,
    Json(String),
    Multipart(web_sys::FormData),
}

/// One API request, kept whole so that it can be sent again after a token refresh.
pub(super) struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    accept: &'static str,
    /// Headers besides `Accept`, `Authorization` and `Content-Type`, such as `Idempotency-Key`.
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Call {
    fn new(method: Method, path: String) -> Self {
        Call { method, path, query: Vec::new(), accept: "application/json", headers: Vec::new(), body: Body::Empty }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Call::new(Method::GET, path.into())
    }

    pub fn post(path: impl Into<String>) -> Self {
        Call::new(Method::POST, path.into())
    }

    pub fn put(path: impl Into<String>) -> Self {
        Call::new(Method::PUT, path.into())
    }

    pub fn query(mut self, params: Vec<(&'static str, String)>) -> Self {
        self.query.extend(params);
        self
    }

    /// Sets the `Accept` header, `application/json` unless changed.
    pub fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = media_type;
        self
    }

    /// Adds a request header. A retry after a token refresh sends it again unchanged.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json<T: Serialize>(mut self, body: &T) -> Result<Self, ApiError> {
        let text = serde_json::to_string(body)
            .map_err(|error| ApiError::Browser(format!("the request body could not be encoded: {error}")))?;
        self.body = Body::Json(text);
        Ok(self)
    }

    pub fn multipart(mut self, form: web_sys::FormData) -> Self {
        self.body = Body::Multipart(form);
        self
    }

    fn build(&self, access_token: Option<&str>) -> Result<Request, ApiError> {
        let url = format!("{API_BASE}{}", self.path);
        let mut builder = RequestBuilder::new(&url)
            .method(self.method.clone())
            .header("Accept", self.accept)
            .query(self.query.iter().map(|(name, value)| (*name, value.as_str())));
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = access_token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match &self.body {
            Body::Empty => builder.build(),
            Body::Json(text) => builder.header("Content-Type", "application/json").body(text.as_str()),
            // The browser sets the multipart Content-Type with its boundary.
            Body::Multipart(form) => builder.body(form.clone()),
        };
        request.map_err(|error| ApiError::Browser(error.to_string()))
    }

    async fn send_with(&self, access_token: Option<&str>) -> Result<Response, ApiError> {
        self.build(access_token)?.send().await.map_err(|error| {
            // The user sees a plain sentence, so the browser's own text goes to the console.
            leptos::logging::warn!("{} {}{} failed: {error}", self.method, API_BASE, self.path);
            ApiError::Network(error.to_string())
        })
    }

    /// Sends the request without credentials, for login and refresh.
    pub async fn send_public(&self) -> Result<Response, ApiError> {
        self.send_with(None).await
    }

    /// Sends the request with the stored access token.
    ///
    /// On a 401 with code `token_expired` it refreshes the tokens once and
    /// sends the request again. Any other 401, or a failed refresh, ends the session.
    pub async fn send(&self) -> Result<Response, ApiError> {
        let Some(token) = tokens::access_token() else {
            return Err(end_session());
        };
        let response = self.send_with(Some(&token)).await?;
        if response.status() != 401 {
            return Ok(response);
        }
        let error = error_from_response(response).await;
        if error.code() != Some("token_expired") {
            return Err(end_session());
        }

        refresh_session(&token).await?;
        let Some(token) = tokens::access_token() else {
            return Err(end_session());
        };
        let response = self.send_with(Some(&token)).await?;
        if response.status() == 401 {
            return Err(end_session());
        }
        Ok(response)
    }
}

/// Reads the error envelope of a failed response.
pub(super) async fn error_from_response(response: Response) -> ApiError {
    let status = response.status();
    let status_text = response.status_text();
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) => ApiError::Server { status, error: envelope.error },
        Err(_) => ApiError::Server {
            status,
            error: ErrorBody {
                code: "unexpected_response".to_string(),
                message: format!("The server returned HTTP {status} {status_text} without an error description."),
                fields: Vec::new(),
            },
        },
    }
}

/// Decodes a 2xx response as `T`, or the error envelope otherwise.
pub(super) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(error_from_response(response).await);
    }
    response.json::<T>().await.map_err(|error| ApiError::InvalidResponse(error.to_string()))
}

/// Checks that a response has a 2xx status and ignores its body.
pub(super) async fn read_empty(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        Err(error_from_response(response).await)
    }
}

/// Refreshes the tokens after `expired_token` was rejected, unless another request already did.
async fn refresh_session(expired_token: &str) -> Result<(), ApiError> {
    if tokens::access_token().as_deref() != Some(expired_token) {
        return Ok(());
    }
    let refresh = REFRESH_IN_FLIGHT.with(|slot| {
        slot.borrow_mut().get_or_insert_with(|| refresh_tokens().boxed_local().shared()).clone()
    });
    let result = refresh.await;
    REFRESH_IN_FLIGHT.with(|slot| slot.borrow_mut().take());
    result
}

async fn refresh_tokens() -> Result<(), ApiError> {
    let Some(refresh_token) = tokens::refresh_token() else {
        return Err(end_session());
    };
    let call = Call::post("/auth/refresh").json(&RefreshRequest { refresh_token })?;
    let response = call.send_public().await?;
    if response.status() == 400 || response.status() == 401 {
        return Err(end_session());
    }
    let tokens: TokenResponse = read_json(response).await?;
    tokens::store(&tokens);
    Ok(())
}
