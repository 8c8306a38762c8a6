//! The `bylaw` command line. Each subcommand lives in its own module under `cli/`.

mod cli;

// Decisions are trees of small strings and vectors; with glibc's allocator, malloc
// and free were a third of the time of a decision. mimalloc halves that
// (docs/performance.md). The library leaves the choice of allocator to its user.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
