// @pretext/data for every JavaScript runtime (a browser page too): datasets in memory, batching,
// IDX parsing, image resizing. What reads files (the dataset loaders, PNG grids) is in index.ts,
// Node's entry; package.json maps the `browser` condition here.
export { FASHION_MNIST_FILES, fashionMnistFromIdx } from './fashion-mnist-idx.js';
export { type IdxArray, isGzip, parseIdx } from './idx.js';
export { type ImageHeader, imageHeader } from './image-header.js';
export { rgbaToChw } from './image-ops.js';
export { EMOJI_CATEGORIES, FASHION_MNIST_CLASSES } from './labels.js';
export { type Batch, ImageLoader, permutation } from './loader.js';
export { type ImageDataset, subset } from './types.js';
