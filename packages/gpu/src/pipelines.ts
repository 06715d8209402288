// Compute pipelines cached by (source, entry point, override constants).
import { GpuError } from './errors.js';

export interface PipelineStats {
  created: number;
  hits: number;
}

export class PipelineCache {
  private readonly cache = new Map<string, GPUComputePipeline>();
  readonly stats: PipelineStats = { created: 0, hits: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly watch: (kernel: string, what: string, create: () => GPUComputePipeline) => GPUComputePipeline,
  ) {}

  get(kernel: string, code: string, constants: Record<string, number> = {}, entryPoint = 'main'): GPUComputePipeline {
    const key = `${entryPoint}\u0000${JSON.stringify(constants)}\u0000${code}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    const pipeline = this.watch(kernel, 'pipeline creation', () => {
      const module = this.device.createShaderModule({ code, label: kernel });
      return this.device.createComputePipeline({
        label: kernel,
        layout: 'auto',
        compute: { module, entryPoint, constants },
      });
    });
    this.stats.created++;
    this.cache.set(key, pipeline);
    return pipeline;
  }

  /** Compiles now and throws a labelled error if the shader is invalid. */
  async compile(kernel: string, code: string, constants: Record<string, number> = {}, entryPoint = 'main'): Promise<GPUComputePipeline> {
    const key = `${entryPoint}\u0000${JSON.stringify(constants)}\u0000${code}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const module = this.device.createShaderModule({ code, label: kernel });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      throw new GpuError(kernel, `WGSL compilation failed:\n${errors.map((m) => `  ${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}`);
    }
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({ label: kernel, layout: 'auto', compute: { module, entryPoint, constants } });
    } catch (e) {
      throw new GpuError(kernel, `pipeline creation failed: ${(e as Error).message}`);
    }
    this.stats.created++;
    this.cache.set(key, pipeline);
    return pipeline;
  }
}
