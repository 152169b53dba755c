//! The tokio loop: terminal events in, effects run on the client, results back as messages.
