// Canvas views for the demo widgets (anywidget ES module; see _canvas.py for the traits).
// The kernel computes everything; this file only draws what it is sent and reports pointer events.
// Two views share the file: "plane" (class regions, points, lines, rings, probe star; points can be
// dragged and empty space clicked) and "curve" (line plots on axes whose limits and ticks are given).

const DPR = () => window.devicePixelRatio || 1;

function makeCanvas(el, model, cls) {
  const canvas = document.createElement("canvas");
  canvas.className = cls;
  canvas.style.display = "block";
  canvas.style.touchAction = "none";
  el.appendChild(canvas);
  const resize = () => {
    const w = model.get("width"), h = model.get("height");
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * DPR());
    canvas.height = Math.round(h * DPR());
  };
  resize();
  return { canvas, resize };
}

// ----- plane -----------------------------------------------------------------------------------
function renderPlane({ model, el }) {
  const { canvas, resize } = makeCanvas(el, model, "cs231n-plane");
  const ctx = canvas.getContext("2d");
  const off = document.createElement("canvas"); // the region image at grid resolution
  let points = model.get("points").map((p) => p.slice());
  let drag = null; // {index, inFlight, moved}: one drag message in flight at a time, the latest position next

  const box = () => { // plot square inside the canvas, CSS px
    const w = model.get("width"), h = model.get("height"), top = model.get("title") ? 20 : 0;
    const size = Math.min(w, h - top);
    return { x0: (w - size) / 2, y0: top, size };
  };
  const toPx = (x, y) => {
    const [lo, hi] = model.get("bounds"), b = box();
    return [b.x0 + ((x - lo) / (hi - lo)) * b.size, b.y0 + ((hi - y) / (hi - lo)) * b.size];
  };
  const toData = (px, py) => {
    const [lo, hi] = model.get("bounds"), b = box();
    const clamp = (v) => Math.min(hi, Math.max(lo, v));
    return [clamp(lo + ((px - b.x0) / b.size) * (hi - lo)), clamp(hi - ((py - b.y0) / b.size) * (hi - lo))];
  };

  function paintRegions() {
    const n = model.get("grid"), view = model.get("regions");
    const labels = new Uint8Array(view.buffer || view, view.byteOffset || 0, view.byteLength);
    off.width = off.height = n;
    if (labels.length !== n * n) return;
    const octx = off.getContext("2d"), img = octx.createImageData(n, n);
    const tints = model.get("tints").map(hexToRgb), tie = hexToRgb(model.get("tie_color"));
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const label = labels[row * n + col], rgb = label < tints.length ? tints[label] : tie;
        const at = 4 * ((n - 1 - row) * n + col); // row 0 of the grid is the bottom of the picture
        img.data[at] = rgb[0]; img.data[at + 1] = rgb[1]; img.data[at + 2] = rgb[2]; img.data[at + 3] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
  }

  function draw() {
    const b = box(), colors = model.get("colors"), r = model.get("point_radius");
    ctx.setTransform(DPR(), 0, 0, DPR(), 0, 0);
    ctx.clearRect(0, 0, model.get("width"), model.get("height"));
    ctx.imageSmoothingEnabled = model.get("smooth");
    if (off.width > 0) ctx.drawImage(off, b.x0, b.y0, b.size, b.size);
    for (const s of model.get("segments")) {
      const [x0, y0] = toPx(s.x0, s.y0), [x1, y1] = toPx(s.x1, s.y1);
      ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1;
      line(ctx, x0, y0, x1, y1);
      if (s.arrow) arrowHead(ctx, x0, y0, x1, y1, 9);
    }
    const star = model.get("star"); // under the points, so a point added at the probe stays visible
    if (star) {
      const [sx, sy] = toPx(star.x, star.y);
      starPath(ctx, sx, sy, 16, 7);
      ctx.fillStyle = star.color; ctx.fill();
      ctx.strokeStyle = "black"; ctx.lineWidth = 1.5; ctx.stroke();
    }
    points.forEach(([x, y, c], i) => {
      const [px, py] = toPx(x, y);
      ctx.beginPath(); ctx.arc(px, py, drag && drag.index === i ? r + 2 : r, 0, 2 * Math.PI);
      ctx.fillStyle = colors[c % colors.length]; ctx.fill();
      ctx.strokeStyle = "black"; ctx.lineWidth = 1; ctx.stroke();
    });
    ctx.strokeStyle = "black"; ctx.lineWidth = 2;
    for (const i of model.get("rings")) {
      if (i >= points.length) continue;
      const [px, py] = toPx(points[i][0], points[i][1]);
      ctx.beginPath(); ctx.arc(px, py, r + 5, 0, 2 * Math.PI); ctx.stroke();
    }
    if (model.get("show_index")) {
      ctx.fillStyle = "black"; ctx.font = "11px sans-serif"; ctx.textAlign = "left";
      points.forEach(([x, y], i) => { const [px, py] = toPx(x, y); ctx.fillText(String(i), px + r + 2, py - r); });
    }
    ctx.strokeStyle = "#333"; ctx.lineWidth = 1; ctx.strokeRect(b.x0, b.y0, b.size, b.size);
    ctx.fillStyle = "black"; ctx.font = "13px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(model.get("title"), model.get("width") / 2, 14);
  }

  const eventPx = (e) => { const rect = canvas.getBoundingClientRect(); return [e.clientX - rect.left, e.clientY - rect.top]; };
  function hit(px, py) { // index of the point under the pointer, or -1
    let best = -1, bestD = (model.get("point_radius") + 4) ** 2;
    points.forEach(([x, y], i) => {
      const [qx, qy] = toPx(x, y), d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d <= bestD) { best = i; bestD = d; }
    });
    return best;
  }
  function sendDrag(done) {
    const [x, y] = points[drag.index];
    model.send({ event: "drag", index: drag.index, x, y, done });
    drag.inFlight = true;
    drag.moved = false;
  }
  model.on("msg:custom", (msg) => { // the kernel has handled a drag message
    if (msg.event !== "drag-handled" || !drag) return;
    drag.inFlight = false;
    if (drag.moved) sendDrag(false);
  });
  canvas.addEventListener("pointerdown", (e) => {
    if (!model.get("interactive")) return;
    const [px, py] = eventPx(e), i = hit(px, py);
    if (i >= 0) {
      drag = { index: i, inFlight: false, moved: false };
      canvas.setPointerCapture(e.pointerId);
      draw();
    } else {
      const b = box();
      if (px < b.x0 || px > b.x0 + b.size || py < b.y0 || py > b.y0 + b.size) return;
      const [x, y] = toData(px, py);
      model.send({ event: "click", x, y });
    }
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) {
      if (model.get("interactive")) canvas.style.cursor = hit(...eventPx(e)) >= 0 ? "grab" : "crosshair";
      return;
    }
    const [x, y] = toData(...eventPx(e));
    points[drag.index][0] = x; points[drag.index][1] = y;
    draw();
    if (drag.inFlight) drag.moved = true;
    else sendDrag(false);
  });
  const release = () => { if (drag) { sendDrag(true); drag = null; draw(); } };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);

  const onPoints = () => {
    const held = drag && points[drag.index] ? points[drag.index].slice() : null;
    points = model.get("points").map((p) => p.slice());
    if (held && points[drag.index]) points[drag.index] = held; // the pointer, not the kernel's lagging copy
    draw();
  };
  const onRegions = () => { paintRegions(); draw(); };
  const onSize = () => { resize(); draw(); };
  model.on("change:points", onPoints);
  model.on("change:regions change:grid change:tints change:tie_color", onRegions);
  model.on("change:width change:height", onSize);
  model.on("change:segments change:star change:rings change:colors change:title change:show_index change:smooth", draw);
  paintRegions();
  draw(); // anywidget removes these listeners when the view goes away
}

// ----- curve -----------------------------------------------------------------------------------
function renderCurve({ model, el }) {
  const { canvas, resize } = makeCanvas(el, model, "cs231n-curve");
  const ctx = canvas.getContext("2d");
  function draw() {
    const w = model.get("width"), h = model.get("height");
    const left = 52, right = 10, top = model.get("title") ? 34 : 10, bottom = 40;
    const [xa, xb] = model.get("xlim"), [ya, yb] = model.get("ylim");
    const X = (x) => left + ((x - xa) / (xb - xa)) * (w - left - right);
    const Y = (y) => h - bottom - ((y - ya) / (yb - ya)) * (h - top - bottom);
    ctx.setTransform(DPR(), 0, 0, DPR(), 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px sans-serif"; ctx.fillStyle = "black"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
    ctx.textAlign = "center";
    for (const t of model.get("xticks")) { line(ctx, X(t), top, X(t), h - bottom); ctx.fillText(fmt(t), X(t), h - bottom + 14); }
    ctx.textAlign = "right";
    for (const t of model.get("yticks")) { line(ctx, left, Y(t), w - right, Y(t)); ctx.fillText(fmt(t), left - 4, Y(t) + 4); }
    ctx.strokeStyle = "#333"; ctx.strokeRect(left, top, w - left - right, h - top - bottom);
    ctx.save();
    ctx.beginPath(); ctx.rect(left, top, w - left - right, h - top - bottom); ctx.clip();
    for (const s of model.get("series")) {
      ctx.strokeStyle = ctx.fillStyle = s.color; ctx.lineWidth = s.width || 1.5;
      ctx.setLineDash(s.dash ? [5, 4] : []);
      ctx.beginPath();
      s.x.forEach((x, i) => (i ? ctx.lineTo(X(x), Y(s.y[i])) : ctx.moveTo(X(x), Y(s.y[i]))));
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.marker) s.x.forEach((x, i) => { ctx.beginPath(); ctx.arc(X(x), Y(s.y[i]), s.marker, 0, 2 * Math.PI); ctx.fill(); });
    }
    ctx.restore();
    ctx.fillStyle = "black"; ctx.textAlign = "center"; ctx.font = "12px sans-serif";
    ctx.fillText(model.get("xlabel"), left + (w - left - right) / 2, h - 8);
    model.get("title").split("\n").forEach((t, i) => ctx.fillText(t, w / 2, 13 + 14 * i));
    ctx.save(); ctx.translate(13, top + (h - top - bottom) / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillText(model.get("ylabel"), 0, 0); ctx.restore();
    let lx = left + 8; // legend along the top of the axes
    ctx.textAlign = "left"; ctx.font = "11px sans-serif";
    for (const s of model.get("series")) {
      if (!s.label) continue;
      ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash ? [5, 4] : []);
      line(ctx, lx, top + 12, lx + 18, top + 12); ctx.setLineDash([]);
      ctx.fillStyle = "black"; ctx.fillText(s.label, lx + 22, top + 16);
      lx += 30 + ctx.measureText(s.label).width;
    }
  }
  const onSize = () => { resize(); draw(); };
  model.on("change:width change:height", onSize);
  model.on("change:series change:xlim change:ylim change:xticks change:yticks change:title change:xlabel change:ylabel", draw);
  draw();
}

// ----- helpers ---------------------------------------------------------------------------------
function hexToRgb(hex) {
  const v = parseInt(hex.replace("#", ""), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
function fmt(t) { return Math.abs(t) >= 100 || Number.isInteger(t) ? String(Math.round(t)) : String(+t.toPrecision(3)); }
function line(ctx, x0, y0, x1, y1) { ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke(); }
function arrowHead(ctx, x0, y0, x1, y1, size) {
  const a = Math.atan2(y1 - y0, x1 - x0);
  for (const da of [-0.45, 0.45]) line(ctx, x1, y1, x1 - size * Math.cos(a + da), y1 - size * Math.sin(a + da));
}
function starPath(ctx, x, y, outer, inner) {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const rad = i % 2 ? inner : outer, a = -Math.PI / 2 + (i * Math.PI) / 5;
    ctx[i ? "lineTo" : "moveTo"](x + rad * Math.cos(a), y + rad * Math.sin(a));
  }
  ctx.closePath();
}

export default {
  render(args) {
    return args.model.get("_view") === "curve" ? renderCurve(args) : renderPlane(args);
  },
};
