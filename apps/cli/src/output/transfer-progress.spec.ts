import { PassThrough } from 'node:stream';
import { TransferProgress } from './transfer-progress';

function stream(isTTY: boolean) {
  const s = Object.assign(new PassThrough(), { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let out = '';
  s.on('data', (c: Buffer) => (out += c.toString()));
  return { s, out: () => out };
}

describe(TransferProgress.name, () => {
  it('should draw nothing when stderr is not a terminal', () => {
    const { s, out } = stream(false);
    const p = new TransferProgress(s, 'exporting csv');
    p.update(2048, 10);
    p.stop();
    expect(p.active).toBe(false);
    expect(out()).toBe('');
  });

  it('should draw nothing when progress is switched off on a terminal', () => {
    const { s, out } = stream(true);
    const p = new TransferProgress(s, 'exporting csv', false);
    p.update(2048, 10);
    p.stop();
    expect(out()).toBe('');
  });

  it('should show bytes and rows when stderr is a terminal', () => {
    const { s, out } = stream(true);
    const p = new TransferProgress(s, 'exporting csv');
    p.update(3 * 1024 * 1024, 12_345);
    p.stop();
    expect(p.active).toBe(true);
    expect(out()).toContain('exporting csv 3.0 MiB · 12,345 rows');
  });
});
