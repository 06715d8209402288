// @pretext/data: datasets, batching, text. This entry runs anywhere (a browser page too): datasets
// in memory, batching, IDX parsing, image resizing; node.ts, Node's entry, adds what reads files
// (the dataset loaders, image folders, PNG grids).
export { FASHION_MNIST_FILES, fashionMnistFromIdx } from './fashion-mnist-idx.js';
export { type IdxArray, isGzip, parseIdx } from './idx.js';
export { type ImageHeader, imageHeader } from './image-header.js';
export { rgbaToChw } from './image-ops.js';
export { EMOJI_CATEGORIES, FASHION_MNIST_CLASSES } from './labels.js';
export { type Batch, ImageLoader, permutation } from './loader.js';
export { type ImageDataset, subset } from './types.js';
export type { EmojiPairs, EmojiVendor } from './emoji.js';
export type { TextDataset } from './fortunes.js';
