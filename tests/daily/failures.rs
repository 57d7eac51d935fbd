//! Crash recovery: the process dies between each step of delivery, then restarts on the same
//! state file, sooner or later. Each time the day gets exactly one message.
