import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse';
import { anActionEventInput, LedgerSystem, type TestTenant } from '@agent-ledger/testing';

const run = promisify(execFile);
const EVENTS = 200_000;
const MAX_RSS_GROWTH_MB = 100;
const HEAP_CAP_MB = 80;

/** Resident set size of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
}

/**
 * A 200,000-event CSV export streams: audit-api's memory stays flat while it is downloaded, and the
 * file parses back to the same rows with spreadsheet formulas neutralised.
 */
describe('audit-api export of 200,000 events', () => {
  // audit-api's V8 heap is capped below the size of the export (~71 MB of CSV) plus what the service
  // itself holds (~40 MB of loaded code and pools): it can only finish by streaming. Without a cap V8 sizes its heap lazily and RSS says more about the GC's
  // appetite than about what the export holds (docs/read-path.md).
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'], env: { 'audit-api': { NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` } } });
  let tenant: TestTenant;
  const posted = new Set<string>();

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`export-${system.suffix}`);
    const batch = (b: number) =>
      Array.from({ length: 1_000 }, (_, i) =>
        anActionEventInput({
          type: 'signal.rate_limited',
          sessionId: `s-${(b * 1_000 + i) % 997}`,
          agent: { id: 'bulk-agent', name: '=HYPERLINK("http://evil.example","x")' },
          metadata: { n: b * 1_000 + i },
        }),
      );
    for (let b = 0; b < EVENTS / 1_000; b += 4) {
      const answers = await Promise.all(
        [0, 1, 2, 3].map(async (k) => {
          const events = batch(b + k);
          for (const e of events) posted.add(e.eventId!);
          return system.postEvents(tenant.apiKeys.ingest, { events });
        }),
      );
      for (const a of answers) expect(a.status).toBe(202);
    }
    await system.waitForStored(tenant.tenantId, EVENTS + 1, 300_000);
  }, 420_000);

  afterAll(() => system.stop());

  it('should stream 200,000 events as CSV while audit-api grows by less than 100 MB, parsing back to the same rows', async () => {
    const pid = system.service('audit-api').pid!;
    // Warm up the same code path (modules, connection pools, JIT) so the figure is what the rows cost.
    const warm = await fetch(`${system.url('audit-api')}/v1/export?format=csv&sessionId=s-1`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
    expect((await warm.text()).split('\n').length).toBeGreaterThan(100);
    const before = rssMb(pid);
    let peak = before;
    let gone = false;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssMb(pid));
      } catch {
        gone = true; // the process exited: reported below with its output
      }
    }, 25);

    // The download runs in its own process, as a client would, writing to a file.
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-export-')), 'events.csv');
    const download = `
      const fs = require('node:fs');
      (async () => {
        const res = await fetch(process.argv[1], { headers: { authorization: 'Bearer ' + process.argv[2] } });
        if (res.status !== 200) { console.error('status ' + res.status); process.exit(2); }
        const out = fs.createWriteStream(process.argv[3]);
        let chunks = 0;
        for await (const chunk of res.body) { chunks++; if (!out.write(chunk)) await new Promise((r) => out.once('drain', r)); }
        out.end(() => { console.log(chunks); });
      })().catch((err) => { console.error(err); process.exit(1); });`;
    const downloaded = await run(process.execPath, ['-e', download, `${system.url('audit-api')}/v1/export?format=csv&type=signal.rate_limited`, tenant.apiKeys.read, file], { maxBuffer: 1 << 20 }).catch(
      (err: Error) => err,
    );
    clearInterval(sampler);
    if (gone || downloaded instanceof Error) {
      throw new Error(`${gone ? 'audit-api exited during the export' : `the download failed: ${(downloaded as Error).message}`}\n--- audit-api output ---\n${system.service('audit-api').logs().slice(-3_000)}`);
    }
    const { stdout } = downloaded;
    const chunks = Number(stdout.trim());

    const seen = new Set<string>();
    let neutralised = 0;
    for await (const row of createReadStream(file).pipe(parse({ columns: true })) as AsyncIterable<Record<string, string>>) {
      seen.add(row.eventId);
      if (row.agentName === `'=HYPERLINK("http://evil.example","x")`) neutralised++;
    }
    expect(chunks).toBeGreaterThan(100); // streamed, not sent in one piece
    expect(seen.size).toBe(EVENTS);
    expect([...posted].every((id) => seen.has(id))).toBe(true);
    expect(neutralised).toBe(EVENTS);
    process.stdout.write(`audit-api RSS during the export: ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak\n`);
    expect(peak - before).toBeLessThan(MAX_RSS_GROWTH_MB);
  }, 300_000);
});
