//! Checks shared by several gcp rules.
