//! `/metrics` checked by Prometheus's own promtool.
