import { Inject, Injectable } from '@nestjs/common';
import { DlqPublisher } from '@agent-ledger/kafka';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import type { RejectedMessage } from './event-intake';

/**
 * Sends the messages a batch refused (intake, unknown tenant, PII envelope) to the dead-letter
 * topic, in offset order, with their code and reason. Called inside the batch's transaction, before
 * the offset moves past them: a crash re-sends them, never loses them.
 */
@Injectable()
export class ProjectionDeadLetters {
  constructor(
    private readonly dlq: DlqPublisher,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
  ) {}

  async publish(topic: string, partition: number, rejected: readonly RejectedMessage[]): Promise<void> {
    if (!rejected.length) return;
    const ordered = [...rejected].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    await this.dlq.publish(
      ordered.map((r) => ({ topic, partition, message: r.message, reason: `${r.code}: ${r.reason}`, code: r.code, errorClass: 'invalid' as const, group: this.settings.groupId })),
    );
  }
}
