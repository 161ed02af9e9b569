/*
 * Open event streams counted per principal (docs/server.md, "Limits"): one caller cannot make
 * the server hold more than `perPrincipal` streams, nor all callers together more than `total`.
 * Callers without a principal (no `identify`) are counted in the total only.
 */

export interface StreamSlots {
  /** Takes a slot, or says which bound refused it. */
  take(principal: string | null): 'ok' | 'principal' | 'total';
  release(principal: string | null): void;
}

export function createStreamSlots(perPrincipal: number, total: number): StreamSlots {
  const open = new Map<string, number>();
  let all = 0;
  return {
    take(principal) {
      if (all >= total) return 'total';
      if (principal !== null) {
        const mine = open.get(principal) ?? 0;
        if (mine >= perPrincipal) return 'principal';
        open.set(principal, mine + 1);
      }
      all++;
      return 'ok';
    },
    release(principal) {
      all--;
      if (principal === null) return;
      const mine = (open.get(principal) ?? 1) - 1;
      if (mine <= 0) open.delete(principal);
      else open.set(principal, mine);
    },
  };
}
