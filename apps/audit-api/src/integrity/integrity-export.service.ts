import { Injectable } from '@nestjs/common';
import { toChainExportRow } from '@agent-ledger/integrity';
import { IntegrityRepository } from './integrity.repository';

/** Lines joined into chunks of about `size` characters: one write per chunk, not per row. */
async function* chunked(lines: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let chunk = '';
  for await (const line of lines) {
    chunk += line + '\n';
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The tenant's chains and checkpoints as JSON lines, for offline verification (memory stays flat). */
@Injectable()
export class IntegrityExportService {
  constructor(private readonly repository: IntegrityRepository) {}

  /** Every stored row of the tenant, chain by chain in chain_seq order. */
  chainLines(tenantId: string): AsyncGenerator<string> {
    const rows = this.repository.reader(tenantId).rows({});
    return chunked((async function* () {
      for await (const row of rows) yield JSON.stringify(toChainExportRow(row));
    })());
  }

  /** Every signed checkpoint of the tenant, oldest first, as published on the checkpoints topic. */
  checkpointLines(tenantId: string): AsyncGenerator<string> {
    const checkpoints = this.repository.reader(tenantId).checkpoints();
    return chunked((async function* () {
      for await (const cp of checkpoints) yield JSON.stringify(cp);
    })());
  }
}
