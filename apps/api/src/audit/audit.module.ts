import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { AuditExportModule } from './audit-export.module';
import { AuditStreams } from './audit-streams';
import { AuditReads } from './audit-reads';
import { TimelinesController } from './timelines/timelines.controller';
import { TimelineHandler } from './timelines/timeline.query';
import { StateAsOfController } from './state-as-of/state-as-of.controller';
import { StateAsOfHandler } from './state-as-of/state-as-of.query';
import { FoldCheckpoints } from './state-as-of/fold-checkpoints';
import { FoldCheckpointKeeper } from './state-as-of/fold-checkpoint-keeper';
import { WhoCouldSeeController } from './who-could-see/who-could-see.controller';
import { WhoCouldSeeHandler } from './who-could-see/who-could-see.query';
import { RawStreamController } from './raw-stream/raw-stream.controller';
import { RawStreamHandler } from './raw-stream/raw-stream.query';
import { GrantConsentController } from './grant-consent/grant-consent.controller';
import { GrantConsentHandler } from './grant-consent/grant-consent.query';

/** Audit: read-only endpoints over the event log of every context; one folder per use case. */
@Module({
  imports: [DirectoryModule, AuditExportModule],
  controllers: [
    TimelinesController,
    StateAsOfController,
    WhoCouldSeeController,
    RawStreamController,
    GrantConsentController,
  ],
  providers: [
    AuditStreams,
    AuditReads,
    TimelineHandler,
    StateAsOfHandler,
    FoldCheckpoints,
    FoldCheckpointKeeper,
    WhoCouldSeeHandler,
    RawStreamHandler,
    GrantConsentHandler,
  ],
})
export class AuditModule {}
