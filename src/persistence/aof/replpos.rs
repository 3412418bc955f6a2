//! The replication position of the AOF, so a server restarted from its AOF can
//! continue its replication history (PSYNC) instead of a full resync.
//!
//! Redis forgets the replication id and offset when it restarts from an AOF: the base's
//! aux fields hold the offset of the rewrite, and the incremental files hold the
//! commands applied after it. We keep them in a sidecar file of the AOF directory,
//! `<appendfilename>.replpos`, which Redis never reads (its manifest stays Redis's).
//!
//! The scheme is chosen to be correct rather than clever:
//! * the file is written only at a clean shutdown, after the AOF buffer was written and
//!   fsynced without error, while the AOF is on and no rewrite runs; it records our id,
//!   offset and stream database and the name and size of every file the manifest lists;
//! * at start-up it is read and removed (durably) before the AOF is loaded, and its
//!   position is used only if the manifest lists exactly the recorded files with
//!   exactly the recorded sizes. So it describes the AOF only as it was at that clean
//!   shutdown; any later write, crash, rewrite or edit makes it absent or unmatched, and
//!   the server falls back to a full resync.

use std::fs::{self, File};
use std::io;
use std::path::Path;

use super::manifest::{write_manifest, Manifest};
use super::AofStatus;
use crate::server::Server;

/// Where a replication stream stood when the AOF files had these sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplPosition {
    /// Our replication id.
    pub replid: String,
    /// Our replication offset.
    pub offset: i64,
    /// The database the stream had selected.
    pub stream_db: i64,
    /// Every file of the manifest (base first), with its size in bytes.
    pub files: Vec<(String, u64)>,
}

impl ReplPosition {
    /// The file's text: a comment, then one `key value...` line per field.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# ferrodis: replication position of this AOF\n");
        out.push_str(&format!("replid {}\n", self.replid));
        out.push_str(&format!("offset {}\n", self.offset));
        out.push_str(&format!("stream-db {}\n", self.stream_db));
        for (name, size) in &self.files {
            out.push_str(&format!("file {size} {name}\n"));
        }
        out
    }

    /// Parses what `to_text` wrote; `None` on anything unexpected (then the position is
    /// not trusted).
    pub fn parse(text: &str) -> Option<ReplPosition> {
        let (mut replid, mut offset, mut stream_db) = (None, None, None);
        let mut files = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (key, value) = line.split_once(' ')?;
            match key {
                "replid" => replid = Some(value.to_string()),
                "offset" => offset = Some(value.parse::<i64>().ok()?),
                "stream-db" => stream_db = Some(value.parse::<i64>().ok()?),
                "file" => {
                    let (size, name) = value.split_once(' ')?;
                    files.push((name.to_string(), size.parse::<u64>().ok()?));
                }
                _ => return None,
            }
        }
        let replid = replid.filter(|id| id.len() == 40)?;
        let offset = offset.filter(|&o| o >= 0)?;
        let stream_db = stream_db.filter(|&d| d >= 0)?;
        if files.is_empty() {
            return None;
        }
        Some(ReplPosition {
            replid,
            offset,
            stream_db,
            files,
        })
    }
}

/// The sizes of the files `manifest` lists, in loading order; `None` if one is missing.
fn file_sizes(dir: &Path, manifest: &Manifest) -> Option<Vec<(String, u64)>> {
    manifest
        .files_to_load()
        .iter()
        .map(|f| {
            let len = fs::metadata(dir.join(&f.name)).ok()?.len();
            Some((f.name.clone(), len))
        })
        .collect()
}

impl Server {
    /// The sidecar's name: `<appendfilename>.replpos`.
    fn aof_replpos_name(&self) -> String {
        format!("{}.replpos", self.config.appendfilename)
    }

    /// At a clean shutdown, once nothing will run any more (after the AOF was flushed
    /// and fsynced): records our replication position for the AOF as it now is. Writes
    /// nothing when the AOF might miss an applied write (off, waiting for its first
    /// rewrite, a failed write, a buffer left, the manifest on disk not the one in use).
    pub fn aof_save_repl_position(&self) {
        let a = &self.aof;
        if a.status != AofStatus::On
            || a.rewrite.is_some()
            || !a.buf.is_empty()
            || !a.last_write_ok
            || a.bio.failed()
        {
            return;
        }
        let dir = self.aof_dir();
        let on_disk = Manifest::load(&dir.join(self.aof_manifest_name()));
        if !on_disk.is_ok_and(|m| m.to_text() == a.manifest.to_text()) {
            return;
        }
        let Some(files) = file_sizes(&dir, &a.manifest) else {
            return;
        };
        let (replid, offset, stream_db) = self.repl_save_info();
        let pos = ReplPosition {
            replid,
            offset,
            stream_db,
            files,
        };
        if pos.replid.len() != 40 || pos.offset < 0 {
            return;
        }
        match write_manifest(&dir, &self.aof_replpos_name(), &pos.to_text()) {
            Ok(()) => log::info!(
                "Saved the replication position {}:{} of the AOF",
                pos.replid,
                pos.offset
            ),
            Err(e) => log::warn!("Can't save the replication position of the AOF: {e}"),
        }
    }

    /// At start-up, before the AOF files of `manifest` are loaded: removes the recorded
    /// position and returns it if it still describes those files exactly. `None` when
    /// there is none, it does not match, or it could not be removed durably.
    pub(crate) fn aof_take_repl_position(&self, manifest: &Manifest) -> Option<ReplPosition> {
        let dir = self.aof_dir();
        let path = dir.join(self.aof_replpos_name());
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) => {
                log::warn!("Can't read {}: {e}", path.display());
                String::new()
            }
        };
        // Used once only: a later crash must not find it again.
        let removed = fs::remove_file(&path).and_then(|()| File::open(&dir)?.sync_all());
        if let Err(e) = removed {
            log::warn!("Can't remove {}: {e}", path.display());
            return None;
        }
        let pos = ReplPosition::parse(&text)?;
        if file_sizes(&dir, manifest).as_ref() != Some(&pos.files) {
            log::info!("The AOF changed since its replication position was saved: ignoring it");
            return None;
        }
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ReplPosition {
        ReplPosition {
            replid: "a".repeat(40),
            offset: 1234,
            stream_db: 3,
            files: vec![
                ("appendonly.aof.1.base.rdb".into(), 88),
                ("appendonly.aof.1.incr.aof".into(), 0),
            ],
        }
    }

    #[test]
    fn round_trips_through_text() {
        let p = sample();
        assert_eq!(ReplPosition::parse(&p.to_text()), Some(p));
    }

    #[test]
    fn rejects_damaged_or_incomplete_text() {
        let text = sample().to_text();
        assert_eq!(ReplPosition::parse(&text.replace("1234", "x")), None);
        assert_eq!(
            ReplPosition::parse(&text.replace(&"a".repeat(40), "abc")),
            None
        );
        assert_eq!(ReplPosition::parse("replid x\n"), None);
        let no_files: String = text.lines().filter(|l| !l.starts_with("file")).collect();
        assert_eq!(ReplPosition::parse(&no_files), None);
        assert_eq!(ReplPosition::parse(&format!("{text}bogus 1\n")), None);
    }
}
