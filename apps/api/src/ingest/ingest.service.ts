import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { NewBuildEvent, SessionSummary, TranscriptFormat } from '#contracts';
import { AppConfig } from '#config';
import { BuildLog } from '#bus';
import {
  BuildReadModel,
  IdempotencyConflictError,
  SessionClosedError,
  type IdempotentRequest,
} from '#persistence';
import { sessionNotFound } from '../builds/builds.service.js';
import { eventsFromJson, eventsFromTranscript, ingestBodyHash } from './ingest-batch.js';

/** A `POST …/events` body: JSON events, or a transcript in one of the formats. */
export type IngestBody =
  { kind: 'json'; body: unknown } | { kind: 'transcript'; text: string; format: TranscriptFormat };

export interface IngestAnswer {
  fromSeq: number;
  toSeq: number;
}

/**
 * External runners feed their session through the one append-and-announce (BuildLog), like
 * the runner-worker. Each append extends the session's lease by INTERRUPT_AFTER_MS, so the
 * runner-workers' lease sweep ends a session whose runner went quiet.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly readModel: BuildReadModel,
    private readonly log: BuildLog,
    private readonly config: AppConfig,
  ) {}

  async append(
    projectId: string,
    sessionId: string,
    input: IngestBody,
    idempotencyKey: string | undefined,
  ): Promise<IngestAnswer> {
    const session = await this.readModel.getSessionSummary(projectId, sessionId);
    if (!session) throw sessionNotFound(projectId, sessionId);
    if (session.agent !== 'external') {
      throw new ConflictException(
        `Build ${sessionId} is run by agent "${session.agent}", not fed from outside`,
      );
    }
    const events = this.events(session, input);
    const idempotency: IdempotentRequest | undefined =
      idempotencyKey === undefined
        ? undefined
        : {
            key: idempotencyKey,
            bodyHash:
              input.kind === 'json'
                ? ingestBodyHash('json', JSON.stringify(input.body))
                : ingestBodyHash(input.format, input.text),
          };
    try {
      const { fromSeq, toSeq } = await this.log.append(sessionId, events, {
        ingest: { leaseMs: this.config.interruptAfterMs, idempotency },
      });
      return { fromSeq, toSeq };
    } catch (error) {
      if (error instanceof SessionClosedError) {
        throw new ConflictException(`Build ${sessionId} has already finished`);
      }
      if (error instanceof IdempotencyConflictError) {
        throw new UnprocessableEntityException([`Idempotency-Key: ${error.message}`]);
      }
      throw error;
    }
  }

  private events(session: SessionSummary, input: IngestBody): NewBuildEvent[] {
    const context = {
      agentId: session.agentId,
      projectName: session.projectName,
      prompt: session.prompt,
      model: session.model,
    };
    return input.kind === 'json'
      ? eventsFromJson(input.body, context)
      : eventsFromTranscript(input.text, input.format, context, this.config.limits.transcriptMaxLines);
  }
}
