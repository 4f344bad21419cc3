// The static markup of one lab instance. Elements are found by `data-ref` inside the root
// (never by id), so several instances can share a page. No inline scripts or handlers.

export const TEMPLATE = /* html */ `
<header class="rl-header">
  <div class="rl-brand">
    <svg class="rl-logo" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="5" r="3.2"/><circle cx="5" cy="17" r="2.6"/><circle cx="12" cy="19" r="2.6"/><circle cx="19" cy="17" r="2.6"/><path d="M12 8.2 5.8 14.8M12 8.2v8.2M12 8.2l6.2 6.6" fill="none" stroke-width="1.6"/></svg>
    <span class="rl-title">Replica Lab</span>
    <span class="rl-scenario" data-ref="scenarioName" data-testid="scenario-name"></span>
  </div>
  <div class="rl-status" data-testid="status">
    <span class="rl-chip" data-ref="runState" data-testid="run-state">paused</span>
    <span class="rl-stat"><span class="rl-stat-label">sim time</span> <b data-ref="simTime" data-testid="sim-time">0.000 s</b></span>
    <span class="rl-stat rl-hide-narrow"><span class="rl-stat-label">events</span> <b data-ref="eventCount" data-testid="event-count">0</b></span>
    <span class="rl-stat"><span class="rl-stat-label">seed</span> <b data-ref="seedShown" data-testid="seed-shown">0</b></span>
  </div>
</header>

<div class="rl-banner" data-ref="banner" data-testid="error-banner" role="alert" hidden>
  <span class="rl-banner-icon" aria-hidden="true">!</span>
  <span class="rl-banner-text" data-ref="bannerText" data-testid="error-text"></span>
  <button type="button" class="rl-banner-close" data-ref="bannerClose" data-testid="error-dismiss" aria-label="Dismiss">×</button>
</div>

<div class="rl-main">
  <section class="rl-stage" aria-label="Cluster">
    <div class="rl-toolbar" role="toolbar" aria-label="Simulation controls">
      <div class="rl-group">
        <button type="button" class="rl-btn rl-btn-primary rl-play" data-ref="play" data-testid="play-pause" aria-keyshortcuts="Space" title="Play / pause (Space)">
          <svg class="rl-icon rl-icon-play" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z"/></svg>
          <svg class="rl-icon rl-icon-pause" viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z"/></svg>
          <span data-ref="playLabel">Play</span>
        </button>
        <button type="button" class="rl-btn" data-ref="step" data-testid="step" aria-keyshortcuts="ArrowRight" title="Run exactly one event (→)">
          <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2.5v11l7-5.5zM11 2.5h2.5v11H11z"/></svg>
          Step
        </button>
      </div>
      <label class="rl-group rl-speed" title="Simulated time per real second (log scale)">
        <span class="rl-label">Speed</span>
        <input type="range" min="-2" max="2" step="0.01" value="-0.7" data-ref="speed" data-testid="speed">
        <output data-ref="speedOut" data-testid="speed-value">0.20×</output>
      </label>
      <div class="rl-group rl-seed">
        <label class="rl-inline"><span class="rl-label">Seed</span>
          <input type="text" inputmode="numeric" class="rl-input rl-input-seed" data-ref="seed" data-testid="seed-input" spellcheck="false" autocomplete="off">
        </label>
        <button type="button" class="rl-btn" data-ref="reset" data-testid="reset" title="Start over from the scenario with this seed">
          <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7l1.4.5A4 4 0 1 0 8 4v2L4.8 3.25 8 .5z"/></svg>
          Reset
        </button>
      </div>
    </div>
    <div class="rl-canvas-wrap" data-ref="canvasWrap">
      <canvas class="rl-canvas" data-ref="canvas" data-testid="cluster-canvas" role="img" aria-label="Cluster diagram: nodes, logs and messages in flight"></canvas>
      <div class="rl-tooltip" data-ref="tooltip" data-testid="tooltip" hidden></div>
      <p class="rl-canvas-hint">Click a node or a link · hover for details</p>
    </div>
    <div class="rl-legend" data-testid="legend">
      <p class="rl-analogy"><b>The backup band.</b> The primary is the lead singer: it sings every write. Replicas are backup singers repeating what they hear. A listener who asks a backup singer may hear an old verse: a <span class="rl-tag rl-tag-stale">stale read</span>.</p>
      <ul class="rl-keys">
        <li><i class="rl-dot rl-dot-append"></i>append (n entries)</li>
        <li><i class="rl-dot rl-dot-heartbeat"></i>heartbeat</li>
        <li><i class="rl-dot rl-dot-ack"></i>ack</li>
        <li><i class="rl-dot rl-dot-nack"></i>nack</li>
        <li><i class="rl-dot rl-dot-write"></i>client write</li>
        <li><i class="rl-dot rl-dot-read"></i>client read</li>
        <li><i class="rl-dot rl-dot-reply"></i>reply</li>
        <li><i class="rl-dot rl-dot-lost"></i>lost</li>
        <li class="rl-keys-sep"><i class="rl-cell rl-cell-received"></i>received</li>
        <li><i class="rl-cell rl-cell-flushed"></i>flushed</li>
        <li><i class="rl-cell rl-cell-applied"></i>applied</li>
        <li><i class="rl-cell rl-cell-missing"></i>missing</li>
        <li class="rl-keys-sep"><i class="rl-swatch rl-good"></i>in sync</li>
        <li><i class="rl-swatch rl-warn"></i>behind</li>
        <li><i class="rl-swatch rl-bad"></i>far behind</li>
      </ul>
      <p class="rl-knobs">Acks are async: PostgreSQL <code>synchronous_commit=local</code>, MongoDB <code>w:1</code>. Lag = <code>pg_stat_replication</code> write / flush / replay lag.</p>
    </div>
  </section>

  <aside class="rl-side">
    <div class="rl-tabs" role="tablist" aria-label="Panels">
      <button type="button" role="tab" class="rl-tab" data-tab="ops" data-testid="tab-ops" aria-selected="true">Operations</button>
      <button type="button" role="tab" class="rl-tab" data-tab="node" data-testid="tab-node" aria-selected="false">Inspector</button>
      <button type="button" role="tab" class="rl-tab" data-tab="cluster" data-testid="tab-cluster" aria-selected="false">Cluster</button>
    </div>

    <section class="rl-panel" role="tabpanel" data-panel="ops">
      <div class="rl-card rl-try">
        <form class="rl-form" data-ref="writeForm" data-testid="write-form" autocomplete="off">
          <span class="rl-form-title">Write</span>
          <input class="rl-input" data-ref="writeKey" data-testid="write-key" value="k1" aria-label="Key to write" spellcheck="false">
          <span class="rl-eq">=</span>
          <input class="rl-input" data-ref="writeValue" data-testid="write-value" value="hello" aria-label="Value to write" spellcheck="false">
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="write-submit" title="Send the write to the primary">Write</button>
        </form>
        <form class="rl-form" data-ref="readForm" data-testid="read-form" autocomplete="off">
          <span class="rl-form-title">Read</span>
          <input class="rl-input" data-ref="readKey" data-testid="read-key" value="k1" aria-label="Key to read" spellcheck="false">
          <span class="rl-eq">@</span>
          <select class="rl-input" data-ref="readNode" data-testid="read-node" aria-label="Node to read from"></select>
          <button type="submit" class="rl-btn" data-testid="read-submit">Read</button>
        </form>
        <p class="rl-manual" data-ref="manualResult" data-testid="manual-result" aria-live="polite">Your writes go to the primary; read from any node.</p>
      </div>

      <div class="rl-counters" data-testid="counters">
        <div class="rl-counter"><b data-ref="cWritesOk" data-testid="count-writes-ok">0</b><span>writes ok</span></div>
        <div class="rl-counter"><b data-ref="cWritesUnknown" data-testid="count-writes-unknown">0</b><span>unknown</span></div>
        <div class="rl-counter"><b data-ref="cReadsOk" data-testid="count-reads-ok">0</b><span>reads ok</span></div>
        <div class="rl-counter rl-counter-stale"><b data-ref="cStale" data-testid="count-stale">0</b><span data-ref="cStalePct">stale</span></div>
      </div>

      <ol class="rl-ops" data-ref="ops" data-testid="ops-list" aria-label="Recent operations, newest first"></ol>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="node" hidden>
      <div data-ref="inspector" data-testid="inspector"></div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="cluster" hidden>
      <div class="rl-card">
        <h3 class="rl-h">Nodes</h3>
        <div class="rl-row">
          <span class="rl-big" data-ref="nodeCount" data-testid="node-count">4</span><span class="rl-muted">nodes (1 to 9)</span>
          <span class="rl-spacer"></span>
          <button type="button" class="rl-btn" data-ref="addReplica" data-testid="add-replica">+ Add replica</button>
          <button type="button" class="rl-btn" data-ref="removeReplica" data-testid="remove-replica">− Remove</button>
        </div>
        <p class="rl-hint">A new replica starts empty and catches up from the primary's log, like a fresh standby.</p>
      </div>

      <form class="rl-card" data-ref="allLinksForm" data-testid="all-links-form" autocomplete="off">
        <h3 class="rl-h">All links between nodes</h3>
        <div class="rl-grid4">
          <label>min<input class="rl-input" data-ref="allMin" data-testid="all-min" spellcheck="false"></label>
          <label>max<input class="rl-input" data-ref="allMax" data-testid="all-max" spellcheck="false"></label>
          <label>jitter<input class="rl-input" data-ref="allJitter" data-testid="all-jitter" spellcheck="false"></label>
          <label>loss %<input class="rl-input" data-ref="allLoss" data-testid="all-loss" spellcheck="false"></label>
        </div>
        <div class="rl-row">
          <span class="rl-hint">Numbers are milliseconds; "2s" or "500us" work too. This replaces every per-link setting.</span>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="all-apply">Apply</button>
        </div>
      </form>

      <form class="rl-card" data-ref="linkForm" data-testid="link-form" autocomplete="off">
        <h3 class="rl-h">One link</h3>
        <div class="rl-row">
          <select class="rl-input" data-ref="linkFrom" data-testid="link-from" aria-label="From node"></select>
          <span class="rl-eq">↔</span>
          <select class="rl-input" data-ref="linkTo" data-testid="link-to" aria-label="To node"></select>
          <label class="rl-check"><input type="checkbox" data-ref="linkOneWay" data-testid="link-oneway"> one way</label>
        </div>
        <div class="rl-grid4">
          <label>min<input class="rl-input" data-ref="linkMin" data-testid="link-min" spellcheck="false"></label>
          <label>max<input class="rl-input" data-ref="linkMax" data-testid="link-max" spellcheck="false"></label>
          <label>jitter<input class="rl-input" data-ref="linkJitter" data-testid="link-jitter" spellcheck="false"></label>
          <label>loss %<input class="rl-input" data-ref="linkLoss" data-testid="link-loss" spellcheck="false"></label>
        </div>
        <div class="rl-row">
          <span class="rl-hint" data-ref="linkCurrent" data-testid="link-current"></span>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="link-apply">Set link</button>
        </div>
      </form>

      <div class="rl-card rl-notes">
        <h3 class="rl-h">The knobs behind this</h3>
        <p><b>Asynchronous acks.</b> A write is "ok" once the primary has flushed it to its own disk; replicas catch up afterwards. That is PostgreSQL <code>synchronous_commit = local</code>, MongoDB <code>w: 1</code>, MySQL's default asynchronous replication. Fast, but a reader may see old data for a while.</p>
        <p><b>Lag.</b> Each replica reports three positions, the columns of PostgreSQL's <code>pg_stat_replication</code>: <em>write</em> (received), <em>flush</em> (on disk) and <em>replay</em> (applied, visible to reads). The lag shown is how many entries, and for how long, replay trails the primary.</p>
        <p><b>Scaling.</b> Replicas add read capacity and survive a crash, but every write still goes through the one primary.</p>
      </div>
    </section>
  </aside>
</div>
`;

/** Collects the `data-ref` elements of a root into an object. */
export function collectRefs(root) {
  const refs = {};
  for (const el of root.querySelectorAll('[data-ref]')) refs[el.dataset.ref] = el;
  return refs;
}
