//! Standard output for every command, through a writer that returns errors.
//!
//! `print!` panics when stdout cannot be written ("failed printing to stdout"): a
//! closed pipe (`| head -1`) or a full disk. Commands write through [`Out`] instead,
//! which keeps the first error and stops writing after it, and [`Out::finish`] turns
//! it into the exit status: a closed pipe is the reader's choice and ends quietly with
//! the status the command would have had (as Unix tools do); any other failure is one
//! line on stderr and exit status 1.

use std::io::{self, Write};
use std::process::ExitCode;

/// Standard output, remembering its first failure.
pub struct Out {
    inner: io::StdoutLock<'static>,
    error: Option<io::Error>,
}

impl Out {
    /// Standard output, locked for the command.
    pub fn new() -> Out {
        Out {
            inner: io::stdout().lock(),
            error: None,
        }
    }

    /// Writes `text` unless a write already failed (then nothing more is written).
    pub fn print(&mut self, text: &str) {
        let _ = self.write_all(text.as_bytes());
    }

    /// Whether every write so far succeeded: loops stop producing output once not.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// Flushes, and the exit status: `usual` unless the output failed other than
    /// by a closed pipe, which is reported on stderr (one line) as status 1.
    pub fn finish(mut self, usual: ExitCode) -> ExitCode {
        let _ = self.flush();
        match self.error {
            None => usual,
            Some(e) if e.kind() == io::ErrorKind::BrokenPipe => usual,
            Some(e) => failed(&e),
        }
    }
}

/// Reports an output failure (one line on stderr) and returns exit status 1.
pub fn failed(e: &io::Error) -> ExitCode {
    // stderr may be broken too: nothing more can be said then, and it must not panic.
    eprintln!("error: cannot write the output: {e}");
    ExitCode::from(1)
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = &self.error {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        let r = self.inner.write(buf);
        if let Err(e) = &r {
            if e.kind() != io::ErrorKind::Interrupted {
                self.error = Some(io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = &self.error {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        let r = self.inner.flush();
        if let Err(e) = &r {
            self.error = Some(io::Error::new(e.kind(), e.to_string()));
        }
        r
    }
}
