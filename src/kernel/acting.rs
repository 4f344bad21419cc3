//! Carrying out actions from outside, logging them with their moments, and replaying a
//! log: (scenario, seed, action log) rebuilds a run exactly, because every action happens
//! again after the same number of events, at the same simulated time.

use super::actions::{Acted, Action, Logged};
use super::net::LinkSpec;
use super::protocol::{OpSpec, Protocol};
use super::time::Micros;
use super::trace::TraceEvent;
use super::world::{ActionError, World};
use crate::clients::history::OpKind;
use crate::config::LinkSettings;

impl<P: Protocol> World<P> {
    /// Carries out an action from outside and logs it. A refused action changes nothing
    /// and is not logged.
    pub fn act(&mut self, action: Action<P::Action>) -> Result<Acted, ActionError> {
        let acted = self.apply(&action)?;
        self.actions.push(Logged {
            at: self.now,
            after: self.events_processed(),
            action,
        });
        Ok(acted)
    }

    /// The actions carried out so far, in order.
    pub fn actions(&self) -> &[Logged<P::Action>] {
        &self.actions
    }

    /// Rebuilds a run: the world of (`scenario`, `seed`) with every logged action carried
    /// out at the very moment it was (the clock then stays at the last one's time).
    pub fn replay(
        scenario: &crate::config::Scenario,
        seed: u64,
        log: &[Logged<P::Action>],
    ) -> Result<World<P>, ActionError> {
        let mut world =
            World::new(scenario, seed).map_err(|e| ActionError(format!("scenario: {e}")))?;
        for (i, entry) in log.iter().enumerate() {
            world
                .run_to_moment(entry.at, entry.after)
                .map_err(|e| ActionError(format!("action {i} of the log: {e}")))?;
            world
                .act(entry.action.clone())
                .map_err(|e| ActionError(format!("action {i} of the log was refused: {e}")))?;
        }
        Ok(world)
    }

    /// Runs to the moment an action was taken: `after` events processed and the clock at
    /// `at` (an earlier moment than now, or one the events cannot reach, is an error).
    pub fn run_to_moment(&mut self, at: Micros, after: u64) -> Result<(), ActionError> {
        if after < self.events_processed() || at < self.now {
            return Err(ActionError(format!(
                "the moment ({at} µs, event {after}) is in the past"
            )));
        }
        while self.events_processed() < after {
            if self.next_event_at().is_none_or(|t| t > at) || !self.step() {
                return Err(ActionError(format!(
                    "event {after} does not come by {at} µs"
                )));
            }
        }
        if self.next_event_at().is_some_and(|t| t < at) {
            return Err(ActionError(format!(
                "an event is due before {at} µs after event {after}"
            )));
        }
        self.now = at;
        Ok(())
    }

    /// Carries out an action (the log is the caller's business: `act` logs, a timed fault
    /// of the scenario does not) and records it in the trace.
    pub(crate) fn apply(&mut self, action: &Action<P::Action>) -> Result<Acted, ActionError> {
        let acted = self.dispatch(action)?;
        self.record(TraceEvent::Acted {
            action: Box::new(action.clone()),
        });
        Ok(acted)
    }

    fn dispatch(&mut self, action: &Action<P::Action>) -> Result<Acted, ActionError> {
        use Action::*;
        let done = |r: Result<(), ActionError>| r.map(|()| Acted::Done);
        let config = |r: Result<(), crate::config::ConfigError>| {
            r.map(|()| Acted::Done)
                .map_err(|e| ActionError(e.to_string()))
        };
        match action {
            Crash { node } => done(self.crash(*node)),
            CrashLoseDisk { node } => done(self.crash_lose_disk(*node)),
            Restart { node } => done(self.restart(*node)),
            Pause { node } => done(self.pause(*node)),
            Resume { node } => done(self.resume(*node)),
            Isolate { node, isolated } => done(self.isolate(*node, *isolated)),
            Partition { groups } => done(self.partition(groups)),
            Heal => {
                self.heal();
                Ok(Acted::Done)
            }
            SetLinkUp { from, to, up } => done(self.set_link_up(*from, *to, *up)),
            SetClockOffset { node, offset } => done(self.set_clock_offset(*node, *offset)),
            SetAllLinks { link } => {
                let spec = checked_link(link)?;
                self.set_all_links(spec);
                Ok(Acted::Done)
            }
            SetLink {
                from,
                to,
                link,
                one_way,
            } => {
                let spec = checked_link(link)?;
                done(self.set_link(*from, *to, spec, *one_way))
            }
            AddReplica => self.add_replica().map(Acted::Node),
            RemoveReplica { node } => done(self.remove_replica(*node)),
            SetWorkload { patch } => config(self.set_workload(patch)),
            SetService { service } => {
                if let Some(s) = service {
                    s.check().map_err(|e| ActionError(e.to_string()))?;
                }
                self.set_service(*service);
                Ok(Acted::Done)
            }
            SetGeography { regions } => {
                self.set_geography(*regions);
                Ok(Acted::Done)
            }
            SetRegion { node, region } => {
                let region = region_named(region.as_deref())?;
                config(self.set_region(*node, region))
            }
            SetClientRegion { client, region } => {
                let region = region_named(region.as_deref())?;
                config(self.set_client_region(*client, region))
            }
            Write { key, value, node } => self
                .invoke_manual(OpSpec {
                    target: *node,
                    ..OpSpec::write(key, value)
                })
                .map(Acted::Op),
            Cas {
                key,
                expected,
                value,
            } => self
                .invoke_manual(OpSpec {
                    kind: OpKind::Cas,
                    expected: expected.clone(),
                    ..OpSpec::write(key, value)
                })
                .map(Acted::Op),
            Read { node, key } => self
                .invoke_manual(OpSpec {
                    target: Some(*node),
                    ..OpSpec::read(key)
                })
                .map(Acted::Op),
            Model(a) => P::act(self, a),
        }
    }
}

fn checked_link(link: &LinkSettings) -> Result<LinkSpec, ActionError> {
    link.check()
        .map_err(|e| ActionError(format!("link: {e}")))?;
    Ok(LinkSpec::from_settings(link))
}

fn region_named(name: Option<&str>) -> Result<Option<super::geo::Region>, ActionError> {
    match name {
        None | Some("") => Ok(None),
        Some(n) => super::geo::region(n).map(Some).ok_or_else(|| {
            ActionError(format!(
                "unknown region {n:?} (known: {})",
                super::geo::REGIONS.join(", ")
            ))
        }),
    }
}
