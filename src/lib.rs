//! ado-entra: connect an Azure DevOps organization to Microsoft Entra ID without
//! locking anyone out.
//!
//! Module map (see `docs/architecture.md` for the picture):
//! - [`app`]: the wizard as a pure state machine (`State`, `Msg`, `update`).
//! - [`ops`]: the application layer the wizard and the commands share.
//! - [`azure`]: Azure's well-known ids and addresses, written once.
//! - [`ui`]: draws a `State` into a ratatui `Frame`; never does IO.
//! - [`runtime`]: the tokio loop that owns the terminal, runs effects, feeds messages back.
//! - [`client`]: the one async client layer for Azure DevOps, Microsoft Graph and sign-in.
//! - [`domain`]: the logic users trust (validation, checks, lockout proof, matching, journal).
//! - [`emulator`]: a local Azure DevOps + Entra + Graph server for demos and tests.
//! - [`cli`]: argument parsing and the headless commands.

pub mod app;
pub mod azure;
pub mod cli;
pub mod client;
pub mod domain;
pub mod emulator;
pub mod ops;
pub mod paths;
pub mod runtime;
pub mod ui;
