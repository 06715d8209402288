// The first two principal components of features (n, d), by power iteration on the covariance
// with deflation: enough for a 2-D map of a few hundred points.

export function pca2(values: Float32Array, n: number, d: number): { x: Float32Array; y: Float32Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j] / n;
  const c = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[i * d + j] = values[i * d + j] - mean[j];
  const project = (v: Float64Array) => {
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) p[i] += c[i * d + j] * v[j];
    return p;
  };
  const component = (deflate?: Float64Array): Float64Array => {
    let v = Float64Array.from({ length: d }, (_, j) => Math.sin(j + 1));
    for (let it = 0; it < 100; it++) {
      // v ← Cᵀ·(C·v), minus its part along the previous component
      const cv = project(v);
      const next = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) next[j] += c[i * d + j] * cv[i];
      if (deflate) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += next[j] * deflate[j];
        for (let j = 0; j < d; j++) next[j] -= dot * deflate[j];
      }
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    return v;
  };
  const v1 = component();
  const v2 = component(v1);
  return { x: project(v1), y: project(v2) };
}
