import { parseArgs, PHASES } from '../../bench/lib/args';

describe('parseArgs', () => {
  it('should run every phase in full mode when given no argument', () => {
    expect(parseArgs([])).toEqual(expect.objectContaining({ mode: 'full', phases: [...PHASES] }));
  });

  it('should run only the named phases, in run order, when given --only', () => {
    expect(parseArgs(['--quick', '--only', 'end-to-end,ingest'])).toEqual(expect.objectContaining({ mode: 'quick', phases: ['ingest', 'end-to-end'] }));
    expect(parseArgs(['--only=query'])?.phases).toEqual(['query']);
  });

  it('should refuse the command line when --only names an unknown phase or none', () => {
    expect(parseArgs(['--only', 'projection,stats'])).toBeUndefined();
    expect(parseArgs(['--only'])).toBeUndefined();
    expect(parseArgs(['--only='])).toBeUndefined();
  });

  it('should refuse the command line when given an unknown flag', () => {
    expect(parseArgs(['--fast'])).toBeUndefined();
  });
});
