import { useState } from 'react';
import type { LedgerClient, Query } from '../api/client';
import { toProblem, type ApiProblem } from '../api/problem';
import { ProblemMessage } from '../shared/problem-message';
import { useAnnounce } from '../shell/announcer';

/** Hands a Blob to the browser as a download (the key never appears in a URL: the file is already here). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KB`);

/** Export of the events of the current filter (GET /v1/export, fetched with the key in the header). */
export function ExportButtons({ client, query, label }: { client: LedgerClient; query: Query; label: string }) {
  const announce = useAnnounce();
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);

  const run = async (format: 'csv' | 'json') => {
    setBusy(format);
    setProblem(undefined);
    setDone(undefined);
    try {
      const { blob, filename } = await client.download('/v1/export', { ...query, format }, `agent-ledger-events.${format}`);
      saveBlob(blob, filename);
      const text = `Downloaded ${filename} (${kb(blob.size)})`;
      setDone(text);
      announce(text);
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="export" aria-label={`Export the events of ${label}`} role="group">
      <button type="button" onClick={() => run('csv')} disabled={!!busy} aria-describedby="export-hint">
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" onClick={() => run('json')} disabled={!!busy} aria-describedby="export-hint">
        {busy === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
      <span id="export-hint" className="visually-hidden">
        Exports every event of the actions matching the current filters ({label}).
      </span>
      {done && (
        <span className="muted small" data-testid="export-done">
          {done}
        </span>
      )}
      {problem && <ProblemMessage problem={problem} title="The export failed" />}
    </div>
  );
}
