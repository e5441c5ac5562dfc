// The chaos driver's printed figures (bench/chaos): one run's checks and faults, and the summary of
// many runs by kind of fault (injected, recovered, evaluations re-run, wall time lost).
import type { ChaosReport } from "./driver.js";
import { FAULT_KINDS } from "./schedule.js";

const s = (ms: number | null) => (ms === null ? "at the end (the search ended first)" : `in ${(ms / 1000).toFixed(1)} s`);

export function runText(r: ChaosReport): string {
  const lines = [
    `seed ${r.seed} ${r.searcher}: ${r.ok ? "PASS" : "FAIL"} in ${r.wallSeconds.toFixed(0)} s, ${r.batchJobs} batch jobs, ${r.evaluations} evaluation rows for a budget of ${r.budget}, ` +
      `${r.reruns.total} re-run, ${r.gaveUp} gave up after their attempts (folder ${r.dir})`,
  ];
  for (const c of r.checks) lines.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
  for (const f of r.faults) {
    const at = f.injectedAt === null ? `skipped (${f.skipped})` : `recovered ${s(f.recoveredAfterMs)}, lost ${f.lostSeconds.toFixed(1)} s, ${f.reruns} re-run`;
    lines.push(`  fault ${String(f.n).padStart(2)} ${f.kind.padEnd(20)} at ${(f.atFraction * 100).toFixed(0).padStart(2)}%: ${at}${f.target ? ` — ${f.target}` : ""}`);
  }
  const causes = Object.entries(r.reruns.byCause).sort((a, b) => b[1] - a[1]);
  if (causes.length > 0) lines.push(`  re-runs by cause: ${causes.map(([c, n]) => `${n} × ${c}`).join("; ")}`);
  return lines.join("\n");
}

export interface KindSummary {
  kind: string;
  injected: number;
  skipped: number;
  /** Injected in runs that passed every check: the search survived them. */
  recovered: number;
  /** Of those back to their normal level before the end. */
  medianRecoverySeconds: number | null;
  lostSeconds: number;
  reruns: number;
}

export function summarize(reports: readonly ChaosReport[]): { runs: number; passed: number; kinds: KindSummary[]; reruns: number; gaveUp: number; wallSeconds: number } {
  const kinds = FAULT_KINDS.map((kind) => {
    const fs = reports.flatMap((r) => r.faults.filter((f) => f.kind === kind).map((f) => ({ ...f, survived: r.ok })));
    const injected = fs.filter((f) => f.injectedAt !== null);
    const rec = injected.filter((f) => f.recoveredAfterMs !== null).map((f) => f.recoveredAfterMs!).sort((a, b) => a - b);
    return {
      kind,
      injected: injected.length,
      skipped: fs.length - injected.length,
      recovered: injected.filter((f) => f.survived).length,
      medianRecoverySeconds: rec.length > 0 ? rec[Math.floor(rec.length / 2)]! / 1000 : null,
      lostSeconds: injected.reduce((a, f) => a + f.lostSeconds, 0),
      reruns: injected.reduce((a, f) => a + f.reruns, 0),
    };
  });
  return {
    runs: reports.length,
    passed: reports.filter((r) => r.ok).length,
    kinds,
    reruns: reports.reduce((a, r) => a + r.reruns.total, 0),
    gaveUp: reports.reduce((a, r) => a + r.gaveUp, 0),
    wallSeconds: reports.reduce((a, r) => a + r.wallSeconds, 0),
  };
}

export function summaryTable(reports: readonly ChaosReport[]): string {
  const sum = summarize(reports);
  const lines = [
    `${sum.passed}/${sum.runs} run(s) passed every check; ${sum.reruns} evaluation(s) re-run, ${sum.gaveUp} gave up after their attempts; ${sum.wallSeconds.toFixed(0)} s of searching`,
    "",
    "| fault | injected | skipped | recovered | median recovery | wall time lost | re-run |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const k of sum.kinds) {
    lines.push(`| ${k.kind} | ${k.injected} | ${k.skipped} | ${k.recovered} | ${k.medianRecoverySeconds === null ? "-" : `${k.medianRecoverySeconds.toFixed(1)} s`} | ${k.lostSeconds.toFixed(1)} s | ${k.reruns} |`);
  }
  return lines.join("\n");
}
