//! Long work on named worker threads, with progress and cancellation.
//!
//! A job runs on its own named thread and reports [`Progress`] over a bounded channel. The
//! receiving side (the CLI's progress bar, or the GUI polling once per frame) owns the
//! [`JobHandle`]; dropping it, or calling [`JobHandle::cancel`], cancels the job at its next
//! checkpoint. Work already committed by the job (for example vectors written to the project
//! file) stays committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

/// How far a job has come: `done` of `total` units of `stage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

/// The job was cancelled (its handle dropped or cancelled) before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Handed to the work: reports progress and tells whether to stop.
#[derive(Clone)]
pub struct ProgressSink {
    tx: Option<SyncSender<Progress>>,
    cancel: Arc<AtomicBool>,
    wake: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl ProgressSink {
    /// A sink that reports nowhere and is never cancelled (for tests and library callers).
    pub fn none() -> Self {
        Self { tx: None, cancel: Arc::new(AtomicBool::new(false)), wake: None }
    }

    /// Reports progress. Returns `Err(Cancelled)` when the job should stop.
    pub fn report(&self, stage: &str, done: u64, total: u64) -> Result<(), Cancelled> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        if let Some(tx) = &self.tx {
            let p = Progress { stage: stage.to_string(), done, total };
            match tx.try_send(p) {
                // A full channel only means the reader is slow: skip this report.
                Ok(()) | Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => {
                    self.cancel.store(true, Ordering::Relaxed);
                    return Err(Cancelled);
                }
            }
            if let Some(wake) = &self.wake {
                wake();
            }
        }
        Ok(())
    }

    /// `Err(Cancelled)` once the job has been cancelled.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.cancel.load(Ordering::Relaxed) { Err(Cancelled) } else { Ok(()) }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A running job: poll its progress, cancel it, or take its result when it is done.
pub struct JobHandle<T> {
    name: String,
    rx: Receiver<Progress>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<T>>,
    last: Option<Progress>,
}

impl<T: Send + 'static> JobHandle<T> {
    /// Starts `work` on a thread named `reclab-<name>`. `wake` is called after each progress
    /// report and when the job ends (the GUI passes `request_repaint`).
    pub fn spawn(
        name: &str,
        wake: Option<Arc<dyn Fn() + Send + Sync>>,
        work: impl FnOnce(&ProgressSink) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = sync_channel::<Progress>(64);
        let cancel = Arc::new(AtomicBool::new(false));
        let sink = ProgressSink { tx: Some(tx), cancel: cancel.clone(), wake: wake.clone() };
        let thread = std::thread::Builder::new().name(format!("reclab-{name}")).spawn(move || {
            let out = work(&sink);
            drop(sink);
            if let Some(wake) = wake {
                wake();
            }
            out
        })?;
        Ok(Self { name: name.to_string(), rx, cancel, thread: Some(thread), last: None })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drains pending reports and returns the latest one seen so far.
    pub fn progress(&mut self) -> Option<&Progress> {
        while let Ok(p) = self.rx.try_recv() {
            self.last = Some(p);
        }
        self.last.as_ref()
    }

    /// Blocks until the next report; `None` once the job has ended.
    pub fn next_progress(&mut self) -> Option<Progress> {
        let p = self.rx.recv().ok()?;
        self.last = Some(p.clone());
        Some(p)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// The job's result once it has finished, without blocking; `None` while it runs.
    pub fn try_take(&mut self) -> Option<std::thread::Result<T>> {
        if self.thread.as_ref().is_some_and(|t| t.is_finished()) { self.thread.take().map(|t| t.join()) } else { None }
    }

    /// Waits for the job and returns its result (a panic in the job is returned as `Err`).
    pub fn join(mut self) -> std::thread::Result<T> {
        match self.thread.take() {
            Some(t) => t.join(),
            None => Err(Box::new("job result already taken")),
        }
    }
}

impl<T> Drop for JobHandle<T> {
    fn drop(&mut self) {
        // Dropping the handle cancels the job: nobody is waiting for it any more.
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_progress_and_returns_the_result() {
        let mut job = JobHandle::spawn("test", None, |sink| {
            for i in 0..=3 {
                sink.report("count", i, 3).unwrap();
            }
            42
        })
        .unwrap();
        let mut seen = Vec::new();
        while let Some(p) = job.next_progress() {
            seen.push(p.done);
        }
        assert_eq!(seen, vec![0, 1, 2, 3]);
        assert_eq!(job.join().unwrap(), 42);
    }

    #[test]
    fn cancel_stops_the_work_at_its_next_checkpoint() {
        let job = JobHandle::spawn("test", None, |sink| {
            let mut n = 0u64;
            while sink.report("spin", n, 0).is_ok() {
                n += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n
        })
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        job.cancel();
        let n = job.join().unwrap();
        assert!(n > 0, "the job ran before it was cancelled");
    }
}
