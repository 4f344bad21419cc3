// The header and the toolbar of one instance: the scenario's name and narration, the run
// state, simulated time, events and seed; play/pause, step, speed, seed and reset, the
// lesson picker; and the keyboard shortcuts (Space: play/pause, →: one event, ←: one event
// back), which act
// only while focus is inside this lab's root.

import { setText } from './dom.js';
import { fmtClock, fmtInt, fmtSpeed } from './format.js';

/**
 * @param {HTMLElement} root
 * @param {Record<string, HTMLElement>} refs
 * @param {import('./lab-bus.js').LabBus} bus
 * @param {{toggle: () => void, step: () => void, setSpeed: (x: number) => void,
 *          reset: (seedText: string) => void, loadScenario: (name: string) => void,
 *          loadLesson: (id: string) => void}} actions
 * @param {{keyboard?: 'root'|'none'}} options
 */
/**
 * The speed slider's stops, 1-2-5 steps on a log scale (a lesson's own speed, 0.4×, shows
 * on the nearest): from 1× to 100× is seven key presses, from the slowest to the fastest
 * fourteen.
 */
export const SPEED_STOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10, 20, 50, 100];

/** The index of the stop nearest to `speed` (on the log scale). */
export function nearestStop(speed) {
  let best = 0;
  for (let i = 1; i < SPEED_STOPS.length; i++) {
    if (Math.abs(Math.log(SPEED_STOPS[i] / speed)) < Math.abs(Math.log(SPEED_STOPS[best] / speed))) best = i;
  }
  return best;
}

export function wireControls(root, refs, bus, actions, options) {
  const r = refs;
  bus.listen(r.play, 'click', actions.toggle);
  bus.listen(r.step, 'click', actions.step);
  bus.listen(r.speed, 'input', () => actions.setSpeed(SPEED_STOPS[Number(r.speed.value)] ?? 1));
  bus.listen(r.reset, 'click', () => actions.reset(r.seed.value));
  bus.listen(r.scenarioPick, 'change', () => {
    const [kind, name] = r.scenarioPick.value.split(':');
    r.scenarioPick.value = '';
    if (kind === 'scenario' && name) actions.loadScenario(name);
    else if (kind === 'lesson' && name) actions.loadLesson(name);
  });
  bus.listen(r.seed, 'keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      actions.reset(r.seed.value);
    }
  });

  bus.on('reset', ({ snap, scenario }) => {
    r.seed.value = String(snap.seed);
    r.scenarioName.textContent = scenario.name || 'Default scenario';
    r.scenarioName.title = scenario.description || '';
    r.narration.textContent = scenario.description || '';
    r.narration.hidden = !scenario.description;
  });
  bus.on('ui', (snap) => {
    setText(r.simTime, fmtClock(snap.now));
    setText(r.eventCount, fmtInt(snap.events));
    setText(r.seedShown, String(snap.seed));
  });
  bus.on('state', ({ running, crashed, speed }) => {
    const state = crashed ? 'crashed' : running ? 'running' : 'paused';
    root.dataset.running = String(running);
    setText(r.playLabel, running ? 'Pause' : 'Play');
    setText(r.runState, state);
    r.runState.dataset.state = state;
    r.play.disabled = crashed;
    r.step.disabled = crashed;
    r.stepBack.disabled = crashed;
    const at = String(nearestStop(speed));
    if (r.speed.value !== at) r.speed.value = at;
    r.speed.setAttribute('aria-valuetext', fmtSpeed(speed));
    setText(r.speedOut, fmtSpeed(speed));
  });

  if ((options.keyboard ?? 'root') === 'none') return;
  // The root takes focus (a click anywhere in it that lands on nothing focusable gives it
  // focus), so the keys reach only the lab being used.
  if (!root.hasAttribute('tabindex')) root.tabIndex = 0;
  bus.listen(root, 'keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target;
    // Typing in a field, or pressing a button other than the toolbar's, keeps its usual meaning.
    if (el instanceof Element) {
      const control = el.closest('input, select, textarea, button, a, [contenteditable="true"]');
      if (control && !(control.tagName === 'BUTTON' && control.closest('.rl-toolbar'))) return;
    }
    if (e.key === ' ' || e.code === 'Space') {
      e.preventDefault();
      actions.toggle();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      actions.step();
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      actions.stepBack();
    }
  });
}
