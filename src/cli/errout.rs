//! Standard error for every command, through a writer that never panics.
//!
//! `eprintln!` panics when stderr cannot be written (stderr a closed pipe, or
//! `2>/dev/full`), and a panic's own message is lost there too. `cli/mod.rs` shadows
//! `eprintln!` and `eprint!` for every command with the macros below, which write
//! through [`write`]: a failed write is remembered, and [`status`] turns it into exit
//! status 1 once the command is done; a closed pipe is the reader's choice and ends
//! quietly with the command's usual status, as it does on stdout (`cli/out.rs`).
//! (`2>&-` needs nothing: the Rust runtime opens `/dev/null` on a closed stderr.)

use std::io::{self, Write as _};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a write to stderr failed other than by a closed pipe.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to stderr; a failure is remembered, never a panic.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let r = err.write_fmt(args).and_then(|()| err.flush());
    if let Err(e) = r {
        if e.kind() != io::ErrorKind::BrokenPipe {
            FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// The command's exit status: `usual`, or 1 when stderr could not be written.
pub fn status(usual: ExitCode) -> ExitCode {
    if FAILED.load(Ordering::Relaxed) {
        ExitCode::from(1)
    } else {
        usual
    }
}
