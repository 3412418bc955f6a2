//! Adaptive busy polling: when the event loop is busy, it polls without sleeping for a
//! few microseconds after each batch of events before it blocks in `epoll_wait`.
//!
//! Why: a client that sends a request to a sleeping server pays for waking it (the
//! wake-up of a task on another core is done in the client's `sendto`). A server that
//! answers fast sleeps between almost every request, so its clients pay that on every
//! request: with `redis-benchmark -P 1` on two cores the client, not the server, was
//! the bottleneck (the server idled 40% of the time), and it did 2-6% more system time
//! per request against ferrodis than against Redis, which is slower and so sleeps less.
//! Polling for `busy-poll-us` after each batch keeps the loop awake for the next
//! request: +7-14% GET throughput there.
//!
//! The price is CPU: the polling fills gaps that sleep would have left idle. So it runs
//! only while the loop spent a good share of the last cron period working (40% to
//! start, 30% to go on: a light load never pays for it), never on a replica (its master sends in bulk; polling would
//! only take CPU from the master and clients), never on a single CPU (it would take the
//! core from the clients it waits for), and `busy-poll-us 0` turns it off. Each polling
//! round first yields the CPU ([`yield_to_others`]), so that another task waiting for
//! this core (a client, a replica on the same machine) runs instead of the spin.

use std::time::{Duration, Instant};

/// Share of a cron period the loop must have spent working for polling to turn on. The
/// share counts the time between events and the next poll only; a loop measured at
/// 0.45 here (LRANGE_600 at -P 1 from 50 clients) already used 2/3 of its core.
const BUSY_SHARE_TO_POLL: f64 = 0.4;

/// Share under which polling, once on, turns off again. Lower than the share that
/// turns it on, so that a load sitting near that share does not fall out of polling on
/// noise: LRANGE_600 at -P 1 measured 0.39-0.44 while polling and 0.34-0.36 when it
/// had fallen back to sleeping, which then lost 10% of its throughput for good.
const BUSY_SHARE_TO_KEEP_POLLING: f64 = 0.3;

/// The busy-polling state of the event loop.
#[derive(Debug)]
pub struct BusyPoll {
    /// Whether polling is on for the current cron period.
    on: bool,
    /// Until when the loop polls without sleeping (the last events plus the window).
    poll_until: Instant,
    /// When the loop woke up with events and started working, if it is working.
    work_started: Option<Instant>,
    /// Time spent working since the period began.
    worked: Duration,
    /// When the current period began.
    period_start: Instant,
}

impl Default for BusyPoll {
    fn default() -> Self {
        BusyPoll::new(Instant::now())
    }
}

impl BusyPoll {
    /// Off, with a period starting at `now`.
    pub fn new(now: Instant) -> BusyPoll {
        BusyPoll {
            on: false,
            poll_until: now,
            work_started: None,
            worked: Duration::ZERO,
            period_start: now,
        }
    }

    /// The timeout to poll with at `now`, given the one the loop wants otherwise: zero
    /// while polling.
    pub fn timeout(&self, now: Instant, wanted: Duration) -> Duration {
        if self.on && now < self.poll_until {
            Duration::ZERO
        } else {
            wanted
        }
    }

    /// Called just before polling, at `now`: ends the work since the last events, and
    /// opens a polling window of `window` from here. The window starts when the work
    /// ends, not when the events came: a batch that takes longer than the window (a
    /// large LRANGE) would otherwise always go to sleep before the next request.
    pub fn before_poll(&mut self, now: Instant, window: Duration) {
        if let Some(start) = self.work_started.take() {
            self.worked += now.saturating_duration_since(start);
            self.poll_until = now + window;
        }
    }

    /// Called just after polling, at `now`, with whether events came: work begins.
    pub fn after_poll(&mut self, now: Instant, had_events: bool) {
        if had_events {
            self.work_started = Some(now);
        }
    }

    /// Called by the cron at `now`: decides for the next period whether to poll, from
    /// the share of the last one spent working, if polling is `allowed` at all.
    pub fn cron(&mut self, now: Instant, allowed: bool) {
        let period = now.saturating_duration_since(self.period_start);
        let share = if period.is_zero() {
            0.0
        } else {
            self.worked.as_secs_f64() / period.as_secs_f64()
        };
        let needed = if self.on {
            BUSY_SHARE_TO_KEEP_POLLING
        } else {
            BUSY_SHARE_TO_POLL
        };
        self.on = allowed && share >= needed;
        self.worked = Duration::ZERO;
        self.period_start = now;
    }

    /// Whether polling is on.
    pub fn is_on(&self) -> bool {
        self.on
    }
}

/// Lets any other task that waits for this CPU run first; returns at once when none
/// does.
pub fn yield_to_others() {
    // SAFETY: sched_yield takes no arguments and touches no memory of ours.
    unsafe {
        libc::sched_yield();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_micros(20);

    /// A loop that works `work_us` out of every 100 µs for a 100 ms period.
    fn period_with_work(p: &mut BusyPoll, start: Instant, work_us: u64) -> Instant {
        let mut t = start;
        for _ in 0..1000 {
            p.after_poll(t, true);
            t += Duration::from_micros(work_us);
            p.before_poll(t, WINDOW);
            t += Duration::from_micros(100 - work_us);
        }
        t
    }

    #[test]
    fn polls_only_after_a_busy_period_and_only_within_the_window() {
        let t0 = Instant::now();
        let mut p = BusyPoll::new(t0);
        let wanted = Duration::from_millis(100);
        // Off at first: the loop sleeps as it wants.
        p.after_poll(t0, true);
        p.before_poll(t0, WINDOW);
        assert_eq!(p.timeout(t0, wanted), wanted);
        // A light period (10% work) keeps it off.
        let t = period_with_work(&mut p, t0, 10);
        p.cron(t, true);
        assert!(!p.is_on());
        // A busy period (70% work) turns it on: zero timeouts within the window after
        // the work, the wanted timeout once the window has passed.
        let t = period_with_work(&mut p, t, 70);
        p.cron(t, true);
        assert!(p.is_on());
        p.after_poll(t, true);
        p.before_poll(t, WINDOW);
        assert_eq!(
            p.timeout(t + Duration::from_micros(5), wanted),
            Duration::ZERO
        );
        assert_eq!(p.timeout(t + Duration::from_micros(25), wanted), wanted);
        // Empty polls do not extend the window.
        p.after_poll(t + Duration::from_micros(10), false);
        p.before_poll(t + Duration::from_micros(10), WINDOW);
        assert_eq!(p.timeout(t + Duration::from_micros(25), wanted), wanted);
        // Once on, it stays on down to 30% work, and turns off below; then 35% is not
        // enough to turn it on again.
        let t = period_with_work(&mut p, t, 35);
        p.cron(t, true);
        assert!(p.is_on());
        let t = period_with_work(&mut p, t, 25);
        p.cron(t, true);
        assert!(!p.is_on());
        let t = period_with_work(&mut p, t, 35);
        p.cron(t, true);
        assert!(!p.is_on());
        // Not allowed (a replica, one CPU, busy-poll-us 0): off however busy.
        let t = period_with_work(&mut p, t, 90);
        p.cron(t, false);
        assert!(!p.is_on());
    }

    #[test]
    fn the_window_opens_when_a_long_batch_ends() {
        let t0 = Instant::now();
        let mut p = BusyPoll::new(t0);
        let t = period_with_work(&mut p, t0, 70);
        p.cron(t, true);
        assert!(p.is_on());
        // A batch of 50 µs, longer than the 20 µs window: the loop still polls for the
        // window after it, as the next request is as near as after a short batch.
        p.after_poll(t, true);
        let end = t + Duration::from_micros(50);
        p.before_poll(end, WINDOW);
        let wanted = Duration::from_millis(100);
        assert_eq!(
            p.timeout(end + Duration::from_micros(15), wanted),
            Duration::ZERO
        );
        assert_eq!(p.timeout(end + Duration::from_micros(25), wanted), wanted);
    }
}
