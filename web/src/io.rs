//! A connection whose writes cannot stall for ever, and which lets the client read its last
//! answer before closing.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use crate::admission::Permit;

/// How long a closed connection's unread request bytes are drained, and how many at most.
const DRAIN_TIME: Duration = Duration::from_secs(1);
const DRAIN_BYTES: usize = 1024 * 1024;

/// A TCP stream whose writes fail with [`io::ErrorKind::TimedOut`] once they have made no
/// progress for the write timeout. When dropped, it drains briefly what the client still sends
/// (closing a socket with unread bytes resets it, and the client could lose its answer, e.g. a
/// `413` sent before the body was read), holding the connection's place meanwhile.
pub(crate) struct Guarded {
    stream: Option<TcpStream>,
    permit: Option<Permit>,
    write_timeout: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the connection is closed")
}

impl Guarded {
    pub(crate) fn new(stream: TcpStream, permit: Permit, write_timeout: Duration) -> Guarded {
        Guarded {
            stream: Some(stream),
            permit: Some(permit),
            write_timeout,
            stalled: None,
        }
    }

    /// What a write that returned `poll` means, given how long writes have been stalled.
    fn progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let timeout = self.write_timeout;
                let stalled = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if stalled.as_mut().poll(cx).is_ready() {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn write_with<T>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        let poll = match self.stream.as_mut() {
            Some(s) => f(Pin::new(s), cx),
            None => Poll::Ready(Err(gone())),
        };
        self.progress(cx, poll)
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream.as_mut() {
            Some(s) => Pin::new(s).poll_read(cx, buf),
            None => Poll::Ready(Err(gone())),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write_with(cx, |s, cx| s.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.write_with(cx, |s, cx| s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.write_with(cx, |s, cx| s.poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.write_with(cx, |s, cx| s.poll_shutdown(cx))
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let (Some(stream), permit) = (self.stream.take(), self.permit.take()) else {
            return;
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                drain(stream, DRAIN_TIME, DRAIN_BYTES).await;
                drop(permit);
            });
        }
    }
}

/// Says the server is done writing, then reads and discards what the client still sends, for
/// at most `time` and `bytes`, so that closing does not reset the connection under an answer.
pub(crate) async fn drain(mut stream: TcpStream, time: Duration, bytes: usize) {
    let _ = tokio::time::timeout(time, async {
        let _ = stream.shutdown().await;
        let mut sink = [0u8; 8192];
        let mut read = 0;
        while read < bytes {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    })
    .await;
}
