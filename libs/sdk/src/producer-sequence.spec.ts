import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateActionEventInput } from '@agent-ledger/contracts';
import { LedgerClient } from './ledger-client';
import { LedgerError } from './ledger-error';
import { LedgerKafkaProducer, type KafkaLike, type KafkaProducerRecordLike } from './ledger-kafka.producer';
import { prepareEvent } from './prepare-event';
import { ProducerSequence } from './producer-sequence';

// The producer stamp on both paths: a real HTTP server on 127.0.0.1 plays ingest (it answers 503 to
// the first request when asked), a recording stand-in plays kafkajs.

const TENANT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
type Sent = { eventId: string; producer?: { id: string; seq: number } };

async function ingestStub(failFirst = 0) {
  const bodies: Sent[][] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Sent[] };
      bodies.push(events);
      const status = bodies.length <= failFirst ? 503 : 202;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 202 ? { accepted: events.map((e) => ({ eventId: e.eventId })) } : { error: { code: 'unavailable', message: 'busy' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return { url, bodies, close };
}

function recordingKafka() {
  const sent: KafkaProducerRecordLike[] = [];
  const kafka: KafkaLike = {
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, send: async (r) => void sent.push(r) }),
  };
  const stamps = () => sent.flatMap((r) => r.messages.map((m) => (JSON.parse(m.value) as Sent).producer));
  return { kafka, stamps };
}

const signal = (sessionId = 's-1') => ({ type: 'signal.rate_limited' as const, sessionId });

describe(ProducerSequence.name, () => {
  it('should count from 1 and consume a number only when taken', () => {
    const sequence = new ProducerSequence();

    expect(sequence.id).toMatch(UUID);
    expect(sequence.peek()).toEqual({ id: sequence.id, seq: 1 });
    expect(sequence.peek(2)).toEqual({ id: sequence.id, seq: 3 });
    sequence.take(2);
    expect(sequence.peek()).toEqual({ id: sequence.id, seq: 3 });
    expect(sequence.lastSeq).toBe(2);
  });

  it('should give each instance its own id', () => {
    expect(new ProducerSequence().id).not.toBe(new ProducerSequence().id);
  });
});

describe(prepareEvent.name, () => {
  it('should stamp a valid producer and keep a stamp the input carries', () => {
    const stamped = prepareEvent(signal(), { now: new Date(), validate: true, producer: { id: 'p-1', seq: 4 } });
    const kept = prepareEvent({ ...signal(), producer: { id: 'p-0', seq: 9 } }, { now: new Date(), validate: true, producer: { id: 'p-1', seq: 4 } });

    expect(stamped).toMatchObject({ stamped: true, event: { producer: { id: 'p-1', seq: 4 } } });
    expect(validateActionEventInput(stamped.event).ok).toBe(true);
    expect(kept).toMatchObject({ stamped: false, event: { producer: { id: 'p-0', seq: 9 } } });
  });
});

describe(`${LedgerClient.name} producer stamp`, () => {
  it('should stamp events 1..N in recording order with one producer id per client', async () => {
    const stub = await ingestStub();
    const client = new LedgerClient({ url: stub.url, apiKey: 'k', batchSize: 2 });
    const other = new LedgerClient({ url: stub.url, apiKey: 'k' });
    try {
      for (let i = 0; i < 5; i++) await client.record(signal(`s-${i}`));
      await client.flush();

      expect(stub.bodies.flat().map((e) => e.producer)).toEqual([1, 2, 3, 4, 5].map((seq) => ({ id: client.producerId, seq })));
      expect(client.producerId).toMatch(UUID);
      expect(other.producerId).not.toBe(client.producerId);
      expect(client.lastProducerSeq).toBe(5);
    } finally {
      await client.close();
      await other.close();
      await stub.close();
    }
  });

  it('should keep the numbers of a batch that is retried after a 503', async () => {
    const stub = await ingestStub(1);
    const client = new LedgerClient({ url: stub.url, apiKey: 'k', retryBaseDelayMs: 1 });
    try {
      await client.record(signal('a'));
      await client.record(signal('b'));
      await client.flush();

      expect(stub.bodies).toHaveLength(2);
      expect(stub.bodies[1]).toEqual(stub.bodies[0]);
      expect(stub.bodies[1].map((e) => e.producer?.seq)).toEqual([1, 2]);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('should keep the stamp of an event recorded again after its delivery failed', async () => {
    const stub = await ingestStub(1);
    const client = new LedgerClient({ url: stub.url, apiKey: 'k', maxRetries: 0 });
    try {
      await client.record(signal('a'));
      const failure = await client.flush().then(
        () => undefined,
        (err: LedgerError) => err,
      );
      expect(failure).toBeInstanceOf(LedgerError);
      await client.record(failure!.events[0]);
      await client.record(signal('b'));
      await client.flush();

      expect(stub.bodies[1].map((e) => [e.eventId, e.producer?.seq])).toEqual([
        [failure!.events[0].eventId, 1],
        [expect.any(String), 2],
      ]);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('should consume no number for an event it refuses (invalid, too large, queue full)', async () => {
    const stub = await ingestStub();
    const client = new LedgerClient({ url: stub.url, apiKey: 'k', maxQueueSize: 1, flushIntervalMs: 60_000, maxRequestBytes: 2_000 });
    try {
      await expect(client.record({ type: 'signal.rate_limited', sessionId: '' })).rejects.toMatchObject({ code: 'invalid_event' });
      await expect(client.record({ ...signal(), metadata: { big: 'x'.repeat(3_000) } })).rejects.toMatchObject({ code: 'event_too_large' });
      await client.record(signal('queued'));
      const full = await client.record(signal('refused')).catch((err: LedgerError) => err);
      expect(full).toMatchObject({ code: 'queue_full' });
      expect((full as LedgerError).events[0]).not.toHaveProperty('producer');
      await client.flush();
      await client.record(signal('next'));
      await client.flush();

      expect(stub.bodies.flat().map((e) => e.producer?.seq)).toEqual([1, 2]);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('should send no stamp when producerStamp is false', async () => {
    const stub = await ingestStub();
    const client = new LedgerClient({ url: stub.url, apiKey: 'k', producerStamp: false });
    try {
      await client.record(signal());
      await client.flush();

      expect(stub.bodies[0][0]).not.toHaveProperty('producer');
      expect(client.producerId).toBeUndefined();
    } finally {
      await client.close();
      await stub.close();
    }
  });
});

describe(`${LedgerKafkaProducer.name} producer stamp`, () => {
  it('should stamp every produced event in order, across record and recordMany', async () => {
    const { kafka, stamps } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    await producer.record(signal());
    await producer.recordMany([signal('b'), signal('c')]);

    expect(stamps()).toEqual([1, 2, 3].map((seq) => ({ id: producer.producerId, seq })));
    expect(producer.producerId).toMatch(UUID);
  });

  it('should consume no number when one event of a recordMany is invalid', async () => {
    const { kafka, stamps } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT });

    const refused = await producer.recordMany([signal('a'), { type: 'signal.rate_limited', sessionId: '' }]).catch((err: LedgerError) => err);
    await producer.record(signal('after'));

    expect(refused).toMatchObject({ code: 'invalid_event' });
    expect((refused as LedgerError).events[0]).not.toHaveProperty('producer');
    expect(stamps()).toEqual([{ id: producer.producerId, seq: 1 }]);
  });

  it('should send no stamp when producerStamp is false', async () => {
    const { kafka, stamps } = recordingKafka();
    const producer = new LedgerKafkaProducer({ kafka, tenantId: TENANT, producerStamp: false });

    await producer.record(signal());

    expect(stamps()).toEqual([undefined]);
  });
});
