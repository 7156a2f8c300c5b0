// Times the Models view of `baliza ui` in Debian's headless chromium (DevTools protocol over a
// pipe): from navigation to cytoscape's first render of the whole DAG.
//   node bench/ui_dag_render.mjs <ui base url> [runs=3]
// Prints one line per run: nodes rendered, ms to fetch+render, ms inside cytoscape.
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
for (let i = 0; i < runs; i++) {
  await send('Page.navigate', { url: base + '?run=' + i + '#/models' }, sessionId);
  const t0 = Date.now();
  let rendered = '';
  while (!rendered && Date.now() - t0 < 120000) {
    rendered = await evaluate(`(document.getElementById('graph') || {dataset: {}}).dataset.rendered || ''`).catch(() => '');
    if (!rendered) await new Promise((r) => setTimeout(r, 20));
  }
  const inside = await evaluate('window.balizaGraphMs');
  const total = await evaluate(`performance.now()`);
  console.log(`run ${i + 1}: ${rendered} nodes; page load to rendered ${Math.round(total)} ms (cytoscape ${Math.round(inside)} ms)`);
}
await send('Browser.close');
setTimeout(() => { try { fs.rmSync(profile, { recursive: true, force: true }); } catch { /* exiting */ } process.exit(0); }, 500);
