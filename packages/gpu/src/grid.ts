// Dispatch grids that respect maxComputeWorkgroupsPerDimension (65535 by default):
// a 1-D job of `groups` workgroups becomes (x, y) with x ≤ limit; the shader recovers
// the flat index as  wid.x + wid.y · num_workgroups.x.

export function grid1d(groups: number, maxPerDim = 65535): [number, number, number] {
  if (groups <= maxPerDim) return [Math.max(1, groups), 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  if (y > maxPerDim) throw new RangeError(`${groups} workgroups exceed ${maxPerDim}² (maxComputeWorkgroupsPerDimension)`);
  return [Math.ceil(groups / y), y, 1];
}

export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}
