import type { ActionEvent } from '@agent-ledger/contracts';
import type { KafkaMessage } from '@agent-ledger/kafka';
import { intakeMessage, type AcceptedMessage } from './event-intake';

/** Events as the projection receives them: decoded by intake from messages at consecutive offsets. */
export function acceptedMessages(events: readonly ActionEvent[], firstOffset = 0): AcceptedMessage[] {
  return events.map((event, i) => {
    const message = { key: null, value: Buffer.from(JSON.stringify(event)), offset: String(firstOffset + i), timestamp: '0', attributes: 0, headers: {}, size: 0 } as unknown as KafkaMessage;
    const result = intakeMessage(message);
    if (!result.ok) throw new Error(`fixture event refused: ${result.value.reason}`);
    return result.value;
  });
}
