// Jest test sequencer of the suites that run several at a time: the longest suites start first, so
// a long one does not begin near the end and keep one worker busy while the others sit idle.
// Jest orders by the durations in its cache when it has them; a fresh clone (CI) has none and
// would order by file size, so the suites known to take longest come first here (measured with three
// workers on the 2-core machine, docs/testing.md), then jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST = [
  'read-path/export-memory', // 200,000 events through the pipeline, then an export (~3.5 min)
  'consumers/rolling-restart', // every consumer service restarted in its group (~2 min)
  'e2e/npm-start',
  'dashboard/dashboard',
  'e2e/services',
  'retention/retention-purge',
  'notifications/notifications',
];

const rank = (test) => {
  const i = LONGEST.findIndex((suite) => test.path.endsWith(`/test/${suite}.e2e-spec.ts`));
  return i === -1 ? LONGEST.length : i;
};

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    return [...(await super.sort(tests))].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
