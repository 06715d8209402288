// Getting a GPUDevice in Node (npm `webgpu`, Dawn) or a browser (`navigator.gpu`), with the
// adapter's real limits and every optional feature we can use.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Best guess at the driver (lavapipe reports Mesa/LLVM in its description). */
  driver: string;
  backend: 'dawn-node' | 'browser';
  features: string[];
  limits: Record<string, number>;
}

export const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
  'maxBindGroups',
] as const;

export const NO_ADAPTER_HELP = `No WebGPU adapter found (Dawn needs a Vulkan driver).
  Debian 12 (bookworm), as root:
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
    apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
  Ubuntu 24.04+ / Debian 13+, as root:
    apt-get install -y mesa-vulkan-drivers libvulkan1
  or run: bash scripts/setup.sh   (does the above when it can)`;

// Dawn's GPU object must outlive every use of WebGPU in the process: hold it here forever.
let nodeGpu: GPU | undefined;

async function navigatorGpu(dawnFlags: string[]): Promise<{ gpu: GPU; backend: AdapterSummary['backend'] }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && typeof process === 'undefined') return { gpu: nav.gpu, backend: 'browser' };
  if (!nodeGpu) {
    if (typeof process !== 'undefined') process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const mod = 'webgpu';
    const { create, globals } = (await import(/* @vite-ignore */ mod)) as {
      create: (flags: string[]) => GPU;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, globals);
    nodeGpu = create(dawnFlags);
  }
  return { gpu: nodeGpu, backend: 'dawn-node' };
}

export async function requestAdapterAndDevice(opts: { powerPreference?: GPUPowerPreference; dawnFlags?: string[] } = {}) {
  const { gpu, backend } = await navigatorGpu(opts.dawnFlags ?? ['disable-dawn-features=timestamp_quantization']);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error(NO_ADAPTER_HELP);
  const features = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const device = await adapter.requestDevice({
    label: 'pretext',
    requiredFeatures: features as GPUFeatureName[],
    requiredLimits,
  });
  const i = adapter.info;
  const description = i.description || '';
  const summary: AdapterSummary = {
    vendor: i.vendor || 'unknown',
    architecture: i.architecture || 'unknown',
    device: i.device || description || 'unknown',
    description,
    driver: /mesa|llvm/i.test(description) ? description : description || 'unknown',
    backend,
    features: [...device.features].sort(),
    limits: Object.fromEntries(LIMIT_NAMES.map((n) => [n, (device.limits as unknown as Record<string, number>)[n]])),
  };
  return { adapter, device, summary };
}
