//! Masks secret values in a byte stream, including a secret split across
//! the chunks a process happens to write.
//!
//! The masker holds back the last `longest secret − 1` bytes of what it has
//! seen: any secret that starts before that tail is already complete in the
//! buffer and replaced; one that starts inside it waits for the next chunk.

/// What a secret is replaced with.
pub const MASK: &[u8] = b"***";

#[derive(Clone, Debug)]
pub struct Masker {
    secrets: Vec<Vec<u8>>,
    hold: usize,
    pending: Vec<u8>,
}

impl Masker {
    /// Secrets shorter than 3 bytes are ignored (masking every `a` would
    /// destroy the log and protect nothing).
    pub fn new(secrets: &[String]) -> Self {
        let mut secrets: Vec<Vec<u8>> = secrets
            .iter()
            .filter(|s| s.len() >= 3)
            .map(|s| s.as_bytes().to_vec())
            .collect();
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let hold = secrets.first().map_or(0, |s| s.len() - 1);
        Masker {
            secrets,
            hold,
            pending: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Feeds a chunk; returns the bytes that are safe to show now.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        if self.secrets.is_empty() {
            return chunk.to_vec();
        }
        self.pending.extend_from_slice(chunk);
        let masked = self.replace_all(&self.pending);
        // Keep a tail that might be the start of a secret.
        let (safe, tail) = split_safe(&masked, self.hold);
        self.pending = tail.to_vec();
        safe.to_vec()
    }

    /// Returns everything still held back (at the end of the stream).
    pub fn finish(&mut self) -> Vec<u8> {
        let out = self.replace_all(&self.pending);
        self.pending.clear();
        out
    }

    /// Masks a complete text at once.
    pub fn mask_all(&self, data: &[u8]) -> Vec<u8> {
        self.replace_all(data)
    }

    fn replace_all(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        'outer: while i < data.len() {
            for s in &self.secrets {
                if data[i..].starts_with(s) {
                    out.extend_from_slice(MASK);
                    i += s.len();
                    continue 'outer;
                }
            }
            out.push(data[i]);
            i += 1;
        }
        out
    }
}

/// Splits off the last `hold` bytes, never splitting a `***` mask.
fn split_safe(data: &[u8], hold: usize) -> (&[u8], &[u8]) {
    let cut = data.len().saturating_sub(hold);
    data.split_at(cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stream(m: &mut Masker, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for c in chunks {
            out.extend(m.feed(c));
        }
        out.extend(m.finish());
        out
    }

    #[test]
    fn masks_a_secret_split_across_chunks() {
        let mut m = Masker::new(&["hunter2-token".into()]);
        let out = stream(&mut m, &[b"login with hun", b"ter2-to", b"ken done\n"]);
        assert_eq!(String::from_utf8(out).unwrap(), "login with *** done\n");
    }

    #[test]
    fn longest_secret_wins_and_short_ones_are_ignored() {
        let mut m = Masker::new(&["abcdef".into(), "abc".into(), "x".into()]);
        let out = stream(&mut m, &[b"abcdef abc x"]);
        assert_eq!(String::from_utf8(out).unwrap(), "*** *** x");
    }

    proptest! {
        /// However the output is chunked, no secret survives and the result
        /// equals masking the whole text at once.
        #[test]
        fn chunking_never_leaks(
            before in "[a-z \\n]{0,30}",
            after in "[a-z \\n]{0,30}",
            secret in "[A-Z0-9]{3,12}",
            cuts in proptest::collection::vec(0usize..80, 0..8),
        ) {
            let text = format!("{before}{secret}{after}{secret}");
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (text.len() + 1)).collect();
            cuts.sort();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut last = 0;
            for c in cuts {
                chunks.push(&text.as_bytes()[last..c]);
                last = c;
            }
            chunks.push(&text.as_bytes()[last..]);
            let mut m = Masker::new(std::slice::from_ref(&secret));
            let out = stream(&mut m, &chunks);
            let whole = Masker::new(std::slice::from_ref(&secret)).mask_all(text.as_bytes());
            prop_assert_eq!(&out, &whole);
            prop_assert!(!String::from_utf8_lossy(&out).contains(&secret));
        }
    }
}
