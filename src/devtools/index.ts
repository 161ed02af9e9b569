export { SyncInspector } from './SyncInspector.js';
export type { SyncInspectorProps } from './SyncInspector.js';
export type { InspectorLabels } from './labels.js';
export { createTimeline, filterByThread, groupWrites, DEFAULT_TIMELINE_LIMIT } from './timeline.js';
export type { Timeline, TimelineOptions, TimelineEntry, TimelineSnapshot, TimelineReport, WriteGroup, WriteAttempt } from './timeline.js';
