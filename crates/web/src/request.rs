//! What a request says about itself: its cookies, its language, its bearer token and its
//! client's address (as [`crate::client_addr`] resolved it). Read by sign-in, errors, the audit
//! trail and the metrics alike.

use crate::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "luodi_session";
pub const LANG_COOKIE: &str = "luodi_lang";

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language of a request: the language cookie (set at sign-in from the account's choice),
/// then `Accept-Language`, then Chinese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// The client's address as [`crate::client_addr`] resolved it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

pub fn client_ip(parts: &Parts) -> Option<String> {
    address(&parts.extensions)
}

/// The client's address from a request's extensions (the peer if it was not resolved).
pub fn address(ext: &axum::http::Extensions) -> Option<String> {
    ext.get::<ClientAddr>()
        .map(|c| c.0.to_string())
        .or_else(|| {
            ext.get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
}

/// The client's address, when the server knows it.
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// The token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}
