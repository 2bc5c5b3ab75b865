//! The content-addressed job cache.
//!
//! A job that declares `inputs` is skipped, and its outputs restored, when
//! the hash of everything that could change its result matches a previous
//! successful run: the job's definition (script, env, workdir, outputs,
//! reports), the contents of every input file, the output of its `tools`
//! commands, the digests of what its `needs` produced, and the values of its
//! secrets (hashed, never stored). Change one byte of any and it runs again.
//!
//! Layout under `.lockgate/cache/`: `entries/<key>.json` (the manifest) and
//! `blobs/<sha256>` (file contents, shared between entries).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the key's recipe changes, so old entries are never reused.
const FORMAT: &str = "lockgate-cache-v1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutputFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub mode: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub key: String,
    pub job: String,
    /// The run that produced the entry.
    pub run: u64,
    pub created: jiff::Timestamp,
    pub duration_ms: u64,
    pub outputs: Vec<OutputFile>,
    /// Blob of the job's (masked) log.
    pub log: Option<String>,
}

/// What goes into a cache key.
#[derive(Serialize)]
pub struct KeyParts<'a> {
    pub job: &'a str,
    pub definition: serde_json::Value,
    /// (path, sha256) of every input file, sorted by path.
    pub inputs: &'a [(String, String)],
    /// (command, output) of every declared tool.
    pub tools: &'a [(String, String)],
    /// (job, artifact digest) of every needed job.
    pub needs: &'a [(String, String)],
    /// sha256 over the job's secret values (so a rotated secret re-runs it).
    pub secrets: String,
}

pub fn key(parts: &KeyParts) -> String {
    let v = serde_json::to_value(parts).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update(crate::ledger::event::canonical_json(&v));
    hex::encode(h.finalize())
}

pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let n = io::copy(&mut f, &mut h)?;
    Ok((hex::encode(h.finalize()), n))
}

pub struct Cache {
    dir: PathBuf,
}

/// Which job and run produced a cache entry.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub job: &'a str,
    pub run: u64,
    pub duration_ms: u64,
}

/// What `prune` removed.
#[derive(Debug, Default, Serialize)]
pub struct Pruned {
    pub entries: u64,
    pub blobs: u64,
    pub bytes: u64,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join("entries").join(format!("{key}.json"))
    }

    fn blob_path(&self, sha: &str) -> PathBuf {
        self.dir.join("blobs").join(sha)
    }

    /// The manifest for `key`, if every blob it needs is present.
    pub fn lookup(&self, key: &str) -> Option<Manifest> {
        let text = std::fs::read(self.entry_path(key)).ok()?;
        let m: Manifest = serde_json::from_slice(&text).ok()?;
        if m.key != key || m.outputs.iter().any(|o| !self.blob_path(&o.sha256).is_file()) {
            return None;
        }
        Some(m)
    }

    /// Copies the outputs of `m` back into `root`, verifying each blob.
    pub fn restore(&self, m: &Manifest, root: &Path) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        for o in &m.outputs {
            let src = self.blob_path(&o.sha256);
            let (sha, _) = sha256_file(&src)?;
            if sha != o.sha256 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("cache blob {} is corrupt", o.sha256),
                ));
            }
            let dst = root.join(&o.path);
            if let Some(dir) = dst.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = dst.with_extension("lockgate-restore");
            std::fs::copy(&src, &tmp)?;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(o.mode & 0o7777))?;
            std::fs::rename(&tmp, &dst)?;
        }
        // Mark as used, for `prune --older-than`.
        let _ = std::fs::File::options()
            .append(true)
            .open(self.entry_path(&m.key))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Ok(())
    }

    /// The (masked) log stored with an entry.
    pub fn log(&self, m: &Manifest) -> Option<Vec<u8>> {
        m.log.as_ref().and_then(|sha| std::fs::read(self.blob_path(sha)).ok())
    }

    /// Writes a blob named by its digest unless present, through a
    /// temporary file so a reader never sees a partial blob.
    fn write_blob(&self, sha: &str, write: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
        let dst = self.blob_path(sha);
        if dst.is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(self.dir.join("blobs"))?;
        let tmp = self
            .dir
            .join("blobs")
            .join(format!(".{sha}.{}.tmp", std::process::id()));
        write(&tmp)?;
        std::fs::rename(&tmp, &dst)
    }

    fn put_blob(&self, data_path: &Path) -> io::Result<(String, u64)> {
        let (sha, size) = sha256_file(data_path)?;
        self.write_blob(&sha, |tmp| std::fs::copy(data_path, tmp).map(|_| ()))?;
        Ok((sha, size))
    }

    fn put_bytes(&self, data: &[u8]) -> io::Result<String> {
        let sha = hex::encode(Sha256::digest(data));
        self.write_blob(&sha, |tmp| std::fs::write(tmp, data))?;
        Ok(sha)
    }

    /// Stores a successful job's outputs (paths relative to `root`) and log.
    pub fn store(
        &self,
        key: &str,
        origin: Origin<'_>,
        root: &Path,
        outputs: &[String],
        log: &[u8],
    ) -> io::Result<Manifest> {
        let Origin { job, run, duration_ms } = origin;
        use std::os::unix::fs::PermissionsExt as _;
        let mut files = Vec::new();
        for rel in outputs {
            let p = root.join(rel);
            let (sha256, size) = self.put_blob(&p)?;
            let mode = std::fs::metadata(&p)?.permissions().mode();
            files.push(OutputFile {
                path: rel.clone(),
                sha256,
                size,
                mode,
            });
        }
        let m = Manifest {
            key: key.to_string(),
            job: job.to_string(),
            run,
            created: jiff::Timestamp::now(),
            duration_ms,
            outputs: files,
            log: Some(self.put_bytes(log)?),
        };
        let path = self.entry_path(key);
        std::fs::create_dir_all(self.dir.join("entries"))?;
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(&m)?)?;
        std::fs::rename(&tmp, &path)?;
        Ok(m)
    }

    /// Removes entries not used for `older_than` (all with `None`), then
    /// blobs no entry refers to.
    pub fn prune(&self, older_than: Option<std::time::Duration>) -> io::Result<Pruned> {
        let mut pruned = Pruned::default();
        let entries = self.dir.join("entries");
        let mut live: BTreeMap<String, ()> = BTreeMap::new();
        if entries.is_dir() {
            for e in std::fs::read_dir(&entries)? {
                let p = e?.path();
                let meta = std::fs::metadata(&p)?;
                let old = match older_than {
                    None => true,
                    Some(d) => meta
                        .modified()
                        .ok()
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age > d),
                };
                let manifest: Option<Manifest> = std::fs::read(&p).ok().and_then(|t| serde_json::from_slice(&t).ok());
                if old || manifest.is_none() {
                    std::fs::remove_file(&p)?;
                    pruned.entries += 1;
                } else if let Some(m) = manifest {
                    for o in m.outputs {
                        live.insert(o.sha256, ());
                    }
                    if let Some(l) = m.log {
                        live.insert(l, ());
                    }
                }
            }
        }
        let blobs = self.dir.join("blobs");
        if blobs.is_dir() {
            for e in std::fs::read_dir(&blobs)? {
                let e = e?;
                let name = e.file_name().to_string_lossy().into_owned();
                if !live.contains_key(&name) {
                    pruned.bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                    std::fs::remove_file(e.path())?;
                    pruned.blobs += 1;
                }
            }
        }
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lookup_restore_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(root.join("dist")).unwrap();
        std::fs::write(root.join("dist/app"), b"binary").unwrap();
        let cache = Cache::new(dir.path().join("cache"));
        let m = cache
            .store(
                "k1",
                Origin {
                    job: "build",
                    run: 7,
                    duration_ms: 5,
                },
                &root,
                &["dist/app".into()],
                b"log",
            )
            .unwrap();
        assert_eq!(m.outputs[0].size, 6);
        std::fs::remove_file(root.join("dist/app")).unwrap();
        let found = cache.lookup("k1").unwrap();
        cache.restore(&found, &root).unwrap();
        assert_eq!(std::fs::read(root.join("dist/app")).unwrap(), b"binary");
        assert_eq!(cache.log(&found).unwrap(), b"log");
        assert!(cache.lookup("k2").is_none());
        // A corrupted blob is refused, not restored.
        std::fs::write(cache.blob_path(&m.outputs[0].sha256), b"evil").unwrap();
        assert!(cache.restore(&found, &root).is_err());
        let p = cache.prune(None).unwrap();
        assert_eq!((p.entries, p.blobs), (1, 2));
        assert!(cache.lookup("k1").is_none());
    }

    #[test]
    fn keys_change_with_any_part() {
        let inputs = vec![("a".to_string(), "1".to_string())];
        let base = KeyParts {
            job: "j",
            definition: serde_json::json!({"run": "x"}),
            inputs: &inputs,
            tools: &[],
            needs: &[],
            secrets: String::new(),
        };
        let k = key(&base);
        let other_inputs = vec![("a".to_string(), "2".to_string())];
        assert_ne!(
            k,
            key(&KeyParts {
                inputs: &other_inputs,
                ..base
            })
        );
        let base = KeyParts {
            job: "j",
            definition: serde_json::json!({"run": "x"}),
            inputs: &inputs,
            tools: &[],
            needs: &[],
            secrets: String::new(),
        };
        assert_ne!(
            k,
            key(&KeyParts {
                definition: serde_json::json!({"run": "y"}),
                ..base
            })
        );
    }
}
