//! Terraform and OpenTofu: HCL parsed with spans (hcl-edit), evaluated per
//! module instance into resources.

pub mod eval;
pub mod funcs;
pub mod json;
pub mod module;
pub mod value;
