//! The saved index beside a project: the vectors it was built from (one flat file, read through
//! a memory map) and the HNSW shards (usearch files, opened as memory-mapped views), named by a
//! sidecar that is written last.
//!
//! ```text
//! <project>.usearch.meta        JSON: model, dimension, quantization, generation, file names
//! <project>.vectors.<gen>       keys, text hashes and f32 rows, sorted by key
//! <project>.usearch.<gen>.<s>   HNSW shard s
//! ```
//!
//! Files are written under temporary names and renamed; the sidecar is renamed last, so a
//! crash leaves either the old snapshot or the new one, never a mixture. Files of other
//! generations are removed once the sidecar names the new one. Nothing here is the source of
//! truth: a missing, damaged or mismatched snapshot only means a rebuild from the project.

use super::{AnnIndex, Frozen, IndexError, Quantization};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"RECLABV1";
const VERSION: u32 = 1;
const HEADER: usize = 64;
/// Bumped when the sidecar's meaning changes; an older sidecar means a rebuild.
const META_FORMAT: u32 = 3;

fn align64(n: usize) -> usize {
    n.div_ceil(64) * 64
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io { path: path.to_path_buf(), source }
}

fn damaged(path: &Path, why: impl std::fmt::Display) -> IndexError {
    IndexError::Usearch(format!("{}: {why}", path.display()))
}

/// Byte offsets of the parts of a vectors file with `rows` rows.
struct Layout {
    keys: usize,
    hashes: usize,
    data: usize,
    end: usize,
}

impl Layout {
    fn new(model_len: usize, rows: usize, dim: usize) -> Self {
        let keys = HEADER + align64(model_len);
        let hashes = keys + rows * 8;
        let data = align64(hashes + rows * 16);
        Self { keys, hashes, data, end: data + rows * dim * 4 }
    }
}

/// A vectors file, memory-mapped: rows are read from disk when first used.
pub struct VectorFile {
    map: memmap2::Mmap,
    dim: usize,
    rows: usize,
    generation: u64,
    model: String,
    layout: Layout,
}

impl std::fmt::Debug for VectorFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorFile").field("rows", &self.rows).field("dim", &self.dim).finish()
    }
}

impl VectorFile {
    /// Maps `path` and checks its header and size.
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        if cfg!(target_endian = "big") {
            return Err(damaged(path, "the vectors file is little-endian; this machine is not"));
        }
        let file = std::fs::File::open(path).map_err(io_err(path))?;
        // SAFETY: snapshot files are written under a temporary name and renamed into place,
        // never modified afterwards; a later generation gets new names. (Another program
        // truncating the file while it is mapped is outside what any mapping can guard.)
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err(path))?;
        if map.len() < HEADER || &map[..8] != MAGIC {
            return Err(damaged(path, "not a reclab vectors file"));
        }
        let u32_at = |o: usize| u32::from_le_bytes([map[o], map[o + 1], map[o + 2], map[o + 3]]);
        let u64_at = |o: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&map[o..o + 8]);
            u64::from_le_bytes(b)
        };
        if u32_at(8) != VERSION {
            return Err(damaged(path, format!("format version {} (this build reads {VERSION})", u32_at(8))));
        }
        let dim = u32_at(12) as usize;
        let rows = usize::try_from(u64_at(16)).map_err(|_| damaged(path, "too many rows"))?;
        let generation = u64_at(24);
        let model_len = u32_at(32) as usize;
        if dim == 0 || rows > map.len() || model_len > 4096 {
            return Err(damaged(path, "implausible header"));
        }
        let layout = Layout::new(model_len, rows, dim);
        if map.len() != layout.end {
            return Err(damaged(path, format!("{} bytes where {} were expected", map.len(), layout.end)));
        }
        let model = String::from_utf8(map[HEADER..HEADER + model_len].to_vec())
            .map_err(|_| damaged(path, "the model name is not UTF-8"))?;
        let f = Self { map, dim, rows, generation, model, layout };
        if f.keys().windows(2).any(|w| w[0] >= w[1]) {
            return Err(damaged(path, "keys out of order"));
        }
        Ok(f)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Item keys, ascending.
    pub fn keys(&self) -> &[u64] {
        let bytes = &self.map[self.layout.keys..self.layout.hashes];
        assert!(bytes.len() == self.rows * 8 && (bytes.as_ptr() as usize).is_multiple_of(8));
        // SAFETY: the mapping starts on a page boundary and `layout.keys` is a multiple of 64,
        // so the pointer is 8-aligned (asserted); the slice covers exactly `rows` u64s of the
        // mapping, which lives as long as `self`; any bit pattern is a valid u64; the file is
        // little-endian and so is this machine (checked in `open`).
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<u64>(), self.rows) }
    }

    /// The hash of the text each row embeds.
    pub fn hashes(&self) -> &[[u8; 16]] {
        let bytes = &self.map[self.layout.hashes..self.layout.hashes + self.rows * 16];
        assert!(bytes.len() == self.rows * 16);
        // SAFETY: [u8; 16] has alignment 1; the slice covers exactly `rows` hashes.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<[u8; 16]>(), self.rows) }
    }

    /// All rows, `dim` floats each.
    pub fn data(&self) -> &[f32] {
        let bytes = &self.map[self.layout.data..self.layout.end];
        let n = self.rows * self.dim;
        assert!(bytes.len() == n * 4 && (bytes.as_ptr() as usize).is_multiple_of(4));
        // SAFETY: 4-aligned (the data offset is a multiple of 64 from a page-aligned mapping;
        // asserted), exactly n floats inside the mapping; any bit pattern is a valid f32.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<f32>(), n) }
    }
}

/// Writes a vectors file: `rows` rows sorted by key, `row(i)` the i-th vector.
pub fn write_vectors<'a>(
    path: &Path,
    model: &str,
    dim: usize,
    generation: u64,
    keys: &[u64],
    hashes: &[[u8; 16]],
    row: impl Fn(usize) -> &'a [f32],
) -> Result<(), IndexError> {
    assert_eq!(keys.len(), hashes.len());
    let layout = Layout::new(model.len(), keys.len(), dim);
    let tmp = tmp_path(path);
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        let mut head = [0u8; HEADER];
        head[..8].copy_from_slice(MAGIC);
        head[8..12].copy_from_slice(&VERSION.to_le_bytes());
        head[12..16].copy_from_slice(&(dim as u32).to_le_bytes());
        head[16..24].copy_from_slice(&(keys.len() as u64).to_le_bytes());
        head[24..32].copy_from_slice(&generation.to_le_bytes());
        head[32..36].copy_from_slice(&(model.len() as u32).to_le_bytes());
        w.write_all(&head)?;
        w.write_all(model.as_bytes())?;
        w.write_all(&vec![0u8; layout.keys - HEADER - model.len()])?;
        for k in keys {
            w.write_all(&k.to_le_bytes())?;
        }
        for h in hashes {
            w.write_all(h)?;
        }
        w.write_all(&vec![0u8; layout.data - layout.hashes - keys.len() * 16])?;
        let mut buf = Vec::with_capacity(dim * 4);
        for i in 0..keys.len() {
            let v = row(i);
            if v.len() != dim {
                return Err(std::io::Error::other(format!("row {i} has {} values, expected {dim}", v.len())));
            }
            buf.clear();
            buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
            w.write_all(&buf)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(source) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(IndexError::Io { path: path.to_path_buf(), source });
    }
    Ok(())
}

/// Where a file is written before it is renamed into place.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".tmp");
    PathBuf::from(p)
}

/// Renames the temporary file of `path` into place.
pub fn commit(path: &Path) -> Result<(), IndexError> {
    std::fs::rename(tmp_path(path), path).map_err(io_err(path))
}

/// The sidecar naming a snapshot's files.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotMeta {
    pub format: u32,
    pub model: String,
    pub dim: usize,
    pub quantization: Quantization,
    pub generation: u64,
    /// Vectors in the snapshot.
    pub rows: usize,
    /// File names (in the project's folder).
    pub vectors: String,
    pub shards: Vec<ShardMeta>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShardMeta {
    pub file: String,
    pub size: usize,
}

impl SnapshotMeta {
    pub fn read(path: &Path) -> Option<Self> {
        let meta: Self = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        (meta.format == META_FORMAT).then_some(meta)
    }
}

/// The files of a project's snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotPaths {
    dir: PathBuf,
    /// The project file's name: every snapshot file starts with it.
    stem: String,
}

impl SnapshotPaths {
    /// `None` for a project without a usable file name (in-memory projects).
    pub fn new(project: &Path) -> Option<Self> {
        let stem = project.file_name()?.to_str()?.to_string();
        let dir = match project.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Some(Self { dir, stem })
    }

    pub fn meta(&self) -> PathBuf {
        self.dir.join(format!("{}.usearch.meta", self.stem))
    }

    pub fn vectors_name(&self, generation: u64) -> String {
        format!("{}.vectors.{generation:016x}", self.stem)
    }

    pub fn shard_name(&self, generation: u64, shard: usize) -> String {
        format!("{}.usearch.{generation:016x}.{shard}", self.stem)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Every file a snapshot of this project may have on disk, of any generation (and the
    /// single index file of earlier reclab versions).
    pub fn all_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let legacy = format!("{}.usearch", self.stem);
        let vectors = format!("{}.vectors.", self.stem);
        let shards = format!("{}.usearch.", self.stem);
        let is_gen = |rest: &str| {
            let (gen_part, shard) = rest.split_once('.').unwrap_or((rest, "0"));
            gen_part.len() == 16
                && gen_part.bytes().all(|b| b.is_ascii_hexdigit())
                && shard.bytes().all(|b| b.is_ascii_digit())
        };
        entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| {
                *name == legacy
                    || name.strip_prefix(&vectors).is_some_and(|r| is_gen(r) && !r.contains('.'))
                    || name.strip_prefix(&shards).is_some_and(|r| r != "meta" && is_gen(r))
            })
            .map(|name| self.dir.join(name))
            .collect()
    }

    /// Removes the files of generations other than `keep` (and the earlier single index file).
    pub fn remove_others(&self, keep: &SnapshotMeta) {
        let current: Vec<PathBuf> =
            std::iter::once(self.file(&keep.vectors)).chain(keep.shards.iter().map(|s| self.file(&s.file))).collect();
        for f in self.all_files() {
            if !current.contains(&f) {
                let _ = std::fs::remove_file(f);
            }
        }
    }

    /// Removes every snapshot file, sidecar included.
    pub fn remove_all(&self) {
        for f in self.all_files() {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_file(self.meta());
    }
}

/// A generation number for a new snapshot: the time, mixed with the process id.
pub fn new_generation() -> u64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    nanos ^ ((std::process::id() as u64) << 48)
}

/// A saved snapshot, opened: the vectors file mapped and the shards as views.
pub struct Snapshot {
    pub meta: SnapshotMeta,
    pub vectors: Arc<VectorFile>,
    pub index: AnnIndex,
}

impl Snapshot {
    /// Opens the snapshot of `model`'s vectors; `Err` says why there is none to use (missing,
    /// for another model or quantisation, damaged), which means a rebuild. `q` `None` takes
    /// the saved index whatever it stores (it was chosen by size when it was built).
    pub fn open(paths: &SnapshotPaths, model: &str, dim: usize, q: Option<Quantization>) -> Result<Self, String> {
        let meta = SnapshotMeta::read(&paths.meta()).ok_or("no saved index")?;
        if meta.model != model || meta.dim != dim || q.is_some_and(|q| meta.quantization != q) {
            return Err(format!(
                "the saved index is of {} ({}-d, {}), not {model} ({dim}-d, {})",
                meta.model,
                meta.dim,
                meta.quantization.as_str(),
                q.map_or("any", Quantization::as_str)
            ));
        }
        let vectors = VectorFile::open(&paths.file(&meta.vectors)).map_err(|e| e.to_string())?;
        if vectors.generation() != meta.generation
            || vectors.len() != meta.rows
            || vectors.dim() != dim
            || vectors.model() != model
        {
            return Err("the saved vectors do not belong to the saved index".into());
        }
        let files: Vec<(PathBuf, usize)> = meta.shards.iter().map(|s| (paths.file(&s.file), s.size)).collect();
        if files.iter().map(|(_, n)| n).sum::<usize>() != meta.rows {
            return Err("the saved index's shards do not add up to its vectors".into());
        }
        let index = AnnIndex::view(&files, dim, meta.quantization).map_err(|e| e.to_string())?;
        Ok(Self { meta, vectors: Arc::new(vectors), index })
    }

    /// Saves a freshly built `index` of `frozen` (whose texts hash to `hashes`) as a new
    /// generation, then removes the files of the others.
    pub(crate) fn write(
        paths: &SnapshotPaths,
        model: &str,
        frozen: &Frozen,
        hashes: &[[u8; 16]],
        index: &AnnIndex,
    ) -> Result<SnapshotMeta, IndexError> {
        let generation = new_generation();
        let meta = SnapshotMeta {
            format: META_FORMAT,
            model: model.to_string(),
            dim: frozen.dim,
            quantization: index.quantization(),
            generation,
            rows: frozen.len(),
            vectors: paths.vectors_name(generation),
            shards: index
                .shard_sizes()
                .into_iter()
                .enumerate()
                .map(|(s, size)| ShardMeta { file: paths.shard_name(generation, s), size })
                .collect(),
        };
        let vectors = paths.file(&meta.vectors);
        let shards: Vec<PathBuf> = meta.shards.iter().map(|s| paths.file(&s.file)).collect();
        let result = (|| {
            write_vectors(&vectors, model, frozen.dim, generation, &frozen.keys, hashes, |i| frozen.row(i))?;
            index.save_shards(&shards.iter().map(|p| tmp_path(p)).collect::<Vec<_>>())?;
            for p in shards.iter().chain(std::iter::once(&vectors)) {
                commit(p)?;
            }
            let json = serde_json::to_vec(&meta).map_err(|e| IndexError::Usearch(e.to_string()))?;
            crate::util::write_atomic(&paths.meta(), &json).map_err(io_err(&paths.meta()))
        })();
        if let Err(e) = result {
            for p in shards.iter().chain(std::iter::once(&vectors)) {
                let _ = std::fs::remove_file(tmp_path(p));
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        paths.remove_others(&meta);
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vectors_file_round_trips_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.reclab.vectors.0000000000000001");
        let rows: Vec<Vec<f32>> = (0..5).map(|i| (0..3).map(|j| (i * 3 + j) as f32).collect()).collect();
        let keys = [2u64, 5, 9, 10, 400];
        let hashes: Vec<[u8; 16]> = (0..5).map(|i| [i as u8; 16]).collect();
        write_vectors(&path, "m@1", 3, 7, &keys, &hashes, |i| &rows[i]).unwrap();
        commit(&path).unwrap();
        let f = VectorFile::open(&path).unwrap();
        assert_eq!((f.len(), f.dim(), f.generation(), f.model()), (5, 3, 7, "m@1"));
        assert_eq!(f.keys(), &keys);
        assert_eq!(f.hashes()[3], [3u8; 16]);
        assert_eq!(&f.data()[12..15], &[12.0, 13.0, 14.0]);
        drop(f);
        // Truncated: refused, not misread.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        let err = VectorFile::open(&path).unwrap_err().to_string();
        assert!(err.contains("bytes where"), "{err}");
        std::fs::write(&path, b"something else entirely, long enough to have a header of sixty-four bytes....")
            .unwrap();
        assert!(VectorFile::open(&path).unwrap_err().to_string().contains("not a reclab vectors file"));
    }

    #[test]
    fn snapshot_files_are_recognised_by_name_only() {
        let dir = tempfile::tempdir().unwrap();
        let paths = SnapshotPaths::new(&dir.path().join("p.reclab")).unwrap();
        for name in [
            "p.reclab.usearch",
            "p.reclab.usearch.00000000000000aa.0",
            "p.reclab.usearch.00000000000000bb.1",
            "p.reclab.vectors.00000000000000aa",
            "p.reclab.usearch.meta",
            "p.reclab.vectors.00000000000000aa.tmp",
            "p.reclab",
            "q.reclab.usearch",
            "p.reclab.usearch.notes",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let mut found: Vec<String> =
            paths.all_files().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "p.reclab.usearch",
                "p.reclab.usearch.00000000000000aa.0",
                "p.reclab.usearch.00000000000000bb.1",
                "p.reclab.vectors.00000000000000aa"
            ]
        );
        let keep = SnapshotMeta {
            format: META_FORMAT,
            model: "m".into(),
            dim: 3,
            quantization: Quantization::F32,
            generation: 0xaa,
            rows: 0,
            vectors: "p.reclab.vectors.00000000000000aa".into(),
            shards: vec![ShardMeta { file: "p.reclab.usearch.00000000000000aa.0".into(), size: 0 }],
        };
        paths.remove_others(&keep);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "p.reclab",
                "p.reclab.usearch.00000000000000aa.0",
                "p.reclab.usearch.meta",
                "p.reclab.usearch.notes",
                "p.reclab.vectors.00000000000000aa",
                "p.reclab.vectors.00000000000000aa.tmp",
                "q.reclab.usearch"
            ]
        );
    }
}
