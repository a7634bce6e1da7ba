import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { AuditStreams } from './audit-streams';

/** Audit: read-only endpoints over the event log of every context; one folder per use case. */
@Module({
  imports: [DirectoryModule],
  controllers: [],
  providers: [AuditStreams],
})
export class AuditModule {}
