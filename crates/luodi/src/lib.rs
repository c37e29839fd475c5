//! luodi (落地): one binary that serves the web app and the API, and the commands that run
//! migrations, manage accounts, import org trees, back up, and seed the demo.
//!
//! The server: `config` (settings), `startup` (the running application), `cli` (the commands),
//! `backup`. The tools beside it (demo, generator, benchmark) live in `tools`.

pub mod backup;
pub mod cli;
pub mod config;
pub mod startup;
pub mod tools;
