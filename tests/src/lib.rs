//! Shared helpers for engine-driven tests: launching the plugin and talking to it as the engine does.
