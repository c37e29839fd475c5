//! What a service can refuse or fail with. The web layer maps each to an HTTP status, a stable
//! code and a message in the user's language, in one place.

use luodi_domain::Validation;
use luodi_office::ImportError;
use luodi_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("the account is disabled")]
    AccountDisabled,
    #[error("the account is locked after repeated failed sign-ins")]
    AccountLocked,
    #[error("too many failed sign-ins from this address")]
    AddressThrottled,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("the code from the authenticator is still to come")]
    SecondFactorRequired,
    #[error("a second factor must be set up first")]
    SecondFactorSetupRequired,
    #[error("wrong or already used code")]
    BadSecondFactor,
    #[error("not allowed")]
    Forbidden,
    /// A lifecycle step this actor may not take (the code says why: not_responsible, own_review …).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input")]
    Validation(Validation),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Done too often: try again later (the code says what).
    #[error("too soon: {0}")]
    TooSoon(&'static str),
    #[error("changed by someone else (now at version {current})")]
    Stale { current: i64 },
    #[error("import refused: {0}")]
    Import(ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// A copy, to answer with a finished job's error as often as it is asked for (errors that
    /// carry a source keep only their words).
    pub fn copy(&self) -> ServiceError {
        use ServiceError as E;
        match self {
            E::Validation(v) => E::Validation(v.clone()),
            E::Import(i) => E::Import(i.clone()),
            E::Forbidden => E::Forbidden,
            E::NotFound(w) => E::NotFound(w),
            E::Conflict(c) => E::Conflict(c),
            E::Refused(c) => E::Refused(c),
            E::TooSoon(c) => E::TooSoon(c),
            other => E::Internal(other.to_string()),
        }
    }
}

impl From<Validation> for ServiceError {
    fn from(v: Validation) -> Self {
        ServiceError::Validation(v)
    }
}

impl From<ImportError> for ServiceError {
    fn from(e: ImportError) -> Self {
        ServiceError::Import(e)
    }
}

/// Turns `Err(Validation)` into a service error, for `?` on domain checks.
pub fn invalid(field: &str, code: &'static str) -> ServiceError {
    ServiceError::Validation(Validation::single(field, code))
}
