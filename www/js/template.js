// The static markup of one lab instance. Elements are found by `data-ref` inside the root
// (never by id), so several instances can share a page. No inline scripts or handlers.

export const TEMPLATE = /* html */ `
<header class="rl-header">
  <div class="rl-brand">
    <svg class="rl-logo" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="5" r="3.2"/><circle cx="5" cy="17" r="2.6"/><circle cx="12" cy="19" r="2.6"/><circle cx="19" cy="17" r="2.6"/><path d="M12 8.2 5.8 14.8M12 8.2v8.2M12 8.2l6.2 6.6" fill="none" stroke-width="1.6"/></svg>
    <span class="rl-title">Replica Lab</span>
    <span class="rl-scenario" data-ref="scenarioName" data-testid="scenario-name"></span>
    <select class="rl-input rl-scenario-pick" data-ref="scenarioPick" data-testid="scenario-pick" aria-label="Load a lesson or a scenario">
      <option value="" selected>Lessons and scenarios…</option>
      <optgroup label="Lessons" data-ref="lessonOptions"></optgroup>
      <optgroup label="Scenarios">
        <option value="scenario:backup-band">Backup band (async log shipping)</option>
        <option value="scenario:failover">The lead singer loses their voice (failover)</option>
        <option value="scenario:split-brain">Split brain (naive failover)</option>
        <option value="scenario:read-scaling">Read scaling (busy clients)</option>
        <option value="scenario:crowd">A crowd (9 nodes)</option>
        <option value="scenario:base-backup">Too far behind: a base backup (WAL recycling)</option>
        <option value="scenario:quorum">Quorums on a ring (leaderless, Cassandra)</option>
      </optgroup>
    </select>
  </div>
  <div class="rl-head-actions">
    <button type="button" class="rl-btn rl-btn-sm" data-ref="shareBtn" data-testid="share" title="A link to this very moment of this run">
      <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M6.5 9.5 9.5 6.5M7 4.5l1.5-1.5a2.8 2.8 0 0 1 4 4L11 8.5M9 11.5 7.5 13a2.8 2.8 0 0 1-4-4L5 7.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>
      <span class="rl-btn-text">Share</span>
    </button>
    <button type="button" class="rl-btn rl-btn-sm" data-ref="exportBtn" data-testid="export" title="Save the history, the trace or the stage" aria-expanded="false">
      <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 11.5v2h11v-2" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>
      <span class="rl-btn-text">Export</span>
    </button>
    <button type="button" class="rl-btn rl-btn-sm" data-ref="themeBtn" data-testid="theme-toggle" title="Light or dark" aria-label="Switch to the light theme">
      <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.5a6.5 6.5 0 1 0 0 13z"/><circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>
    </button>
  </div>
  <div class="rl-status" data-testid="status">
    <span class="rl-chip" data-ref="runState" data-testid="run-state">paused</span>
    <span class="rl-stat"><span class="rl-stat-label">sim time</span> <b data-ref="simTime" data-testid="sim-time">0.000 s</b></span>
    <span class="rl-stat rl-hide-narrow"><span class="rl-stat-label">events</span> <b data-ref="eventCount" data-testid="event-count">0</b></span>
    <span class="rl-stat"><span class="rl-stat-label">seed</span> <b data-ref="seedShown" data-testid="seed-shown">0</b></span>
  </div>
</header>

<div class="rl-sharebox" data-ref="shareBox" data-testid="share-box" hidden>
  <label class="rl-inline rl-share-field"><span class="rl-label">Link to this moment</span>
    <input class="rl-input" data-ref="shareUrl" data-testid="share-url" readonly spellcheck="false"></label>
  <button type="button" class="rl-btn rl-btn-primary rl-btn-sm" data-ref="shareCopy" data-testid="share-copy">Copy</button>
  <span class="rl-muted" data-ref="shareNote" data-testid="share-note" aria-live="polite"></span>
  <button type="button" class="rl-banner-close" data-ref="shareClose" aria-label="Close">×</button>
</div>

<div class="rl-sharebox" data-ref="exportBox" data-testid="export-box" role="group" aria-label="Export" hidden>
  <span class="rl-label">Save</span>
  <button type="button" class="rl-btn rl-btn-sm" data-ref="exportHistory" data-testid="export-history" title="Every operation in Jepsen's format: cargo run --example check FILE judges it">History (JSON)</button>
  <button type="button" class="rl-btn rl-btn-sm" data-ref="exportTrace" data-testid="export-trace" title="The newest events the lab keeps, with the seed, the actions and the trace hash">Trace (JSON)</button>
  <button type="button" class="rl-btn rl-btn-sm" data-ref="exportPng" data-testid="export-png" title="The stage as drawn now">Stage (PNG)</button>
  <span class="rl-muted" data-ref="exportNote" data-testid="export-note" aria-live="polite"></span>
  <button type="button" class="rl-banner-close" data-ref="exportClose" aria-label="Close">×</button>
</div>

<div class="rl-banner" data-ref="banner" data-testid="error-banner" role="alert" hidden>
  <span class="rl-banner-icon" aria-hidden="true">!</span>
  <span class="rl-banner-text" data-ref="bannerText" data-testid="error-text"></span>
  <button type="button" class="rl-banner-close" data-ref="bannerClose" data-testid="error-dismiss" aria-label="Dismiss">×</button>
</div>

<section class="rl-lesson" data-ref="lessonBar" data-testid="lesson-bar" aria-label="Lesson" hidden>
  <div class="rl-lesson-head">
    <h2 class="rl-lesson-title" data-ref="lessonTitle" data-testid="lesson-title"></h2>
    <span class="rl-muted rl-lesson-progress" data-ref="lessonProgress" data-testid="lesson-progress"></span>
    <span class="rl-spacer"></span>
    <button type="button" class="rl-btn rl-btn-sm rl-btn-primary" data-ref="lessonContinue" data-testid="lesson-continue">Start</button>
    <button type="button" class="rl-btn rl-btn-sm" data-ref="lessonRestart" data-testid="lesson-restart">Restart</button>
    <button type="button" class="rl-banner-close" data-ref="lessonClose" data-testid="lesson-close" aria-label="Close the lesson bar">×</button>
  </div>
  <p class="rl-lesson-text" data-ref="lessonText" data-testid="lesson-text"></p>
  <div class="rl-lesson-predict" data-ref="lessonPredict" data-testid="lesson-predict" hidden>
    <p class="rl-lesson-question" data-ref="lessonQuestion" data-testid="lesson-question"></p>
    <div class="rl-row" role="group" aria-label="Your prediction" data-ref="lessonChoices"></div>
    <p class="rl-lesson-answer" data-ref="lessonAnswer" data-testid="lesson-answer" aria-live="polite" hidden></p>
  </div>
  <div class="rl-row" data-ref="lessonTry" data-testid="first-run" hidden>
    <button type="button" class="rl-btn rl-btn-sm" data-try="crash" data-testid="try-crash">Crash the primary</button>
    <button type="button" class="rl-btn rl-btn-sm" data-try="sync" data-testid="try-sync">Make writes wait for a majority</button>
    <button type="button" class="rl-btn rl-btn-sm rl-btn-primary" data-try="lesson" data-testid="try-lesson">Start the first lesson</button>
  </div>
  <ul class="rl-lesson-outcomes" data-ref="lessonOutcomes" data-testid="lesson-outcomes" hidden></ul>
  <p class="rl-caption" data-ref="caption" data-testid="caption"></p>
</section>

<div class="rl-main">
  <section class="rl-stage" aria-label="Cluster">
    <div class="rl-toolbar" role="toolbar" aria-label="Simulation controls">
      <div class="rl-group">
        <button type="button" class="rl-btn rl-btn-primary rl-play" data-ref="play" data-testid="play-pause" aria-keyshortcuts="Space" title="Play / pause (Space)">
          <svg class="rl-icon rl-icon-play" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z"/></svg>
          <svg class="rl-icon rl-icon-pause" viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z"/></svg>
          <span class="rl-btn-text" data-ref="playLabel">Play</span>
        </button>
        <button type="button" class="rl-btn" data-ref="stepBack" data-testid="step-back" aria-keyshortcuts="ArrowLeft" title="Go back exactly one event (←)" aria-label="Step back">
          <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M13 2.5v11l-7-5.5zM5 2.5H2.5v11H5z"/></svg>
        </button>
        <button type="button" class="rl-btn" data-ref="step" data-testid="step" aria-keyshortcuts="ArrowRight" title="Run exactly one event (→)">
          <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2.5v11l7-5.5zM11 2.5h2.5v11H11z"/></svg>
          <span class="rl-btn-text">Step</span>
        </button>
      </div>
      <label class="rl-group rl-speed" title="Simulated time per real second: 0.01× to 100× in 15 steps (←/→ one step)">
        <span class="rl-label">Speed</span>
        <input type="range" min="0" max="14" step="1" value="4" data-ref="speed" data-testid="speed" aria-valuetext="0.20×">
        <output data-ref="speedOut" data-testid="speed-value">0.20×</output>
      </label>
      <button type="button" class="rl-btn rl-btn-toggle" data-ref="chartsToggle" data-testid="charts-toggle" aria-pressed="true" title="Show or hide the charts under the stage">
        <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 13.5h12V15H2zM3 8h2.5v4.5H3zM6.8 4h2.5v8.5H6.8zM10.6 6.5h2.5v6h-2.5z"/></svg>
        <span class="rl-btn-text">Charts</span>
      </button>
      <div class="rl-group rl-seed">
        <label class="rl-inline"><span class="rl-label">Seed</span>
          <input type="text" inputmode="numeric" class="rl-input rl-input-seed" data-ref="seed" data-testid="seed-input" spellcheck="false" autocomplete="off">
        </label>
        <button type="button" class="rl-btn" data-ref="reset" data-testid="reset" title="Start over from the scenario with this seed">
          <svg class="rl-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2.5a5.5 5.5 0 1 1-5.2 3.7l1.4.5A4 4 0 1 0 8 4v2L4.8 3.25 8 .5z"/></svg>
          <span class="rl-btn-text">Reset</span>
        </button>
      </div>
    </div>
    <div class="rl-timeline" data-ref="timeline" data-testid="timeline">
      <div class="rl-scrub-wrap">
        <input type="range" class="rl-scrub" min="0" max="1" step="100" value="0" data-ref="scrub" data-testid="scrubber" aria-label="Time in the run (seek)">
        <div class="rl-marks" data-ref="marks" data-testid="marks"></div>
      </div>
      <output class="rl-scrub-now" data-ref="scrubNow" data-testid="scrub-now"></output>
    </div>
    <div class="rl-canvas-wrap" data-ref="canvasWrap">
      <p class="rl-step-info" data-ref="stepInfo" data-testid="step-info" aria-live="polite"></p>
      <canvas class="rl-canvas" data-ref="canvas" data-testid="cluster-canvas" role="img" aria-label="Cluster diagram: nodes, logs and messages in flight (the list of nodes after it says the same in words)"></canvas>
      <ul class="rl-stage-list" data-ref="stageList" data-testid="stage-list" aria-label="Nodes: choose one to act on it in the Node tab"></ul>
      <div class="rl-tooltip" data-ref="tooltip" data-testid="tooltip" hidden></div>
      <p class="rl-canvas-hint">Click a node or a link · hover for details</p>
    </div>
    <section class="rl-charts" data-ref="charts" data-testid="charts" aria-label="Charts">
      <figure class="rl-chart">
        <figcaption><span class="rl-chart-title">Replica lag</span>
          <span class="rl-seg" role="group" aria-label="Lag unit">
            <button type="button" class="rl-seg-btn" data-ref="lagEntries" data-testid="lag-entries" aria-pressed="true" title="Entries replay trails the primary">entries</button>
            <button type="button" class="rl-seg-btn" data-ref="lagMs" data-testid="lag-ms" aria-pressed="false" title="Age of the oldest unapplied entry (pg_stat_replication replay_lag)">ms</button>
          </span>
        </figcaption>
        <div class="rl-chart-box"><canvas data-ref="chartLag" data-testid="chart-lag" role="img" aria-label="Replica lag over time"></canvas></div>
      </figure>
      <figure class="rl-chart">
        <figcaption><span class="rl-chart-title">Write latency</span><span class="rl-chart-sub">by ack policy</span></figcaption>
        <div class="rl-chart-box"><canvas data-ref="chartLatency" data-testid="chart-latency" role="img" aria-label="Write latency percentiles by acknowledgement policy"></canvas></div>
      </figure>
      <figure class="rl-chart">
        <figcaption><span class="rl-chart-title">Stale reads</span><span class="rl-chart-sub" data-ref="staleRate" data-testid="stale-rate"></span></figcaption>
        <div class="rl-chart-box"><canvas data-ref="chartStale" data-testid="chart-stale" role="img" aria-label="How stale the stale reads were"></canvas></div>
      </figure>
      <figure class="rl-chart">
        <figcaption><span class="rl-chart-title">Throughput</span><span class="rl-chart-sub">ops/s</span></figcaption>
        <div class="rl-chart-box"><canvas data-ref="chartThroughput" data-testid="chart-throughput" role="img" aria-label="Reads and writes per second over time"></canvas></div>
      </figure>
    </section>
    <details class="rl-legend" data-ref="legend" data-testid="legend">
      <summary>Key to the stage</summary>
      <p class="rl-narration" data-ref="narration" data-testid="narration"></p>
      <p class="rl-analogy" data-ref="analogy"><b>The backup band.</b> The primary is the lead singer: it sings every write. Replicas are backup singers repeating what they hear. A listener who asks a backup singer may hear an old verse: a <span class="rl-tag rl-tag-stale">stale read</span>.</p>
      <ul class="rl-keys" data-ref="ringKeys" data-testid="ring-keys" hidden>
        <li><i class="rl-ring-swatch"></i>token ranges (a colour per node)</li>
        <li><i class="rl-dot rl-dot-write"></i>client request</li>
        <li><i class="rl-dot rl-dot-mutation"></i>mutation (store)</li>
        <li><i class="rl-dot rl-dot-read"></i>data read</li>
        <li><i class="rl-dot rl-dot-digest"></i>digest</li>
        <li><i class="rl-dot rl-dot-ack"></i>ack</li>
        <li><i class="rl-dot rl-dot-reply"></i>reply</li>
        <li><i class="rl-dot rl-dot-repair"></i>read repair</li>
        <li><i class="rl-dot rl-dot-hints"></i>hint replay</li>
        <li><i class="rl-dot rl-dot-heartbeat"></i>gossip</li>
        <li><i class="rl-cut"></i>cut link</li>
        <li class="rl-keys-sep"><span class="rl-set-tag rl-set-w">W</span>acknowledged the write</li>
        <li><span class="rl-set-tag">w</span>has it, not counted</li>
        <li><span class="rl-set-tag rl-set-r">R</span>asked by the read</li>
        <li><span class="rl-set-tag rl-set-both">R∩W</span>both: the overlap</li>
        <li><span class="rl-set-tag rl-set-hints">2 hints</span>hints waiting on a node</li>
      </ul>
      <ul class="rl-keys" data-ref="leaderKeys">
        <li><i class="rl-dot rl-dot-append"></i>append (n entries)</li>
        <li><i class="rl-dot rl-dot-heartbeat"></i>heartbeat</li>
        <li><i class="rl-dot rl-dot-ack"></i>ack</li>
        <li><i class="rl-dot rl-dot-nack"></i>nack</li>
        <li><i class="rl-dot rl-dot-write"></i>client write</li>
        <li><i class="rl-dot rl-dot-read"></i>client read</li>
        <li><i class="rl-dot rl-dot-reply"></i>reply</li>
        <li><i class="rl-dot rl-dot-lost"></i>lost</li>
        <li data-testid="legend-vote"><i class="rl-dot rl-dot-vote-request"></i>vote request</li>
        <li><i class="rl-dot rl-dot-vote"></i>vote</li>
        <li><i class="rl-dot rl-dot-snapshot"></i>base backup</li>
        <li><i class="rl-ring"></i>election countdown</li>
        <li><i class="rl-cut"></i>cut link</li>
        <li class="rl-keys-sep"><i class="rl-cell rl-cell-received"></i>received</li>
        <li><i class="rl-cell rl-cell-flushed"></i>flushed</li>
        <li><i class="rl-cell rl-cell-applied"></i>applied</li>
        <li><i class="rl-cell rl-cell-missing"></i>missing</li>
        <li class="rl-keys-sep"><i class="rl-swatch rl-good"></i>in sync</li>
        <li><i class="rl-swatch rl-warn"></i>behind</li>
        <li><i class="rl-swatch rl-bad"></i>far behind</li>
      </ul>
      <p class="rl-knobs" data-ref="legendKnobs" data-testid="legend-knobs">Acks are async: PostgreSQL <code>synchronous_commit=local</code>, MongoDB <code>w:1</code>. Lag = <code>pg_stat_replication</code> write / flush / replay lag.</p>
    </details>
  </section>

  <aside class="rl-side">
    <div class="rl-tabs" role="tablist" aria-label="Panels">
      <button type="button" role="tab" class="rl-tab" data-tab="ops" data-testid="tab-ops" aria-selected="true" title="Operations">Ops</button>
      <button type="button" role="tab" class="rl-tab" data-tab="writes" data-testid="tab-writes" aria-selected="false">Writes</button>
      <button type="button" role="tab" class="rl-tab" data-tab="reads" data-testid="tab-reads" aria-selected="false">Reads</button>
      <button type="button" role="tab" class="rl-tab" data-tab="load" data-testid="tab-load" aria-selected="false">Load</button>
      <button type="button" role="tab" class="rl-tab" data-tab="node" data-testid="tab-node" aria-selected="false" title="The selected node">Node</button>
      <button type="button" role="tab" class="rl-tab" data-tab="cluster" data-testid="tab-cluster" aria-selected="false">Cluster</button>
      <button type="button" role="tab" class="rl-tab" data-tab="faults" data-testid="tab-faults" aria-selected="false">Faults</button>
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
        <form class="rl-form rl-form-cas" data-ref="casForm" data-testid="cas-form" autocomplete="off" title="Compare-and-set: the primary sets the key only if it holds the expected value (leave it empty: only if the key was never written)">
          <span class="rl-form-title">CAS</span>
          <input class="rl-input" data-ref="casKey" data-testid="cas-key" value="k1" aria-label="Key to compare and set" spellcheck="false">
          <span class="rl-eq">if</span>
          <input class="rl-input" data-ref="casExpected" data-testid="cas-expected" value="hello" placeholder="absent" aria-label="Expected value (empty: the key must be absent)" spellcheck="false">
          <span class="rl-eq">→</span>
          <input class="rl-input" data-ref="casNew" data-testid="cas-new" value="world" aria-label="New value" spellcheck="false">
          <button type="submit" class="rl-btn" data-testid="cas-submit">CAS</button>
        </form>
        <form class="rl-form" data-ref="readForm" data-testid="read-form" autocomplete="off">
          <span class="rl-form-title">Read</span>
          <input class="rl-input" data-ref="readKey" data-testid="read-key" value="k1" aria-label="Key to read" spellcheck="false">
          <span class="rl-eq">@</span>
          <select class="rl-input" data-ref="readNode" data-testid="read-node" aria-label="Node to read from"></select>
          <button type="submit" class="rl-btn" data-testid="read-submit">Read</button>
        </form>
        <div class="rl-form-opts">
          <label class="rl-inline" title="The acknowledgement policy of your next write (lab.writeWith)"><span class="rl-label">your write waits for</span>
            <select class="rl-input rl-input-sm" data-ref="manualAck" data-testid="manual-ack">
              <option value="">the cluster setting</option>
              <option value="&quot;off&quot;">nothing (off)</option>
              <option value="&quot;async&quot;">no replica (async)</option>
              <option value="{&quot;replicas&quot;:1,&quot;select&quot;:&quot;any&quot;,&quot;point&quot;:&quot;flushed&quot;}">ANY 1 flushed</option>
              <option value="&quot;majority&quot;">a majority</option>
              <option value="{&quot;replicas&quot;:&quot;all&quot;,&quot;select&quot;:&quot;any&quot;,&quot;point&quot;:&quot;applied&quot;}">all, applied</option>
            </select>
          </label>
          <label class="rl-inline" title="The consistency level of your next read (lab.readWith): MongoDB read concern, session guarantees"><span class="rl-label">your read is</span>
            <select class="rl-input rl-input-sm" data-ref="manualLevel" data-testid="manual-level">
              <option value="&quot;eventual&quot;">eventual</option>
              <option value="&quot;readYourWrites&quot;">read-your-writes</option>
              <option value="&quot;monotonic&quot;">monotonic</option>
              <option value="{&quot;boundedStaleness&quot;:{&quot;max&quot;:&quot;200ms&quot;}}">≤ 200 ms stale</option>
              <option value="&quot;majority&quot;">majority-committed</option>
              <option value="&quot;linearizable&quot;">linearizable</option>
            </select>
          </label>
        </div>
        <p class="rl-manual" data-ref="manualResult" data-testid="manual-result" aria-live="polite">Your writes go to the primary; read from any node.</p>
      </div>

      <div class="rl-counters" data-testid="counters">
        <div class="rl-counter"><b data-ref="cWritesOk" data-testid="count-writes-ok">0</b><span>writes ok</span></div>
        <div class="rl-counter"><b data-ref="cWritesUnknown" data-testid="count-writes-unknown">0</b><span>unknown</span></div>
        <div class="rl-counter"><b data-ref="cReadsOk" data-testid="count-reads-ok">0</b><span>reads ok</span></div>
        <div class="rl-counter rl-counter-stale"><b data-ref="cStale" data-testid="count-stale">0</b><span data-ref="cStalePct">stale</span></div>
      </div>

      <div class="rl-card rl-anomalies" data-ref="anomalyCard" data-testid="anomalies" data-state="clean">
        <div class="rl-row"><h3 class="rl-h">Checks</h3><span class="rl-anomaly-summary" data-ref="anomalySummary" data-testid="anomaly-summary">Nothing found so far</span></div>
        <ul class="rl-anomaly-list" data-ref="anomalyList" data-testid="anomaly-list" aria-live="polite"></ul>
        <p class="rl-hint" data-ref="anomalyNote"></p>
      </div>

      <div class="rl-ops-selected" data-ref="opsPinnedBox" data-testid="ops-selected" hidden>
        <div class="rl-row"><span class="rl-label">Selected by the checks</span><span class="rl-spacer"></span><button type="button" class="rl-btn rl-btn-xs" data-ref="opsPinnedClear" data-testid="ops-selected-clear">clear</button></div>
        <ol class="rl-ops" data-ref="opsPinned" aria-label="Operations an anomaly names"></ol>
      </div>

      <ol class="rl-ops" data-ref="ops" data-testid="ops-list" aria-label="Recent operations, newest first"></ol>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="writes" hidden>
      <form class="rl-card" data-ref="ackForm" data-testid="ack-form" autocomplete="off">
        <h3 class="rl-h">When is a write “ok”?</h3>
        <p class="rl-hint rl-hint-top">The primary flushes every write to its own log, then waits for the replicas this policy asks for before it answers the client.</p>
        <div class="rl-fields">
          <label class="rl-field rl-field-wide">wait for
            <select class="rl-input" data-ref="ackMode" data-testid="ack-mode">
              <option value="off">nothing, not even its own disk (off)</option>
              <option value="async">no replica (async)</option>
              <option value="first">FIRST k (by priority)</option>
              <option value="any">ANY k (quorum)</option>
              <option value="majority">a majority</option>
              <option value="all">all replicas (sync)</option>
            </select>
          </label>
          <label class="rl-field rl-field-k">k
            <input type="number" min="1" max="8" step="1" class="rl-input" data-ref="ackK" data-testid="ack-k" value="1">
          </label>
          <label class="rl-field">each has
            <select class="rl-input" data-ref="ackPoint" data-testid="ack-point">
              <option value="received">received it</option>
              <option value="flushed">flushed it</option>
              <option value="applied">applied it</option>
            </select>
          </label>
        </div>
        <div class="rl-knob-hint" data-ref="ackHint" data-testid="ack-hint"></div>
      </form>

      <form class="rl-card" data-ref="fallbackForm" data-testid="fallback-form" autocomplete="off">
        <h3 class="rl-h">When too few replicas answer</h3>
        <div class="rl-row">
          <select class="rl-input" data-ref="fallbackMode" data-testid="fallback-mode" aria-label="What the primary does">
            <option value="block">block until they do</option>
            <option value="fallback">fall back to async after</option>
          </select>
          <input class="rl-input rl-input-num" data-ref="fallbackMs" data-testid="fallback-ms" value="10000" inputmode="numeric" spellcheck="false" aria-label="Fallback timeout in milliseconds">
          <span class="rl-muted">ms</span>
        </div>
        <div class="rl-knob-hint" data-ref="fallbackHint" data-testid="fallback-hint"></div>
      </form>

      <form class="rl-card" data-ref="visibilityForm" data-testid="visibility-form" autocomplete="off">
        <h3 class="rl-h">When others can read a write</h3>
        <div class="rl-row">
          <select class="rl-input" data-ref="visibility" data-testid="visibility" aria-label="When a write becomes visible at the primary">
            <option value="afterSync">once acknowledged (after sync)</option>
            <option value="afterCommit">at the primary's commit (before replicas)</option>
          </select>
        </div>
        <div class="rl-knob-hint" data-ref="visibilityHint" data-testid="visibility-hint"></div>
      </form>

      <div class="rl-card rl-status-card" data-ref="ackStatus" data-testid="ack-status" data-state="async">
        <div class="rl-row"><span class="rl-status-dot"></span><b data-ref="ackStatusTitle">Asynchronous</b><span class="rl-spacer"></span><span class="rl-muted" data-ref="ackWaiting" data-testid="ack-waiting"></span></div>
        <p class="rl-hint" data-ref="ackStatusText"></p>
      </div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="reads" hidden>
      <form class="rl-card" data-ref="readsForm" data-testid="reads-form" autocomplete="off">
        <h3 class="rl-h">Where the workload reads</h3>
        <div class="rl-fields">
          <label class="rl-field rl-field-wide">read from
            <select class="rl-input" data-ref="readFrom" data-testid="read-from">
              <option value="primary">the primary</option>
              <option value="anyReplica">any replica</option>
              <option value="any">any node</option>
              <option value="nearest">the nearest node</option>
            </select>
          </label>
        </div>
        <div class="rl-knob-hint" data-ref="readFromHint" data-testid="read-from-hint"></div>
        <h3 class="rl-h">What a read promises</h3>
        <div class="rl-fields">
          <label class="rl-field rl-field-wide">level
            <select class="rl-input" data-ref="readLevel" data-testid="read-level">
              <option value="eventual">eventual</option>
              <option value="readYourWrites">read your writes</option>
              <option value="monotonic">monotonic reads</option>
              <option value="boundedStaleness">bounded staleness</option>
              <option value="majority">majority-committed</option>
              <option value="linearizable">linearizable</option>
            </select>
          </label>
          <label class="rl-field rl-field-k">max ms
            <input class="rl-input" data-ref="readMaxMs" data-testid="read-max-ms" value="200" inputmode="numeric" spellcheck="false">
          </label>
          <label class="rl-field">if behind
            <select class="rl-input" data-ref="onBehind" data-testid="on-behind">
              <option value="wait">wait</option>
              <option value="redirect">go to primary</option>
            </select>
          </label>
        </div>
        <div class="rl-knob-hint" data-ref="readLevelHint" data-testid="read-level-hint"></div>
      </form>
      <div class="rl-card" data-ref="pbsCard" data-testid="pbs-card" hidden>
        <h3 class="rl-h">How stale, how long? (PBS)</h3>
        <div class="rl-fields">
          <label class="rl-field">write at
            <select class="rl-input" data-ref="pbsWrite" data-testid="pbs-write"><option value="ANY">ANY</option><option value="ONE">ONE</option><option value="TWO">TWO</option><option value="THREE">THREE</option><option value="QUORUM">QUORUM</option><option value="ALL">ALL</option></select>
          </label>
          <label class="rl-field">read at
            <select class="rl-input" data-ref="pbsRead" data-testid="pbs-read"><option value="ONE">ONE</option><option value="TWO">TWO</option><option value="THREE">THREE</option><option value="QUORUM">QUORUM</option><option value="ALL">ALL</option></select>
          </label>
          <label class="rl-field">coordinator
            <select class="rl-input" data-ref="pbsCoordinator" data-testid="pbs-coordinator">
              <option value="tokenAware">token-aware</option>
              <option value="random">random</option>
              <option value="nearest">nearest</option>
            </select>
          </label>
        </div>
        <div class="rl-chart-box rl-chart-box-tall"><canvas data-ref="chartPbs" data-testid="chart-pbs" role="img" aria-label="Probability that a read returns a write against the time after its commit"></canvas></div>
        <p class="rl-hint" data-ref="pbsStatus" data-testid="pbs-status">The chance that a read started t ms after a write committed returns it (Bailis et al., Probabilistically Bounded Staleness), by Monte Carlo over this ring's link latencies. The levels here are for the curve only.</p>
      </div>
      <div class="rl-card rl-notes">
        <h3 class="rl-h">Fresh, fast or both?</h3>
        <p><b>Replicas answer from what they have applied.</b> A read there is cheap and close, but it may miss a write the primary already acknowledged: a <span class="rl-tag rl-tag-stale">STALE</span> read. PostgreSQL hot standby and MongoDB read concern <code>local</code> on a secondary work this way.</p>
        <p><b>Session guarantees</b> carry a token (the LSN of your last write, or the newest position you have read); a replica behind the token waits or sends you to the primary (<span class="rl-tag rl-tag-info">REDIRECT</span>).</p>
        <p><b>Majority-committed</b> reads return only what a majority has stored: a failover can never take it back, but it may be old (MongoDB <code>readConcern: "majority"</code>).</p>
        <p><b>Linearizable</b> reads go to the primary, which first commits an entry of its own term, checks with a majority that it still leads, and waits until what it could show is committed (Raft's read index; MongoDB <code>readConcern: "linearizable"</code>).</p>
      </div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="load" hidden>
      <form class="rl-card" data-ref="workloadForm" data-testid="workload-form" autocomplete="off">
        <h3 class="rl-h">Workload</h3>
        <div class="rl-grid4">
          <label>clients<input class="rl-input" data-ref="wlClients" data-testid="wl-clients" inputmode="numeric" spellcheck="false"></label>
          <label>ops/s each<input class="rl-input" data-ref="wlRate" data-testid="wl-rate" inputmode="decimal" spellcheck="false"></label>
          <label>reads %<input class="rl-input" data-ref="wlReads" data-testid="wl-reads" inputmode="decimal" spellcheck="false"></label>
          <label>keys<input class="rl-input" data-ref="wlKeys" data-testid="wl-keys" inputmode="numeric" spellcheck="false"></label>
        </div>
        <div class="rl-row">
          <span class="rl-hint">Each client sends one request at a time, at this rate. Read-heavy traffic is what replicas help with.</span>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="wl-apply">Apply</button>
        </div>
      </form>

      <form class="rl-card" data-ref="serviceForm" data-testid="service-form" autocomplete="off">
        <div class="rl-row">
          <h3 class="rl-h">Service time</h3>
          <span class="rl-spacer"></span>
          <label class="rl-switch"><input type="checkbox" data-ref="svcOn" data-testid="service-on"><span>nodes take time to serve</span></label>
        </div>
        <div class="rl-grid4">
          <label>read<input class="rl-input" data-ref="svcRead" data-testid="service-read" value="2" spellcheck="false"></label>
          <label>write<input class="rl-input" data-ref="svcWrite" data-testid="service-write" value="4" spellcheck="false"></label>
          <label>workers<input class="rl-input" data-ref="svcWorkers" data-testid="service-workers" value="1" inputmode="numeric" spellcheck="false"></label>
          <label>queue limit<input class="rl-input" data-ref="svcQueue" data-testid="service-queue" value="100" inputmode="numeric" spellcheck="false"></label>
        </div>
        <div class="rl-row">
          <span class="rl-hint">Milliseconds per request. Requests wait in a FIFO queue for a free worker; a full queue refuses them (“overloaded”), like a full connection pool (PostgreSQL <code>max_connections</code>). Each node shows its queue and ops/s.</span>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="service-apply">Apply</button>
        </div>
      </form>

      <div class="rl-card">
        <div class="rl-row">
          <h3 class="rl-h">Read scaling</h3>
          <span class="rl-spacer"></span>
          <button type="button" class="rl-btn rl-btn-primary" data-ref="scaleRun" data-testid="scaling-run">Measure 1 · 2 · 4 · 8 replicas</button>
        </div>
        <div class="rl-chart-box rl-chart-box-tall"><canvas data-ref="chartScaling" data-testid="chart-scaling" role="img" aria-label="Reads and writes per second against the number of replicas"></canvas></div>
        <p class="rl-hint" data-ref="scaleStatus" data-testid="scaling-status">Runs the current settings in separate worlds with 1, 2, 4 and 8 replicas (a few simulated seconds each). Reads spread over the replicas; every write still goes through the one primary.</p>
      </div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="node" hidden>
      <div data-ref="inspector" data-testid="inspector"></div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="faults" hidden>
      <div class="rl-card rl-status-card" data-ref="failStatus" data-testid="fail-status" data-state="ok">
        <p data-ref="failHeadline" data-testid="fail-headline"></p>
        <p class="rl-hint" data-ref="failDetail" data-testid="fail-detail"></p>
      </div>
      <form class="rl-card" data-ref="failoverForm" data-testid="failover-form" autocomplete="off">
        <h3 class="rl-h">When the primary goes quiet</h3>
        <div class="rl-row">
          <select class="rl-input" data-ref="failMode" data-testid="failover-mode" aria-label="Failover mode">
            <option value="raft">elect a new primary (Raft: terms, votes, fencing)</option>
            <option value="naive">naive failover manager (no quorum, no fencing)</option>
            <option value="off">nobody takes over</option>
          </select>
        </div>
        <div class="rl-row">
          <label class="rl-field">election timeout <span class="rl-unit">ms</span>
            <input class="rl-input" data-ref="failTimeout" data-testid="failover-timeout" inputmode="numeric" size="6"></label>
          <label class="rl-check"><input type="checkbox" data-ref="failPreVote" data-testid="failover-prevote"> pre-vote</label>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="failover-apply">Apply</button>
        </div>
        <p class="rl-hint" data-ref="failHint"></p>
      </form>
      <div class="rl-card" data-testid="partition-card">
        <h3 class="rl-h">Partition the network</h3>
        <p class="rl-hint">Click nodes to move them to the other side, then cut. Clients are split too (client <i>i</i> sits with node <i>i</i> mod n).</p>
        <div class="rl-row rl-sides" data-ref="partSides" data-testid="partition-sides"></div>
        <div class="rl-row">
          <button type="button" class="rl-btn rl-btn-danger" data-ref="partCut" data-testid="partition-cut">Partition</button>
          <button type="button" class="rl-btn rl-btn-primary" data-ref="partHeal" data-testid="partition-heal">Heal</button>
        </div>
      </div>
      <div class="rl-card">
        <h3 class="rl-h">Failovers</h3>
        <ol class="rl-faillog" data-ref="failLog" data-testid="failover-log"></ol>
        <p class="rl-hint">Crash, pause, isolate, promote or switch over a node from its inspector (click it on the stage).</p>
      </div>
    </section>

    <section class="rl-panel" role="tabpanel" data-panel="cluster" hidden>
      <div class="rl-card" data-testid="geo-card">
        <h3 class="rl-h">Geography</h3>
        <div class="rl-row">
          <select class="rl-input" data-ref="geoPreset" data-testid="geo-preset" aria-label="Geography preset">
            <option value="none">no regions (one data centre)</option>
            <option value="single">one region</option>
            <option value="two">two regions</option>
            <option value="three">three regions</option>
          </select>
          <span class="rl-hint" data-ref="geoHint" data-testid="geo-hint"></span>
        </div>
        <div class="rl-table-wrap"><table class="rl-table rl-geo-table" data-ref="geoTable" data-testid="geo-table"></table></div>
        <p class="rl-hint" data-ref="geoNote">Nodes and clients are placed round-robin over the regions; links take the one-way latency between them. Reading from the <b>nearest</b> node is faster, but a replica far from the primary is staler.</p>
      </div>

      <form class="rl-card" data-ref="quorumForm" data-testid="quorum-form" autocomplete="off" hidden>
        <h3 class="rl-h">Quorums on the ring</h3>
        <div class="rl-quorum-grid">
          <span>N, copies of each key</span><b data-ref="quorumN" data-testid="quorum-n"></b>
          <span>W, writes wait for</span>
          <select class="rl-input" data-ref="quorumW" data-testid="quorum-w" aria-label="Write consistency level (W)"></select>
          <span>R, reads ask</span>
          <select class="rl-input" data-ref="quorumR" data-testid="quorum-r" aria-label="Read consistency level (R)"></select>
          <span>Key on the stage</span>
          <select class="rl-input" data-ref="quorumKey" data-testid="quorum-key" aria-label="Key whose replicas the stage highlights"></select>
        </div>
        <p class="rl-quorum-verdict" data-ref="quorumVerdict" data-testid="quorum-verdict"></p>
        <p class="rl-hint" data-ref="quorumRiak" data-testid="quorum-riak"></p>
        <p class="rl-hint" data-ref="quorumKeyText" data-testid="quorum-key-text"></p>
      </form>

      <div class="rl-card">
        <h3 class="rl-h">Nodes</h3>
        <div class="rl-row">
          <span class="rl-big" data-ref="nodeCount" data-testid="node-count">4</span><span class="rl-muted">nodes (1 to 9)</span>
          <span class="rl-spacer"></span>
          <button type="button" class="rl-btn" data-ref="addReplica" data-testid="add-replica">+ Add replica</button>
          <button type="button" class="rl-btn" data-ref="removeReplica" data-testid="remove-replica">− Remove</button>
        </div>
        <p class="rl-hint" data-ref="nodesHint">A new replica starts empty and catches up from the primary's log, like a fresh standby.</p>
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
          <button type="button" class="rl-btn rl-btn-danger" data-ref="linkCut" data-testid="link-cut" title="Cut this link (only this direction with “one way”): messages on it are dropped">Cut</button>
          <button type="button" class="rl-btn" data-ref="linkRestore" data-testid="link-restore" title="Restore this link (both directions unless “one way”)">Restore</button>
          <button type="submit" class="rl-btn rl-btn-primary" data-testid="link-apply">Set link</button>
        </div>
      </form>

      <div class="rl-card rl-notes" data-ref="ringNotes" data-testid="ring-notes" hidden>
        <h3 class="rl-h">The knobs behind this</h3>
        <p><b>The ring.</b> Each node owns several virtual nodes (Cassandra <code>num_tokens</code>); a key hashes to a token and its N copies live on the next N distinct nodes clockwise (<code>replication_factor</code>, Riak <code>n_val</code>). Any node coordinates any request.</p>
        <p><b>Consistency levels.</b> A write waits for W replicas, a read asks R (Cassandra <code>ONE</code>, <code>QUORUM</code>, <code>ALL</code>; Riak <code>w</code>, <code>r</code>). With R + W &gt; N every read set meets every acknowledged write set in a replica: the read sees the write.</p>
        <p><b>Last write wins.</b> Each write carries its coordinator's clock; replicas keep the newest, so a skewed clock can make a later write lose. Read repair writes the newest version back to the replicas a read found stale; hints kept for a replica that was down are replayed when it returns.</p>
      </div>
      <div class="rl-card rl-notes" data-ref="leaderNotes">
        <h3 class="rl-h">The knobs behind this</h3>
        <p><b>Asynchronous acks.</b> A write is "ok" once the primary has flushed it to its own disk; replicas catch up afterwards. That is PostgreSQL <code>synchronous_commit = local</code>, MongoDB <code>w: 1</code>, MySQL's default asynchronous replication. Fast, but a reader may see old data for a while.</p>
        <p><b>Lag.</b> Each replica reports three positions, the columns of PostgreSQL's <code>pg_stat_replication</code>: <em>write</em> (received), <em>flush</em> (on disk) and <em>replay</em> (applied, visible to reads). The lag shown is how many entries, and for how long, replay trails the primary.</p>
        <p><b>The backup band.</b> The primary is the lead singer: it sings every write. Replicas are backup singers repeating what they hear; a listener who asks a backup singer may hear an old verse (a stale read).</p>
        <p><b>Scaling.</b> Replicas add read capacity and survive a crash, but every write still goes through the one primary.</p>
      </div>
    </section>
  </aside>
</div>
<div class="rl-sr" role="status" aria-live="polite" data-ref="live" data-testid="live"></div>
`;

/** Collects the `data-ref` elements of a root into an object. */
export function collectRefs(root) {
  const refs = {};
  for (const el of root.querySelectorAll('[data-ref]')) refs[el.dataset.ref] = el;
  return refs;
}
