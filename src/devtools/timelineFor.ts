import type { AnySyncClient } from '../client/types.js';
import { createTimeline, type Timeline } from './timeline.js';

const timelines = new WeakMap<AnySyncClient, Timeline>();

/**
 * One timeline per client, kept while the client lives: closing and reopening the panel keeps
 * what was recorded while it was open. The first call's `limit` is the one kept.
 */
export function timelineFor(client: AnySyncClient, limit?: number): Timeline {
  let timeline = timelines.get(client);
  if (!timeline) {
    timeline = createTimeline(client, { limit });
    timelines.set(client, timeline);
  }
  return timeline;
}
