// @pretext/tasks in Node: everything of index.ts, and loading a run's splits from files.
export * from './index.js';
export { folderSplits, loadSplits } from './splits.js';
