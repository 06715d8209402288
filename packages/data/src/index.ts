// @pretext/data: datasets, batching, text.
export { EMOJI_CATEGORIES, type EmojiPairs, type EmojiVendor, decodeEmojiPng, loadEmoji } from './emoji.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';
export * from './text/index.js';
export { type IdxArray, parseIdx } from './idx.js';
export { type Batch, ImageLoader, permutation } from './loader.js';
export { type ImageDataset, subset } from './types.js';
export { type GridOptions, imageGridPng, writeImageGrid } from './png.js';
