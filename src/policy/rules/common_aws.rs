//! Checks shared by several aws rules.
