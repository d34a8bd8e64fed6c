import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditApiConfig } from '../config/audit-api.config';
import { ChannelsController } from './channels.controller';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import { CHANNELS_SETTINGS, type ChannelsSettings } from './channels.settings';

/** Notification channels per tenant: GET/PUT /v1/channels and webhook secret rotation. */
@Module({})
export class ChannelsModule {
  static forRoot(config: AuditApiConfig): DynamicModule {
    const settings: ChannelsSettings = {
      allowlist: config.LEDGER_WEBHOOK_ALLOWLIST,
      requireHttps: config.LEDGER_WEBHOOK_REQUIRE_HTTPS ? ['true', '1'].includes(config.LEDGER_WEBHOOK_REQUIRE_HTTPS) : config.NODE_ENV === 'production',
      secretGraceSeconds: config.LEDGER_WEBHOOK_SECRET_GRACE_SECONDS,
    };
    return {
      module: ChannelsModule,
      controllers: [ChannelsController],
      providers: [{ provide: CHANNELS_SETTINGS, useValue: settings }, ChannelsRepository, ChannelsService],
    };
  }
}
