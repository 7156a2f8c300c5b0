// The UI in a real browser: Debian's chromium, headless, driven through the DevTools protocol
// over a pipe (--remote-debugging-pipe; no npm package, no downloaded browser). Against a demo
// database it opens every view and checks that it loads without console errors, that a mart
// row traces back to a raw page and its JSON record, and that a value holding <script> and an
// <img onerror> renders as text; and, on a 2,600-model project, that every node is drawn (the
// canvas renderer) and that pointing, clicking and searching reach a node's status, neighbourhood
// and page. Screenshots of each view go to the folder given.
//
//   node tests/e2e/ui_browser_test.mjs <baliza binary> <screenshot folder>
// Exit code 0 when every check passed; prints "N passed, M failed".
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [baliza, shots] = process.argv.slice(2);
if (!baliza || !shots) { console.error('usage: ui_browser_test.mjs <baliza> <screenshot dir>'); process.exit(2); }
const chromium = ['chromium', 'chromium-browser'].map((c) => { try { return execFileSync('sh', ['-c', 'command -v ' + c]).toString().trim(); } catch { return ''; } }).find(Boolean);
if (!chromium) { console.error('chromium is not installed (scripts/setup installs it)'); process.exit(3); }

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'baliza-ui-browser-'));
fs.mkdirSync(shots, { recursive: true });
const run = (args) => execFileSync(baliza, ['--db', 'demo.duckdb', ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.error('FAIL: ' + what); } };

const children = [];
function cleanup() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  try { fs.rmSync(work, { recursive: true, force: true }); } catch { /* a child still exiting */ }
}
process.on('exit', cleanup);
const deadline = setTimeout(() => { console.error('FAIL: timed out'); process.exit(1); }, 280000);

run(['demo', '-q']);
run(['query', "create table main.hostile as select '<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">' as txt"]);

// The UI, on any free port.
const ui = spawn(baliza, ['--db', 'demo.duckdb', 'ui', '--port', '0'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
children.push(ui);
const base = await new Promise((resolve, reject) => {
  let out = '';
  ui.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
  ui.on('exit', (code) => reject(new Error('baliza ui exited with ' + code)));
});

// The browser, with its DevTools protocol on fds 3 (commands in) and 4 (events out).
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'baliza-chromium-'));
const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
  '--remote-debugging-pipe', '--user-data-dir=' + profile, '--window-size=1400,900', 'about:blank'],
{ stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
children.push(browser);
process.on('exit', () => { try { fs.rmSync(profile, { recursive: true, force: true }); } catch { /* chromium still exiting */ } });
const browserExited = new Promise((r) => browser.on('exit', r));
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
let nextId = 1, buffer = '';
const pending = new Map(), listeners = [];
fromBrowser.on('data', (chunk) => {
  buffer += chunk.toString();
  let at;
  while ((at = buffer.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buffer.slice(0, at));
    buffer = buffer.slice(at + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(JSON.stringify(msg.error))); else resolve(msg.result);
    } else for (const l of listeners) l(msg);
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
const page = (method, params) => send(method, params, sessionId);
const consoleErrors = [];
listeners.push((m) => {
  if (m.sessionId !== sessionId) return;
  if (m.method === 'Runtime.exceptionThrown') consoleErrors.push(m.params.exceptionDetails.text + ' ' + JSON.stringify(m.params.exceptionDetails.exception?.description || ''));
  if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') consoleErrors.push(m.params.args.map((a) => a.value ?? a.description).join(' '));
  if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') consoleErrors.push(m.params.entry.text + ' ' + (m.params.entry.url || ''));
});
await page('Runtime.enable');
await page('Log.enable');
await page('Page.enable');
await page('Emulation.setDeviceMetricsOverride', { width: 1400, height: 900, deviceScaleFactor: 1, mobile: false });

async function evaluate(expression) {
  const r = await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.text + ': ' + expression);
  return r.result.value;
}
// Opens base + hash (or, with action, runs that script in the page instead: a click that
// changes the hash) and waits for the view to be ready.
async function open(hash, ready, expectError = false, action = '') {
  const before = consoleErrors.length;
  // A hash-only navigation keeps the document: forget the previous view's ready mark first.
  await evaluate(`document.getElementById('view') && document.getElementById('view').removeAttribute('data-ready')`).catch(() => {});
  if (action) await evaluate(action); else await page('Page.navigate', { url: base + hash });
  const until = Date.now() + 60000;  // generous: CI runs other tests beside this one
  while (Date.now() < until) {
    const state = await evaluate(`document.getElementById('view') && document.getElementById('view').dataset.ready || ''`).catch(() => '');
    if (state === ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const state = await evaluate(`document.getElementById('view').dataset.ready || ''`);
  check(state === ready, `${hash}: view ${ready} did not finish loading (state '${state}')`);
  const error = await evaluate(`document.getElementById('error') ? document.getElementById('error').textContent : ''`);
  if (!expectError) check(error === '', `${hash}: the view shows an error: ${error}`);
  if (!expectError) check(consoleErrors.length === before, `${hash}: console errors: ${consoleErrors.slice(before).join(' | ')}`);
}
async function screenshot(name) {
  const { data } = await page('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(path.join(shots, name + '.png'), Buffer.from(data, 'base64'));
}

await open('#/runs', 'runs');
check(await evaluate(`document.querySelectorAll('#view table tr').length`) > 3, 'runs: no rows');
await screenshot('runs');

await open('#/coverage', 'coverage');
const cells = await evaluate(`document.querySelectorAll('.heat td.done, .heat td.partial, .heat td.failed, .heat td.pending').length`);
check(cells > 10, `coverage: ${cells} cells`);
await open('#/coverage', 'coverage', false, `document.querySelector('.heat td.done').click()`);
check((await evaluate(`document.body.innerText`)).includes('Pages'), 'coverage: the cell detail did not open');
await screenshot('coverage');

await open('#/models', 'models');
const rendered = Number(await evaluate(`new Promise((r) => { const t = Date.now(); (function w() { const g = document.getElementById('graph'); if (g.dataset.rendered || Date.now() - t > 10000) r(g.dataset.rendered || '0'); else setTimeout(w, 50); })(); })`));
check(rendered > 10, `models: ${rendered} nodes rendered`);
check(await evaluate(`document.getElementById('graph').dataset.mode`) === 'whole', 'models: a small project is not drawn whole');
await screenshot('models');
// Search: suggestions from the server, then the picked model's neighbourhood.
await evaluate(`(() => { const s = document.getElementById('model-search'); s.value = 'contratos_alter'; s.dispatchEvent(new Event('input')); })()`);
const suggested = await evaluate(`new Promise((r) => { const t = Date.now(); (function w() { const o = [...document.querySelectorAll('#model-names option')].map((x) => x.value); if (o.length || Date.now() - t > 10000) r(o); else setTimeout(w, 50); })(); })`);
check(suggested.includes('contratos_alteracoes'), 'models search: suggestions ' + suggested);
await open('#/models', 'models', false, `(() => { const s = document.getElementById('model-search'); s.value = 'contratos_alteracoes'; s.dispatchEvent(new Event('change')); })()`);
const focused = Number(await evaluate(`new Promise((r) => { const t = Date.now(); (function w() { const g = document.getElementById('graph'); if (g.dataset.rendered || Date.now() - t > 10000) r(g.dataset.rendered || '0'); else setTimeout(w, 50); })(); })`));
check((await evaluate(`document.getElementById('node-info').textContent`)).startsWith('model contratos_alteracoes · last status success · '), 'models: the focused node has no status/rows line: ' + await evaluate(`document.getElementById('node-info').textContent`));
check((await evaluate(`location.hash`)).includes('focus=model.pncp.contratos_alteracoes') && focused > 1 && focused < rendered, `models search: focus shows ${focused} of ${rendered} nodes`);
const mart = await evaluate(`fetch('/api/models').then((r) => r.json()).then((m) => m.nodes.find((n) => n.name === 'contratos_alteracoes').id)`);
await open('#/model?id=' + encodeURIComponent(mart), 'model');
check((await evaluate(`document.getElementById('model-sql').textContent`)).includes('select'), 'model: no SQL');
await screenshot('model');

// Lineage: pick a row of an aggregated mart in the list, trace it to raw pages and records.
await open('#/lineage?model=contratacoes_mensal', 'lineage');
const firstRow = await evaluate(`(() => { const t = document.getElementById('lineage-rows'); const cols = [...t.querySelectorAll('thead th')].map((h) => h.textContent); const cells = [...t.querySelectorAll('tbody tr')[0].children].map((c) => c.textContent); return Object.fromEntries(cols.map((c, i) => [c, cells[i]])); })()`);
check(firstRow.orgao_cnpj && firstRow.orgao_cnpj.length === 14, 'lineage: no row of contratacoes_mensal to pick: ' + JSON.stringify(firstRow));
await open('#/lineage', 'lineage', false, `document.querySelector('#lineage-rows tbody tr a').click()`);
const levels = await evaluate(`[...document.querySelectorAll('#trace .level')].map((l) => l.dataset.relation)`);
check(levels[0] === 'marts.contratacoes_mensal' && levels.includes('staging.contratacoes') && levels.includes('raw.api_requests'), 'trace: levels ' + levels.join(', '));
const picked = await evaluate(`[...document.querySelectorAll('.raw-record')].map((e) => e.textContent)`);
check(picked.length > 0 && picked.every((r) => r.includes(firstRow.orgao_cnpj)), `trace: the raw records do not all belong to organ ${firstRow.orgao_cnpj}`);
check((await evaluate(`document.getElementById('trace-status').textContent`)).startsWith('complete'), 'trace: not complete');
check((await evaluate(`document.body.innerText`)).includes('counts and sums match'), 'trace: the aggregate was not re-checked');
await screenshot('lineage');

// The group with the most contracts: its contributing records are paged.
const big = await evaluate(`fetch('/api/query?sql=' + encodeURIComponent("select strftime(mes, '%Y-%m-%d'), orgao_cnpj, modalidade_id, qtd_contratacoes from marts.contratacoes_mensal order by qtd_contratacoes desc, 1, 2, 3 limit 1")).then((r) => r.json()).then((j) => j.rows[0])`);
check(Number(big[3]) > 10, 'lineage: no group with more than 10 contracts: ' + big);
const where = `mes = DATE '${big[0]}' AND orgao_cnpj = '${big[1]}' AND modalidade_id = ${big[2]}`;
await open('#/lineage?' + new URLSearchParams({ model: 'contratacoes_mensal', where }), 'lineage');
const pageKeys = `[...document.querySelectorAll('.source')].map((e) => e.dataset.record)`;
const firstPage = await evaluate(pageKeys);
check(firstPage.length === 10, `trace paging: ${firstPage.length} records on the first page`);
await open('#/lineage', 'lineage', false, `[...document.querySelectorAll('a')].find((a) => a.textContent === 'next →').click()`);
const secondPage = await evaluate(pageKeys);
check(secondPage.length > 0 && secondPage.every((r) => !firstPage.includes(r)), 'trace paging: the second page repeats the first: ' + secondPage);
check((await evaluate(`[...document.querySelectorAll('.raw-record')].map((e) => e.textContent)`)).every((r) => r.includes(big[1])), 'trace paging: a record of page 2 is not of the group');

// A row of a mart by its key, to its JSON record.
const key = await evaluate(`fetch('/api/query?sql=' + encodeURIComponent('select numero_controle_pncp from marts.contratos_alteracoes order by 1 limit 1')).then((r) => r.json()).then((j) => j.rows[0][0])`);
await open('#/lineage?' + new URLSearchParams({ model: 'contratos_alteracoes', column: 'numero_controle_pncp', value: key }), 'lineage');
const records = await evaluate(`[...document.querySelectorAll('.raw-record')].map((e) => e.textContent)`);
check(records.length > 0 && records.every((r) => r.includes(key)), 'lineage: the mart row did not reach its raw JSON record');
const urls = await evaluate(`[...document.querySelectorAll('.raw-url')].map((e) => e.textContent)`);
check(urls.length > 0 && urls.every((u) => u.startsWith('http')), 'lineage: no raw page URL');

// Impact of that raw page: the models downstream of it.
await open('#/impact', 'impact', false, `[...document.querySelectorAll('a')].find((a) => a.textContent === 'impact of this page').click()`);
const downstream = await evaluate(`[...document.querySelectorAll('#impact .level')].map((l) => l.dataset.relation)`);
check(downstream[0] === 'raw.api_requests' && downstream.includes('staging.contratos_registros'), 'impact of a page: downstream ' + downstream.join(', '));
// Impact of one staged contract: the one monthly group it falls in.
const contract = await evaluate(`fetch('/api/query?sql=' + encodeURIComponent('select numero_controle_pncp from staging.contratacoes order by 1 limit 1')).then((r) => r.json()).then((j) => j.rows[0][0])`);
await open('#/impact?' + new URLSearchParams({ model: 'contratacoes', column: 'numero_controle_pncp', value: contract }), 'impact');
const groups = await evaluate(`[...document.querySelectorAll('#impact .level')].filter((l) => l.dataset.relation === 'marts.contratacoes_mensal').map((l) => l.querySelector('h4').textContent)`);
check(groups.length === 1 && groups[0].endsWith(': 1 row(s)'), 'impact of a row: marts.contratacoes_mensal ' + groups);
await screenshot('impact');

await open('#/workers', 'workers');
check((await evaluate(`document.body.innerText`)).includes('nothing pulled yet'), 'workers: the empty state is not said');

await open('#/quality', 'quality');
check((await evaluate(`document.body.innerText`)).includes('quarantine.'), 'quality: no quarantine tables');
await screenshot('quality');

await open('#/query?' + new URLSearchParams({ sql: 'select txt from main.hostile' }), 'query');
const cell = await evaluate(`document.querySelector('#query-result td').textContent`);
check(cell.includes('<script>window.pwned=1</script>') && cell.includes('onerror'), 'query: the hostile value is not shown as text: ' + cell);
check(await evaluate(`window.pwned === undefined`), 'query: the hostile value ran as script');
check(await evaluate(`document.querySelectorAll('#view script, #view img').length`) === 0, 'query: the hostile value became elements');
await screenshot('query');

await open('#/query?' + new URLSearchParams({ sql: 'delete from main.hostile' }), 'query', true);
check((await evaluate(`document.getElementById('error') ? document.getElementById('error').textContent : ''`)).includes('read-only'), 'query: a write was not refused');

await open('#/workflows', 'workflows');
check((await evaluate(`document.body.innerText`)).includes('No workflow has run'), 'workflows: the empty state is not said');

// Workflows with data: the example project's setup workflow, run, then shown by a second UI.
const project = path.join(work, 'workforce');
fs.cpSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../projects/examples/workforce'), project, { recursive: true });
execFileSync(baliza, ['-q', 'workflow', 'run', 'setup'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
const ui2 = spawn(baliza, ['ui', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
children.push(ui2);
const base2 = await new Promise((resolve, reject) => {
  let out = '';
  ui2.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
  ui2.on('exit', (code) => reject(new Error('the second baliza ui exited with ' + code)));
});
await open('#/workflows', 'workflows', false, `location.href = ${JSON.stringify(base2 + '#/workflows')}`);
check(await evaluate(`document.querySelectorAll('#workflow-runs tbody tr').length`) === 1, 'workflows: the run is not listed');
await open('#/workflows', 'workflows', false, `document.querySelector('#workflow-runs tbody a').click()`);
const steps = await evaluate(`[...document.querySelectorAll('#workflow-steps tr')].slice(1).map((r) => r.children[1].textContent + ':' + r.children[3].textContent)`);
check(steps.length >= 3 && steps.every((s) => s.endsWith(':ok')), 'workflows: steps ' + steps.join(', '));
await screenshot('workflows');

// ---- The Models view of a big project: every node drawn on a canvas (graph_canvas.js) ----------
// 2,600 models (above the 2,500 drawn node by node by default) whose SQL DuckDB can build; two
// are built for real and one fails, so status, rows and time come from meta.node_results.
const bigDir = path.join(work, 'bigdag');
const BIG = 2600;
const bigName = (i) => 'm_' + String(i).padStart(5, '0');
fs.mkdirSync(bigDir);
fs.writeFileSync(path.join(bigDir, 'baliza.yml'), 'name: bigdag\nmodels:\n  bigdag:\n    +materialized: table\n');
for (const folder of ['staging', 'intermediate', 'marts']) fs.mkdirSync(path.join(bigDir, 'models', folder), { recursive: true });
for (let i = 0; i < BIG; i++) {
  const folder = ['staging', 'intermediate', 'marts'][Math.min(2, Math.floor((3 * i) / BIG))];
  const parents = folder === 'staging' ? [] : [...new Set([i - 1 - (i % 7), Math.floor(i / 3), i - 1])].filter((p) => p >= 0 && p < i);
  const sql = parents.length ? parents.map((p) => `select id from {{ ref('${bigName(p)}') }}`).join('\nunion all\n') : `select range as id from range(${1 + (i % 5)})`;
  fs.writeFileSync(path.join(bigDir, 'models', folder, bigName(i) + '.sql'), sql + '\n');
}
fs.writeFileSync(path.join(bigDir, 'models', 'marts', 'broken.sql'), `select no_such_column from {{ ref('${bigName(0)}') }}\n`);
execFileSync(baliza, ['-q', '--db', 'big.duckdb', 'init'], { cwd: bigDir, stdio: ['ignore', 'pipe', 'pipe'] });
let built = 0;
try { execFileSync(baliza, ['-q', '--db', 'big.duckdb', 'transform', '--select', 'm_00001', 'm_00004', 'broken'], { cwd: bigDir, stdio: ['ignore', 'pipe', 'pipe'] }); } catch (e) { built = e.status; }
check(built === 1, `big project: the transform with a broken model exited ${built}, not 1`);
const ui3 = spawn(baliza, ['--db', 'big.duckdb', 'ui', '--port', '0'], { cwd: bigDir, stdio: ['ignore', 'pipe', 'inherit'] });
children.push(ui3);
const base3 = await new Promise((resolve, reject) => {
  let out = '';
  ui3.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
  ui3.on('exit', (code) => reject(new Error('the third baliza ui exited with ' + code)));
});
const waitRendered = `new Promise((r) => { const t = Date.now(); (function w() { const g = document.getElementById('graph'); if ((g && g.dataset.rendered) || Date.now() - t > 30000) r(g ? g.dataset.rendered || '0' : '0'); else setTimeout(w, 50); })(); })`;
const nodeInfo = () => evaluate(`document.getElementById('node-info').textContent`);
// Real pointer events at a node's drawn position (after zooming in on it).
async function pointAt(id, clickCount = 0) {
  const at = await evaluate(`(() => { window.balizaGraph.center && window.balizaGraph.center(${JSON.stringify(id)}, 1); return new Promise((r) => requestAnimationFrame(() => r(window.balizaGraph.screenPosition(${JSON.stringify(id)})))); })()`);
  await page('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y });
  for (let c = 1; c <= clickCount; c++) {
    await page('Input.dispatchMouseEvent', { type: 'mousePressed', x: at.x, y: at.y, button: 'left', clickCount: c });
    await page('Input.dispatchMouseEvent', { type: 'mouseReleased', x: at.x, y: at.y, button: 'left', clickCount: c });
  }
  return at;
}
async function afterPointer(ready, act) {
  await evaluate(`document.getElementById('view').removeAttribute('data-ready')`);
  const before = consoleErrors.length;
  await act();
  const until = Date.now() + 60000;
  let state = '';
  while (Date.now() < until && state !== ready) {
    state = await evaluate(`document.getElementById('view').dataset.ready || ''`).catch(() => '');
    if (state !== ready) await new Promise((r) => setTimeout(r, 50));
  }
  check(state === ready, `big project: view ${ready} did not load after the pointer (state '${state}')`);
  check(consoleErrors.length === before, `big project: console errors: ${consoleErrors.slice(before).join(' | ')}`);
}

await open('#/models', 'models', false, `location.href = ${JSON.stringify(base3 + '#/models')}`);
const overview = await evaluate(`fetch('/api/models').then((r) => r.json())`);
check(overview.overview === true && overview.total_nodes === BIG + 1, `big project: overview of ${overview.total_nodes} nodes`);
check(Number(await evaluate(waitRendered)) === overview.groups.length, 'big project: the overview did not draw its groups');
await open('#/models?all=1', 'models', false, `location.hash = '#/models?all=1'`);
const drawnAll = Number(await evaluate(waitRendered));
check(drawnAll === overview.total_nodes, `every node: ${drawnAll} of ${overview.total_nodes} nodes drawn`);
check(await evaluate(`document.getElementById('graph').dataset.renderer`) === 'canvas', 'every node: not drawn on the canvas');
check(await evaluate(`document.querySelectorAll('#graph canvas').length`) === 1, 'every node: no canvas');
check((await evaluate(`document.body.innerText`)).includes(`${overview.total_nodes} nodes, `), 'every node: the node count is not said');
// Pointing at a node tells its last status, rows and time; its colour is its status.
const pixelAt = (p) => evaluate(`Array.from(document.querySelector('#graph canvas').getContext('2d').getImageData(${Math.round(p.x)} - document.querySelector('#graph canvas').getBoundingClientRect().left, ${Math.round(p.y)} - document.querySelector('#graph canvas').getBoundingClientRect().top, 1, 1).data.slice(0, 3))`);
let at = await pointAt('model.bigdag.m_00004');
check(/^model m_00004 · last status success · 5 rows · \d/.test(await nodeInfo()), 'every node: pointing at a built node shows ' + await nodeInfo());
check((await pixelAt(at)).join() === '46,157,85', 'every node: a successful node is not drawn green: ' + await pixelAt(at));
await screenshot('models-every-node');
at = await pointAt('model.bigdag.broken');
check((await nodeInfo()).startsWith('model broken · last status error'), 'every node: pointing at the failed node shows ' + await nodeInfo());
check((await pixelAt(at)).join() === '214,69,69', 'every node: a failed node is not drawn red: ' + await pixelAt(at));
at = await pointAt('model.bigdag.m_02000');
check(await nodeInfo() === 'model m_02000 · last status never built', 'every node: an unbuilt node shows ' + await nodeInfo());
// A click focuses on the node's neighbourhood; a double click opens its page.
await afterPointer('models', () => pointAt('model.bigdag.m_01500', 1));
const focusCount = Number(await evaluate(waitRendered));
check((await evaluate(`location.hash`)) === '#/models?focus=model.bigdag.m_01500' && focusCount > 1 && focusCount < 100, `every node: the click focused on ${await evaluate('location.hash')} (${focusCount} nodes)`);
check((await nodeInfo()).startsWith('model m_01500 · last status never built'), 'focus: the focused node is not described: ' + await nodeInfo());
await open('#/models?all=1', 'models', false, `location.hash = '#/models?all=1'`);
await evaluate(waitRendered);
await afterPointer('model', () => pointAt('model.bigdag.m_00001', 2));
check((await evaluate(`location.hash`)) === '#/model?id=model.bigdag.m_00001', 'every node: a double click did not open the model page: ' + await evaluate('location.hash'));
// Search focuses too.
await open('#/models?all=1', 'models', false, `location.hash = '#/models?all=1'`);
await evaluate(waitRendered);
await open('#/models', 'models', false, `(() => { const s = document.getElementById('model-search'); s.value = 'm_02222'; s.dispatchEvent(new Event('change')); })()`);
check((await evaluate(`location.hash`)) === '#/models?focus=model.bigdag.m_02222' && Number(await evaluate(waitRendered)) > 1, 'every node: the search did not focus on m_02222: ' + await evaluate('location.hash'));

await send('Browser.close').catch(() => {});
await Promise.race([browserExited, new Promise((r) => setTimeout(r, 5000))]);
ui.kill('SIGINT');
await new Promise((r) => setTimeout(r, 300));
clearTimeout(deadline);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
