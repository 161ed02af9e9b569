export { SyncBadge } from './SyncBadge.js';
export type { SyncBadgeProps, SyncBadgeLabels } from './SyncBadge.js';
export { DegradedBanner } from './DegradedBanner.js';
export type { DegradedBannerProps, DegradedBannerLabels, DegradedBannerState } from './DegradedBanner.js';
export { PendingWriteIndicator } from './PendingWriteIndicator.js';
export type {
  PendingWriteIndicatorProps,
  PendingWriteIndicatorLabels,
  PendingWriteIndicatorState,
} from './PendingWriteIndicator.js';
