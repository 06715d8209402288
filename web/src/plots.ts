// Drawing on canvases: the loss curve, a grid of images (C = 1 or 3, values in [0, 1]), a scatter.

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function ctx2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error(`canvas #${canvas.id}: no 2d context`);
  return ctx;
}

export function drawLoss(canvas: HTMLCanvasElement, losses: readonly number[], total: number): void {
  const ctx = ctx2d(canvas);
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  if (!losses.length) return;
  const hi = Math.max(...losses);
  const lo = Math.min(...losses);
  const pad = 30;
  const sx = (i: number) => pad + (i / Math.max(1, total - 1)) * (w - 2 * pad);
  const sy = (v: number) => h - pad - ((v - lo) / Math.max(hi - lo, 1e-6)) * (h - 2 * pad);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
  ctx.fillStyle = '#444';
  ctx.font = '11px sans-serif';
  ctx.fillText(hi.toFixed(2), 2, pad + 4);
  ctx.fillText(lo.toFixed(2), 2, h - pad);
  ctx.fillText(`step ${losses.length}/${total}`, w - pad - 70, h - 8);
  ctx.strokeStyle = COLOURS[0];
  ctx.lineWidth = 2;
  ctx.beginPath();
  losses.forEach((v, i) => (i ? ctx.lineTo(sx(i), sy(v)) : ctx.moveTo(sx(i), sy(v))));
  ctx.stroke();
}

/** Images (N, C, H, W) as rows of `cols` tiles, each scaled up by `scale`. */
export function drawImages(canvas: HTMLCanvasElement, images: Float32Array, shape: readonly number[], cols: number, scale = 2): void {
  const [n, c, h, w] = shape;
  const ctx = ctx2d(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(w, h);
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < 3; k++) img.data[4 * p + k] = Math.round(Math.min(1, Math.max(0, images[(s * c + (c === 1 ? 0 : k)) * h * w + p])) * 255);
      img.data[4 * p + 3] = 255;
    }
    const tile = document.createElement('canvas');
    tile.width = w;
    tile.height = h;
    ctx2d(tile).putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tile, (s % cols) * (w * scale + 2), Math.floor(s / cols) * (h * scale + 2), w * scale, h * scale);
  }
}

export function drawScatter(canvas: HTMLCanvasElement, x: Float32Array, y: Float32Array, labels: Int32Array): void {
  const ctx = ctx2d(canvas);
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const [x0, x1, y0, y1] = [Math.min(...x), Math.max(...x), Math.min(...y), Math.max(...y)];
  for (let i = 0; i < x.length; i++) {
    ctx.fillStyle = COLOURS[labels[i] % COLOURS.length];
    ctx.beginPath();
    ctx.arc(10 + ((x[i] - x0) / (x1 - x0 || 1)) * (w - 20), 10 + ((y[i] - y0) / (y1 - y0 || 1)) * (h - 20), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}
