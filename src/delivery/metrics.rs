//! Per-version request measurements taken by the proxy: counts, errors and
//! a latency histogram. Analysis reads the difference between two
//! snapshots, so every measurement covers exactly one analysis interval.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Sub-buckets per power of two: a quantile is off by at most 1/8 (12.5 %).
const SUB: u64 = 8;
const SUB_BITS: u32 = 3;
/// Buckets cover 0 µs to 2^40 µs (12.7 days).
pub const BUCKETS: usize = (SUB as usize) + (40 - SUB_BITS as usize) * SUB as usize;

fn bucket(us: u64) -> usize {
    if us < SUB {
        return us as usize;
    }
    let e = 63 - us.leading_zeros();
    let sub = (us >> (e - SUB_BITS)) & (SUB - 1);
    let i = SUB as usize + (e - SUB_BITS) as usize * SUB as usize + sub as usize;
    i.min(BUCKETS - 1)
}

/// The upper bound (µs) of bucket `i`.
fn bucket_upper(i: usize) -> u64 {
    if i < SUB as usize {
        return i as u64;
    }
    let k = i - SUB as usize;
    let e = (k / SUB as usize) as u32 + SUB_BITS;
    let sub = (k % SUB as usize) as u64;
    ((SUB + sub + 1) << (e - SUB_BITS)) - 1
}

/// Live counters for one version of one service.
#[derive(Debug)]
pub struct VersionMetrics {
    requests: AtomicU64,
    /// 5xx answers from the upstream.
    server_errors: AtomicU64,
    /// Attempts that never got an answer: refused, reset, timed out.
    failures: AtomicU64,
    hist: Box<[AtomicU64]>,
}

impl Default for VersionMetrics {
    fn default() -> Self {
        VersionMetrics {
            requests: AtomicU64::new(0),
            server_errors: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            hist: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl VersionMetrics {
    /// An answered attempt with its status and time to response headers.
    pub fn record(&self, status: u16, latency: Duration) {
        self.requests.fetch_add(1, Relaxed);
        if status >= 500 {
            self.server_errors.fetch_add(1, Relaxed);
        }
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.hist[bucket(us)].fetch_add(1, Relaxed);
    }

    /// An attempt that got no answer from the upstream.
    pub fn record_failure(&self, latency: Duration) {
        self.requests.fetch_add(1, Relaxed);
        self.failures.fetch_add(1, Relaxed);
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.hist[bucket(us)].fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            requests: self.requests.load(Relaxed),
            server_errors: self.server_errors.load(Relaxed),
            failures: self.failures.load(Relaxed),
            hist: self.hist.iter().map(|b| b.load(Relaxed)).collect(),
        }
    }
}

/// Counters at one moment; subtract two for an interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub requests: u64,
    pub server_errors: u64,
    pub failures: u64,
    pub hist: Vec<u64>,
}

impl Snapshot {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        let hist = if earlier.hist.is_empty() {
            self.hist.clone()
        } else {
            self.hist
                .iter()
                .zip(&earlier.hist)
                .map(|(a, b)| a.saturating_sub(*b))
                .collect()
        };
        Snapshot {
            requests: self.requests.saturating_sub(earlier.requests),
            server_errors: self.server_errors.saturating_sub(earlier.server_errors),
            failures: self.failures.saturating_sub(earlier.failures),
            hist,
        }
    }

    pub fn errors(&self) -> u64 {
        self.server_errors + self.failures
    }

    /// Errors per request in percent; `None` without requests.
    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.errors() as f64 * 100.0 / self.requests as f64)
    }

    /// The `q`-quantile (0..=1) of latency; `None` without requests.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let total: u64 = self.hist.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.hist.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(Duration::from_micros(bucket_upper(i)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_value_lies_within_its_bucket(us in 0u64..(1 << 39)) {
            let i = bucket(us);
            prop_assert!(us <= bucket_upper(i), "{us} > upper {}", bucket_upper(i));
            if i > 0 {
                prop_assert!(us > bucket_upper(i - 1));
            }
            // At most 12.5 % above the true value.
            prop_assert!(bucket_upper(i) as f64 <= us as f64 * 1.125 + 1.0);
        }
    }

    #[test]
    fn quantiles_and_rates_over_an_interval() {
        let m = VersionMetrics::default();
        let before = m.snapshot();
        for ms in 1..=100 {
            m.record(if ms % 10 == 0 { 503 } else { 200 }, Duration::from_millis(ms));
        }
        m.record_failure(Duration::from_millis(1));
        let d = m.snapshot().since(&before);
        assert_eq!(d.requests, 101);
        assert_eq!(d.errors(), 11);
        let p99 = d.quantile(0.99).unwrap();
        assert!(
            p99 >= Duration::from_millis(99) && p99 <= Duration::from_micros(112_000),
            "{p99:?}"
        );
        let p50 = d.quantile(0.5).unwrap();
        assert!(
            p50 >= Duration::from_millis(50) && p50 <= Duration::from_micros(57_000),
            "{p50:?}"
        );
        assert_eq!(Snapshot::default().error_rate(), None);
    }
}
