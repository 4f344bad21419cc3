//! Time travel: a world with checkpoints behind it. As the run goes on, the timeline keeps
//! a copy of the whole world every so often (a checkpoint; a world is plain data, so a
//! copy is a clone). [`Timeline::seek`] goes to any moment: it restores the nearest
//! checkpoint at or before it and runs forward, carrying out the logged actions at their
//! moments, so the past is exactly what it was. After a seek back, the actions that came
//! later are still ahead and happen again as time reaches them; a new action there is a
//! fork ([`Timeline::act`]): the old future is discarded and the run goes another way.
//!
//! Memory stays bounded: past [`MAX_CHECKPOINTS`], every other checkpoint is dropped and
//! the spacing doubles, so an hour-long run keeps as many copies as a minute-long one.

use super::actions::{Acted, Action, Logged};
use super::protocol::Protocol;
use super::time::{Micros, MICROS_PER_MS};
use super::world::{ActionError, World};
use std::collections::VecDeque;

/// The first spacing of checkpoints in simulated time.
pub const CHECKPOINT_EVERY: Micros = 5_000 * MICROS_PER_MS;
/// At most this many checkpoints are kept (the spacing doubles to stay under it).
pub const MAX_CHECKPOINTS: usize = 48;

#[derive(Clone, Debug)]
pub struct Timeline<P: Protocol> {
    world: World<P>,
    /// Copies of the world, oldest first; the first is the world as built.
    checkpoints: Vec<World<P>>,
    /// Logged actions later than the present (after a seek back), oldest first.
    ahead: VecDeque<Logged<P::Action>>,
    /// Simulated time between checkpoints.
    every: Micros,
    /// The latest moment the run has reached (what a timeline can seek to).
    horizon: Micros,
    /// A logged action that could not be carried out at its moment (a log from elsewhere
    /// that does not fit this run): replaying stopped there.
    diverged: Option<ActionError>,
}

impl<P: Protocol> Timeline<P> {
    pub fn new(world: World<P>) -> Timeline<P> {
        Timeline {
            horizon: world.now(),
            checkpoints: vec![world.clone()],
            world,
            ahead: VecDeque::new(),
            every: CHECKPOINT_EVERY,
            diverged: None,
        }
    }

    /// A timeline of a new world with a whole action log ahead of it (a shared run): the
    /// actions happen as time reaches their moments. The log must be in order.
    pub fn with_log(
        world: World<P>,
        log: Vec<Logged<P::Action>>,
    ) -> Result<Timeline<P>, ActionError> {
        if let Some(i) =
            (1..log.len()).find(|&i| (log[i].at, log[i].after) < (log[i - 1].at, log[i - 1].after))
        {
            return Err(ActionError(format!(
                "actions[{i}] comes before the action ahead of it"
            )));
        }
        let mut timeline = Timeline::new(world);
        timeline.horizon = log.last().map_or(0, |a| a.at);
        timeline.ahead = log.into();
        Ok(timeline)
    }

    /// Why replaying a logged action failed, once (see [`Timeline::with_log`]).
    pub fn take_divergence(&mut self) -> Option<ActionError> {
        self.diverged.take()
    }

    /// The world at the present moment.
    pub fn world(&self) -> &World<P> {
        &self.world
    }

    /// The latest moment reached so far.
    pub fn horizon(&self) -> Micros {
        self.horizon.max(self.world.now())
    }

    /// The moments of the checkpoints kept (for a timeline's tick marks and tests).
    pub fn checkpoint_times(&self) -> Vec<Micros> {
        self.checkpoints.iter().map(World::now).collect()
    }

    /// Every action of the run, the ones still ahead of the present included.
    pub fn actions(&self) -> Vec<Logged<P::Action>> {
        let mut all = self.world.actions().to_vec();
        all.extend(self.ahead.iter().cloned());
        all
    }

    /// Runs every event due at or before `t` (at most `max_events`), carrying out logged
    /// actions at their moments and taking checkpoints; returns the events run. Stopped by
    /// the cap, the clock stays at the last event, as with [`World::run_until`].
    pub fn run_until(&mut self, t: Micros, max_events: u64) -> u64 {
        let mut ran = 0;
        loop {
            let budget = max_events - ran;
            let next_checkpoint = self.last_checkpoint_at() + self.every;
            let stop = t.min(next_checkpoint);
            let before = self.world.events_processed();
            match self.ahead.front() {
                Some(a) if a.at <= stop => {
                    let (at, after) = (a.at, a.after);
                    let wanted = after.saturating_sub(before);
                    let allowed = wanted.min(budget);
                    self.world.run_until(at, allowed);
                    ran += self.world.events_processed() - before;
                    if self.world.events_processed() < after {
                        return ran; // out of budget before the action's moment
                    }
                    let entry = self.ahead.pop_front().expect("front");
                    let index = self.world.actions().len();
                    if let Err(e) = self
                        .world
                        .run_to_moment(at, after)
                        .and_then(|()| self.world.act(entry.action).map(drop))
                    {
                        // A log that does not fit this run (never one this timeline made):
                        // stop replaying rather than act at a wrong moment.
                        self.diverged = Some(ActionError(format!(
                            "action {index} of the log could not be replayed: {e}"
                        )));
                        self.ahead.clear();
                    }
                }
                _ => {
                    self.world.run_until(stop, budget);
                    ran += self.world.events_processed() - before;
                    let reached = self.world.now() >= stop && ran < max_events;
                    if self.world.now() >= next_checkpoint {
                        self.checkpoint();
                    }
                    if !reached || stop == t {
                        self.horizon = self.horizon.max(self.world.now());
                        return ran;
                    }
                }
            }
            if ran >= max_events {
                self.horizon = self.horizon.max(self.world.now());
                return ran;
            }
        }
    }

    /// Runs exactly one event (carrying out a logged action due before it); false when
    /// nothing is left to do.
    pub fn step(&mut self) -> bool {
        let Some(next) = self.world.next_event_at() else {
            return false;
        };
        self.run_until(next, 1) == 1
    }

    /// Carries out an action now. If logged actions lay ahead (after a seek back), this is
    /// a fork: they and the checkpoints past the present are discarded.
    pub fn act(&mut self, action: Action<P::Action>) -> Result<Acted, ActionError> {
        let acted = self.world.act(action)?;
        self.ahead.clear();
        let (now, events) = (self.world.now(), self.world.events_processed());
        self.checkpoints
            .retain(|c| c.now() < now || (c.now() == now && c.events_processed() <= events));
        self.horizon = now;
        Ok(acted)
    }

    /// Goes to moment `t`: restores the nearest checkpoint at or before it and runs
    /// forward to `t` (at most `max_events`; the caller continues with `run_until` if the
    /// cap stops it). Returns the events run.
    pub fn seek(&mut self, t: Micros, max_events: u64) -> u64 {
        let all = self.actions();
        let i = self
            .checkpoints
            .iter()
            .rposition(|c| c.now() <= t)
            .unwrap_or(0);
        let moving_back = t < self.world.now();
        if moving_back || self.checkpoints[i].now() > self.world.now() {
            self.horizon = self.horizon();
            self.world = self.checkpoints[i].clone();
            let done = self.world.actions().len();
            self.ahead = all.into_iter().skip(done).collect();
        }
        self.run_until(t, max_events)
    }

    fn last_checkpoint_at(&self) -> Micros {
        self.checkpoints.last().map_or(0, World::now)
    }

    /// Keeps a copy of the world as it is now, thinning the older ones when there are
    /// too many.
    fn checkpoint(&mut self) {
        if self.last_checkpoint_at() >= self.world.now() {
            return;
        }
        self.checkpoints.push(self.world.clone());
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            let mut keep = true;
            // The first (the world as built) always stays; then every other one.
            let first = self.checkpoints.remove(0);
            self.checkpoints.retain(|_| {
                keep = !keep;
                keep
            });
            self.checkpoints.insert(0, first);
            self.every *= 2;
        }
    }
}
