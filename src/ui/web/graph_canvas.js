// Baliza UI: a plain canvas 2D drawing of a big graph (thousands of nodes and edges), for the
// Models view when cytoscape's per-element cost would take seconds. It lays nothing out: every
// position comes from the server (ui/dag_layout.h). It draws nodes (colour, shape, faded),
// straight edges, labels once they are readable, the selected and the pointed-at node with its
// edges; pans by dragging, zooms with the wheel around the pointer, and finds the node under
// the pointer through a grid index. Text is drawn with fillText: nothing becomes HTML.
//
//   const g = balizaCanvasGraph(container, { nodes, edges, selected, onHover, onTap, onDoubleTap })
//   nodes: [{ id, x, y, color, shape: 'circle' | 'diamond' | 'square', faded, label }]
//   edges: [[sourceIndex, targetIndex], ...]
//   g.draw() (the first frame is drawn at once), g.screenPosition(id), g.destroy()
'use strict';

function balizaCanvasGraph(container, options) {
  const nodes = options.nodes;
  const edges = options.edges;
  const canvas = document.createElement('canvas');
  canvas.className = 'graph-canvas';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `graph of ${nodes.length} nodes and ${edges.length} edges`);
  container.replaceChildren(canvas);
  const ctx = canvas.getContext('2d', { alpha: false });
  const RADIUS = 7;           // world units (cytoscape's node size 14)
  const FONT = 11;            // world units
  const MIN_FONT_PX = 8;      // labels only once they are this readable
  const MIN_RADIUS_PX = 1.6;  // a node never vanishes when zoomed out
  // zoom: the world -> screen scale. stretchX / stretchY: the scales that fill the width / the
  // height, for graphs much taller than wide (a layer of thousands) or wider than tall (long
  // chains); an axis uses its stretch until zooming in goes past it.
  let width = 0, height = 0, zoom = 1, fitZoom = 1, stretchX = 0, stretchY = 0, panX = 0, panY = 0;
  let ratio = 1;
  let hovered = -1;
  let selected = options.selected === undefined ? -1 : options.selected;
  let frame = 0;
  // While panning or zooming a graph of many edges, frames leave the edges out (as cytoscape's
  // hideEdgesOnViewport); the frame after the pointer settles draws them again.
  const SETTLE_MS = 150;
  let movedAt = -Infinity, settleTimer = null;
  function moving() {
    movedAt = performance.now();
    clearTimeout(settleTimer);
    settleTimer = setTimeout(schedule, SETTLE_MS + 10);
  }

  // Who touches whom, for highlighting a node's edges.
  const incident = nodes.map(() => []);
  edges.forEach(([a, b], k) => { incident[a].push(k); incident[b].push(k); });

  // Nodes by look, so each look is one path and one fill.
  const looks = new Map();
  nodes.forEach((n, i) => {
    const key = n.color + '|' + (n.shape || 'circle') + '|' + (n.faded ? 1 : 0);
    if (!looks.has(key)) looks.set(key, { color: n.color, shape: n.shape || 'circle', faded: !!n.faded, members: [] });
    looks.get(key).members.push(i);
  });

  // A grid of world cells -> node indexes, for hit testing.
  const CELL = 48;
  const grid = new Map();
  const cellKey = (cx, cy) => cx * 1000003 + cy;
  nodes.forEach((n, i) => {
    const k = cellKey(Math.floor(n.x / CELL), Math.floor(n.y / CELL));
    if (!grid.has(k)) grid.set(k, []);
    grid.get(k).push(i);
  });

  function resize() {
    width = Math.max(1, container.clientWidth);
    height = Math.max(1, container.clientHeight);
    ratio = Math.min(2, window.devicePixelRatio || 1);  // sharp on high-density screens
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }

  function fit() {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes) {
      if (n.x < x0) x0 = n.x;
      if (n.x > x1) x1 = n.x;
      if (n.y < y0) y0 = n.y;
      if (n.y > y1) y1 = n.y;
    }
    if (!nodes.length) { x0 = y0 = 0; x1 = y1 = 1; }
    const margin = 30;
    const w = Math.max(x1 - x0 + 2 * RADIUS, 1), h = Math.max(y1 - y0 + 2 * RADIUS, 1);
    zoom = fitZoom = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h, 2);
    stretchX = Math.min((width - 2 * margin) / w, 2);
    stretchY = Math.min((height - 2 * margin) / h, 2);
    panX = (width - (x1 + x0) * xScale()) / 2;
    panY = (height - (y1 + y0) * yScale()) / 2;
  }

  const xScale = () => Math.max(zoom, stretchX);
  const yScale = () => Math.max(zoom, stretchY);
  const sx = (x) => x * xScale() + panX;
  const sy = (y) => y * yScale() + panY;

  function addShape(shape, x, y, r) {
    if (r < 2.5) {  // a dot of a few pixels: a square looks the same and fills much faster
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (shape === 'diamond') {
      ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
    } else if (shape === 'square') {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else {
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  // The edges of list (indexes), or every edge when list is null.
  function strokeEdges(list, color, lineWidth) {
    ctx.beginPath();
    const count = list ? list.length : edges.length;
    for (let j = 0; j < count; j++) {
      const k = list ? list[j] : j;
      const a = nodes[edges[k][0]], b = nodes[edges[k][1]];
      const ax = sx(a.x), ay = sy(a.y), bx = sx(b.x), by = sy(b.y);
      // Off screen on one side: nothing to draw.
      if ((ax < 0 && bx < 0) || (ax > width && bx > width) || (ay < 0 && by < 0) || (ay > height && by > height)) continue;
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.stroke();
  }

  function draw() {
    frame = 0;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    const r = Math.max(MIN_RADIUS_PX, RADIUS * zoom);
    if (edges.length < 5000 || performance.now() - movedAt > SETTLE_MS) strokeEdges(null, '#b8c1cf', zoom > 0.5 ? 1 : 0.6);
    for (const at of [selected, hovered]) if (at >= 0) strokeEdges(incident[at], '#1d2330', 1.5);
    for (const look of looks.values()) {
      ctx.beginPath();
      for (const i of look.members) {
        const x = sx(nodes[i].x), y = sy(nodes[i].y);
        if (x < -r || x > width + r || y < -r || y > height + r) continue;
        addShape(look.shape, x, y, r);
      }
      ctx.globalAlpha = look.faded ? 0.35 : 1;
      ctx.fillStyle = look.color;
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    for (const at of [selected, hovered]) {
      if (at < 0) continue;
      ctx.beginPath();
      addShape(nodes[at].shape, sx(nodes[at].x), sy(nodes[at].y), r + 1.5);
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 3;
      ctx.stroke();
    }
    const fontPx = FONT * zoom;
    ctx.fillStyle = '#1d2330';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    if (fontPx >= MIN_FONT_PX) {
      ctx.font = `${Math.min(fontPx, 16)}px sans-serif`;
      for (let i = 0; i < nodes.length; i++) {
        const x = sx(nodes[i].x), y = sy(nodes[i].y);
        if (x < -200 || x > width + 200 || y < -r || y > height + r) continue;
        ctx.fillText(nodes[i].label, x, y + r + 2);
      }
    } else {
      ctx.font = '12px sans-serif';
      for (const at of [selected, hovered]) if (at >= 0) ctx.fillText(nodes[at].label, sx(nodes[at].x), sy(nodes[at].y) + r + 3);
    }
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  // The node under a point of the canvas, or -1.
  function hit(px, py) {
    // In screen pixels: within the drawn radius, and at least 4 px.
    const xs = xScale(), ys = yScale();
    const reachPx = Math.max(RADIUS * zoom, 4);
    const wx = (px - panX) / xs, wy = (py - panY) / ys;
    const reachX = reachPx / xs, reachY = reachPx / ys;
    let best = -1, bestDistance = Infinity;
    const c0 = Math.floor((wx - reachX) / CELL), c1 = Math.floor((wx + reachX) / CELL);
    const r0 = Math.floor((wy - reachY) / CELL), r1 = Math.floor((wy + reachY) / CELL);
    for (let cx = c0; cx <= c1; cx++) {
      for (let cy = r0; cy <= r1; cy++) {
        for (const i of grid.get(cellKey(cx, cy)) || []) {
          const d = Math.hypot(sx(nodes[i].x) - px, sy(nodes[i].y) - py);
          if (d <= reachPx && d < bestDistance) { best = i; bestDistance = d; }
        }
      }
    }
    return best;
  }

  const point = (e) => { const b = canvas.getBoundingClientRect(); return [e.clientX - b.left, e.clientY - b.top]; };
  let drag = null, tapTimer = null;
  canvas.addEventListener('pointerdown', (e) => {
    const [px, py] = point(e);
    drag = { px, py, panX, panY, moved: false, id: e.pointerId };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    const [px, py] = point(e);
    if (drag) {
      if (Math.abs(px - drag.px) + Math.abs(py - drag.py) > 4) drag.moved = true;
      if (drag.moved) {
        panX = drag.panX + px - drag.px;
        panY = drag.panY + py - drag.py;
        canvas.style.cursor = 'grabbing';
        moving();
        schedule();
      }
      return;
    }
    const at = hit(px, py);
    canvas.style.cursor = at >= 0 ? 'pointer' : 'default';
    if (at !== hovered) {
      hovered = at;
      if (at >= 0 && options.onHover) options.onHover(nodes[at]);
      schedule();
    }
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    canvas.style.cursor = 'default';
    try { canvas.releasePointerCapture(e.pointerId); } catch { /* already released */ }
    if (moved) return;
    const [px, py] = point(e);
    const at = hit(px, py);
    if (at < 0) return;
    selected = at;
    if (options.onHover) options.onHover(nodes[at]);
    schedule();
    // A click focuses on the node, unless a second click makes it a double click.
    clearTimeout(tapTimer);
    tapTimer = setTimeout(() => { if (options.onTap) options.onTap(nodes[at]); }, 260);
  });
  canvas.addEventListener('dblclick', (e) => {
    const [px, py] = point(e);
    const at = hit(px, py);
    if (at < 0) return;
    clearTimeout(tapTimer);
    if (options.onDoubleTap) options.onDoubleTap(nodes[at]);
  });
  canvas.addEventListener('pointerleave', () => { if (hovered >= 0 && !drag) { hovered = -1; schedule(); } });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const [px, py] = point(e);
    const factor = Math.exp(-e.deltaY * 0.0015);
    const next = Math.min(8, Math.max(fitZoom / 2, zoom * factor));
    const beforeX = xScale(), beforeY = yScale();
    zoom = next;
    panX = px - ((px - panX) * xScale()) / beforeX;
    panY = py - ((py - panY) * yScale()) / beforeY;
    moving();
    schedule();
  }, { passive: false });
  const onResize = () => { resize(); schedule(); };
  window.addEventListener('resize', onResize);

  resize();
  fit();
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  return {
    renderer: 'canvas',
    draw,
    // Where a node is drawn, in the page's client coordinates (null when unknown).
    screenPosition(id) {
      const i = index.get(id);
      if (i === undefined) return null;
      const b = canvas.getBoundingClientRect();
      return { x: b.left + sx(nodes[i].x), y: b.top + sy(nodes[i].y) };
    },
    // Zooms in on a node (readable labels) and selects it.
    center(id, atZoom = 1) {
      const i = index.get(id);
      if (i === undefined) return false;
      zoom = atZoom;
      panX = width / 2 - nodes[i].x * xScale();
      panY = height / 2 - nodes[i].y * yScale();
      selected = i;
      schedule();
      return true;
    },
    destroy() {
      clearTimeout(tapTimer);
      clearTimeout(settleTimer);
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('resize', onResize);
      canvas.remove();
    },
  };
}
