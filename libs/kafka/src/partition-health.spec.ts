import { metricsRegistry } from '@agent-ledger/telemetry';
import { PartitionHealth } from './partition-health';

const T = 'topic-a';

describe(PartitionHealth.name, () => {
  it('should report a partition stuck when its batches fail for longer than the limit', async () => {
    const h = new PartitionHealth('g-fail', 60_000);
    h.assigned([{ topic: T, partitions: [0, 1] }], 0);
    h.failed(T, 1, 1_000);

    expect(h.stuck(60_000)).toEqual([]);
    expect(h.stuck(61_001)).toEqual([{ topic: T, partition: 1, why: 'batches failing for 60 s' }]);
    expect(await metricsRegistry.getSingleMetricAsString('ledger_consumer_partition_stuck')).toContain('ledger_consumer_partition_stuck{group="g-fail",topic="topic-a",partition="1"} 1');

    h.progressed(T, 1, '10', '11', 62_000);
    expect(h.stuck(62_000)).toEqual([]);
  });

  it('should report a partition stuck when it has lag and its committed offset does not move', () => {
    const h = new PartitionHealth('g-lag', 60_000);
    h.assigned([{ topic: T, partitions: [0] }], 0);
    h.observed(T, 0, '5', '20', 1_000);
    h.observed(T, 0, '5', '30', 40_000);

    expect(h.stuck(59_000)).toEqual([]);
    expect(h.stuck(61_000)).toEqual([{ topic: T, partition: 0, why: '25 messages behind with no progress for 61 s' }]);

    h.observed(T, 0, '9', '30', 62_000);
    expect(h.stuck(62_000)).toEqual([]);
  });

  it('should not report a partition without lag when nothing arrives', () => {
    const h = new PartitionHealth('g-idle', 60_000);
    h.assigned([{ topic: T, partitions: [0] }], 0);
    h.observed(T, 0, '30', '30', 1_000);

    expect(h.stuck(600_000)).toEqual([]);
  });

  it('should forget a partition when it is revoked', () => {
    const h = new PartitionHealth('g-revoke', 60_000);
    h.assigned([{ topic: T, partitions: [0] }], 0);
    h.failed(T, 0, 0);
    h.assigned([{ topic: T, partitions: [1] }], 1_000);

    expect(h.stuck(100_000)).toEqual([]);
  });
});
