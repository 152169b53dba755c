//! The one integration-test binary (one binary keeps CI link time low).
//! Each area owns one module; shared fixtures live in `support`.

mod cli;
mod client;
mod emulator;
mod faults;
mod impact;
mod live;
mod matrix;
mod recordings;
mod recover;
mod resolve;
mod support;
mod tmux;
mod unattended;
