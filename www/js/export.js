// Downloads of what a run produced: the history in Jepsen's format (docs/history-format.md,
// what `cargo run --example check` and the runner's `--history` read and write), the trace
// (the recent events the lab keeps, with the run's identity and trace hash), and the stage
// as a PNG (the canvas as drawn now). Each is a file the browser saves; nothing leaves the
// page otherwise. A sandboxed frame without allow-downloads saves nothing (the browser's
// rule), and says so in the note.

/** The run's identity, for file names: "backup-band-seed42-t12.5s". */
function stem(app) {
  const lab = app.controller.lab;
  const name = (app.controller.scenario?.name || 'run').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  return `${name}-seed${lab.seed()}-t${(lab.now() / 1e6).toFixed(3).replace(/\.?0+$/, '')}s`;
}

function save(blob, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return filename;
}

/** Saves the history (Jepsen JSON); returns the file name. */
export function exportHistory(app) {
  return save(new Blob([app.controller.lab.historyJson()], { type: 'application/json' }), `${stem(app)}-history.json`);
}

/** Saves the trace the lab keeps (its newest events) with the run's identity; returns the file name. */
export function exportTrace(app) {
  const lab = app.controller.lab;
  const events = lab.eventsSince(0, 1 << 30);
  const trace = {
    scenario: app.controller.scenario?.name ?? '',
    seed: lab.seed(),
    now: lab.now(),
    eventsProcessed: lab.eventsProcessed(),
    traceHash: lab.traceHash(),
    actions: JSON.parse(lab.actions()),
    kept: events.length,
    events,
  };
  return save(new Blob([JSON.stringify(trace, null, 1)], { type: 'application/json' }), `${stem(app)}-trace.json`);
}

/** Saves the stage as drawn now, as a PNG; resolves to the file name. */
export function exportPng(app) {
  const canvas = app.refs.canvas;
  app.renderer.draw(app.bus.snapshot);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(save(blob, `${stem(app)}-stage.png`)) : reject(new Error('the stage could not be drawn as a PNG'))), 'image/png');
  });
}

/** The Export button and its box: one button per download, a note saying what was saved. */
export function wireExport(app, refs, bus) {
  const toggle = (open) => {
    refs.exportBox.hidden = !open;
    refs.exportBtn.setAttribute('aria-expanded', String(open));
  };
  bus.listen(refs.exportBtn, 'click', () => toggle(refs.exportBox.hidden));
  bus.listen(refs.exportClose, 'click', () => toggle(false));
  const run = async (fn) => {
    try {
      refs.exportNote.textContent = `Saved ${await fn(app)}`;
    } catch (e) {
      refs.exportNote.textContent = `Not saved: ${e.message ?? e}`;
    }
  };
  bus.listen(refs.exportHistory, 'click', () => run(exportHistory));
  bus.listen(refs.exportTrace, 'click', () => run(exportTrace));
  bus.listen(refs.exportPng, 'click', () => run(exportPng));
}
