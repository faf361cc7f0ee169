//! Why an operation was refused, in terms both transports can answer with: the
//! socket's `error` codes and the HTTP API's statuses.

use protocol::ErrorCode;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A bad field or request.
    #[error("{0}")]
    Invalid(String),
    /// A field over its limit.
    #[error("{0}")]
    TooLarge(String),
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Not allowed for this caller.
    #[error("{0}")]
    Forbidden(String),
    /// No such room, message or user.
    #[error("{0}")]
    NotFound(String),
    /// A name is taken.
    #[error("{0}")]
    Conflict(String),
    /// Over a rate limit; nothing was done.
    #[error("{0}")]
    RateLimited(String),
    /// The store is unreachable; nothing was done.
    #[error("the store is unavailable; nothing was stored, retry later")]
    Unavailable,
    /// The server is at a bound of its own (a full queue); retry shortly.
    #[error("{0}")]
    Busy(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// The socket's error code for it.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Invalid(_) | DomainError::Conflict(_) => ErrorCode::Invalid,
            DomainError::TooLarge(_) => ErrorCode::TooLarge,
            DomainError::Unauthorized(_) | DomainError::Forbidden(_) => ErrorCode::Forbidden,
            DomainError::NotFound(_) => ErrorCode::NotFound,
            DomainError::RateLimited(_) => ErrorCode::RateLimited,
            DomainError::Unavailable | DomainError::Busy(_) => ErrorCode::Unavailable,
        }
    }

    /// Whether the request itself was bad (it counts against a connection's
    /// allowance for abuse).
    pub fn is_bad_request(&self) -> bool {
        matches!(self, DomainError::Invalid(_) | DomainError::TooLarge(_))
    }
}

impl From<crate::passwords::Busy> for DomainError {
    fn from(_: crate::passwords::Busy) -> Self {
        DomainError::Busy("the server is busy checking passwords; try again in a moment".into())
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => DomainError::Conflict("already exists".into()),
            StoreError::NotFound => DomainError::NotFound("no such room or user".into()),
            other => {
                tracing::warn!(error = %other, "store failure");
                DomainError::Unavailable
            }
        }
    }
}
