// The Node tab for a peer of a leaderless ring: what it stores, what it coordinates, the
// hints it keeps for replicas that missed writes, which peers its gossip takes for down,
// its share of the ring and the last timestamp it gave a write; and the faults it can
// suffer (no promotion or switchover: a ring has no leader). The inspector calls these
// when the selected node is a peer.

import { setText } from './dom.js';
import { nodeName } from './format.js';

/**
 * The markup for a peer; `btn(action, text, cls, title)` makes an inspector button.
 * @param {object} node @param {Function} btn @param {boolean} isolated
 */
export function peerMarkup(node, btn, isolated) {
  const up = node.status === 'up';
  const paused = node.status === 'paused';
  const badge = up ? ['', 'peer'] : paused ? ['rl-badge-paused', 'paused'] : ['rl-badge-down', 'crashed'];
  return `
      <div class="rl-insp-head">
        <h3 class="rl-insp-name" data-f="name"></h3>
        <span class="rl-badge ${badge[0]}">${badge[1]}</span>
        <span class="rl-muted" data-f="region"></span>
      </div>
      <p class="rl-insp-blurb">A peer on the ring: it keeps the keys whose token ranges its virtual nodes own (and the next ones' copies), and coordinates any request a client sends it, asking the key's replicas.</p>
      <dl class="rl-dl" data-testid="peer-facts">
        <div><dt>Keys stored</dt><dd data-f="keys"></dd></div>
        <div><dt>Share of the ring</dt><dd data-f="share"></dd></div>
        <div><dt>Coordinating</dt><dd data-f="coordinating"></dd></div>
        <div><dt>Last timestamp</dt><dd data-f="timestamp"></dd></div>
        <div class="rl-dl-wide"><dt>Hints kept</dt><dd data-f="hints" data-testid="peer-hints"></dd></div>
        <div class="rl-dl-wide"><dt>Gossip takes for down</dt><dd data-f="down"></dd></div>
      </dl>
      <div class="rl-row rl-insp-actions">
        ${up || paused ? btn('crash', 'Crash', 'rl-btn-danger', 'Stop it; it keeps its stored keys and hints') : btn('restart', 'Restart', 'rl-btn-primary', 'Rejoin with its stored keys; hints for it are replayed')}
        ${up || paused ? btn('loseDisk', 'Crash &amp; lose disk', 'rl-btn-danger', 'It comes back empty: read repair and hints refill it') : ''}
        ${up ? btn('pause', 'Pause', '', 'A long GC pause: it handles nothing until resumed') : ''}
        ${paused ? btn('resume', 'Resume', 'rl-btn-primary', 'It wakes up believing what it believed') : ''}
        ${isolated ? btn('reconnect', 'Reconnect') : btn('isolate', 'Isolate', '', 'Cut every link to the other nodes, both ways')}
        <button type="button" class="rl-btn" data-action="read" data-node="${node.id}" data-testid="inspector-read">Read <span data-f="readKey"></span> here</button>
        ${btn('remove', 'Remove', '', 'Take it off the ring: its token ranges pass to the next nodes')}
      </div>
      <div class="rl-row rl-insp-clock">
        <label class="rl-field">clock offset <span class="rl-unit">ms, − = behind</span>
          <input class="rl-input" data-f="clockIn" data-testid="inspector-clock-input" inputmode="numeric" size="6"></label>
        ${btn('clock', 'Set clock', '', 'Skew this node’s clock: the timestamps it gives writes follow it, so last-write-wins may keep an older write')}
      </div>
      <p class="rl-manual rl-insp-manual" data-f="manual" data-testid="inspector-result" aria-live="polite" hidden></p>`;
}

/** Fills a peer's cells from the latest snapshot. */
export function fillPeer(c, node, snap, readKey) {
  setText(c.name, node.name);
  setText(c.region, node.region ?? '');
  setText(c.keys, String(node.keys));
  const share = (snap.ownership ?? []).find(([id]) => id === node.id)?.[1] ?? 0;
  setText(c.share, `${(share * 100).toFixed(1)}%`);
  setText(c.coordinating, node.coordinating ? `${node.coordinating} request${node.coordinating === 1 ? '' : 's'}` : 'nothing');
  setText(c.timestamp, node.lastTimestamp ? `${(node.lastTimestamp / 1000).toFixed(1)} ms (its own clock)` : '–');
  const hints = (node.hints ?? []).map(([id, n]) => `${n} for ${nodeName(snap, id)}`);
  setText(c.hints, hints.length ? `${hints.join(', ')}: replayed when gossip hears from it` : 'none');
  setText(c.down, node.down?.length ? node.down.map((id) => nodeName(snap, id)).join(', ') : 'nobody');
  setText(c.readKey, readKey);
}
