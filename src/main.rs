fn main() -> std::process::ExitCode {
    tune_allocator();
    vistterstream::cli::main()
}

/// Pin glibc's mmap threshold at 1 MiB. By default glibc raises the threshold to the size of
/// each freed mmapped block, so after the first few raw video frames (1.4 MiB at 720p) are
/// freed, frame-sized allocations move into the per-thread heap arenas, where freed frames
/// stay resident: a program output measured 187 MiB peak RSS with the default and 143 MiB
/// with the threshold pinned, at the same CPU (docs/benchmarks.md). Frame-sized blocks are
/// then mapped and unmapped, and given back to the system when freed.
///
/// Cap the malloc arenas at two. glibc gives each thread that allocates an arena of its own,
/// up to eight per core; the ~30 threads of a program output (GStreamer streaming threads,
/// the actix arbiters, tokio's workers) spread their small allocations over all of them, and
/// each arena keeps its own freed, fragmented memory resident. Measured on a program output:
/// 156 MiB peak RSS with the default, 136–137 MiB with one or two arenas, no CPU difference
/// (docs/benchmarks.md). Two rather than one keeps two cores from contending for one lock.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any other
    // thread exists and takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
