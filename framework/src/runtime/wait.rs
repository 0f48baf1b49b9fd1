//! The one mechanism for waiting and retrying: poll an async probe with exponential backoff and
//! jitter until it is ready, the ceiling (bounded by the engine's timeout) passes, or the
//! operation is cancelled. Status lines show what is awaited and for how long.

use std::future::Future;
use std::time::{Duration, Instant};

use super::resource::{Context, ResourceError};

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
    pub initial: Duration,
    pub max_interval: Duration,
    pub multiplier: f64,
    /// Give up after this long, even when the engine allows more.
    pub ceiling: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max_interval: Duration::from_secs(15),
            multiplier: 1.6,
            ceiling: Duration::from_secs(20 * 60),
        }
    }
}

impl Backoff {
    /// The pause before poll number `attempt` (0-based), with up to ±20 % jitter so that many
    /// waiters do not poll AWS in lockstep.
    pub fn interval(&self, attempt: u32) -> Duration {
        let base = self.initial.as_secs_f64() * self.multiplier.powi(attempt.min(64) as i32);
        let capped = base.min(self.max_interval.as_secs_f64());
        let jitter = 0.8 + fastrand::f64() * 0.4;
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
    let mut attempt = 0;
    loop {
        let state = tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(ResourceError::Cancelled(format!("waiting for {what}"))),
            polled = probe() => match polled? {
                Poll::Ready(value) => return Ok(value),
                Poll::Pending(state) => state,
            },
        };
        let elapsed = started.elapsed();
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
        let pause = backoff.interval(attempt).min(ceiling - elapsed);
        attempt += 1;
        tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(ResourceError::Cancelled(format!("waiting for {what}"))),
            _ = tokio::time::sleep(pause) => {}
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
            multiplier: 2.0,
            ceiling: Duration::from_secs(5),
        }
    }

    #[test]
    fn intervals_grow_to_the_cap_within_jitter() {
        let backoff = Backoff::default();
        for attempt in 0..20 {
            let pause = backoff.interval(attempt).as_secs_f64();
            let base = (0.5 * 1.6f64.powi(attempt as i32)).min(15.0);
            assert!(
                pause >= base * 0.8 - 1e-9 && pause <= base * 1.2 + 1e-9,
                "{attempt}: {pause}"
            );
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
