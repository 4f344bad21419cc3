// Trace records in words, for the line under the timeline that says which event Step ran
// ("n1 received append lsn 5-7 from n0"). A record of a delivery names only the message,
// so the snapshot from before the step (its messages in flight) tells what it carried.

import { fmtClock, nodeName } from './format.js';
import { messageName } from './message-looks.js';

const END = (snap, a) => (a?.node != null ? nodeName(snap, a.node) : a?.client != null ? `client c${a.client}` : '?');

/** "camelCase" → "camel case". */
function words(name) {
  return String(name).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A node event ({appended: {lsn}} or {type: 'appended', lsn}) in words. */
function nodeEvent(ev) {
  if (!ev || typeof ev !== 'object') return words(ev ?? 'event');
  const [kind, fields] = ev.type ? [ev.type, ev] : Object.entries(ev)[0] ?? ['event', {}];
  const f = fields && typeof fields === 'object' ? fields : {};
  switch (kind) {
    case 'appended': return `appended lsn ${f.lsn} to its log`;
    case 'received': return `received the log up to lsn ${f.upto}`;
    case 'flushed': return `flushed its log to disk up to lsn ${f.upto}`;
    case 'applied': return `applied the log up to lsn ${f.upto}`;
    case 'truncated': return `discarded ${f.discarded} conflicting entr${f.discarded === 1 ? 'y' : 'ies'} from lsn ${f.from}`;
    case 'electionStarted': return `stood for election in term ${f.term}`;
    case 'voted': return `voted for n${f.candidate} in term ${f.term}`;
    case 'becamePrimary': return `became primary for term ${f.term}`;
    case 'steppedDown': return `stepped down (term ${f.term})`;
    case 'acknowledged': return `acknowledged write #${f.op} to its client`;
    default: {
      const extra = Object.entries(f).filter(([k]) => k !== 'type').map(([k, v]) => `${words(k)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
      return `${words(kind)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    }
  }
}

/** One trace record in words, or '' for one not worth saying on its own. */
export function recordWords(rec, snapBefore) {
  const e = rec.event;
  const snap = snapBefore;
  switch (e.type) {
    case 'sent': return `${END(snap, e.from)} sent ${messageName(e.kind)} to ${END(snap, e.to)}${e.fate && e.fate !== 'deliver' ? ` (it will be ${words(e.fate)})` : ''}`;
    case 'delivered': {
      const m = snap?.messages?.find((x) => x.id === e.msg);
      return m ? `${END(snap, m.to)} received ${m.label || messageName(m.kind)} from ${END(snap, m.from)}` : `message #${e.msg} arrived`;
    }
    case 'dropped': {
      const m = snap?.messages?.find((x) => x.id === e.msg);
      return `${m ? `${m.label || messageName(m.kind)} from ${END(snap, m.from)} to ${END(snap, m.to)}` : `message #${e.msg}`} was dropped (${words(e.reason)})`;
    }
    case 'node': return `${nodeName(snap, e.node)} ${nodeEvent(e.event)}`;
    case 'invoked': return `client c${e.client} sent ${e.kind} ${e.key} to ${nodeName(snap, e.node)}`;
    case 'completed': return `operation #${e.op} completed: ${words(typeof e.outcome === 'object' ? Object.keys(e.outcome)[0] : e.outcome)}${e.stale ? ' (stale)' : ''}`;
    case 'acted': return `the action ${JSON.stringify(e.action)} was carried out`;
    default: return words(e.type) + (e.node != null ? ` ${nodeName(snap, e.node)}` : '');
  }
}

/** What one step did: its first records in words, with the moment. */
export function stepWords(records, snapBefore) {
  if (!records.length) return 'Nothing happened (a timer that had nothing to do).';
  const said = [];
  for (const r of records) {
    const w = recordWords(r, snapBefore);
    if (w && !said.includes(w)) said.push(w);
    if (said.length === 3) break;
  }
  const more = records.length > said.length ? ` (+${records.length - said.length} more)` : '';
  return `At ${fmtClock(records[0].at)}: ${said.join('; ')}${more}.`;
}
