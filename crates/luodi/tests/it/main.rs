//! Integration tests of luodi through its public surface: HTTP (API and pages) and the CLI.
//! One test binary, modules by area.

mod helpers;
mod webdriver;

mod admins;
mod api_orgs;
mod attacks;
mod audit_chain;
mod authz;
mod authz_matrix;
mod backup;
mod bad_input;
mod batch;
mod briefings;
mod browser;
mod bulletins;
mod channels;
mod cli;
mod closeout;
mod crash;
mod dashboard;
mod exports;
mod four_weeks;
mod hardening;
mod import;
mod item_edit_page;
mod items;
mod keyworks;
mod loop_pages;
mod memory;
mod onboarding;
mod organisation;
mod pickers;
mod programme_pages;
mod records;
mod reminders;
mod reports;
mod scheduler;
mod search;
mod sensitive;
mod sessions;
mod todo;
mod totp;
mod trail;
