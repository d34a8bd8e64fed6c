import type { Kafka, Producer } from 'kafkajs';
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { LedgerProducer, producerStateLost } from './producer';

/** A protocol error as kafkajs raises it for a broker error code. */
const protocolError = (type: string, code: number) => new KafkaJSProtocolError({ message: type, type, code, retriable: false } as never);

/** A fake Kafka whose producers record their sends and fail them as scripted. */
function fakeKafka(failures: unknown[]) {
  const producers: { sends: number; disconnected: boolean }[] = [];
  const kafka = {
    producer: () => {
      const state = { sends: 0, disconnected: false };
      producers.push(state);
      const p = {
        on: () => undefined,
        connect: async () => undefined,
        disconnect: async () => {
          state.disconnected = true;
        },
        send: async () => {
          state.sends += 1;
          const failure = failures.shift();
          if (failure) throw failure;
          return [];
        },
      };
      return p as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, producers };
}

const message = { key: 'k', value: 'v' };

describe('producerStateLost', () => {
  it('should recognise the errors after which the broker refuses the producer id, also wrapped', () => {
    expect(producerStateLost(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45))).toBe(true);
    expect(producerStateLost(protocolError('UNKNOWN_PRODUCER_ID', 59))).toBe(true);
    expect(producerStateLost(new KafkaJSNumberOfRetriesExceeded(protocolError('INVALID_PRODUCER_EPOCH', 47), { retryCount: 3, retryTime: 200 }))).toBe(true);
    expect(producerStateLost(protocolError('NOT_LEADER_FOR_PARTITION', 6))).toBe(false);
    expect(producerStateLost(new Error('connection refused'))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
  });
});

describe('LedgerProducer', () => {
  it('should report the failed send and replace the producer when the broker lost its sequence state', async () => {
    const { kafka, producers } = fakeKafka([protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45)]);
    const producer = new LedgerProducer(kafka);

    await expect(producer.send('t', [message])).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER');
    await producer.send('t', [message]);

    expect(producer.replacements).toBe(1);
    expect(producers).toHaveLength(2);
    expect(producers[0]).toEqual({ sends: 1, disconnected: true });
    expect(producers[1]).toEqual({ sends: 1, disconnected: false });
  });

  it('should keep its producer on other errors', async () => {
    const { kafka, producers } = fakeKafka([new Error('Request Produce timed out')]);
    const producer = new LedgerProducer(kafka);

    await expect(producer.send('t', [message])).rejects.toThrow('timed out');
    await producer.send('t', [message]);

    expect(producer.replacements).toBe(0);
    expect(producers).toHaveLength(1);
    expect(producers[0]!.sends).toBe(2);
  });
});
