import { Global, Module, type DynamicModule } from '@nestjs/common';
import { loadPublicKey, PiiCipher } from '@agent-ledger/integrity';
import { LEDGER_KEYS, type LedgerKeys } from './ledger-keys';

@Global()
@Module({})
export class LedgerKeysModule {
  static forRoot(settings: { masterKey?: Buffer; publicKeys?: string[] }): DynamicModule {
    const keys: LedgerKeys = {
      cipher: settings.masterKey ? new PiiCipher(settings.masterKey) : undefined,
      publicKeys: (settings.publicKeys ?? []).map((k) => loadPublicKey(k)),
    };
    return { module: LedgerKeysModule, providers: [{ provide: LEDGER_KEYS, useValue: keys }], exports: [LEDGER_KEYS] };
  }
}
