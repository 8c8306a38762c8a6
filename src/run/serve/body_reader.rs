//! A request body as a blocking `BufRead`, so that the JSONL pipeline of
//! `--facts-jsonl` (`crate::batch`) reads it as it reads a file.

use std::io::{BufRead, Read};

use axum::body::Bytes;
use tokio::sync::mpsc::Receiver;

pub(crate) struct BodyReader {
    rx: Receiver<std::io::Result<Bytes>>,
    current: Bytes,
    done: bool,
}

impl BodyReader {
    pub(crate) fn new(rx: Receiver<std::io::Result<Bytes>>) -> BodyReader {
        BodyReader {
            rx,
            current: Bytes::new(),
            done: false,
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for BodyReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.current.is_empty() && !self.done {
            // Called on a blocking thread (spawn_blocking), never on the runtime's.
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                None => self.done = true,
            }
        }
        Ok(&self.current)
    }

    fn consume(&mut self, amt: usize) {
        let _ = self.current.split_to(amt.min(self.current.len()));
    }
}
