import { backlogProgress, type Backlog } from '../../bench/lib/preload';

describe('backlogProgress', () => {
  const backlog: Backlog = { starts: new Map([[0, 100n], [1, 50n]]), ends: new Map([[0, 160n], [1, 90n]]), messages: 100, seconds: 1 };

  it('should count nothing done when the group has not moved from where the backlog began', () => {
    expect(backlogProgress(backlog, new Map([[0, 100n], [1, 50n]]))).toEqual({ done: 0, finished: false });
    expect(backlogProgress(backlog, new Map())).toEqual({ done: 0, finished: false });
  });

  it('should count messages passed in every partition when the group is part way', () => {
    expect(backlogProgress(backlog, new Map([[0, 130n], [1, 90n]]))).toEqual({ done: 70, finished: false });
  });

  it('should be finished, counting no message past the backlog, when every partition reached its end', () => {
    expect(backlogProgress(backlog, new Map([[0, 170n], [1, 90n]]))).toEqual({ done: 100, finished: true });
  });
});
