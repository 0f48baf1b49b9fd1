//! The one mechanism for waiting and retrying: poll an async probe, pausing in proportion to the
//! time already waited (with jitter), until it is ready, the ceiling (bounded by the engine's
//! timeout) passes, or the operation is cancelled. Status lines show what is awaited and for how
//! long.
//!
//! Why proportional: a transition that completes at time T is seen at most one pause late, so a
//! pause of at most 3 % of the time waited sees it at most ~3 % late (1.5 % on average), whatever
//! T is (a 10 s acceptance and a 3 min load balancer alike). The cost is logarithmic: about
//! 1/0.03 = 33 probes each time the wait's length grows e-fold, so with the defaults (100 ms
//! floor, 5 s cap, average jitter) a 1 min wait makes about 110 describes and a 3 min wait about
//! 150 (one every 1.2 s on average), then 12 a minute. The share was 5 % (about 80 and 110)
//! until the benchmarks (tests/bench) showed late noticing to be most of what a create spends
//! beyond AWS's own transitions.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::resource::{Context, ResourceError};

/// Probes a second that all the waits of one provider process share, at most. One wait never
/// meets it (its floor is 100 ms); fifty begun together (a stack's fifty endpoints destroyed at
/// once, each waiting for AWS to release its interfaces) would otherwise poll 500 times a second,
/// far above EC2's request rate for describes (a bucket of 100 refilled at 20 a second:
/// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Throttling would be
/// retried, but would slow every other caller in the account too.
pub const PROBES_PER_SECOND: u32 = 20;

/// The turns of the waits that share it (the server makes one per plugin process): each probe
/// after a pause takes the next free turn, one per `1 / per_second`, in the order asked.
#[derive(Debug, Clone)]
pub struct Pace {
    spacing: Duration,
    next_free: Arc<Mutex<Option<Instant>>>,
}

impl Pace {
    pub fn new(per_second: u32) -> Self {
        Pace {
            spacing: Duration::from_secs(1) / per_second.max(1),
            next_free: Arc::new(Mutex::new(None)),
        }
    }

    /// Waits for the next free turn (at once when the waits have been polling slowly enough).
    pub async fn turn(&self) {
        let now = Instant::now();
        let at = {
            // A panic cannot leave the instant half-written: the poisoned value is still usable.
            let mut next_free = self.next_free.lock().unwrap_or_else(|e| e.into_inner());
            let at = next_free.map_or(now, |free| free.max(now));
            *next_free = Some(at + self.spacing);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace::new(PROBES_PER_SECOND)
    }
}

/// What a probe found.
#[derive(Debug)]
pub enum Poll<T> {
    Ready(T),
    /// Not yet; the text says what state it is in ("provisioning").
    Pending(String),
}

/// How often to poll and for how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The first pause, and the least one.
    pub initial: Duration,
    pub max_interval: Duration,
    /// Each pause is `initial` plus this share of the time already waited (before jitter):
    /// 0.03 notices a transition about 3 % late at most; 1.0 doubles the wait each time, for
    /// retried writes, where every attempt costs a mutating call.
    pub share_of_elapsed: f64,
    /// Give up after this long, even when the engine allows more.
    pub ceiling: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(100),
            max_interval: Duration::from_secs(5),
            share_of_elapsed: 0.03,
            ceiling: Duration::from_secs(20 * 60),
        }
    }
}

impl Backoff {
    /// The default pacing, giving up after `ceiling`.
    pub fn until(ceiling: Duration) -> Self {
        Backoff {
            ceiling,
            ..Backoff::default()
        }
    }

    /// The pause after `elapsed` of waiting, shortened by up to 20 % at random so that many
    /// waiters do not poll AWS in lockstep (never lengthened: the share stays a bound).
    pub fn interval(&self, elapsed: Duration) -> Duration {
        let base = self.initial.as_secs_f64() + self.share_of_elapsed * elapsed.as_secs_f64();
        let capped = base.min(self.max_interval.as_secs_f64());
        let jitter = 0.8 + fastrand::f64() * 0.2;
        Duration::from_secs_f64((capped * jitter).max(0.0))
    }
}

/// Polls `probe` until it is ready. `what` names the thing awaited in status lines and errors.
pub async fn wait_for<P, T, F, Fut>(
    ctx: &Context<P>,
    what: &str,
    backoff: Backoff,
    mut probe: F,
) -> Result<T, ResourceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ResourceError>>,
{
    let started = Instant::now();
    let ceiling = match ctx.remaining() {
        Some(left) => backoff.ceiling.min(left),
        None => backoff.ceiling,
    };
    let mut polls: u32 = 0;
    loop {
        let state = tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(ResourceError::Cancelled(format!("waiting for {what}"))),
            polled = probe() => match polled? {
                Poll::Ready(value) => return Ok(value),
                Poll::Pending(state) => state,
            },
        };
        let elapsed = started.elapsed();
        polls += 1;
        tracing::debug!(what, poll = polls, state = %state, elapsed_ms = elapsed.as_millis() as u64, "still waiting");
        if elapsed >= ceiling {
            return Err(ResourceError::Timeout(
                ceiling,
                format!("{what} (last state: {state})"),
            ));
        }
        ctx.progress.status(format!(
            "waiting for {what}: {state} ({} s)",
            elapsed.as_secs()
        ));
        let pause = backoff.interval(elapsed).min(ceiling - elapsed);
        tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(ResourceError::Cancelled(format!("waiting for {what}"))),
            _ = async { tokio::time::sleep(pause).await; ctx.pace.turn().await } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::testing::context;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick() -> Backoff {
        Backoff {
            initial: Duration::from_millis(1),
            max_interval: Duration::from_millis(5),
            share_of_elapsed: 1.0,
            ceiling: Duration::from_secs(5),
        }
    }

    #[test]
    fn pauses_stay_a_small_share_of_the_time_waited_up_to_the_cap() {
        let backoff = Backoff::default();
        for waited in [0.0, 1.0, 10.0, 60.0, 97.0, 180.0, 600.0] {
            let pause = backoff
                .interval(Duration::from_secs_f64(waited))
                .as_secs_f64();
            let base = (0.1 + 0.03 * waited).min(5.0);
            assert!(
                pause >= base * 0.8 - 1e-9 && pause <= base + 1e-9,
                "{waited}: {pause}"
            );
        }
    }

    /// The polling cost the module comment states: a transition at 1 s, 60 s and 180 s is seen
    /// at most 3 % (plus the 100 ms floor) late, with about ten to 150 probes.
    #[test]
    fn late_noticing_and_probe_counts_follow_the_share() {
        let backoff = Backoff::default();
        for (done, most_probes) in [(1.0, 14), (60.0, 125), (180.0, 165)] {
            let (mut waited, mut probes) = (0.0, 1);
            while waited < done {
                waited += backoff
                    .interval(Duration::from_secs_f64(waited))
                    .as_secs_f64();
                probes += 1;
            }
            assert!(
                waited <= done * 1.03 + 0.1 + 1e-9,
                "{done}: seen at {waited}"
            );
            assert!(probes <= most_probes, "{done}: {probes} probes");
        }
    }

    #[tokio::test]
    async fn returns_once_ready_and_reports_status() {
        let (ctx, lines) = context();
        let polls = AtomicU32::new(0);
        let value = wait_for(&ctx, "load balancer", quick(), || async {
            Ok(match polls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Poll::Pending("provisioning".into()),
                _ => Poll::Ready(7),
            })
        })
        .await
        .expect("ready on the third poll");
        assert_eq!(value, 7);
        assert_eq!(polls.load(Ordering::SeqCst), 3);
        let lines = lines.lock().expect("lock");
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("waiting for load balancer: provisioning ("),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn gives_up_at_the_ceiling() {
        let (ctx, _) = context();
        let backoff = Backoff {
            ceiling: Duration::from_millis(30),
            ..quick()
        };
        let err = wait_for(&ctx, "endpoint", backoff, || async {
            Ok::<Poll<()>, _>(Poll::Pending("pending".into()))
        })
        .await
        .expect_err("never ready");
        assert!(matches!(err, ResourceError::Timeout(..)), "{err}");
        assert!(err.to_string().contains("last state: pending"), "{err}");
    }

    #[tokio::test]
    async fn the_engine_deadline_bounds_the_ceiling() {
        let (mut ctx, _) = context();
        ctx.deadline = Some(Instant::now() + Duration::from_millis(20));
        let started = Instant::now();
        let err = wait_for(&ctx, "x", quick(), || async {
            Ok::<Poll<()>, _>(Poll::Pending("p".into()))
        })
        .await
        .expect_err("deadline");
        assert!(matches!(err, ResourceError::Timeout(..)));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn cancel_stops_a_wait_promptly() {
        let (ctx, _) = context();
        let slow = Backoff {
            initial: Duration::from_secs(60),
            max_interval: Duration::from_secs(60),
            ..quick()
        };
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancel.cancel();
        });
        let started = Instant::now();
        let err = wait_for(&ctx, "x", slow, || async {
            Ok::<Poll<()>, _>(Poll::Pending("p".into()))
        })
        .await
        .expect_err("cancelled");
        assert!(matches!(err, ResourceError::Cancelled(_)));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn turns_are_spaced_whoever_asks() {
        let pace = Pace::new(50); // one turn per 20 ms
        let started = Instant::now();
        let turns: Vec<_> = (0..10).map(|_| pace.turn()).collect();
        futures::future::join_all(turns).await;
        // The first turn is free; the other nine each wait for theirs.
        assert!(
            started.elapsed() >= Duration::from_millis(180),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn concurrent_waits_share_the_pace() {
        let (mut ctx, _) = context();
        ctx.pace = Pace::new(20); // one turn per 50 ms
        let probes = AtomicU32::new(0);
        let started = Instant::now();
        let wait = |_| {
            let (ctx, probes) = (&ctx, &probes);
            async move {
                let seen = AtomicU32::new(0);
                wait_for(ctx, "x", quick(), || async {
                    probes.fetch_add(1, Ordering::SeqCst);
                    Ok(match seen.fetch_add(1, Ordering::SeqCst) {
                        0..=2 => Poll::Pending("p".into()),
                        _ => Poll::Ready(()),
                    })
                })
                .await
            }
        };
        let done = futures::future::join_all((0..4).map(wait)).await;
        assert!(done.iter().all(Result::is_ok));
        // Four waits of four probes: the first of each is free, the other twelve take turns.
        assert_eq!(probes.load(Ordering::SeqCst), 16);
        assert!(
            started.elapsed() >= Duration::from_millis(550),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn probe_errors_end_the_wait() {
        let (ctx, _) = context();
        let err = wait_for(&ctx, "x", quick(), || async {
            Err::<Poll<()>, _>(ResourceError::Invalid("gone".into()))
        })
        .await
        .expect_err("error passes through");
        assert_eq!(err.to_string(), "gone");
    }
}
