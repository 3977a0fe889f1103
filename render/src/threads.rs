//! Running the workers: on the calling thread, or on several threads that each read, render
//! and write (see [`run_parallel`]).

use crate::csv::CsvMap;
use crate::{interrupt, read_err, Done, Options, RenderError, Source, Worker, Writer};
use guide_runtime::Program;
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};

pub(crate) fn run_inline(
    program: &Program,
    opts: &Options,
    dir: Option<&Path>,
    csv: Option<&CsvMap>,
    mut source: Source,
    data: &Path,
    writer: &mut Writer,
) -> Result<(), RenderError> {
    let mut worker = Worker::new(program, opts, dir, csv);
    worker.ev.set_today(opts.as_of);
    let mut spent = vec![Done::default()];
    while let Some(batch) = source.next().map_err(read_err(data))? {
        if interrupt::requested() {
            return Err(RenderError::Interrupted);
        }
        let mut d = spent.pop().unwrap_or_default();
        worker.process(batch, &mut d);
        writer.accept(d, &mut spent)?;
    }
    Ok(())
}

/// The state the workers of a parallel run share: the input, the output, and how far each
/// has got.
struct Shared<'w> {
    source: Source,
    writer: &'w mut Writer,
    /// Batches taken from the input so far.
    taken: u64,
    /// Result buffers of written batches.
    spent: Vec<Done>,
    /// Per worker: result buffers of its written batches, for it to reuse.
    returned: Vec<Vec<Done>>,
    /// Workers waiting for room (more than the allowed batches in flight).
    waiting: usize,
    /// The input is exhausted, or the run failed: workers stop taking batches.
    finished: bool,
    error: Option<RenderError>,
}

/// Every worker takes the next batch of the input, renders it, and hands it to the writer,
/// which writes the batches that are next in input order. Reading and writing are short and
/// done under one lock by the worker at hand, so a run on N cores has N threads, all rendering.
/// At most `2 N + 2` batches are between the input and the output (read, being rendered, or
/// rendered and waiting for an earlier one): memory stays flat even when a worker is
/// descheduled for a while and the others run ahead.
pub(crate) fn run_parallel(
    program: &Program,
    opts: &Options,
    dir: Option<&Path>,
    csv: Option<&CsvMap>,
    source: Source,
    data: &Path,
    writer: &mut Writer,
) -> Result<(), RenderError> {
    let threads = opts.threads;
    let in_flight = threads as u64 * 2 + 2;
    let shared = Mutex::new(Shared {
        source,
        writer,
        taken: 0,
        spent: Vec::new(),
        returned: (0..threads).map(|_| Vec::new()).collect(),
        waiting: 0,
        finished: false,
        error: None,
    });
    let room = Condvar::new();
    // A worker that panicked cannot have left the state half-updated in a way the others
    // would misread (every update is a few assignments), so a poisoned lock is used as is.
    let lock = || shared.lock().unwrap_or_else(PoisonError::into_inner);
    std::thread::scope(|s| {
        for me in 0..threads {
            let lock = &lock;
            let room = &room;
            s.spawn(move || {
                let mut w = Worker::new(program, opts, dir, csv);
                w.ev.set_today(opts.as_of);
                let mut d = Done {
                    owner: me,
                    ..Done::default()
                };
                loop {
                    let batch = {
                        let mut st = lock();
                        loop {
                            if st.finished {
                                return;
                            }
                            if interrupt::requested() {
                                st.error.get_or_insert(RenderError::Interrupted);
                                st.finished = true;
                                room.notify_all();
                                return;
                            }
                            if st.taken - st.writer.next < in_flight {
                                break;
                            }
                            st.waiting += 1;
                            st = room.wait(st).unwrap_or_else(PoisonError::into_inner);
                            st.waiting -= 1;
                        }
                        match st.source.next() {
                            Ok(Some(b)) => {
                                st.taken += 1;
                                b
                            }
                            Ok(None) => {
                                st.finished = true;
                                room.notify_all();
                                return;
                            }
                            Err(e) => {
                                st.error = Some(read_err(data)(e));
                                st.finished = true;
                                room.notify_all();
                                return;
                            }
                        }
                    };
                    w.process(batch, &mut d);
                    let mut guard = lock();
                    let st = &mut *guard;
                    if let Err(e) = st.writer.accept(std::mem::take(&mut d), &mut st.spent) {
                        st.error.get_or_insert(e);
                        st.finished = true;
                    }
                    for x in st.spent.drain(..) {
                        if let Some(r) = st.returned.get_mut(x.owner) {
                            r.push(x);
                        }
                    }
                    d = st.returned.get_mut(me).and_then(Vec::pop).unwrap_or(Done {
                        owner: me,
                        ..Done::default()
                    });
                    if st.waiting > 0 || st.finished {
                        room.notify_all();
                    }
                }
            });
        }
    });
    let st = shared.into_inner().unwrap_or_else(PoisonError::into_inner);
    match st.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
