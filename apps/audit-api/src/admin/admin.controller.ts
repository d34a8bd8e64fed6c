import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequireRootKey } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeCtx } from '../change-log/request-context';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { createKeySchema, createTenantSchema, keyIdParam, tenantIdParam } from './admin.dto';
import { createdKeySchema, createdTenantSchema, keyListSchema, publicKeySchema, tenantListSchema } from './admin.responses';
import { AdminService } from './admin.service';

/** Tenant and API key administration, with the operator's root key (LEDGER_ROOT_KEY). */
@Controller('v1/admin')
@RequireRootKey()
@ApiTags('admin (root key)')
@ApiKeyAuth()
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Post('tenants')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant with one key per scope (keys shown once)' })
  @ApiInput({ body: createTenantSchema })
  @ApiOutput({ 201: { schema: createdTenantSchema, description: 'The tenant, its keys and the raw keys (shown once)' } })
  createTenant(@Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.admin.createTenant(parseInput(createTenantSchema, body), ctx);
  }

  @Get('tenants')
  @ApiOperation({ summary: 'List tenants' })
  @ApiOutput({ 200: { schema: tenantListSchema, description: 'Every tenant, oldest first' } })
  listTenants() {
    return this.admin.listTenants();
  }

  @Post('tenants/:tenantId/keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key with the given scopes (shown once)' })
  @ApiInput({ params: tenantIdParam, body: createKeySchema })
  @ApiOutput({ 201: { schema: createdKeySchema, description: 'The key and the raw key (shown once)' } })
  createKey(@Param() params: Record<string, string>, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    const { tenantId } = parseInput(tenantIdParam, params, 'params');
    return this.admin.createKey(tenantId, parseInput(createKeySchema, body), ctx);
  }

  @Get('tenants/:tenantId/keys')
  @ApiOperation({ summary: "List a tenant's keys (prefixes only)" })
  @ApiInput({ params: tenantIdParam })
  @ApiOutput({ 200: { schema: keyListSchema, description: "The tenant's keys, revoked ones included" } })
  listKeys(@Param() params: Record<string, string>) {
    return this.admin.listKeys(parseInput(tenantIdParam, params, 'params').tenantId);
  }

  @Delete('keys/:keyId')
  @ApiOperation({ summary: 'Revoke a key, at once in every service' })
  @ApiInput({ params: keyIdParam })
  @ApiOutput({ 200: { schema: publicKeySchema, description: 'The revoked key (the same answer when it was revoked before)' } })
  revokeKey(@Param() params: Record<string, string>, @ChangeCtx() ctx: ChangeContext) {
    return this.admin.revokeKey(parseInput(keyIdParam, params, 'params').keyId, ctx);
  }
}
