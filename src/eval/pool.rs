//! The evaluation's worker pool and its progress: users are ranked on up to 8 named threads,
//! and a refused progress report (the user pressed Cancel) stops every one of them.

use super::EvalError;
use super::protocol::UserSplit;
use crate::jobs::ProgressSink;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Users ranked so far, over all methods of a run.
pub(super) struct Progress<'a> {
    sink: &'a ProgressSink,
    done: AtomicUsize,
    total: u64,
}

impl<'a> Progress<'a> {
    pub(super) fn new(sink: &'a ProgressSink, total: u64) -> Self {
        Self { sink, done: AtomicUsize::new(0), total }
    }

    /// Counts one user of method `label`, reporting every `every` users; a refused report is
    /// [`EvalError::Cancelled`].
    pub(super) fn tick(&self, label: &str, every: usize) -> Result<(), EvalError> {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(every) {
            self.sink.report(&format!("evaluating {label}"), n as u64, self.total).map_err(|_| EvalError::Cancelled)?;
        }
        Ok(())
    }

    pub(super) fn finish(&self) {
        // The run is complete: a cancel now has nothing left to stop.
        let _cancelled_too_late = self.sink.report("done", self.total, self.total);
    }
}

/// `rank` for every user, on up to 8 threads named `reclab-eval-N`; the results are in user
/// order. The first failure stops the other threads; a failure other than a cancel wins over
/// the cancels it caused, and a panicking thread is [`EvalError::WorkerPanicked`].
pub(super) fn map_users<T: Send>(
    users: &[UserSplit],
    rank: impl Fn(&UserSplit) -> Result<T, EvalError> + Sync,
) -> Result<Vec<T>, EvalError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let chunk = users.len().div_ceil(threads).max(1);
    let stop = AtomicBool::new(false);
    let outcomes: Vec<Result<Vec<T>, EvalError>> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        let mut outcomes = Vec::new();
        for (n, users) in users.chunks(chunk).enumerate() {
            let (rank, stop) = (&rank, &stop);
            let work = move || -> Result<Vec<T>, EvalError> {
                let mut out = Vec::with_capacity(users.len());
                for u in users {
                    if stop.load(Ordering::Relaxed) {
                        return Err(EvalError::Cancelled);
                    }
                    match rank(u) {
                        Ok(r) => out.push(r),
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                }
                Ok(out)
            };
            match std::thread::Builder::new().name(format!("reclab-eval-{n}")).spawn_scoped(s, work) {
                Ok(h) => handles.push(h),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    outcomes.push(Err(EvalError::Thread(e)));
                    break;
                }
            }
        }
        let mut joined: Vec<Result<Vec<T>, EvalError>> = handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|payload| Err(EvalError::WorkerPanicked(panic_message(&*payload)))))
            .collect();
        joined.append(&mut outcomes);
        joined
    });
    let mut first_cancel = None;
    let mut out = Vec::with_capacity(users.len());
    for o in outcomes {
        match o {
            Ok(v) => out.extend(v),
            Err(EvalError::Cancelled) => first_cancel = first_cancel.or(Some(EvalError::Cancelled)),
            Err(e) => return Err(e),
        }
    }
    match first_cancel {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// What a panic said, when it said it with a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Positive;

    fn users(n: usize) -> Vec<UserSplit> {
        let p = |item: &str| Positive { item: item.into(), event_type: "click".into(), ts: 0, row: 0 };
        (0..n).map(|i| UserSplit { user: format!("u{i}"), train: vec![p("a")], test: p("b") }).collect()
    }

    #[test]
    fn results_come_back_in_user_order_from_named_threads() {
        let got = map_users(&users(37), |u| {
            let name = std::thread::current().name().unwrap_or_default().to_string();
            Ok((u.user.clone(), name))
        })
        .unwrap();
        let want: Vec<String> = (0..37).map(|i| format!("u{i}")).collect();
        assert_eq!(got.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>(), want);
        assert!(got.iter().all(|(_, t)| t.starts_with("reclab-eval-")), "{got:?}");
    }

    #[test]
    fn a_panicking_worker_is_reported_as_a_panic_not_a_cancel() {
        let err = map_users(&users(20), |u| -> Result<(), EvalError> {
            if u.user == "u3" {
                panic!("boom at {}", u.user);
            }
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(&err, EvalError::WorkerPanicked(m) if m.contains("boom at u3")), "{err}");
    }

    #[test]
    fn a_failure_wins_over_the_cancels_it_causes() {
        let err = map_users(&users(20), |u| -> Result<(), EvalError> {
            if u.user == "u19" { Err(EvalError::Empty("the last user".into())) } else { Ok(()) }
        })
        .unwrap_err();
        assert!(matches!(&err, EvalError::Empty(m) if m == "the last user"), "{err}");
    }
}
