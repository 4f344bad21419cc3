// Formatting and parsing helpers shared by the panels and the canvas. Pure functions, no DOM.

const UNIT_MICROS = { us: 1, 'µs': 1, ms: 1e3, s: 1e6, m: 60e6, min: 60e6, '': 1e3 };

/** Micros from a duration as the Rust side serialises it ("40ms", "1500us", "2s") or a number. */
export function parseDur(value) {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const m = /^\s*([0-9.]+)\s*([a-zµ]*)\s*$/.exec(value);
  if (!m || !(m[2] in UNIT_MICROS)) return NaN;
  return Number(m[1]) * UNIT_MICROS[m[2]];
}

/** A short human duration: "0.4 ms", "62 ms", "1.25 s", "3 min". */
export function fmtDur(micros) {
  if (micros == null || !Number.isFinite(micros)) return '–';
  const ms = micros / 1000;
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Simulated clock: "12.345 s". */
export function fmtClock(micros) {
  return `${(micros / 1e6).toFixed(3)} s`;
}

/** Speed multiplier: "0.010×", "0.20×", "1.0×", "25×". */
export function fmtSpeed(x) {
  if (x < 0.1) return `${x.toFixed(3)}×`;
  if (x < 1) return `${x.toFixed(2)}×`;
  if (x < 10) return `${x.toFixed(1)}×`;
  return `${Math.round(x)}×`;
}

export function fmtInt(n) {
  return Number(n).toLocaleString('en-US');
}

/** A latency distribution (as `lab.link()` returns it) in words: "40–80 ms", "300 ms". */
export function fmtLatency(lat) {
  if (!lat) return '?';
  const ms = (d) => {
    const v = parseDur(d) / 1000;
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  };
  switch (lat.kind) {
    case 'constant': return `${ms(lat.value)} ms`;
    case 'uniform': return lat.min === lat.max ? `${ms(lat.min)} ms` : `${ms(lat.min)}–${ms(lat.max)} ms`;
    case 'exponential': return `≥${ms(lat.min)} ms, mean ${ms(lat.mean)}`;
    default: return '?';
  }
}

/** Mean one-way delay of a latency distribution, in micros. */
export function latencyMean(lat) {
  if (!lat) return 0;
  switch (lat.kind) {
    case 'constant': return parseDur(lat.value);
    case 'uniform': return (parseDur(lat.min) + parseDur(lat.max)) / 2;
    case 'exponential': return parseDur(lat.mean);
    default: return 0;
  }
}

/** Min and max (ms) shown in the latency inputs for a distribution. */
export function latencyRangeMs(lat) {
  switch (lat?.kind) {
    case 'constant': { const v = parseDur(lat.value) / 1000; return [v, v]; }
    case 'uniform': return [parseDur(lat.min) / 1000, parseDur(lat.max) / 1000];
    case 'exponential': return [parseDur(lat.min) / 1000, parseDur(lat.mean) / 1000];
    default: return [0, 0];
  }
}

/**
 * A duration typed by a person, for the Rust parser: a bare number means milliseconds
 * ("40" → "40ms"); anything else is passed on as typed so Rust explains what is wrong.
 */
export function durInput(text, what) {
  const t = String(text ?? '').trim();
  if (t === '') throw new Error(`${what} is empty: type a duration such as 40 or 40ms`);
  return /^[0-9]+(\.[0-9]+)?$/.test(t) ? `${t}ms` : t;
}

/** Link settings JSON for `setAllLinks` / `setLink` from the latency form fields. */
export function linkSettingsJson(minText, maxText, jitterText, lossPercentText) {
  const min = durInput(minText, 'Min latency');
  const max = durInput(maxText ?? minText, 'Max latency');
  const settings = {
    latency: min === max ? min : { kind: 'uniform', min, max },
  };
  if (jitterText != null && String(jitterText).trim() !== '') settings.jitter = durInput(jitterText, 'Jitter');
  if (lossPercentText != null && String(lossPercentText).trim() !== '') {
    const t = String(lossPercentText).trim().replace(/%$/, '');
    const pct = Number(t);
    if (t === '' || !Number.isFinite(pct)) throw new Error(`Loss must be a percentage from 0 to 100 (got "${lossPercentText}")`);
    settings.loss = pct / 100;
  }
  return JSON.stringify(settings);
}

/** Entries carried by an append message, from its label ("lsn 4-7" → 4, "lsn 9" → 1). */
export function appendCount(label) {
  const dash = label.indexOf('-');
  if (dash < 0) return 1;
  return parseInt(label.slice(dash + 1), 10) - parseInt(label.slice(4, dash), 10) + 1;
}

/** Lag severity for colouring: 0 in sync / small, 1 behind, 2 far behind. */
export function lagLevel(entries, micros) {
  if (entries == null) return 0;
  if (entries === 0 || micros < 150_000) return 0;
  if (micros < 600_000 && entries < 8) return 1;
  return 2;
}

export function lagText(entries, micros, short = false) {
  if (entries == null) return '';
  if (entries === 0) return 'in sync';
  if (short) return `lag ${entries} · ${fmtDur(micros)}`;
  return `lag ${entries} ${entries === 1 ? 'entry' : 'entries'} · ${fmtDur(micros)}`;
}

/** A node's name in a snapshot ("n3"), also for a node that has left the cluster. */
export function nodeName(snap, id) {
  const nodes = snap?.nodes ?? [];
  for (let i = 0; i < nodes.length; i++) if (nodes[i].id === id) return nodes[i].name;
  return `n${id}`;
}

/** A client's name: "you" for the page's own client, "c2" for a workload client. */
export function clientName(snap, id) {
  const clients = snap?.clients ?? [];
  for (let i = 0; i < clients.length; i++) if (clients[i].id === id) return clients[i].manual ? 'you' : `c${id}`;
  return `c${id}`;
}

/**
 * The share of stale reads, as the Ops counter and the stale-reads chart both say it:
 * stale reads over successful reads (the run's counters), "4.7%" (one decimal under 10%).
 */
export function fmtStaleShare(counters) {
  const reads = counters.readsOk;
  const pct = reads ? (100 * counters.staleReads) / reads : 0;
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}
