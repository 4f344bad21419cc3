// The npm package (www/pkg, as scripts/build.sh leaves it): its package.json names the
// module, the wasm and the types; its README is the package's own; `npm pack` would ship
// the module, the wasm, the types and the README; and it works when imported in Node the
// way its README says (initSync with the wasm's bytes), types included.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('../../www/pkg/', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(`${PKG}package.json`, 'utf8'));

describe('The npm package', () => {
  it('has a package.json naming its module, types and files', () => {
    assert.equal(pkg.name, 'replica-lab');
    assert.match(pkg.version, /^\d+\.\d+\.\d+/);
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.main, 'replica_lab.js');
    assert.equal(pkg.types, 'replica_lab.d.ts');
    for (const f of ['replica_lab.js', 'replica_lab_bg.wasm', 'replica_lab.d.ts', 'README.md']) assert.ok(pkg.files.includes(f), f);
  });

  it('has its own README', () => {
    const readme = fs.readFileSync(`${PKG}README.md`, 'utf8');
    assert.match(readme, /^# replica-lab \(WebAssembly package\)/);
    assert.match(readme, /initSync/);
  });

  it('packs the module, the wasm, the types and the README', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG, encoding: 'utf8' });
    const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
    for (const f of ['README.md', 'package.json', 'replica_lab.d.ts', 'replica_lab.js', 'replica_lab_bg.wasm']) assert.ok(files.includes(f), `${f} in ${files}`);
  });

  it('declares its API in TypeScript', () => {
    const dts = fs.readFileSync(`${PKG}replica_lab.d.ts`, 'utf8');
    assert.match(dts, /export class Lab \{/);
    assert.match(dts, /constructor\(scenario: string, seed: number\);/);
    assert.match(dts, /historyJson\(\): string;/);
    assert.match(dts, /export function checkHistory\(text: string, options: any\): any;/);
    assert.match(dts, /export function initSync\(/);
  });

  it('runs in Node as its README says', async () => {
    const { initSync, Lab, checkHistory } = await import(`${PKG}replica_lab.js`);
    initSync({ module: fs.readFileSync(`${PKG}replica_lab_bg.wasm`) });
    const lab = new Lab(JSON.stringify({ nodes: 3, replication: { ackPolicy: 'majority' } }), 42);
    lab.advanceTo(5_000_000, 1e9);
    const primary = lab.snapshot(0, 0).primary;
    assert.equal(primary, 0);
    lab.crash(primary);
    lab.advanceTo(10_000_000, 1e9);
    const snap = lab.snapshot(8, 20);
    assert.ok(snap.failovers.length >= 1, 'a replica took over');
    assert.notEqual(snap.primary, 0);
    const report = checkHistory(lab.historyJson(), { timeoutMs: 5000 });
    assert.equal(report.operations, lab.summary().anomalies.operations);
    // The same seed, the same run.
    const again = new Lab(JSON.stringify({ nodes: 3, replication: { ackPolicy: 'majority' } }), 42);
    again.advanceTo(5_000_000, 1e9);
    again.crash(0);
    again.advanceTo(10_000_000, 1e9);
    assert.equal(again.traceHash(), lab.traceHash());
    lab.free();
    again.free();
  });
});
