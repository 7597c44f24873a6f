import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CancelRequests } from '#bus';

/** Why a build is stopped; `lease-lost`: the session was already ended as interrupted elsewhere. */
export type StopReason = 'cancelled' | 'shutdown' | 'lease-lost';

const SHUTDOWN_GRACE_MS = 10_000;

/** The builds this process is running, so a cancel request or a shutdown can stop them. */
@Injectable()
export class RunningBuilds implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunningBuilds.name);
  private readonly builds = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly cancelRequests: CancelRequests) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await this.cancelRequests.listen((sessionId) => this.stop(sessionId, 'cancelled'));
  }

  /** Runs `work` with a signal that aborts on cancel or shutdown; the reason is `signal.reason`. */
  async run<T>(sessionId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = work(controller.signal);
    this.builds.set(sessionId, { controller, done: done.catch(() => undefined) });
    try {
      return await done;
    } finally {
      this.builds.delete(sessionId);
    }
  }

  stop(sessionId: string, reason: StopReason): void {
    this.builds.get(sessionId)?.controller.abort(reason);
  }

  get size(): number {
    return this.builds.size;
  }

  ids(): string[] {
    return [...this.builds.keys()];
  }

  /** On SIGTERM every running build is ended (as interrupted) before the process exits. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stopListening?.();
    if (this.builds.size === 0) return;
    this.logger.log(`Stopping ${this.builds.size} running build(s)`);
    const settled = Promise.all([...this.builds.values()].map((build) => build.done));
    for (const sessionId of this.builds.keys()) this.stop(sessionId, 'shutdown');
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
  }
}
