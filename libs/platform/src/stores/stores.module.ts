import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore, SqliteEventStore } from '@access-ledger/event-store';
import { Projection, ReadStore, SqliteReadStore, adoptFormerCheckpoint } from '@access-ledger/read-store';
import { ProjectionRunner, lagOf } from '@access-ledger/projection-runner';
import { AppConfig } from '../config/config';
import { ReadModels } from './read-models';
import { APP_CONFIG, EVENT_STORE, PROJECTIONS, READ_STORE } from './tokens';

export { APP_CONFIG, EVENT_STORE, PROJECTIONS, READ_STORE };

export async function createEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStore.kind === 'sqlite') return new SqliteEventStore({ file: config.eventStore.file });
  const { EventStoreDbEventStore } = await import('@access-ledger/event-store');
  return new EventStoreDbEventStore({ connectionString: config.eventStore.connectionString });
}

export async function createReadStore(config: AppConfig): Promise<ReadStore> {
  if (config.readStore.kind === 'sqlite') return new SqliteReadStore({ file: config.readStore.file });
  const { MongoReadStore } = await import('@access-ledger/read-store');
  return MongoReadStore.connect({ uri: config.readStore.uri, dbName: config.readStore.db });
}

export interface ProjectionLag {
  readonly name: string;
  readonly checkpoint: number;
  readonly head: number;
  readonly lagEvents: number;
  readonly lagSeconds: number;
}

/** Projection lag as stored, so the API reports it whether projections run here or in the projector. */
@Injectable()
export class ProjectionMonitor {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PROJECTIONS) private readonly all: readonly Projection<any>[],
  ) {}

  async lag(): Promise<ProjectionLag[]> {
    const head = await this.events.headPosition();
    return Promise.all(
      this.all.map(async (p) => ({ name: p.name, head, ...(await lagOf(this.events, await this.readStore.getCheckpoint(p.name), head)) })),
    );
  }
}

/** Runs the projections in this process (the embedded default) when RUN_PROJECTIONS is true. */
@Injectable()
export class InProcessProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private runner?: ProjectionRunner;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PROJECTIONS) private readonly all: readonly Projection<any>[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const projection of this.all) {
      await this.readStore.ensureCollection(projection.collection);
      const adopted = await adoptFormerCheckpoint(this.readStore, projection);
      if (adopted !== null) this.logger.log(`Projection ${projection.name}: took over the checkpoint ${adopted} of its former name`);
    }
    if (!this.config.runProjections) return;
    this.runner = new ProjectionRunner(this.events, this.readStore, this.all, {
      logger: {
        log: (m, c) => this.logger.log(c ? { msg: m, ...c } : m),
        warn: (m, c) => this.logger.warn(c ? { msg: m, ...c } : m),
        error: (m, c) => this.logger.error(c ? { msg: m, ...c } : m),
      },
    });
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
    await this.readStore.close();
    await this.events.close();
  }
}

@Global()
@Module({})
export class StoresModule {
  /** The stores for this configuration, and the read models this process keeps (or reports the lag of). */
  static forConfig(config: AppConfig, projections: readonly Projection<any>[]): DynamicModule {
    return {
      module: StoresModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        { provide: PROJECTIONS, useValue: projections },
        ProjectionMonitor,
        InProcessProjector,
        ReadModels,
      ],
      exports: [APP_CONFIG, EVENT_STORE, READ_STORE, PROJECTIONS, ProjectionMonitor, ReadModels],
    };
  }
}
