//! Recordings on disk (OUT-7): MP4 segments named by the recorder
//! (`output-<id>-<UTC start>-<n>.mp4`), listed from the directory itself (the files are
//! the truth: nothing to get out of sync), and pruned by age and total size.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Recording {
    /// File name; also the id in the API.
    pub name: String,
    pub output_id: i64,
    /// When the recording run started (UTC, from the name).
    pub started_at: String,
    /// Segment number within the run.
    pub segment: u32,
    pub size_bytes: u64,
    /// Last write (RFC 3339 UTC).
    pub modified_at: String,
    /// Still being written (not playable until finished).
    pub in_progress: bool,
    #[serde(skip)]
    pub modified: SystemTime,
}

/// `output-<id>-<YYYYmmddTHHMMSS[.mmm]Z>-<nnnnn>.mp4` → (output id, start, segment). Anything else
/// is not a recording (and can never name a path outside the directory).
pub fn parse_name(name: &str) -> Option<(i64, chrono::DateTime<chrono::Utc>, u32)> {
    let rest = name.strip_prefix("output-")?.strip_suffix(".mp4")?;
    let mut parts = rest.splitn(3, '-');
    let id: i64 = parts.next()?.parse().ok()?;
    let start = parts.next()?;
    let segment = parts.next()?;
    if segment.len() != 5 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let started = chrono::NaiveDateTime::parse_from_str(start, "%Y%m%dT%H%M%S%.3fZ")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(start, "%Y%m%dT%H%M%SZ"))
        .ok()?;
    Some((id, started.and_utc(), segment.parse().ok()?))
}

/// A segment written in the last few seconds is still open.
const IN_PROGRESS_WINDOW: Duration = Duration::from_secs(5);

/// Every recording in `dir`, oldest first.
pub fn list(dir: &Path) -> std::io::Result<Vec<Recording>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some((output_id, started, segment)) = parse_name(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta.modified().unwrap_or(now);
        out.push(Recording {
            output_id,
            started_at: crate::domain::time::timestamp(started),
            segment,
            size_bytes: meta.len(),
            modified_at: crate::domain::time::timestamp(modified.into()),
            in_progress: now.duration_since(modified).unwrap_or_default() < IN_PROGRESS_WINDOW,
            modified,
            name,
        });
    }
    out.sort_by(|a, b| (a.modified, &a.name).cmp(&(b.modified, &b.name)));
    Ok(out)
}

/// Which recordings the retention policy deletes (pure): older than `max_age`, then the
/// oldest until the rest fit in `max_total_bytes`. Segments still being written are kept.
pub fn expired(
    recordings: &[Recording],
    now: SystemTime,
    max_age: Duration,
    max_total_bytes: u64,
) -> Vec<String> {
    let mut total: u64 = recordings.iter().map(|r| r.size_bytes).sum();
    let mut gone = Vec::new();
    for r in recordings {
        if r.in_progress {
            continue;
        }
        let too_old = now.duration_since(r.modified).unwrap_or_default() > max_age;
        if too_old || total > max_total_bytes {
            total = total.saturating_sub(r.size_bytes);
            gone.push(r.name.clone());
        }
    }
    gone
}

/// Apply the retention policy to `dir`; returns how many files were deleted.
pub fn prune(dir: &Path, max_age: Duration, max_total_bytes: u64) -> std::io::Result<usize> {
    let all = list(dir)?;
    let names = expired(&all, SystemTime::now(), max_age, max_total_bytes);
    for name in &names {
        if let Err(e) = std::fs::remove_file(dir.join(name))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %name, error = %e, "could not delete a recording");
        }
    }
    Ok(names.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, age_s: u64, size: u64, in_progress: bool, now: SystemTime) -> Recording {
        Recording {
            name: name.into(),
            output_id: 1,
            started_at: String::new(),
            segment: 0,
            size_bytes: size,
            modified_at: String::new(),
            in_progress,
            modified: now - Duration::from_secs(age_s),
        }
    }

    #[test]
    fn names_parse_and_nothing_else_does() {
        let (id, start, seg) = parse_name("output-12-20261125T101500Z-00003.mp4").unwrap();
        assert_eq!((id, seg), (12, 3));
        assert_eq!(start.to_rfc3339(), "2026-11-25T10:15:00+00:00");
        let (_, start, _) = parse_name("output-12-20261125T101500.250Z-00000.mp4").unwrap();
        assert_eq!(start.timestamp_subsec_millis(), 250);
        for bad in [
            "../etc/passwd",
            "output-1-20261125T101500Z-00003.mp4/..",
            "output-x-20261125T101500Z-00003.mp4",
            "output-1-2026-00003.mp4",
            "output-1-20261125T101500Z-3.mp4",
            "output-1-20261125T101500Z-00003.flv",
        ] {
            assert!(parse_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn retention_by_age_then_by_size_oldest_first_never_the_open_segment() {
        let now = SystemTime::now();
        let day = 24 * 3600;
        let all = vec![
            rec("a", 9 * day, 10, false, now),
            rec("b", 3 * day, 40, false, now),
            rec("c", 2 * day, 40, false, now),
            rec("d", 60, 40, false, now),
            rec("e", 1, 40, true, now),
        ];
        // Age 7 days: `a` goes. Then total 160 > 100: `b` and `c` go (oldest first).
        let gone = expired(&all, now, Duration::from_secs(7 * day), 100);
        assert_eq!(gone, vec!["a", "b", "c"]);
        // Nothing over the limits: nothing goes.
        assert!(expired(&all[1..], now, Duration::from_secs(7 * day), 1000).is_empty());
        // Even an absurdly small limit keeps the segment being written.
        let gone = expired(&all, now, Duration::from_secs(7 * day), 0);
        assert!(!gone.contains(&"e".to_string()));
    }
}
