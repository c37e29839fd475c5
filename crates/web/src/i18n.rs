//! The interface languages, from the services (where notices and documents are written in the
//! reader's language too).

pub use luodi_service::i18n::{I18n, Lang};
