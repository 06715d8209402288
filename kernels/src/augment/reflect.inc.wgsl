// Index i of an axis of length n mirrored without repeating the edge (padding_mode 'reflect'),
// folded again for axes shorter than the kernel. No integer division: CPU adapters run a vector
// `%` as one scalar division per lane, and the loop runs only for kernels wider than the axis.
// Included by augment.wgsl and blur.wgsl.
fn reflect(i: i32, n: i32) -> i32 {
  if (n == 1) { return 0; }
  let period = 2 * (n - 1);
  var j = abs(i);
  while (j >= period) { j -= period; }
  if (j >= n) { j = period - j; }
  return j;
}

