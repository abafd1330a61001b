export { ScreenTracker } from './screen-tracker.js';
export type { ScreenSnapshot, ScreenTrackerOptions } from './screen-tracker.js';
