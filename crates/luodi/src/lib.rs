//! luodi (落地): one binary that serves the web app and the API, and the commands that run
//! migrations, manage accounts, import org trees and seed the demo.

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_data;
pub mod demo_items;
pub mod demo_loop;
pub mod demo_records;
pub mod gen;
pub mod gen_text;
pub mod startup;
