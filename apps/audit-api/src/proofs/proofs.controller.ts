import { Controller, Get, Query } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { consistencyQuerySchema, inclusionQuerySchema } from './proofs.dto';
import { consistencyProofSchema, inclusionProofSchema, treeHeadSchema } from './proofs.responses';
import { ProofsService } from './proofs.service';

/** RFC 9162 proofs of the tenant's Merkle tree, checkable by anyone holding a signed tree head (docs/proofs.md). */
@Controller('v1/proofs')
@ApiTags('integrity')
@ApiKeyAuth()
export class ProofsController {
  constructor(private readonly proofs: ProofsService) {}

  @Get('inclusion')
  @RequireScope('read')
  @ApiOperation({ summary: "Prove that an event is in the tenant's Merkle tree: the RFC 9162 inclusion path, the event as stored and the signed tree head (scope read)" })
  @ApiInput({ query: inclusionQuerySchema })
  @ApiOutput({
    200: { schema: inclusionProofSchema, description: 'The inclusion proof' },
    404: { schema: null, description: "event_not_in_tree: the tenant's Merkle tree holds no such event" },
  })
  inclusion(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    return this.proofs.inclusion(tenantId, parseInput(inclusionQuerySchema, query, 'query'));
  }

  @Get('tree-head')
  @RequireScope('read')
  @ApiOperation({ summary: "The tenant's Merkle tree now (size, root) and its newest signed tree head (scope read)" })
  @ApiOutput({ 200: { schema: treeHeadSchema, description: 'The tree head' } })
  treeHead(@CurrentTenant() tenantId: string) {
    return this.proofs.treeHead(tenantId);
  }

  @Get('consistency')
  @RequireScope('read')
  @ApiOperation({ summary: "Prove that the tenant's Merkle tree of `to` leaves extends the tree of `from` leaves: the RFC 9162 consistency proof and both roots (scope read)" })
  @ApiInput({ query: consistencyQuerySchema })
  @ApiOutput({ 200: { schema: consistencyProofSchema, description: 'The consistency proof' } })
  consistency(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    return this.proofs.consistency(tenantId, parseInput(consistencyQuerySchema, query, 'query'));
  }
}
