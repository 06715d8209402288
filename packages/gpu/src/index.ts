/// <reference types="@webgpu/types" />
export { type AdapterSummary, NO_ADAPTER_HELP, requestAdapterAndDevice } from './adapter.js';
export { type GpuArray, shapeString } from './array.js';
export { type AnyTypedArray, BYTES_PER_ELEMENT, type DType, dtypeOf, numel, type TypedArrayFor, typedArray } from './dtype.js';
export { checkArray, checkBinding, checkNonEmpty, checkU32, type OutOptions, outArray } from './checks.js';
export { check, GpuError, KernelInputError } from './errors.js';
export { type Binding, type Dispatch, destroyGpu, getGpu, Gpu, type GpuOptions, type GpuStats, MAX_UNWAITED_SUBMITS } from './gpu.js';
export { Autotuner, type AutotunerOptions, sizeBucket, type TuneCandidate, type TuneDevice, type TuneEntry, tuneCachePath } from './autotune.js';
export { ceilDiv, grid1d } from './grid.js';
export { Params, params } from './params.js';
export { PipelineCache } from './pipelines.js';
export { specialize } from './slots.js';
export { SUBGROUP_WIDTHS, type SubgroupNeeds, type SubgroupSizes, subgroupsOffByEnv, subgroupWidth } from './subgroups.js';
export { BufferPool, sizeClass, STORAGE_USAGE } from './pool.js';
export { broadcastIndex, broadcastShapes, broadcastStrides, collapseDims, contiguousStrides, forEachIndex, MAX_RANK, type Pair, padRank, pair, sameShape } from './shape.js';
export { type HostRecord, type KernelSummary, type PassRecord, type ProfileCeilings, Profiler } from './profiler.js';
export { MAP_READ_MODE, Usage } from './usage.js';
