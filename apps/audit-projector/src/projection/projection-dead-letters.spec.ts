import type { DeadLetter, DlqPublisher, KafkaMessage } from '@agent-ledger/kafka';
import type { ProjectorSettings } from '../shared/projector-settings';
import type { RejectedMessage } from './event-intake';
import { ProjectionDeadLetters } from './projection-dead-letters';

describe(ProjectionDeadLetters.name, () => {
  const sent: DeadLetter[][] = [];
  const dlq = { publish: async (letters: DeadLetter[]) => void sent.push(letters) } as unknown as DlqPublisher;
  const deadLetters = new ProjectionDeadLetters(dlq, { groupId: 'projector-g' } as ProjectorSettings);
  const rejected = (offset: bigint, code: RejectedMessage['code']): RejectedMessage => ({ offset, code, reason: `reason ${offset}`, message: { offset: String(offset) } as KafkaMessage });

  beforeEach(() => (sent.length = 0));

  it('should send the refused messages in offset order with their code, reason and group', async () => {
    await deadLetters.publish('t', 4, [rejected(9n, 'unknown_tenant'), rejected(2n, 'schema')]);

    expect(sent).toHaveLength(1);
    expect(sent[0].map((l) => [l.message.offset, l.code, l.reason])).toEqual([
      ['2', 'schema', 'schema: reason 2'],
      ['9', 'unknown_tenant', 'unknown_tenant: reason 9'],
    ]);
    expect(sent[0][0]).toMatchObject({ topic: 't', partition: 4, errorClass: 'invalid', group: 'projector-g' });
  });

  it('should send nothing when nothing was refused', async () => {
    await deadLetters.publish('t', 0, []);

    expect(sent).toEqual([]);
  });
});
