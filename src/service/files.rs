//! Files the appliance keeps beside its database (snapshots, preset thumbnails, asset
//! pictures): written atomically, removed best-effort.

use std::path::{Path, PathBuf};

/// Write `bytes` to `dir/name` through a temporary file and a rename: a reader never sees
/// half a file.
pub(super) async fn write_atomically(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(path)
}

/// Remove files of `dir` (a missing one is already gone; others are logged, not fatal).
pub(super) async fn remove_all(dir: &Path, names: impl IntoIterator<Item = String>, what: &str) {
    for name in names {
        if let Err(e) = tokio::fs::remove_file(dir.join(&name)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %name, error = %e, "could not delete a {what} file");
        }
    }
}

/// Read a file the API serves; `None` when it is gone.
pub(super) async fn read_if_present(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
