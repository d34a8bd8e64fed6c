import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { actionEventsCodec, splitForProduce, type ActionEvent } from '@agent-ledger/contracts';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA, ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeOutboxRepository } from './change-outbox.repository';

const INTERVAL_MS = 1_000;
const BATCH = 200;

/** Publishes the change outbox to the action events topic: right after a change, and every second. */
@Injectable()
export class ChangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger(ChangeRelay.name);
  private readonly producer: LedgerProducer;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private failingSince?: number;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly outbox: ChangeOutboxRepository,
    private readonly readiness: ReadinessService,
  ) {
    this.producer = new LedgerProducer(kafka);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), INTERVAL_MS);
    this.timer.unref();
    this.readiness.register({
      name: 'change-log',
      check: async () => {
        if (this.failingSince && Date.now() - this.failingSince > 60_000) throw new Error('administrative changes have not been published to the ledger for over a minute');
      },
    });
  }

  /** Runs the relay now (or once more after the current run). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Waits for the run in progress (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const n = await this.outbox.relay(BATCH, async (changes) => {
          for (const group of splitForProduce(changes.map(({ event }) => this.encode(event)))) await this.producer.send(actionEventsCodec.topic, group);
        });
        this.failingSince = undefined;
        if (n < BATCH) return;
      }
    } catch (err) {
      this.failingSince ??= Date.now();
      this.log.warn({ err }, 'publishing administrative changes failed; retrying');
    }
  }

  /**
   * Encodes a change event. One that breaks the contract (a row written before a rule existed) is
   * still published, and logged by field: the projector dead-letters it where its tenant sees it,
   * instead of the relay stalling on it or dropping it unseen.
   */
  private encode(event: ActionEvent) {
    const v = actionEventsCodec.validate(event);
    if (!v.ok) this.log.error({ tenantId: event.tenantId, eventId: event.eventId, errors: v.errors.map((e) => `${e.pointer} ${e.code}`) }, 'an administrative change breaks the event contract; published for the dead-letter topic');
    return actionEventsCodec.encode(event);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.idle().catch(() => undefined);
    this.stopped = true;
    await this.producer.disconnect();
  }
}
