import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { AuditStreams } from './audit-streams';
import { GrantConsentController } from './grant-consent/grant-consent.controller';
import { GrantConsentHandler } from './grant-consent/grant-consent.query';

/** Audit: read-only endpoints over the event log of every context; one folder per use case. */
@Module({
  imports: [DirectoryModule],
  controllers: [GrantConsentController],
  providers: [AuditStreams, GrantConsentHandler],
})
export class AuditModule {}
