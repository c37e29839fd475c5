//! The operator's and developer's tools that ship in the binary but are not the server: the
//! demo province seeded from the source article (`luodi demo`), the synthetic province
//! generator (`luodi gen`) and the benchmark that measures it (`luodi bench`). They use the
//! services like any caller, and the database directly only where they load in bulk.

pub mod bench;
pub mod demo;
pub mod gen;
