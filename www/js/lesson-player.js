// The lesson player: runs a lesson (www/lessons/*.json, docs/lessons.md) in one lab.
// Its actions happen at their exact moments and its timed steps show at theirs (stops on
// the controller, so the run is the one `run --lesson FILE` checks); a step tied to an
// event ("when the primary crashes") shows when the lab's happenings say so. A step may
// pause the run, and ask "what do you predict?": the answer shows once a choice is made
// (or on Continue). At the lesson's end the expected outcomes are judged and listed. The
// lesson bar also says what is happening now (a caption from the live state). With no
// lesson, the same bar greets a first visit: what you see, and three things to try.
// Every text is set as text, never as HTML.

import { setText } from './dom.js';
import { caption, fill } from './captions.js';
import { parseDur } from './format.js';
import { finishedWrites, judge } from './lesson-outcomes.js';

export const LESSON_VERSION = 1;

/** Checks what the page relies on in a lesson file; throws an Error naming the field. */
export function checkLesson(l, id) {
  const bad = (what) => { throw new Error(`lesson ${id}: ${what}`); };
  if (!l || typeof l !== 'object') bad('not a lesson');
  if (l.lesson !== LESSON_VERSION) bad(`format version ${JSON.stringify(l.lesson)} is not ${LESSON_VERSION}`);
  if (typeof l.title !== 'string') bad('title is missing');
  if (!Number.isSafeInteger(l.seed) || l.seed < 0) bad('seed is not a whole number');
  if (!Number.isFinite(parseDur(l.until))) bad('until is not a duration');
  for (const [i, a] of (l.actions ?? []).entries()) if (!Number.isFinite(parseDur(a.at)) || a.do == null) bad(`actions[${i}] needs at and do`);
  for (const [i, s] of (l.steps ?? []).entries()) {
    const w = s.when ?? {};
    if (w.at == null && w.event == null) bad(`steps[${i}].when needs at or event`);
    if (w.at != null && !Number.isFinite(parseDur(w.at))) bad(`steps[${i}].when.at is not a duration`);
    if (s.predict && (!Array.isArray(s.predict.choices) || !Number.isInteger(s.predict.answer))) bad(`steps[${i}].predict needs choices and an answer`);
  }
  return l;
}

export class LessonPlayer {
  /**
   * @param {import('./replica-lab.js').ReplicaLab} app
   * @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus
   */
  constructor(app, refs, bus) {
    this.app = app;
    this.r = refs;
    this.bus = bus;
    this.lesson = null;
    this.shown = -1; // the step on show
    this.eventSteps = new Set(); // event steps already shown in this run
    this.welcome = false;
    const r = refs;
    bus.listen(r.lessonContinue, 'click', () => this._continue());
    bus.listen(r.lessonClose, 'click', () => this.leave());
    bus.listen(r.lessonRestart, 'click', () => this.restart());
    bus.listen(r.lessonChoices, 'click', (e) => {
      const b = e.target.closest('button[data-choice]');
      if (b) this._answer(Number(b.dataset.choice));
    });
    bus.listen(r.lessonTry, 'click', (e) => {
      const b = e.target.closest('button[data-try]');
      if (b) this._try(b.dataset.try);
    });
    this.holding = false; // a pause point waits for the student
    this.queue = []; // [step, happening] that came meanwhile
    bus.on('happening', (h) => this._happening(h));
    bus.on('state', ({ running }) => {
      if (running && this.lesson) this._released();
      if (this.lesson && !this.holding && !this.ended) setText(r.lessonContinue, running ? 'Pause' : this.shown < 0 ? 'Start' : 'Continue');
    });
    bus.on('ui', (snap) => {
      if (!r.lessonBar.hidden) setText(r.caption, caption(snap));
    });
  }

  /** Runs `lesson` (checked) in the lab's current world: its stops, its steps, its bar. */
  attach(lesson) {
    this.lesson = lesson;
    this.welcome = false;
    this.shown = -1;
    this.ended = false;
    this.holding = false;
    this.queue = [];
    this.eventSteps.clear();
    const c = this.app.controller;
    const stops = [];
    const sameMoment = new Map(); // at -> how many lesson actions before this one share it
    for (const a of lesson.actions ?? []) {
      const at = parseDur(a.at);
      const k = sameMoment.get(at) ?? 0;
      sameMoment.set(at, k + 1);
      stops.push({ at, fire: (lab) => this._act(lab, at, k, a.do) });
    }
    (lesson.steps ?? []).forEach((s, i) => {
      if (s.when?.at != null) stops.push({ at: parseDur(s.when.at), fire: () => this._show(i) });
    });
    stops.push({ at: parseDur(lesson.until), fire: () => this._end() });
    c.setStops(stops);
    if (typeof lesson.speed === 'number') c.setSpeed(lesson.speed);
    const r = this.r;
    this.app.root.dataset.lesson = lesson.id;
    delete this.app.root.dataset.lessonMet;
    r.lessonBar.hidden = false;
    r.lessonBar.dataset.mode = 'lesson';
    setText(r.lessonTitle, lesson.title);
    setText(r.lessonProgress, '');
    setText(r.lessonText, lesson.summary ?? '');
    r.lessonPredict.hidden = true;
    r.lessonOutcomes.hidden = true;
    r.lessonTry.hidden = true;
    r.lessonRestart.hidden = false;
    r.lessonContinue.hidden = false;
    setText(r.lessonContinue, 'Start');
    if (this.bus.snapshot) setText(r.caption, caption(this.bus.snapshot));
  }

  /** Starts the lesson over: its scenario and seed afresh, paused at its start. */
  restart() {
    const lesson = this.lesson;
    if (!lesson) return;
    const source = this.app.source;
    if (this.app._load(this.app.controller.scenarioText, lesson.seed)) {
      this.app.source = source;
      this.attach(lesson);
      this.r.lessonContinue.focus();
    }
  }

  /** Leaves the lesson (the world stays as it is; its stops go). */
  leave() {
    this.lesson = null;
    this.welcome = false;
    this.app.controller.setStops([]);
    delete this.app.root.dataset.lesson;
    this.r.lessonBar.hidden = true;
  }

  /** The first visit: what you see, and three things to try. */
  greet() {
    const r = this.r;
    this.welcome = true;
    r.lessonBar.hidden = false;
    r.lessonBar.dataset.mode = 'welcome';
    setText(r.lessonTitle, 'Welcome to Replica Lab');
    setText(r.lessonProgress, '');
    setText(r.lessonText, 'You are watching a replicated database: the crowned primary writes every change into its log and ships it to the replicas; the dots are messages on their way. Try one of these:');
    r.lessonPredict.hidden = true;
    r.lessonOutcomes.hidden = true;
    r.lessonTry.hidden = false;
    r.lessonRestart.hidden = true;
    r.lessonContinue.hidden = true;
    setText(r.caption, this.bus.snapshot ? caption(this.bus.snapshot) : '');
  }

  _try(what) {
    const c = this.app.controller;
    if (what === 'crash') {
      const p = this.bus.snapshot?.primary;
      if (p != null) c.act((lab) => lab.crash(p));
      c.play();
    } else if (what === 'sync') {
      c.act((lab) => lab.setAckPolicy('"majority"'));
      this.app.showTab('writes');
      c.play();
    } else if (what === 'lesson') {
      this.app.loadLesson('backup-band');
      return;
    }
    this.r.lessonBar.hidden = true;
    this.welcome = false;
  }

  /**
   * The lesson's `k`-th action of moment `at`, unless the log already has it (going
   * forward again after a seek back, the timeline replays the logged actions itself).
   */
  _act(lab, at, k, action) {
    const log = JSON.parse(lab.actions());
    if (log.filter((a) => a.at === at).length > k) return false;
    let json = action;
    if (action && typeof action === 'object') {
      const [kind, fields] = Object.entries(action)[0] ?? [];
      if (fields && typeof fields === 'object' && fields.node === 'primary') {
        const p = lab.snapshot(0, 0).primary;
        if (p != null) json = { [kind]: { ...fields, node: p } };
      }
    }
    try {
      lab.act(JSON.stringify(json));
    } catch (e) {
      this.bus.report(new Error(`The lesson's action at ${at / 1e6} s (${JSON.stringify(action)}) failed: ${e.message ?? e}`));
    }
    return false;
  }

  _happening(h) {
    const l = this.lesson;
    if (!l || this.ended) return; // the end's outcomes stay up
    (l.steps ?? []).forEach((s, i) => {
      if (s.when?.event === h.kind && !this.eventSteps.has(i)) {
        this.eventSteps.add(i);
        if (this._show(i, h)) this.app.controller.pause();
      }
    });
  }

  /**
   * Shows step `i`; returns whether the run pauses there. While a pause point waits for
   * the student (its question unanswered, Continue not pressed), later steps wait in a
   * queue and show, in order, on Continue.
   */
  _show(i, happening) {
    const l = this.lesson;
    const s = l?.steps?.[i];
    if (!s) return false;
    if (this.holding) {
      this.queue.push([i, happening]);
      return false;
    }
    this.shown = i;
    const r = this.r;
    const snap = this.app.controller.lab ? this.app.controller.lab.snapshot(0, 0) : this.bus.snapshot;
    setText(r.lessonProgress, `step ${i + 1} of ${l.steps.length}`);
    if (s.say != null) setText(r.lessonText, fill(s.say, snap, happening)); // else the narration stays
    r.lessonOutcomes.hidden = true;
    const p = s.predict;
    r.lessonPredict.hidden = !p;
    if (p) {
      setText(r.lessonQuestion, fill(p.question, snap, happening));
      r.lessonChoices.replaceChildren(...p.choices.map((text, k) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rl-btn rl-btn-sm';
        b.dataset.choice = String(k);
        b.dataset.testid = `lesson-choice-${k}`;
        b.setAttribute('data-testid', `lesson-choice-${k}`);
        b.textContent = fill(text, snap, happening);
        return b;
      }));
      r.lessonAnswer.hidden = true;
      this.answered = false;
    }
    const pauses = !!(s.pause || p);
    this.holding = pauses;
    setText(r.lessonContinue, pauses ? 'Continue' : 'Pause');
    this.bus.emit('lesson-step', { lesson: l.id, step: i, of: l.steps.length, text: r.lessonText.textContent, question: p ? r.lessonQuestion.textContent : null });
    this.bus.emit('announce', `Lesson step ${i + 1}: ${r.lessonText.textContent}${p ? ` ${r.lessonQuestion.textContent}` : ''}`);
    return pauses;
  }

  _answer(k) {
    const s = this.lesson?.steps?.[this.shown];
    const p = s?.predict;
    if (!p) return;
    this.answered = true;
    const r = this.r;
    for (const b of r.lessonChoices.querySelectorAll('button')) {
      const n = Number(b.dataset.choice);
      b.dataset.state = n === p.answer ? 'right' : n === k ? 'wrong' : '';
      b.setAttribute('aria-pressed', String(n === k));
    }
    r.lessonAnswer.hidden = false;
    setText(r.lessonAnswer, `${k === p.answer ? 'Yes. ' : `Not quite: the answer is "${p.choices[p.answer]}". `}${p.explain ?? ''}`);
    this.bus.emit('announce', r.lessonAnswer.textContent);
  }

  _continue() {
    const s = this.lesson?.steps?.[this.shown];
    if (s?.predict && !this.answered) {
      // Continue without a guess shows the answer first.
      this._answer(-1);
      return;
    }
    const c = this.app.controller;
    if (this.holding) {
      this.holding = false;
      // Steps that came while this one waited, in order; one may hold the run again.
      while (this.queue.length && !this.holding) this._show(...this.queue.shift());
      if (this.holding) return;
    }
    if (c.isRunning()) {
      c.pause();
      setText(this.r.lessonContinue, 'Continue');
    } else {
      c.play();
      setText(this.r.lessonContinue, 'Pause');
    }
  }

  /** The run plays on by other means (the toolbar, a key): nothing waits any more. */
  _released() {
    if (!this.holding || this.ended) return;
    this.holding = false;
    while (this.queue.length) {
      const [i, h] = this.queue.shift();
      this._show(i, h);
      this.holding = false;
    }
    setText(this.r.lessonContinue, 'Pause');
  }

  /** The end: judge every expected outcome and list them; pause. */
  _end() {
    const l = this.lesson;
    const lab = this.app.controller.lab;
    const outcomes = judge(l, lab.summary(), finishedWrites(lab));
    const r = this.r;
    const met = outcomes.every((o) => o.met);
    this.ended = true;
    this.app.root.dataset.lessonMet = String(met);
    setText(r.lessonProgress, 'the end');
    setText(r.lessonText, met ? 'The lesson reached what it set out to show:' : 'This run did not show everything the lesson expected:');
    r.lessonPredict.hidden = true;
    r.lessonOutcomes.hidden = false;
    r.lessonOutcomes.replaceChildren(...outcomes.map((o) => {
      const li = document.createElement('li');
      li.dataset.met = String(o.met);
      li.textContent = `${o.met ? '✓' : '✗'} ${o.what} (${Number.isInteger(o.value) ? o.value : o.value.toFixed(3)}; wanted ${o.wanted})`;
      return li;
    }));
    setText(r.lessonContinue, 'Continue');
    this.bus.emit('lesson-step', { lesson: l.id, step: 'end', met, outcomes });
    this.bus.emit('announce', `End of the lesson. ${outcomes.map((o) => `${o.met ? 'Shown' : 'Not shown'}: ${o.what}`).join('. ')}`);
    return true;
  }
}
