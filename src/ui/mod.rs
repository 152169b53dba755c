//! Drawing: `view(&State, &mut Frame)`. Widgets draw, never fetch.
