export { threadQueryKey, threadQueryOptions } from './threadQueryOptions.js';
export { connectQueryClient } from './connectQueryClient.js';
export type { QueryClientLike } from './connectQueryClient.js';
