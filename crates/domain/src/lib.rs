//! Pure rules of luodi: identifiers, the organisation tree, roles and scopes, campaigns,
//! validation and the clock. Nothing here does I/O, so every rule is unit-tested directly.

pub mod audit_chain;
pub mod bulletin;
pub mod cadence;
pub mod campaign;
pub mod clock;
pub mod dashboard;
pub mod delivery;
pub mod indicator;
pub mod item;
pub mod light;
pub mod lockout;
pub mod net;
pub mod org;
pub mod password;
pub mod refusals;
pub mod role;
pub mod rollup;
pub mod search;
pub mod sensitive;
pub mod totp;
pub mod validate;

pub use clock::{Clock, FixedClock, SystemClock};
pub use validate::{FieldError, Validation};
