'use client';
import { useCallback } from 'react';
import type { Ref, RefCallback } from 'react';

/** One ref callback that feeds the user's forwarded ref and the component's own. */
export function useComposedRef<T>(...refs: Array<Ref<T> | undefined>): RefCallback<T> {
  return useCallback(
    (node: T | null) => {
      for (const ref of refs) {
        if (typeof ref === 'function') ref(node);
        else if (ref) (ref as { current: T | null }).current = node;
      }
    },
    // The refs themselves are the inputs; their identity is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    refs,
  );
}
