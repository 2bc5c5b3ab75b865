//! RFC 6962 / RFC 9162 Merkle tree: leaf and node hashing, roots, inclusion
//! and consistency proofs, and their verification.
//!
//! Proofs are generated from *perfect subtree* hashes: the hash of the 2^level
//! leaves starting at `index * 2^level`. A store keeps those (Trillian and
//! Tessera keep the same thing as tiles), so a proof for any entry costs
//! O(log n) lookups. Verification is pure and needs only the proof.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256()` of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Access to perfect-subtree hashes. `node(0, i)` is leaf `i`'s hash.
pub trait Nodes {
    type Error;
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// Largest power of two strictly smaller than `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[start:end])` as defined by RFC 6962 §2.1.
pub fn range_hash<N: Nodes>(nodes: &N, start: u64, end: u64) -> Result<Hash, N::Error> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    let left = range_hash(nodes, start, start + k)?;
    let right = range_hash(nodes, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// Root of the tree of the first `size` leaves.
pub fn root<N: Nodes>(nodes: &N, size: u64) -> Result<Hash, N::Error> {
    range_hash(nodes, 0, size)
}

/// Inclusion proof of leaf `index` in the tree of `size` leaves
/// (RFC 6962 §2.1.1 PATH), ordered from the leaf upwards.
pub fn inclusion_proof<N: Nodes>(nodes: &N, index: u64, size: u64) -> Result<Vec<Hash>, N::Error> {
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path<N: Nodes>(nodes: &N, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) -> Result<(), N::Error> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(nodes, m, start, start + k, out)?;
        out.push(range_hash(nodes, start + k, end)?);
    } else {
        path(nodes, m - k, start + k, end, out)?;
        out.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// Consistency proof between the trees of `size1` and `size2` leaves
/// (RFC 6962 §2.1.2 PROOF).
pub fn consistency_proof<N: Nodes>(nodes: &N, size1: u64, size2: u64) -> Result<Vec<Hash>, N::Error> {
    let mut proof = Vec::new();
    if size1 == 0 || size1 >= size2 {
        return Ok(proof);
    }
    subproof(nodes, size1, 0, size2, true, &mut proof)?;
    Ok(proof)
}

fn subproof<N: Nodes>(
    nodes: &N,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(nodes, m, start, start + k, whole, out)?;
        out.push(range_hash(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, out)?;
        out.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    EmptyFirstTree,
    #[error("size1 {size1} is greater than size2 {size2}")]
    SizesReversed { size1: u64, size2: u64 },
    #[error("the proof has {got} hashes, expected {want}")]
    WrongLength { got: usize, want: usize },
    #[error("a hash in the proof or a root is not 32 bytes")]
    BadHashLength,
    #[error("the computed root does not match")]
    RootMismatch,
}

/// Number of hashes in an inclusion proof for `index` in a tree of `size`.
fn inclusion_len(index: u64, size: u64) -> usize {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

fn to_hash(b: &[u8]) -> Result<Hash, ProofError> {
    b.try_into().map_err(|_| ProofError::BadHashLength)
}

/// Verifies that `leaf` is at `index` in the tree of `size` with `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &[u8], proof: &[Vec<u8>], root: &[u8]) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let want = inclusion_len(index, size);
    if proof.len() != want {
        return Err(ProofError::WrongLength { got: proof.len(), want });
    }
    let mut r = to_hash(leaf)?;
    let (mut fn_, mut sn) = (index, size - 1);
    for p in proof {
        let p = to_hash(p)?;
        if sn == 0 {
            return Err(ProofError::WrongLength { got: proof.len(), want });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(&p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, &p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 || r.as_slice() != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `size2` with `root2` extends the tree of
/// `size1` with `root1` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &[u8],
    root2: &[u8],
    proof: &[Vec<u8>],
) -> Result<(), ProofError> {
    if size1 == 0 {
        // RFC 9162 §2.1.4.2 needs 0 < size1: every tree "extends" the empty
        // one, so such a proof proves nothing and is refused.
        return Err(ProofError::EmptyFirstTree);
    }
    if size2 < size1 {
        return Err(ProofError::SizesReversed { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                got: proof.len(),
                want: 0,
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { got: 0, want: 1 });
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(to_hash(root1)?);
    }
    for p in proof {
        path.push(to_hash(p)?);
    }
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if sn == 0 {
            return Err(ProofError::WrongLength {
                got: proof.len(),
                want: proof.len() - 1,
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength {
            got: proof.len(),
            want: proof.len() + 1,
        });
    }
    if fr.as_slice() != root1 || sr.as_slice() != root2 {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// A whole tree in memory, built leaf by leaf; keeps every perfect subtree.
/// Used to recompute a log from its entries (verification, bundles, tests).
#[derive(Default, Clone)]
pub struct MemTree {
    levels: Vec<Vec<Hash>>,
}

impl MemTree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf hash and completes the perfect subtrees it closes.
    pub fn push(&mut self, leaf: Hash) {
        let mut level = 0;
        let mut hash = leaf;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(hash);
            let len = self.levels[level].len();
            if len % 2 == 1 {
                break;
            }
            hash = node_hash(&self.levels[level][len - 2], &self.levels[level][len - 1]);
            level += 1;
        }
    }

    pub fn root(&self) -> Hash {
        root(self, self.len()).unwrap_or_else(|never| match never {})
    }

    pub fn root_at(&self, size: u64) -> Hash {
        root(self, size).unwrap_or_else(|never| match never {})
    }

    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels.first().and_then(|l| l.get(index as usize)).copied()
    }
}

impl Nodes for MemTree {
    type Error = std::convert::Infallible;
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        Ok(self.levels[level as usize][index as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight from the RFC's recursive definition, for cross-checking.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn tree(n: u64) -> (MemTree, Vec<Hash>) {
        let mut t = MemTree::new();
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        for l in &leaves {
            t.push(*l);
        }
        (t, leaves)
    }

    fn v(p: &[Hash]) -> Vec<Vec<u8>> {
        p.iter().map(|h| h.to_vec()).collect()
    }

    /// Our own vectors: the RFC 6962 test tree of eight leaves used by
    /// Certificate Transparency implementations (inputs from RFC 6962's
    /// reference code; roots computed independently from the definition).
    #[test]
    fn known_roots_of_the_ct_reference_tree() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        let mut t = MemTree::new();
        let want = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        for (i, input) in inputs.iter().enumerate() {
            t.push(leaf_hash(input));
            assert_eq!(hex::encode(t.root()), want[i], "root of {} leaves", i + 1);
        }
    }

    #[test]
    fn every_inclusion_proof_of_small_trees_verifies_and_corruptions_fail() {
        for n in 1..=33u64 {
            let (t, leaves) = tree(n);
            assert_eq!(t.root(), reference_root(&leaves));
            for i in 0..n {
                let p = inclusion_proof(&t, i, n).unwrap();
                assert!(
                    p.len() <= 64 - (n - 1).leading_zeros() as usize,
                    "proof longer than ceil(log2 n)"
                );
                verify_inclusion(i, n, &leaves[i as usize], &v(&p), &t.root()).unwrap();
                if let Some(first) = p.first() {
                    let mut bad = v(&p);
                    bad[0][0] ^= 1;
                    assert!(verify_inclusion(i, n, &leaves[i as usize], &bad, &t.root()).is_err());
                    let _ = first;
                }
                if n > 1 {
                    let other = (i + 1) % n;
                    assert!(
                        verify_inclusion(other, n, &leaves[i as usize], &v(&p), &t.root()).is_err()
                            || leaves[other as usize] == leaves[i as usize]
                    );
                }
            }
        }
    }

    #[test]
    fn every_consistency_proof_of_small_trees_verifies() {
        for n in 1..=33u64 {
            let (t, _) = tree(n);
            for m in 1..=n {
                let p = consistency_proof(&t, m, n).unwrap();
                verify_consistency(m, n, &t.root_at(m), &t.root_at(n), &v(&p))
                    .unwrap_or_else(|e| panic!("{m}->{n}: {e}"));
                if m < n {
                    let wrong = t.root_at(m - 1 + u64::from(m == 1));
                    if wrong != t.root_at(m) {
                        assert!(verify_consistency(m, n, &wrong, &t.root_at(n), &v(&p)).is_err());
                    }
                }
            }
        }
    }
}
