// @pretext/data in Node: everything of index.ts, and the loaders that read files.
export * from './index.js';
export { type DecodedImage, decodeImage } from './decode.js';
export { type EmojiPairs, type EmojiVendor, decodeEmojiPng, loadEmoji } from './emoji.js';
export { FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';
export { cacheDir, type FolderDataset, type FolderOptions, type FolderScan, IMAGE_EXTENSIONS, loadImageFolder, ROOT_CLASS, scanImageFolder, type SkippedFile } from './folder.js';
export { FORTUNES_DIR, loadFortunes, type TextDataset } from './fortunes.js';
export { gunzipIdx, parseIdxFile } from './idx-file.js';
export { type GridOptions, imageGridPng, writeImageGrid } from './png.js';
