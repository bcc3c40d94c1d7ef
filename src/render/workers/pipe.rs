//! Messages on a pipe: postcard, each after its length as a little-endian u64; answers are
//! read into buffers that are used again once nothing refers to them.

use std::io::{self, Read, Write};

use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A message larger than this is not one of ours (a year's agenda with its items is a few MB).
const LARGEST_MESSAGE: u64 = 1 << 30;

/// Writes `message` straight to `to`, after its length, so that a PDF is not copied into a
/// growing buffer first.
pub(super) fn send(to: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let length = postcard::experimental::serialized_size(message).map_err(io::Error::other)?;
    to.write_all(&(length as u64).to_le_bytes())?;
    postcard::to_io(message, &mut *to).map_err(io::Error::other)?;
    to.flush()
}

/// Reads messages: most into one kept buffer, answers into [`Buffers`].
pub(super) struct Receiver<R> {
    from: R,
    buffer: Vec<u8>,
    shared: Buffers,
}

impl<R: Read> Receiver<R> {
    pub(super) fn new(from: R) -> Self {
        Self {
            from,
            buffer: Vec::new(),
            shared: Buffers::default(),
        }
    }

    /// The next message, or `None` if the input ended before one began.
    pub(super) fn next<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        let Some(length) = self.length()? else {
            return Ok(None);
        };
        // Read as it comes rather than allocated at once: this is how a program that is not a
        // worker is found out, by what it says first.
        self.buffer.clear();
        (&mut self.from)
            .take(length as u64)
            .read_to_end(&mut self.buffer)?;
        if self.buffer.len() != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        decode(&self.buffer).map(Some)
    }

    /// The next message, read into a buffer that what `parse` makes of it may keep parts of.
    /// Only for answers, from a worker that has said who it is.
    pub(super) fn next_shared<T>(
        &mut self,
        parse: impl FnOnce(&Bytes) -> io::Result<T>,
    ) -> io::Result<Option<T>> {
        let Some(length) = self.length()? else {
            return Ok(None);
        };
        let mut buffer = self.shared.take();
        // Only what the buffer grows by is zeroed; the rest is overwritten.
        buffer.resize(length, 0);
        self.from.read_exact(&mut buffer)?;
        let message = buffer.freeze();
        let parsed = parse(&message);
        self.shared.keep(message);
        parsed.map(Some)
    }

    /// The length of the next message, or `None` if the input ended before one began.
    fn length(&mut self) -> io::Result<Option<usize>> {
        let mut length = [0u8; 8];
        match self.from.read_exact(&mut length) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let length = u64::from_le_bytes(length);
        if length > LARGEST_MESSAGE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message of {length} bytes is not a render worker's"),
            ));
        }
        Ok(Some(length as usize))
    }
}

/// The buffers answers were read into, used again once all their PDFs are written: a fresh
/// buffer of a megabyte or so for each answer, or a copy of each PDF, costs page faults and
/// zeroing every time.
#[derive(Default)]
struct Buffers {
    kept: Vec<Bytes>,
}

impl Buffers {
    /// More than this many answers waiting to be written means the disk is slow; the buffers of
    /// those beyond are not kept.
    const KEPT: usize = 8;

    /// A buffer that nothing refers to any more, or a new one.
    fn take(&mut self) -> BytesMut {
        let free = self.kept.iter().position(Bytes::is_unique);
        free.and_then(|at| self.kept.swap_remove(at).try_into_mut().ok())
            .unwrap_or_default()
    }

    fn keep(&mut self, message: Bytes) {
        if self.kept.len() < Self::KEPT {
            self.kept.push(message);
        }
    }
}

pub(super) fn decode<'a, T: Deserialize<'a>>(message: &'a [u8]) -> io::Result<T> {
    postcard::from_bytes(message).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cross_a_pipe_whole_and_end_cleanly() {
        let mut pipe = Vec::new();
        send(&mut pipe, &"first".to_string()).unwrap();
        send(&mut pipe, &vec![1u64, 2, 3]).unwrap();
        let mut from = Receiver::new(pipe.as_slice());
        assert_eq!(from.next::<String>().unwrap().as_deref(), Some("first"));
        assert_eq!(from.next::<Vec<u64>>().unwrap(), Some(vec![1, 2, 3]));
        assert!(from.next::<String>().unwrap().is_none());

        let mut cut_short = Receiver::new(&pipe[..pipe.len() - 1]);
        cut_short.next::<String>().unwrap();
        assert!(cut_short.next::<Vec<u64>>().is_err());

        // Another program's output, read as a length, is refused before anything is allocated.
        let mut not_ours = Receiver::new(b"%PDF-1.7 and more".as_slice());
        let refused = not_ours.next::<String>().unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn an_answer_buffer_is_read_into_again_only_once_nothing_refers_to_it() {
        let mut pipe = Vec::new();
        for pdf in [b"first pdf".as_slice(), b"second", b"third"] {
            send(&mut pipe, &serde_bytes::Bytes::new(pdf)).unwrap();
        }
        let mut from = Receiver::new(pipe.as_slice());
        let pdf_of = |message: &Bytes| -> io::Result<Bytes> {
            let pdf: &serde_bytes::Bytes = decode(message)?;
            Ok(message.slice_ref(pdf))
        };
        let first = from.next_shared(pdf_of).unwrap().unwrap();
        let first_at = first.as_ptr();
        // The first PDF still waits to be written: the next answer goes elsewhere.
        let second = from.next_shared(pdf_of).unwrap().unwrap();
        assert_ne!(second.as_ptr(), first_at);
        assert_eq!(&first[..], b"first pdf");
        drop(first);
        // Written: its buffer takes the next answer.
        let third = from.next_shared(pdf_of).unwrap().unwrap();
        assert_eq!(third.as_ptr(), first_at);
        assert_eq!(
            (&second[..], &third[..]),
            (b"second".as_slice(), b"third".as_slice())
        );
        assert!(from.next_shared(pdf_of).unwrap().is_none());
    }
}
