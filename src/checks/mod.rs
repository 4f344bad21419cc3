//! Checkers that judge a history from outside the system that produced it: they read only
//! what clients saw (invocations and completions, in real-time order), never the nodes'
//! state, so the same checkers judge the lab's own runs and histories recorded by Jepsen.

#[doc(hidden)]
pub mod gen;
pub mod history;
pub mod linearizable;
