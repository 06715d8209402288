/** A GPU-side failure (validation, out-of-memory, internal, device loss), naming the kernel. */
export class GpuError extends Error {
  override name = 'GpuError';
  constructor(
    readonly kernel: string,
    message: string,
  ) {
    super(`[${kernel}] ${message}`);
  }
}

/** Bad input to a launcher: names the kernel, the argument and what is wrong. */
export class KernelInputError extends Error {
  override name = 'KernelInputError';
  constructor(
    readonly kernel: string,
    readonly argument: string,
    problem: string,
  ) {
    super(`${kernel}: argument '${argument}': ${problem}`);
  }
}

/** Throws KernelInputError unless `ok`. */
export function check(ok: unknown, kernel: string, argument: string, problem: () => string): asserts ok {
  if (!ok) throw new KernelInputError(kernel, argument, problem());
}
