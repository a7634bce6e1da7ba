import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { CareStreams } from './care-streams';

/** Care access: one folder per use case (controller, DTO, command and its thin handler), queries/ for the reads. */
@Module({
  imports: [DirectoryModule],
  controllers: [],
  providers: [CareStreams],
})
export class CareAccessModule {}
