import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore, SqliteEventStore } from '@access-ledger/event-store';
import { Projection, ReadStore, SqliteReadStore, adoptFormerCheckpoint } from '@access-ledger/read-store';
import {
  ConsumerKind,
  ConsumerLag,
  LagMonitor,
  ParkedEvents,
  ProjectionRunner,
  Reactor,
  ReactorRunner,
  RunnerLogger,
  Sweep,
  SweepRunner,
  checkConsumerNames,
  ensureRunnerCollections,
} from '@access-ledger/projection-runner';
import { AppConfig } from '../config/config';
import { ReadModels } from './read-models';
import { APP_CONFIG, EVENT_STORE, PROJECTIONS, REACTORS, READ_STORE, SWEEPS } from './tokens';

export { APP_CONFIG, EVENT_STORE, PROJECTIONS, REACTORS, READ_STORE, SWEEPS };

export async function createEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStore.kind === 'sqlite') return new SqliteEventStore({ file: config.eventStore.file });
  const { EventStoreDbEventStore } = await import('@access-ledger/event-store');
  const logger = new Logger('EventStoreDB');
  return new EventStoreDbEventStore({ connectionString: config.eventStore.connectionString, logger: { warn: (message) => logger.warn(message) } });
}

/**
 * At start, before anything subscribes: a secured EventStoreDB that refuses this process (no credentials in
 * EVENTSTORE_CONNECTION_STRING, a wrong password, a user without read on $all) stops it with one line on stderr and exit
 * code 1, instead of a runner retrying access-denied for ever. A server that does not answer yet does not stop it: the
 * process starts, says so in one line, and reports itself not ready until the server answers.
 */
export async function checkEventStoreAccessOrExit(config: AppConfig): Promise<void> {
  if (config.eventStore.kind !== 'eventstoredb') return;
  const { EventStoreDbEventStore, EventStoreAccessDeniedError } = await import('@access-ledger/event-store');
  try {
    if ((await EventStoreDbEventStore.checkAccess({ connectionString: config.eventStore.connectionString })) === 'unreachable') {
      process.stderr.write('Event store: EventStoreDB did not answer at start; starting anyway (readiness reports it down until it answers)\n');
    }
  } catch (error) {
    if (!(error instanceof EventStoreAccessDeniedError)) throw error;
    process.stderr.write(`Event store error: ${error.message}\n`);
    process.exit(1);
  }
}

export async function createReadStore(config: AppConfig): Promise<ReadStore> {
  if (config.readStore.kind === 'sqlite') return new SqliteReadStore({ file: config.readStore.file, cacheMb: config.readStore.cacheMb });
  const { MongoReadStore } = await import('@access-ledger/read-store');
  return MongoReadStore.connect({ uri: config.readStore.uri, dbName: config.readStore.db });
}

/** What a consumer that needs the process's stores and configuration is made with. */
export interface ConsumerProcess {
  readonly events: EventStore;
  readonly readStore: ReadStore;
  readonly config: AppConfig;
}

/** A time-driven consumer, made once the process has its stores and configuration. */
export type SweepFactory = (process: ConsumerProcess) => Sweep;

/** A reactor made once the process has its stores and configuration (a mail transport, a client of another system). */
export type ReactorFactory = (process: ConsumerProcess) => Reactor;

/** What a process keeps (or reports on): its read models, its reactors, and its sweeps (run with the reactors, never reported on: they keep no checkpoint). */
export interface Consumers {
  readonly projections: readonly Projection<any>[];
  /** Reactors as they are, or made from the process (`ReactorFactory`). */
  readonly reactors?: readonly (Reactor | ReactorFactory)[];
  readonly sweeps?: readonly SweepFactory[];
}

/** The process's reactors, the factories among them made; names checked as the runners check them. */
export function makeReactors(reactors: Consumers['reactors'], process: ConsumerProcess): Reactor[] {
  const made = (reactors ?? []).map((r) => (typeof r === 'function' ? r(process) : r));
  checkConsumerNames(made.map((r) => r.name));
  return made;
}

export interface ConsumerReport extends ConsumerLag {
  readonly kind: ConsumerKind;
  /** Events it parked that are still on the parked list. */
  readonly parked: number;
}

export interface ConsumersReport {
  readonly projections: readonly ConsumerReport[];
  readonly reactors: readonly ConsumerReport[];
  /** Parked events per consumer, also of consumers this process does not know (a reactor since removed). */
  readonly parked: Readonly<Record<string, number>>;
}

/**
 * Lag and parked events of every projection and reactor, from the stores (head position,
 * checkpoints, progress, parked list; never the log itself), so the API reports them whether
 * they run here or in the projector.
 */
@Injectable()
export class ConsumerMonitor {
  private readonly lagMonitor: LagMonitor;
  private readonly parked: ParkedEvents;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection<any>[],
    @Inject(REACTORS) private readonly reactors: readonly Reactor[],
  ) {
    this.lagMonitor = new LagMonitor(events, readStore);
    this.parked = new ParkedEvents(readStore);
  }

  async report(): Promise<ConsumersReport> {
    const named = [...this.projections.map((p) => ({ name: p.name, kind: 'projection' as const })), ...this.reactors.map((r) => ({ name: r.name, kind: 'reactor' as const }))];
    const [lag, parked] = await Promise.all([this.lagMonitor.lag(named.map((c) => c.name)), this.parked.counts()]);
    const reports = lag.map((l, i): ConsumerReport => ({ ...l, kind: named[i].kind, parked: parked[l.name] ?? 0 }));
    return { projections: reports.filter((r) => r.kind === 'projection'), reactors: reports.filter((r) => r.kind === 'reactor'), parked };
  }
}

/** Runs the projections, reactors and sweeps in this process (the embedded default) when RUN_PROJECTIONS is true. */
@Injectable()
export class InProcessProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private runners: (ProjectionRunner | ReactorRunner | SweepRunner)[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection<any>[],
    @Inject(REACTORS) private readonly reactors: readonly Reactor[],
    @Inject(SWEEPS) private readonly sweeps: readonly SweepFactory[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Queries, readiness and metrics read these whether or not the consumers run here.
    await ensureRunnerCollections(this.readStore);
    for (const projection of this.projections) {
      await this.readStore.ensureCollection(projection.collection);
      const adopted = await adoptFormerCheckpoint(this.readStore, projection);
      if (adopted !== null) this.logger.log(`Projection ${projection.name}: took over the checkpoint ${adopted} of its former name`);
    }
    if (!this.config.runProjections) return;
    const logger: RunnerLogger = {
      log: (m, c) => this.logger.log(c ? { msg: m, ...c } : m),
      warn: (m, c) => this.logger.warn(c ? { msg: m, ...c } : m),
      error: (m, c) => this.logger.error(c ? { msg: m, ...c } : m),
    };
    const options = { logger, retry: this.config.eventRetry };
    const sweeps = this.sweeps.map((make) => make({ events: this.events, readStore: this.readStore, config: this.config }));
    this.runners = [
      new ProjectionRunner(this.events, this.readStore, this.projections, options),
      new ReactorRunner(this.events, this.readStore, this.reactors, options),
      new SweepRunner(sweeps, { logger }),
    ];
    for (const runner of this.runners) await runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.readStore.close();
    await this.events.close();
  }
}

@Global()
@Module({})
export class StoresModule {
  /**
   * The stores for this configuration, and the projections and reactors this process runs (with
   * RUN_PROJECTIONS) or reports the lag and parked events of.
   */
  static forConfig(config: AppConfig, { projections, reactors = [], sweeps = [] }: Consumers): DynamicModule {
    checkConsumerNames(projections.map((p) => p.name));
    return {
      module: StoresModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config) },
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        { provide: PROJECTIONS, useValue: projections },
        {
          provide: REACTORS,
          // Made with the stores; a name shared with a projection is refused before anything runs.
          useFactory: (events: EventStore, readStore: ReadStore) => {
            const made = makeReactors(reactors, { events, readStore, config });
            checkConsumerNames([...projections, ...made].map((c) => c.name));
            return made;
          },
          inject: [EVENT_STORE, READ_STORE],
        },
        { provide: SWEEPS, useValue: sweeps },
        ConsumerMonitor,
        InProcessProjector,
        ReadModels,
      ],
      exports: [APP_CONFIG, EVENT_STORE, READ_STORE, PROJECTIONS, REACTORS, ConsumerMonitor, ReadModels],
    };
  }
}
