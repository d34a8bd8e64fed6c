import path from 'node:path';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';
import type { Mode } from './context';

/** The phases of a run, in the order they run. */
export const PHASES = ['ingest', 'projection', 'scaling', 'escalation', 'query', 'end-to-end'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchArgs {
  mode: Mode;
  outDir: string;
  /** The phases to run (all unless --only names some). */
  phases: Phase[];
}

export const USAGE = `usage: npm run bench [-- --quick] [-- --only <phase>[,<phase>…]] [-- --out-dir <dir>]

Drives the built services (npm run build) against the running local stack (scripts/stack.sh up) and
the test database, prints a table and writes <out-dir>/<timestamp>.json (default bench/results).
  --quick     smaller sizes and shorter windows (under 3 minutes); the report records the sizes used
  --only      run only these phases (${PHASES.join(', ')}); the report holds their figures only
  --out-dir   where to write the JSON report`;

function parsePhases(list: string): Phase[] | undefined {
  const names = list.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length || names.some((n) => !(PHASES as readonly string[]).includes(n))) return undefined;
  // Always in the run order, whatever order they were named in.
  return PHASES.filter((p) => names.includes(p));
}

/** The command line, or undefined when it is not understood (the caller prints USAGE). */
export function parseArgs(argv: string[]): BenchArgs | undefined {
  let mode: Mode = 'full';
  let outDir = path.join(WORKSPACE_ROOT, 'bench', 'results');
  let phases: Phase[] = [...PHASES];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--only=') ? ['--only', argv[i].slice('--only='.length)] : [argv[i], undefined];
    if (flag === '--quick') mode = 'quick';
    else if (flag === '--full') mode = 'full';
    else if (flag === '--out-dir' && argv[i + 1]) outDir = path.resolve(argv[++i]);
    else if (flag === '--only' && (inline ?? argv[i + 1])) {
      const parsed = parsePhases(inline ?? argv[++i]);
      if (!parsed) return undefined;
      phases = parsed;
    } else return undefined;
  }
  return { mode, outDir, phases };
}
