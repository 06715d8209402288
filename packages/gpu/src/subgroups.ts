// Which subgroup width a kernel runs with. Subgroup kernels are written for W lanes (their WGSL
// `override SG`): a workgroup of W invocations is one subgroup, or a workgroup of several
// subgroups each of exactly W lanes. W comes from the adapter, never assumed: lavapipe has 8,
// SwiftShader 4, most discrete GPUs 32 or 64, and some (Intel, AMD) pick per pipeline within a range.

/** The adapter's subgroup sizes: every subgroup has between `min` and `max` lanes. */
export interface SubgroupSizes {
  min: number;
  max: number;
}

/** What a subgroup kernel can run with. */
export interface SubgroupNeeds {
  /** Widths the kernel is written for (default: powers of two 4 … 64). */
  widths?: readonly number[];
  /**
   * The kernel's workgroups hold several subgroups, each of which must have exactly W lanes
   * (rows owned per subgroup): needs min = max. Without it a workgroup of W invocations, W the
   * adapter's minimum, is one subgroup whatever size the driver picks.
   */
  exact?: boolean;
}

export const SUBGROUP_WIDTHS = [4, 8, 16, 32, 64] as const;

/** The width W a kernel with these needs runs with on an adapter of these sizes, or 0: take the portable path. */
export function subgroupWidth(sizes: SubgroupSizes | null, needs: SubgroupNeeds = {}): number {
  if (!sizes) return 0;
  const { widths = SUBGROUP_WIDTHS, exact = false } = needs;
  if (exact && sizes.min !== sizes.max) return 0;
  return widths.includes(sizes.min) ? sizes.min : 0;
}

/** Whether the user switched subgroup kernels off: PRETEXT_SUBGROUPS=0 (or false/off/no). */
export function subgroupsOffByEnv(value: string | undefined): boolean {
  return value !== undefined && ['0', 'false', 'off', 'no'].includes(value.trim().toLowerCase());
}
