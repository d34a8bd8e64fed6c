import { Module } from '@nestjs/common';
import { PiiReader } from './pii-reader.service';
import { PrivacyController } from './privacy.controller';
import { PrivacyRepository } from './privacy.repository';
import { PrivacyService } from './privacy.service';
import { SubjectKeysRepository } from './subject-keys.repository';

@Module({
  controllers: [PrivacyController],
  providers: [PrivacyService, PrivacyRepository, SubjectKeysRepository, PiiReader],
  exports: [PiiReader],
})
export class PrivacyModule {}
