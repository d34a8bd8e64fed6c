import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequireRootKey } from '@agent-ledger/auth';
import { parseInput } from '@agent-ledger/runtime';
import { ChangeCtx } from '../change-log/request-context';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { createKeySchema, createTenantSchema, keyIdParam, tenantIdParam } from './admin.dto';
import { AdminService } from './admin.service';

/** Tenant and API key administration, with the operator's root key (LEDGER_ROOT_KEY). */
@Controller('v1/admin')
@RequireRootKey()
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Post('tenants')
  @HttpCode(201)
  createTenant(@Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.admin.createTenant(parseInput(createTenantSchema, body), ctx);
  }

  @Get('tenants')
  listTenants() {
    return this.admin.listTenants();
  }

  @Post('tenants/:tenantId/keys')
  @HttpCode(201)
  createKey(@Param() params: Record<string, string>, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    const { tenantId } = parseInput(tenantIdParam, params, 'params');
    return this.admin.createKey(tenantId, parseInput(createKeySchema, body), ctx);
  }

  @Get('tenants/:tenantId/keys')
  listKeys(@Param() params: Record<string, string>) {
    return this.admin.listKeys(parseInput(tenantIdParam, params, 'params').tenantId);
  }

  @Delete('keys/:keyId')
  revokeKey(@Param() params: Record<string, string>, @ChangeCtx() ctx: ChangeContext) {
    return this.admin.revokeKey(parseInput(keyIdParam, params, 'params').keyId, ctx);
  }
}
