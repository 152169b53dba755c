//! The wizard as a pure state machine: `State`, `Msg`, `update`. No IO, no clocks.
