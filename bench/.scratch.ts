import { runBench } from './bench';
const r = await runBench({ quick: false, log: () => {}, overrides: { coldRuns: 1, firstRequestRuns: 0, auditRecords: [], otherHandlersCold: false, warmup: Number(process.argv[2]), issuances: Number(process.argv[3]), segment: Number(process.argv[4]) } });
const f = (a: number[]) => a.map((x) => x.toFixed(2)).join(' ');
console.log('baseline', r.warm.baseline.medianMs.toFixed(2), '|', f(r.warm.baseline.segmentMedianMs));
console.log('vend    ', r.warm.vend.medianMs.toFixed(2), '|', f(r.warm.vend.segmentMedianMs));
