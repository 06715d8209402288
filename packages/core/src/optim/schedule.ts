// Learning-rate schedules: linear warmup then cosine decay to `floor`·base (SimCLR, MoCo v2).

export function warmupCosine(step: number, total: number, base: number, opts: { warmup?: number; floor?: number } = {}): number {
  const warmup = opts.warmup ?? 0;
  if (step < warmup) return (base * (step + 1)) / warmup;
  const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  const floor = opts.floor ?? 0;
  return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
