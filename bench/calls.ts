// What each warm issuance sent to DynamoDB and STS, and whether that meets the budget:
// 0 reads for a cached tenant and key, the same writes on every issuance, and 1 STS call.
//
// "Cached" needs care: the vend handler caches keys and tenant context for CACHE_TTL_SECONDS
// (the revocation bound), so a long warm loop legitimately reloads them once per TTL. Reads are
// grouped into reload clusters; a cluster is a legitimate reload only if it could not have
// happened earlier: its first issuance ended at least one TTL after the previous cluster began
// (entries loaded then cannot have expired sooner), and it reads no more than the first, cold
// load did. Any other read is a read on a cached issuance, and breaks the budget.

export interface IssuanceCalls {
  startMs: number;
  endMs: number;
  reads: number;
  writes: number;
  sts: number;
  other: number;
  /** false for warm-up issuances: they place the first load but are not counted. */
  measured: boolean;
}

export interface ReloadCluster {
  /** ms after the first issuance of the run began. */
  atMs: number;
  reads: number;
  issuances: number;
  legitimate: boolean;
}

export interface CallAnalysis {
  issuances: number;
  totals: { reads: number; writes: number; sts: number; other: number };
  perIssuance: { reads: number; writes: number; sts: number; other: number };
  /** `<reads>r/<writes>w/<sts>s` -> number of measured issuances with that pattern. */
  patterns: Record<string, number>;
  /** Reload clusters that fell in the measured loop (legitimate or not). */
  reloads: ReloadCluster[];
  /** Reads on issuances that had the tenant and key cached, per such issuance. */
  readsPerCachedIssuance: number;
  /** The writes every measured issuance made, or null when they differ. */
  writesEach: number | null;
  allStsExactlyOne: boolean;
}

/** Reading issuances that start within this of a cluster's first belong to that cluster. */
export const CLUSTER_SPAN_MS = 1000;

export function analyzeCalls(all: readonly IssuanceCalls[], ttlMs: number): CallAnalysis {
  const measured = all.filter((i) => i.measured);
  if (measured.length === 0) throw new Error('no measured issuances');
  const origin = all[0]!.startMs;
  const sum = (pick: (i: IssuanceCalls) => number) => measured.reduce((total, i) => total + pick(i), 0);

  const patterns: Record<string, number> = {};
  for (const i of measured) {
    const key = `${i.reads}r/${i.writes}w/${i.sts}s`;
    patterns[key] = (patterns[key] ?? 0) + 1;
  }

  interface Cluster {
    start: IssuanceCalls;
    members: IssuanceCalls[];
  }
  const clusters: Cluster[] = [];
  for (const issuance of all) {
    if (issuance.reads === 0) continue;
    const last = clusters.at(-1);
    if (last && issuance.startMs - last.start.startMs <= CLUSTER_SPAN_MS) last.members.push(issuance);
    else clusters.push({ start: issuance, members: [issuance] });
  }
  const readsOf = (c: Cluster) => c.members.reduce((total, i) => total + i.reads, 0);
  const coldReads = clusters[0] ? readsOf(clusters[0]) : 0;

  const reloads: ReloadCluster[] = [];
  let cachedReads = 0;
  let cachedIssuances = measured.length;
  clusters.forEach((cluster, index) => {
    const previous = clusters[index - 1];
    // The first cluster is the cold load; it counts as legitimate only while warming up.
    const legitimate = previous
      ? cluster.start.endMs >= previous.start.startMs + ttlMs && readsOf(cluster) <= coldReads
      : !cluster.members.some((i) => i.measured);
    const inLoop = cluster.members.filter((i) => i.measured);
    if (inLoop.length === 0) return;
    const reads = inLoop.reduce((total, i) => total + i.reads, 0);
    reloads.push({ atMs: cluster.start.startMs - origin, reads, issuances: inLoop.length, legitimate });
    if (legitimate) cachedIssuances -= inLoop.length;
    else cachedReads += reads;
  });

  const totals = { reads: sum((i) => i.reads), writes: sum((i) => i.writes), sts: sum((i) => i.sts), other: sum((i) => i.other) };
  const n = measured.length;
  return {
    issuances: n,
    totals,
    perIssuance: { reads: totals.reads / n, writes: totals.writes / n, sts: totals.sts / n, other: totals.other / n },
    patterns,
    reloads,
    readsPerCachedIssuance: cachedIssuances > 0 ? cachedReads / cachedIssuances : 0,
    writesEach: measured.every((i) => i.writes === measured[0]!.writes) ? measured[0]!.writes : null,
    allStsExactlyOne: measured.every((i) => i.sts === 1),
  };
}
