// A small perspective view of a scene's spatial tokens on a 2D canvas: one dot per token at its centre (metres,
// z up), the kept ones drawn on top in a strong colour and the pruned ones faded. Drag rotates, the wheel zooms,
// a double-click resets. The canvas's data-points / data-kept / data-pruned attributes count what the last frame
// drew, so that a test (or a reader of the DOM) can tell what the picture shows.

const DEFAULT_YAW = -0.55;
const DEFAULT_PITCH = 0.62;
const MIN_PITCH = -0.15;
const MAX_PITCH = 1.52;

const COLOURS = {
  background: "#fbfcfe",
  grid: "rgba(40, 60, 90, 0.13)",
  gridEdge: "rgba(40, 60, 90, 0.35)",
  plain: "rgba(50, 95, 160, 0.72)",
  pruned: "rgba(120, 130, 150, 0.3)",
  kept: "#e8590c",
  keptEdge: "#7c2d04",
  label: "rgba(40, 50, 70, 0.75)",
};

export class SceneView {
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.xyz = new Float32Array(0);
    this.count = 0;
    this.keptMask = null;
    this.reset();
    this.listen();
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  /** Shows a new scene: positions [x0, y0, z0, x1, ...]; no token is marked until setKept. */
  setPoints(xyz) {
    this.xyz = Float32Array.from(xyz ?? []);
    this.count = Math.floor(this.xyz.length / 3);
    this.keptMask = null;
    this.bounds = boundsOf(this.xyz, this.count);
    this.reset();
  }

  /** Marks the kept tokens (indices into the spatial block); null clears the marking. */
  setKept(indices) {
    if (indices == null) {
      this.keptMask = null;
    } else {
      this.keptMask = new Uint8Array(this.count);
      for (const i of indices) if (i >= 0 && i < this.count) this.keptMask[i] = 1;
    }
    this.requestDraw();
  }

  reset() {
    this.yaw = DEFAULT_YAW;
    this.pitch = DEFAULT_PITCH;
    this.zoom = 1;
    this.requestDraw();
  }

  listen() {
    const c = this.canvas;
    let last = null;
    c.addEventListener("pointerdown", (e) => {
      last = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
      c.classList.add("dragging");
    });
    c.addEventListener("pointermove", (e) => {
      if (last == null) return;
      this.rotate((e.clientX - last.x) * 0.01, (e.clientY - last.y) * 0.01);
      last = { x: e.clientX, y: e.clientY };
    });
    const end = (e) => {
      last = null;
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
      c.classList.remove("dragging");
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    // Not passive: the page must not scroll while the wheel zooms the view.
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoomBy(Math.exp(-e.deltaY * 0.0015));
    }, { passive: false });
    c.addEventListener("dblclick", () => this.reset());
    c.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] }[e.key];
      if (step) {
        e.preventDefault();
        this.rotate(step[0], step[1]);
      } else if (e.key === "+" || e.key === "=") {
        this.zoomBy(1.15);
      } else if (e.key === "-") {
        this.zoomBy(1 / 1.15);
      }
    });
  }

  rotate(dYaw, dPitch) {
    this.yaw += dYaw;
    this.pitch = Math.min(MAX_PITCH, Math.max(MIN_PITCH, this.pitch + dPitch));
    this.requestDraw();
  }

  zoomBy(factor) {
    this.zoom = Math.min(8, Math.max(0.3, this.zoom * factor));
    this.requestDraw();
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ratio = ratio;
    this.requestDraw();
  }

  requestDraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  /** A projector from room coordinates to canvas pixels for the given angles and focal length (pixels). */
  projector(yaw, pitch, focal) {
    const b = this.bounds ?? { centre: [0, 0, 0], radius: 1 };
    const w = this.canvas.width, h = this.canvas.height;
    const distance = 3 * b.radius;
    const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
    return (x, y, z) => {
      const px = x - b.centre[0], py = y - b.centre[1], pz = z - b.centre[2];
      const x1 = cy * px - sy * py, y1 = sy * px + cy * py;
      const up = sp * y1 + cp * pz;
      const depth = distance + cp * y1 - sp * pz;
      const s = focal / Math.max(depth, 1e-3);
      return { x: w / 2 + x1 * s, y: h / 2 - up * s, depth, scale: distance / Math.max(depth, 1e-3) };
    };
  }

  /**
   * The focal length at which the room, seen from the default angles, fills 90% of the canvas. It depends on the
   * room and the canvas only, so rotating never rescales the picture; zooming does.
   */
  fitFocal() {
    const b = this.bounds;
    if (b == null) return Math.min(this.canvas.width, this.canvas.height);
    const w = this.canvas.width, h = this.canvas.height;
    const unit = this.projector(DEFAULT_YAW, DEFAULT_PITCH, 1);
    let dx = 0, dy = 0;
    for (const x of [b.floor[0], b.floor[2]]) for (const y of [b.floor[1], b.floor[3]]) for (const z of [b.min[2], b.max[2]]) {
      const p = unit(x, y, z);
      dx = Math.max(dx, Math.abs(p.x - w / 2));
      dy = Math.max(dy, Math.abs(p.y - h / 2));
    }
    return Math.min(0.45 * w / Math.max(dx, 1e-6), 0.45 * h / Math.max(dy, 1e-6));
  }

  draw() {
    const g = this.context, w = this.canvas.width, h = this.canvas.height, r = this.ratio || 1;
    g.fillStyle = COLOURS.background;
    g.fillRect(0, 0, w, h);
    const project = this.projector(this.yaw, this.pitch, this.fitFocal() * this.zoom);
    if (this.bounds) this.drawFloor(g, project, r);

    const plain = [], pruned = [], kept = [];
    for (let i = 0; i < this.count; i++) {
      const p = project(this.xyz[3 * i], this.xyz[3 * i + 1], this.xyz[3 * i + 2]);
      if (p.depth <= 0) continue;
      (this.keptMask == null ? plain : this.keptMask[i] ? kept : pruned).push(p);
    }
    // Far to near, and kept tokens last, so that a kept token is never hidden behind a faded one.
    const byDepth = (a, b) => b.depth - a.depth;
    for (const group of [plain, pruned, kept]) group.sort(byDepth);
    this.dots(g, plain, 2.6 * r, COLOURS.plain, null);
    this.dots(g, pruned, 2.4 * r, COLOURS.pruned, null);
    this.dots(g, kept, 4.6 * r, COLOURS.kept, COLOURS.keptEdge);

    const d = this.canvas.dataset;
    d.points = String(this.count);
    d.kept = String(kept.length);
    d.pruned = String(pruned.length);
    d.yaw = this.yaw.toFixed(3);
    d.zoom = this.zoom.toFixed(3);
  }

  dots(g, points, radius, fill, edge) {
    g.fillStyle = fill;
    if (edge) {
      g.strokeStyle = edge;
      g.lineWidth = Math.max(1, radius * 0.28);
    }
    for (const p of points) {
      const rad = Math.max(1, radius * Math.min(1.6, Math.max(0.6, p.scale)));
      g.beginPath();
      g.arc(p.x, p.y, rad, 0, 2 * Math.PI);
      g.fill();
      if (edge) g.stroke();
    }
  }

  /** A one-metre grid on the floor (the lowest token), for a sense of scale and orientation. */
  drawFloor(g, project, r) {
    const [x0, y0, x1, y1] = this.bounds.floor;
    const z = this.bounds.min[2];
    const line = (a, b, style) => {
      const p = project(a[0], a[1], z), q = project(b[0], b[1], z);
      if (p.depth <= 0 || q.depth <= 0) return;
      g.strokeStyle = style;
      g.beginPath();
      g.moveTo(p.x, p.y);
      g.lineTo(q.x, q.y);
      g.stroke();
    };
    g.lineWidth = r;
    for (let x = x0; x <= x1; x++) line([x, y0], [x, y1], x === x0 || x === x1 ? COLOURS.gridEdge : COLOURS.grid);
    for (let y = y0; y <= y1; y++) line([x0, y], [x1, y], y === y0 || y === y1 ? COLOURS.gridEdge : COLOURS.grid);
    g.fillStyle = COLOURS.label;
    g.font = `${11 * r}px system-ui, sans-serif`;
    const label = project(x1, y0, z);
    if (label.depth > 0) g.fillText(`${x1 - x0} m × ${y1 - y0} m`, label.x + 6 * r, label.y + 14 * r);
  }
}

function boundsOf(xyz, count) {
  if (count === 0) return null;
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < 3; k++) {
      const v = xyz[3 * i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  const centre = [0, 1, 2].map((k) => (min[k] + max[k]) / 2);
  const radius = Math.max(0.5, Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2);
  // The floor grid's extent: whole metres around the tokens.
  const floor = [Math.floor(min[0]), Math.floor(min[1]), Math.ceil(max[0]), Math.ceil(max[1])];
  return { min, max, centre, radius, floor };
}
