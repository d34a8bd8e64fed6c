import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MasterKeyring, PiiCipher, webhookSecretWrapper, type TrustedKey } from '@agent-ledger/integrity';
import { LEDGER_KEYS, type LedgerKeys } from './ledger-keys';

@Global()
@Module({})
export class LedgerKeysModule {
  static forRoot(settings: { masterKey?: Buffer; previousMasterKeys?: Buffer[]; publicKeys?: TrustedKey[] }): DynamicModule {
    const keyring = settings.masterKey ? new MasterKeyring(settings.masterKey, settings.previousMasterKeys) : undefined;
    const keys: LedgerKeys = {
      cipher: keyring ? new PiiCipher(keyring) : undefined,
      webhookSecrets: keyring ? webhookSecretWrapper(keyring) : undefined,
      publicKeys: settings.publicKeys ?? [],
    };
    return { module: LedgerKeysModule, providers: [{ provide: LEDGER_KEYS, useValue: keys }], exports: [LEDGER_KEYS] };
  }
}
