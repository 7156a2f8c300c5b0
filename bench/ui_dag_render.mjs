// Times the Models view of `baliza ui` in Debian's headless chromium (DevTools protocol over a
// pipe): from navigation to the first frame drawn after the graph was rendered (by cytoscape, or
// above 1,000 nodes by the page's canvas drawing, graph_canvas.js).
//   node bench/ui_dag_render.mjs <ui base url> [runs=3]
// For each view (the default one: the whole graph, or its overview of groups above 2,500 nodes;
// the largest group; a node's neighbourhood; every node drawn) prints, per run: nodes drawn,
// ms from navigation to drawn, and the page's own split (fetch of the JSON, building the
// elements, the renderer's init (named: cytoscape or canvas), first frame).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const chromium = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser']).toString().trim();
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'baliza-bench-chromium-'));
const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
  '--remote-debugging-pipe', '--user-data-dir=' + profile, '--window-size=1400,900', 'about:blank'],
{ stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
let nextId = 1, buffer = '';
const pending = new Map();
browser.stdio[4].on('data', (chunk) => {
  buffer += chunk.toString();
  let at;
  while ((at = buffer.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buffer.slice(0, at));
    buffer = buffer.slice(at + 1);
    if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  }
});
const send = (method, params = {}, sessionId) => new Promise((resolve) => {
  const id = nextId++;
  pending.set(id, resolve);
  browser.stdio[3].write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
});
const { result: { targetId } } = await send('Target.createTarget', { url: 'about:blank' });
const { result: { sessionId } } = await send('Target.attachToTarget', { targetId, flatten: true });
const evaluate = async (expression) => (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId)).result.result.value;

async function time(hash, label, n) {
  for (let i = 0; i < n; i++) {
    await send('Page.navigate', { url: base + '?run=' + label.replace(/\W/g, '') + i + hash }, sessionId);
    const t0 = Date.now();
    let rendered = '';
    while (!rendered && Date.now() - t0 < 180000) {
      rendered = await evaluate(`(document.getElementById('graph') || {dataset: {}}).dataset.rendered || ''`).catch(() => '');
      if (!rendered) await new Promise((r) => setTimeout(r, 20));
    }
    const split = await evaluate('window.balizaGraphTimings');
    const total = await evaluate(`Math.round(performance.now())`);
    console.log(`${label} run ${i + 1}: ${rendered} nodes (${split.mode}); navigation to drawn ${total} ms` +
      ` (fetch ${split.fetch}, build ${split.build}, ${split.renderer || "cytoscape"} ${split.cytoscape}, first frame ${split.draw})`);
  }
}

await time('#/models', 'default view', runs);
// The largest group of the overview, and the neighbourhood of a node in the middle of the DAG.
await send('Page.navigate', { url: base + '#/runs' }, sessionId);
await new Promise((r) => setTimeout(r, 500));
const largest = await evaluate(`fetch('/api/models').then((r) => r.json()).then((m) => m.groups ? m.groups.reduce((a, b) => (b.count > a.count ? b : a)).id : '')`);
if (largest) await time('#/models?group=' + encodeURIComponent(largest), 'largest group', runs);
const middle = await evaluate(`fetch('/api/models/search?q=int_&limit=500').then((r) => r.json()).then((h) => (h[Math.floor(h.length / 2)] || {}).id || '')`);
if (middle) await time('#/models?focus=' + encodeURIComponent(middle), 'neighbourhood', runs);
await time('#/models?all=1', 'every node', runs);
await send('Browser.close');
setTimeout(() => { try { fs.rmSync(profile, { recursive: true, force: true }); } catch { /* exiting */ } process.exit(0); }, 500);
