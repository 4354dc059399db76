//! The `factsheet` command: everything lives in the library.

// A build makes millions of short-lived strings (pages, passages, links) on every core;
// mimalloc's per-thread heaps make `check` about a tenth faster and rendering faster
// still. Transparent huge pages are off: with them mimalloc kept half as much memory
// again for a few percent more speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    factsheet::cli::main()
}
