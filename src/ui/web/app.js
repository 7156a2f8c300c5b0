// Baliza UI: hash-routed views over the JSON endpoints of `baliza ui`. Every value from the
// database is put in the page as text (textContent / text nodes), never parsed as HTML.
'use strict';

const view = document.getElementById('view');

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function params() {
  const hash = location.hash || '#/runs';
  const q = hash.indexOf('?');
  return { route: hash.slice(2, q < 0 ? undefined : q), query: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

function link(route, query, text) {
  const qs = new URLSearchParams(query).toString();
  return el('a', { href: '#/' + route + (qs ? '?' + qs : '') }, text);
}

async function api(path, query) {
  const qs = query ? '?' + new URLSearchParams(query).toString() : '';
  const res = await fetch('/api/' + path + qs, { credentials: 'same-origin' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 19, 32]);

// A table of a {columns, types, rows} result; render(col, value, row) may return a node.
function table(result, render) {
  if (!result || !result.columns) return el('p', { class: 'muted' }, 'no data');
  if (result.rows.length === 0) return el('p', { class: 'muted' }, 'no rows');
  const head = el('tr', {}, result.columns.map((c) => el('th', {}, c)));
  const body = result.rows.map((row) => el('tr', {}, row.map((v, i) => {
    const col = result.columns[i];
    if (v === null) return el('td', { class: 'null' }, 'null');
    const custom = render && render(col, v, row, result.columns);
    const cls = (NUMERIC.has(result.types[i]) ? 'num ' : '') + (col === 'status' ? 'status-' + v : '');
    return el('td', { class: cls }, custom === undefined ? v : custom);
  })));
  return el('table', {}, el('thead', {}, head), el('tbody', {}, body));
}

function records(result) {
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i]])));
}

function fmtSeconds(s) {
  if (s === null || s === undefined || s === '') return '';
  const n = Number(s);
  if (n < 60) return n.toFixed(1) + ' s';
  if (n < 3600) return (n / 60).toFixed(1) + ' min';
  return (n / 3600).toFixed(1) + ' h';
}

// ---- Runs ---------------------------------------------------------------------------------

async function showRuns() {
  const [data, live] = await Promise.all([api('runs'), api('live')]);
  const stages = records(data.stages);
  const maxStage = Math.max(1, ...stages.map((s) => Number(s.seconds) || 0));
  const liveRecords = records(live);
  view.append(el('h2', {}, 'Extraction (live)'),
    table(live, (col, v, row, cols) => {
      if (col === 'pages_done') {
        const expected = Number(row[cols.indexOf('pages_expected')]) || 1;
        const pct = Math.min(100, (100 * Number(v)) / expected);
        return [el('span', { class: 'bar', style: 'width:' + Math.round(pct) + 'px' }), v];
      }
      if (col === 'eta_seconds') return fmtSeconds(v);
      return undefined;
    }));
  if (liveRecords.some((r) => r.pages_per_second && Number(r.pages_per_second) > 0)) {
    setTimeout(() => { if (params().route === 'runs') route(); }, 5000);
  }
  view.append(el('h2', {}, 'Runs'), table(data.runs, (col, v) => {
    if (col === 'run_id') return link('runs', { run: v }, v);
    if (col === 'seconds') return fmtSeconds(v);
    return undefined;
  }));
  const focus = params().query.get('run');
  const shown = focus ? stages.filter((s) => s.run_id === focus) : stages.slice(-60);
  view.append(el('h3', {}, focus ? 'Stages of run ' + focus : 'Recent stages'),
    el('table', {}, el('tr', {}, ['run', 'stage', 'status', 'duration', 'message'].map((h) => el('th', {}, h))),
      shown.map((s) => el('tr', {},
        el('td', {}, s.run_id), el('td', {}, s.stage), el('td', { class: 'status-' + s.status }, s.status),
        el('td', {}, el('span', { class: 'bar', style: 'width:' + Math.round(200 * (Number(s.seconds) || 0) / maxStage) + 'px' }), fmtSeconds(s.seconds)),
        el('td', {}, s.message || '')))));
  view.append(el('h2', {}, 'Transform runs'), table(data.transforms));
}

// ---- Coverage -----------------------------------------------------------------------------

function cellState(c) {
  if (Number(c.failed) > 0) return 'failed';
  if (Number(c.partial) > 0 || (Number(c.done) > 0 && Number(c.done) < Number(c.planned))) return 'partial';
  if (Number(c.planned) > 0 && Number(c.done) >= Number(c.planned)) return 'done';
  return 'pending';
}

async function showCoverage() {
  const data = records(await api('coverage'));
  const days = [...new Set(data.map((c) => c.day))].sort();
  const endpoints = [...new Set(data.map((c) => c.endpoint))].sort();
  const byKey = new Map(data.map((c) => [c.endpoint + '|' + c.day, c]));
  const q = params().query;
  view.append(el('h2', {}, 'Coverage'),
    el('p', { class: 'legend' }, 'tasks per endpoint and day:',
      ['done', 'partial', 'failed', 'pending'].map((s) => [el('span', { class: 'heat ' + s, style: 'background:' + ({ done: '#2e9d55', partial: '#f0b429', failed: '#d64545', pending: '#c9d1dd' })[s] }), s])));
  const head = el('tr', {}, el('th', {}, ''), days.map((d) => el('th', { title: d }, d.slice(8))));
  const rows = endpoints.map((e) => el('tr', {}, el('th', {}, e), days.map((d) => {
    const c = byKey.get(e + '|' + d);
    if (!c) return el('td', { class: 'empty' });
    const td = el('td', { class: cellState(c), title: `${e} ${d}: ${c.done}/${c.planned} done, ${c.partial} partial, ${c.failed} failed, ${c.pending} pending, ${c.pages} pages, ${c.records} records`, 'data-endpoint': e, 'data-day': d });
    td.addEventListener('click', () => { location.hash = '#/coverage?' + new URLSearchParams({ endpoint: e, day: d }); });
    return td;
  })));
  view.append(el('table', { class: 'heat' }, head, rows));
  if (q.get('endpoint') && q.get('day')) {
    const cell = await api('coverage/cell', { endpoint: q.get('endpoint'), day: q.get('day') });
    view.append(el('h3', {}, `${q.get('endpoint')} on ${q.get('day')}: tasks`), table(cell.tasks),
      el('h3', {}, 'Pages'), table(cell.pages, (col, v) => col === 'payload_sha256' ? link('impact', { page: v }, v.slice(0, 16)) : undefined),
      el('h3', {}, 'Failures'), table(cell.failures));
  }
}

// ---- Models -------------------------------------------------------------------------------

let cy = null;           // cytoscape, for graphs up to CANVAS_ABOVE nodes and the overview
let canvasGraph = null;  // graph_canvas.js, for bigger ones
const CANVAS_ABOVE = 1000;
const SHAPES = { source: 'diamond', seed: 'square' };
let modelsCache = null;  // every node (GET /api/models?all=1), for names and links

async function allModels() {
  if (!modelsCache) modelsCache = await api('models', { all: '1' });
  return modelsCache;
}

function statusColor(s) {
  return { success: '#2e9d55', pass: '#2e9d55', error: '#d64545', fail: '#d64545', skipped: '#9aa5b8', warn: '#f0b429' }[s] || '#5aa9ff';
}

function layerText(g) {
  return g.layers > 1 ? `layers ${g.depth}–${g.depth + g.layers - 1}` : `layer ${g.depth}`;
}

function groupColor(g) {
  if (g.failed > 0) return '#d64545';
  if (g.built === g.count) return '#2e9d55';
  return g.built > 0 ? '#5aa9ff' : '#9aa5b8';
}

// The search box: suggestions from the server as you type; picking one focuses on it.
function modelSearch() {
  const search = el('input', { type: 'text', id: 'model-search', placeholder: 'search models…', list: 'model-names', autocomplete: 'off' });
  const names = el('datalist', { id: 'model-names' });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const hits = await api('models/search', { q: search.value, limit: '20' });
      names.replaceChildren(...hits.map((h) => el('option', { value: h.name }, h.id)));
    }, 120);
  });
  search.addEventListener('change', async () => {
    const hits = await api('models/search', { q: search.value, limit: '20' });
    const hit = hits.find((h) => h.name === search.value) || hits[0];
    if (hit) location.hash = '#/models?' + new URLSearchParams({ focus: hit.id });
    else search.classList.add('nomatch');
  });
  return [search, names];
}

// Positions for a subset of the graph: the server's layers, rows renumbered within the subset.
function compactPositions(nodes) {
  const byDepth = new Map();
  for (const n of [...nodes].sort((a, b) => a.y - b.y)) {
    const row = byDepth.get(n.depth) || 0;
    byDepth.set(n.depth, row + 1);
    n.position = { x: n.x, y: row * 36 };
  }
}

async function showModels() {
  const q = params().query;
  const focus = q.get('focus'), group = q.get('group'), all = q.get('all') === '1';
  const depth = Number(q.get('depth') || 2);
  const t0 = performance.now();
  const graph = await api('models', focus ? { focus, depth: String(depth) } : group ? { group } : all ? { all: '1' } : {});
  const tFetched = performance.now();
  const mode = focus ? 'focus' : group ? 'group' : graph.overview ? 'overview' : 'whole';
  let about;
  if (mode === 'focus') about = [el('span', {}, 'neighbourhood of ', link('model', { id: focus }, focus), ` (depth ${depth}) `), link('models', {}, 'whole graph')];
  else if (mode === 'group') about = [el('span', {}, `${graph.group.folder || 'all folders'} · ${layerText(graph.group)}: ${graph.group.count} node(s)` + (graph.nodes.length > graph.group.count ? `, with ${graph.nodes.length - graph.group.count} neighbour(s) faded ` : ' ')), link('models', {}, 'overview')];
  else if (mode === 'overview') about = [el('span', { class: 'muted' }, `${graph.total_nodes} nodes in ${graph.groups.length} groups (folder × layers; more than ${graph.whole_graph_limit} nodes are drawn as groups): click a group to draw its nodes, search to focus on a model · `), link('models', { all: '1' }, 'draw every node')];
  else about = el('span', { class: 'muted' }, `${graph.nodes.length} nodes, ${graph.edges.length} edges; click a node to focus on it, double-click to open it`);
  const info = el('div', { id: 'node-info', class: 'muted' }, mode === 'overview' ? 'point at a group for its models and failures' : 'point at a node for its last status, rows and time');
  view.append(el('h2', {}, 'Models'), el('div', { class: 'toolbar' }, modelSearch(), about), info, el('div', { id: 'graph', 'data-mode': mode }));
  const byId = new Map((mode === 'overview' ? graph.groups : graph.nodes).map((n) => [n.id, n]));
  const describe = (n) => (mode === 'overview'
    ? `${n.folder || 'all folders'} · ${layerText(n)}: ${n.count} node(s), ${n.built} built, ${n.failed} failed`
    : `${n.type} ${n.name} · last status ${n.status || 'never built'}` + (n.rows != null ? ` · ${n.rows} rows` : '') + (n.seconds != null ? ` · ${fmtSeconds(n.seconds)}` : ''));

  const count = mode === 'overview' ? graph.groups.length : graph.nodes.length;
  if (mode !== 'overview') {
    if (mode !== 'whole') compactPositions(graph.nodes); else for (const n of graph.nodes) n.position = { x: n.x, y: n.y };
  }
  const container = document.getElementById('graph');
  const focusNode = (id) => { location.hash = '#/models?' + new URLSearchParams({ focus: id }); };
  const openNode = (id) => { location.hash = '#/model?' + new URLSearchParams({ id }); };
  let tBuilt;
  if (mode !== 'overview' && count > CANVAS_ABOVE) {
    // Thousands of nodes: our canvas drawing (graph_canvas.js) at the server's positions.
    const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
    const nodes = graph.nodes.map((n) => ({ id: n.id, x: n.position.x, y: n.position.y, color: statusColor(n.status), shape: SHAPES[n.type] || 'circle', faded: !!n.context, label: n.name }));
    const edges = [];
    for (const [a, b] of graph.edges) {
      const i = index.get(a), j = index.get(b);
      if (i !== undefined && j !== undefined) edges.push([i, j]);
    }
    tBuilt = performance.now();
    canvasGraph = balizaCanvasGraph(container, {
      nodes, edges, selected: focus && index.has(focus) ? index.get(focus) : undefined,
      onHover: (n) => { info.textContent = describe(byId.get(n.id)); },
      onTap: (n) => focusNode(n.id),
      onDoubleTap: (n) => openNode(n.id),
    });
    canvasGraph.draw();
    container.dataset.renderer = 'canvas';
    window.balizaGraph = canvasGraph;
  } else {
    const elements = [];
    if (mode === 'overview') {
      for (const g of graph.groups) {
        elements.push({ group: 'nodes', data: { id: g.id, label: `${g.folder || 'all'} · ${layerText(g)} · ${g.count}` + (g.failed ? ` (${g.failed} failed)` : ''), color: groupColor(g), size: Math.min(80, 14 + 4 * Math.sqrt(g.count)), type: 'group' }, position: { x: g.x, y: g.y } });
      }
      for (const [a, b, n] of graph.group_edges) elements.push({ group: 'edges', data: { id: a + '>' + b, source: a, target: b, width: Math.min(8, 1 + Math.log2(n)) } });
    } else {
      for (const n of graph.nodes) {
        elements.push({ group: 'nodes', data: { id: n.id, label: n.name, color: statusColor(n.status), type: n.type, size: 14, context: n.context ? 1 : 0 }, position: n.position });
      }
      for (const [a, b] of graph.edges) elements.push({ group: 'edges', data: { id: a + '>' + b, source: a, target: b, width: 1 } });
    }
    const big = count > 1000;
    const fastEdges = big || elements.length - count > 400;  // haystack edges, no arrows
    const labels = count <= graph.whole_graph_limit;
    tBuilt = performance.now();
    cy = cytoscape({
      container, elements,
      layout: { name: 'preset' },
      style: [
        { selector: 'node', style: { 'background-color': 'data(color)', width: 'data(size)', height: 'data(size)', ...(labels ? { label: 'data(label)', 'font-size': 11, 'min-zoomed-font-size': 8 } : {}) } },
        { selector: 'node[type = "source"]', style: { shape: 'diamond' } },
        { selector: 'node[type = "seed"]', style: { shape: 'round-rectangle' } },
        { selector: 'node[type = "group"]', style: { shape: 'round-rectangle', 'text-valign': 'bottom', 'text-wrap': 'wrap' } },
        { selector: 'node[context = 1]', style: { opacity: 0.35 } },
        { selector: 'edge', style: { width: 'data(width)', 'line-color': '#b8c1cf', 'curve-style': 'haystack', ...(fastEdges ? {} : { 'target-arrow-shape': 'triangle', 'target-arrow-color': '#b8c1cf', 'curve-style': 'straight' }) } },
        { selector: ':selected', style: { 'border-width': 3, 'border-color': '#1d2330', label: 'data(label)' } },
      ],
      textureOnViewport: big, hideEdgesOnViewport: big, pixelRatio: 1, wheelSensitivity: 0.3,
      boxSelectionEnabled: false, autoungrabify: big, motionBlur: false,
    });
    if (mode === 'overview') {
      cy.on('tap', 'node', (e) => { location.hash = '#/models?' + new URLSearchParams({ group: e.target.id() }); });
    } else {
      cy.on('tap', 'node', (e) => focusNode(e.target.id()));
      cy.on('dbltap', 'node', (e) => openNode(e.target.id()));
    }
    cy.on('mouseover select', 'node', (e) => { const n = byId.get(e.target.id()); if (n) info.textContent = describe(n); });
    if (focus && cy.getElementById(focus).nonempty()) cy.getElementById(focus).select();
    container.dataset.renderer = 'cytoscape';
    const drawn = cy;
    window.balizaGraph = {
      renderer: 'cytoscape',
      screenPosition(id) {
        const node = drawn.getElementById(id);
        if (node.empty()) return null;
        const b = container.getBoundingClientRect(), p = node.renderedPosition();
        return { x: b.left + p.x, y: b.top + p.y };
      },
    };
  }
  if (focus && byId.has(focus)) info.textContent = describe(byId.get(focus));
  const tCy = performance.now();
  // Rendered: the frame after the graph's first draw.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const tDrawn = performance.now();
    window.balizaGraphMs = tDrawn - t0;
    window.balizaGraphTimings = { fetch: Math.round(tFetched - t0), build: Math.round(tBuilt - tFetched), cytoscape: Math.round(tCy - tBuilt), draw: Math.round(tDrawn - tCy), nodes: count, mode, renderer: container.dataset.renderer };
    container.setAttribute('data-rendered', String(count));
  }));
}

// A relation name linked to the model that builds it, when the project has one by that name.
function relationLink(relation) {
  const name = String(relation).split('.').pop();
  const node = modelsCache && modelsCache.nodes.find((n) => n.name === name);
  return node ? link('model', { id: node.id }, relation) : relation;
}

async function showModel() {
  await allModels();
  const id = params().query.get('id');
  const m = await api('model', { id });
  view.append(el('h2', {}, m.type + ' ', el('code', {}, m.name)), el('p', { class: 'muted' }, m.file, ' · ', link('models', { focus: m.id }, 'neighbourhood in the DAG')),
    m.description ? el('p', {}, m.description) : null,
    el('div', { class: 'cols' },
      el('div', {}, el('h3', {}, 'SQL'), el('pre', { id: 'model-sql' }, m.sql)),
      el('div', {}, el('h3', {}, 'Columns (as built)'), table(m.columns),
        el('h3', {}, 'Declared columns'), el('ul', {}, m.declared_columns.map((c) => el('li', {}, el('code', {}, c.name), c.description ? ' — ' + c.description : ''))),
        el('h3', {}, 'Parents'), el('ul', {}, m.parents.map((p) => el('li', {}, link('model', { id: p }, p)))),
        el('h3', {}, 'Children'), el('ul', {}, m.children.map((p) => el('li', {}, link('model', { id: p }, p)))))),
    m.column_lineage ? [el('h3', {}, 'Column lineage (upstream)'), table(m.column_lineage, (col, v) => col === 'input_relation' ? relationLink(v) : undefined),
      el('h3', {}, 'Impact (columns of other models that read this one)'), table(m.column_impact, (col, v) => col === 'model' ? link('model', { id: v }, v) : undefined)] : el('p', { class: 'muted' }, 'No column lineage stored yet (run `baliza transform`).'),
    el('h3', {}, 'Run history'), table(m.history),
    el('h3', {}, 'Tests'), table(m.test_results),
    el('h3', {}, 'Record accounting'), table(m.accounting),
    el('h3', {}, 'Record ledger (last accounted run)'), table(m.ledger));
}

// ---- Lineage ------------------------------------------------------------------------------
// Pick a model, pick one of its rows, trace it back to raw pages and JSON records (the lineage
// engine's trace, paged), and the impact of a page or a row downstream.

// A {columns, types, rows} table of JSON objects (a trace level's sample rows).
function objectTable(objects) {
  const columns = [];
  for (const o of objects) for (const k of Object.keys(o)) if (!columns.includes(k)) columns.push(k);
  const types = columns.map((c) => (objects.every((o) => o[c] === null || o[c] === undefined || typeof o[c] === 'number') ? 5 : 17));
  const rows = objects.map((o) => columns.map((c) => {
    const v = o[c];
    if (v === null || v === undefined) return null;
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }));
  return { columns, types, rows };
}

// The URL query that picks a row: its one-column unique key, else every short column's value.
function rowChoice(data, row) {
  const cols = data.rows.columns;
  if (data.unique_key.length === 1 && cols.includes(data.unique_key[0])) {
    return { column: data.unique_key[0], value: row[cols.indexOf(data.unique_key[0])] };
  }
  const parts = [];
  cols.forEach((c, i) => {
    const v = row[i];
    const id = '"' + c.replaceAll('"', '""') + '"';
    if (v === null) parts.push(id + ' IS NULL');
    else if (v.length <= 120) parts.push(id + "::VARCHAR = '" + v.replaceAll("'", "''") + "'");
  });
  return { where: parts.join(' AND ') };
}

function modelPicker(id, value) {
  const names = (modelsCache ? modelsCache.nodes : []).filter((n) => n.type === 'model' || n.type === 'seed').map((n) => n.name);
  return [el('input', { type: 'text', id, value: value || '', size: 32, list: id + '-names', placeholder: 'model name' }),
    el('datalist', { id: id + '-names' }, names.slice(0, 3000).map((n) => el('option', { value: n })))];
}

function choiceQuery(q) {
  const out = {};
  for (const k of ['column', 'value', 'where']) if (q.get(k)) out[k] = q.get(k);
  return out;
}

function levelView(level, extra) {
  const head = el('h4', {}, el('span', { class: 'kind' }, level.kind), ' ', relationLink(level.relation), ': ',
    level.rows < 0 ? 'rows unknown' : `${level.rows} row(s)`,
    level.kept !== undefined ? ` · ${level.kept} kept, ${level.superseded} superseded` : '');
  const parts = [head];
  if (level.via) parts.push(el('p', { class: 'via muted' }, 'via ', el('code', {}, level.via)));
  if (level.columns) {
    parts.push(el('details', { class: 'changes', ...(level.columns.length <= 6 ? { open: '' } : {}) },
      el('summary', {}, `${level.columns.length} column(s) change: `, level.columns.slice(0, 6).map((c, i) => [i ? ', ' : '', el('code', {}, c.column)]), level.columns.length > 6 ? ', …' : ''),
      el('ul', {}, level.columns.map((c) => el('li', {}, el('code', {}, c.column), ' — ', c.how)))));
  }
  if (level.rows_shaped) parts.push(el('p', { class: 'note warn' }, `rows may appear, disappear or move (${level.rows_shaped})`));
  for (const n of level.notes || []) parts.push(el('p', { class: 'note' + (/MISMATCH|cannot|unknown|not in/.test(n) ? ' warn' : '') }, n));
  if (level.kind === 'raw page') {
    for (const r of level.sample) {
      parts.push(el('div', { class: 'source', 'data-record': r.payload_sha256 + '#' + r.position },
        el('p', {}, el('strong', {}, r.endpoint), ' page ', r.page, ' · ', r.collected_at, ' · record #', r.position,
          ' · ', link('impact', { page: r.payload_sha256 }, 'impact of this page')),
        el('p', {}, el('code', { class: 'raw-url' }, r.url)),
        el('pre', { class: 'raw-record' }, r.record === undefined ? '(record not shown)' : JSON.stringify(r.record, null, 2))));
    }
  } else if (level.sample.length) {
    parts.push(el('div', { class: 'scroll' }, table(objectTable(level.sample), extra)));
  }
  return el('div', { class: 'level', style: 'margin-left:' + (level.depth * 24) + 'px', 'data-relation': level.relation }, parts);
}

async function showLineage() {
  await allModels();
  const q = params().query;
  const model = q.get('model') || '';
  const [input, list] = modelPicker('lineage-model', model || 'contratacoes_mensal');
  const go = el('button', { id: 'lineage-go', onclick: () => { location.hash = '#/lineage?' + new URLSearchParams({ model: input.value }); } }, 'Show rows');
  view.append(el('h2', {}, 'Lineage'), el('div', { class: 'toolbar' }, 'model', input, list, go, ' · ', link('impact', {}, 'impact of a raw page')));
  if (!model) {
    view.append(el('p', { class: 'muted' }, 'Pick a model, then one of its rows: the trace walks it back through every model to the raw API pages and their JSON records.'));
    return;
  }
  const choice = choiceQuery(q);
  if (!choice.value && !choice.where) {
    const offset = Number(q.get('offset') || 0), limit = 20;
    const data = await api('lineage/rows', { model, offset: String(offset), limit: String(limit) });
    view.append(el('h3', {}, `Rows of ${data.relation} (pick one to trace)`));
    const t = table(data.rows);
    if (t.tagName === 'TABLE') {
      t.id = 'lineage-rows';
      t.querySelectorAll('tbody tr').forEach((tr, i) => {
        const pick = rowChoice(data, data.rows.rows[i]);
        tr.prepend(el('td', {}, link('lineage', { model, ...pick }, 'trace'), ' ', link('impact', { model, ...pick }, 'impact')));
      });
      t.querySelector('thead tr').prepend(el('th', {}, ''));
    }
    view.append(t, el('div', { class: 'toolbar' },
      offset > 0 ? link('lineage', { model, offset: String(Math.max(0, offset - limit)) }, '← previous') : null,
      el('span', { class: 'muted' }, `rows ${offset + 1}–${offset + data.rows.rows.length}`),
      data.rows.truncated ? link('lineage', { model, offset: String(offset + limit) }, 'next →') : null));
    return;
  }
  const offset = Number(q.get('offset') || 0), limit = 10;
  const t = await api('trace', { model, ...choice, offset: String(offset), limit: String(limit) });
  view.append(el('h3', {}, 'Trace of ', el('code', {}, t.relation), ' where ', el('code', { id: 'trace-where' }, t.where)),
    el('p', { id: 'trace-status', class: t.complete ? 'ok' : 'warn' }, t.complete ? 'complete: every step was followed and checked' : 'INCOMPLETE: a step could not be followed or a check failed (see the notes)'),
    el('p', {}, link('impact', { model, ...choice }, 'impact of this row downstream'), ' · ', link('lineage', { model }, 'other rows of ' + model)));
  const more = t.levels.some((l) => l.has_more);
  const pager = el('div', { class: 'toolbar' },
    offset > 0 ? link('lineage', { model, ...choice, offset: String(Math.max(0, offset - limit)) }, '← previous') : null,
    el('span', { class: 'muted' }, `contributing rows and records ${offset + 1}–${offset + limit} of each level`),
    more ? link('lineage', { model, ...choice, offset: String(offset + limit) }, 'next →') : null);
  view.append(pager, el('div', { id: 'trace' }, t.levels.map((l) => levelView(l))));
}

async function showImpact() {
  await allModels();
  const q = params().query;
  const page = el('input', { type: 'text', id: 'impact-page', value: q.get('page') || '', size: 24, placeholder: 'sha256 of a raw page (a prefix)' });
  const field = el('input', { type: 'text', id: 'impact-field', value: q.get('field') || '', size: 20, placeholder: 'all columns' });
  const go = el('button', { id: 'impact-go', onclick: () => {
    const next = new URLSearchParams(q.get('page') || !q.get('model') ? { page: page.value } : { model: q.get('model'), ...choiceQuery(q) });
    if (field.value) next.set('field', field.value);
    location.hash = '#/impact?' + next;
  } }, 'Impact');
  view.append(el('h2', {}, 'Impact'), el('div', { class: 'toolbar' }, 'raw page', page, 'only the column / JSON field', field, go, ' · or pick a row in ', link('lineage', {}, 'Lineage')));
  const choice = choiceQuery(q);
  if (!q.get('page') && !q.get('model')) {
    view.append(el('p', { class: 'muted' }, 'Give a raw page (its sha256, from Coverage or a trace), or pick a row of a model: the view lists every downstream model and the rows that derive from it.'));
    return;
  }
  const r = await api('impact', { ...(q.get('page') ? { page: q.get('page') } : { model: q.get('model'), ...choice }), ...(q.get('field') ? { field: q.get('field') } : {}) });
  view.append(el('h3', {}, 'Downstream of ', el('code', {}, r.page ? 'raw page ' + r.page : r.model + (r.where ? ' where ' + r.where : '')), r.field ? [', column ', el('code', {}, r.field)] : ''),
    el('p', { id: 'impact-status', class: r.complete ? 'ok' : 'warn' }, r.complete ? 'complete: every downstream model was followed' : 'INCOMPLETE: some downstream rows are unknown (see the notes)'),
    el('div', { id: 'impact' }, r.levels.map((l) => levelView(l))));
}

// ---- Workflows ----------------------------------------------------------------------------

async function showWorkflows() {
  const run = params().query.get('run') || '';
  const w = await api('workflows', run ? { run } : {});
  view.append(el('h2', {}, 'Workflow runs'));
  if (!w.runs || w.runs.rows.length === 0) view.append(el('p', { class: 'muted' }, 'No workflow has run in this database yet (baliza workflow list / run).'));
  else {
    view.append(el('div', { id: 'workflow-runs' }, table(w.runs, (col, v) => {
      if (col === 'run_id') return link('workflows', { run: v }, v);
      if (col === 'seconds') return fmtSeconds(v);
      return undefined;
    })));
  }
  if (run && w.steps) {
    const steps = records(w.steps);
    const max = Math.max(1, ...steps.map((s) => Number(s.seconds) || 0));
    view.append(el('h3', {}, 'Steps of run ' + run),
      el('table', { id: 'workflow-steps' }, el('tr', {}, ['#', 'step', 'kind', 'status', 'time', 'rows', 'warnings', 'message', 'detail'].map((h) => el('th', {}, h))),
        steps.map((s) => el('tr', {},
          el('td', { class: 'num' }, s.position), el('td', {}, s.step), el('td', {}, s.kind), el('td', { class: 'status-' + s.status }, s.status),
          el('td', {}, el('span', { class: 'bar', style: 'width:' + Math.round(160 * (Number(s.seconds) || 0) / max) + 'px' }), fmtSeconds(s.seconds)),
          el('td', { class: 'num' }, s.rows ?? ''), el('td', { class: 'num' }, s.warnings ?? ''), el('td', {}, s.message || ''),
          el('td', {}, s.detail ? el('details', {}, el('summary', {}, 'what it did'), el('pre', {}, prettyJson(s.detail))) : '')))));
  }
  view.append(el('h2', {}, 'Period runs'), w.periods && w.periods.rows.length ? table(w.periods) : el('p', { class: 'muted' }, 'No period-by-period run yet (baliza build --periods …).'));
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}

// ---- Workers ------------------------------------------------------------------------------

async function showWorkers() {
  const w = await api('workers');
  view.append(el('h2', {}, 'Extraction workers'));
  if (w.coordinator) {
    view.append(el('p', {}, 'coordinator ', el('code', {}, w.coordinator), ' (live)'));
    if (w.live_error) view.append(el('p', { class: 'warn', id: 'workers-live-error' }, 'cannot read the coordinator: ' + w.live_error));
    else view.append(el('div', { id: 'workers-live' }, table(objectTable(w.live), (col, v) => col === 'seconds_since_seen' ? fmtSeconds(v) + ' ago' : undefined)));
  } else {
    view.append(el('p', { class: 'muted' }, 'No coordinator configured (baliza.yml `coordinator:` or BALIZA_COORDINATOR_URL): showing what `baliza pull` last stored.'));
  }
  view.append(el('h3', {}, 'As last pulled (meta.coordinator_workers)'),
    w.stored ? el('div', { id: 'workers-stored' }, table(w.stored)) : el('p', { class: 'muted' }, 'nothing pulled yet: run `baliza pull`'));
}

// ---- Quality ------------------------------------------------------------------------------

async function showQuality() {
  const q = await api('quality');
  view.append(el('h2', {}, 'Record accounting'), table(q.accounting, (col, v) => col === 'balanced' ? (v === 'true' ? '✓ balanced' : '✗ NOT balanced') : undefined));
  view.append(el('h2', {}, 'Quarantine'));
  for (const t of q.quarantine) {
    view.append(el('h3', {}, 'quarantine.' + t.table), table(t.by_type), table(t.samples, (col, v, row, cols) => {
      if (col === 'failure_type') return v;
      if (col === 'request_id') return v.slice(0, 12);
      return undefined;
    }));
  }
  view.append(el('h2', {}, 'Schema drift'), table(q.drift), el('h2', {}, 'Data tests'), table(q.tests));
}

// ---- Query --------------------------------------------------------------------------------

async function showQuery() {
  const q = params().query;
  const sql = q.get('sql') || 'select endpoint_name, sum(done) as done, sum(planned) as planned from planning.coverage group by 1 order by 1';
  const offset = Number(q.get('offset') || 0);
  const limit = 100;
  const box = el('textarea', { id: 'sql', spellcheck: 'false' }, sql);
  const run = (o) => { location.hash = '#/query?' + new URLSearchParams({ sql: box.value, offset: String(o) }); };
  view.append(el('h2', {}, 'Query (read-only)'), box,
    el('div', { class: 'toolbar' }, el('button', { id: 'run-sql', onclick: () => run(0) }, 'Run'),
      el('a', { id: 'csv', href: '/api/query.csv?' + new URLSearchParams({ sql }), download: 'query.csv' }, 'CSV')));
  if (!q.get('sql')) return;
  const result = await api('query', { sql, offset: String(offset), limit: String(limit) });
  view.append(el('div', { class: 'toolbar' },
    offset > 0 ? el('button', { onclick: () => run(Math.max(0, offset - limit)) }, '← previous') : null,
    el('span', { class: 'muted' }, `rows ${offset + 1}–${offset + result.rows.length}`),
    result.truncated ? el('button', { id: 'next-page', onclick: () => run(offset + limit) }, 'next →') : null),
    el('div', { id: 'query-result' }, table(result)));
}

// ---- Router -------------------------------------------------------------------------------

const views = { runs: showRuns, coverage: showCoverage, models: showModels, model: showModel, lineage: showLineage, impact: showImpact, workflows: showWorkflows, workers: showWorkers, quality: showQuality, query: showQuery };

async function route() {
  const { route: name } = params();
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name || (name === 'model' && a.dataset.view === 'models') || (name === 'impact' && a.dataset.view === 'lineage'));
  if (cy) { cy.destroy(); cy = null; }
  if (canvasGraph) { canvasGraph.destroy(); canvasGraph = null; }
  window.balizaGraph = null;
  view.replaceChildren();
  view.removeAttribute('data-ready');
  try {
    await (views[name] || showRuns)();
  } catch (e) {
    view.append(el('div', { class: 'error', id: 'error' }, e.message));
  }
  view.setAttribute('data-ready', name);
}

window.addEventListener('hashchange', route);
api('summary').then((s) => { document.getElementById('source').textContent = s.database + (s.source ? ' · ' + s.source : ''); }).catch(() => {});
route();
