//! Checks shared by several azure rules.
