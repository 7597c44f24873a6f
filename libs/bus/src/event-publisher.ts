import { Injectable } from '@nestjs/common';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  projectChannel,
  type AppendResult,
  sessionChannel,
  type CommittedEventsNotice,
  type SessionSummary,
  type SessionSummaryMessage,
} from '#contracts';
import { injectTrace, SPAN_ATTRIBUTES, tracer } from '#tracing';
import { ChannelPublisher, type Announcement } from './channels/channel-publisher.js';

export function toSummaryMessage(summary: SessionSummary): SessionSummaryMessage {
  return {
    type: 'session',
    projectId: summary.projectId,
    sessionId: summary.id,
    status: summary.status,
    progress: summary.progress,
    agentId: summary.agentId,
    model: summary.model,
    projectName: summary.projectName,
    seq: summary.seq,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
  };
}

/**
 * Rings the doorbell after a commit. Announcements only ever carry committed events; a lost
 * one costs nothing because every reader can fill the gap from Postgres by seq (the
 * gateway's audit and catch-up). Over Postgres NOTIFY the events themselves stay out: the
 * message names the seq range and readers read it.
 */
@Injectable()
export class EventPublisher {
  constructor(private readonly channels: ChannelPublisher) {}

  /** Traced as `bus.publish`; the session's notice carries that span's context (`trace`). */
  async publishCommitted(append: AppendResult): Promise<void> {
    const span = tracer().startSpan('bus.publish', {
      attributes: {
        [SPAN_ATTRIBUTES.sessionId]: append.sessionId,
        [SPAN_ATTRIBUTES.fromSeq]: append.fromSeq,
        [SPAN_ATTRIBUTES.toSeq]: append.toSeq,
      },
    });
    const announcements: Announcement[] = [];
    if (append.events.length > 0) {
      const carrier = injectTrace(trace.setSpan(context.active(), span));
      const message: CommittedEventsNotice = {
        projectId: append.projectId,
        sessionId: append.sessionId,
        fromSeq: append.fromSeq,
        toSeq: append.toSeq,
        ...(this.channels.carriesEventBodies ? { events: append.events } : {}),
        ...(carrier ? { trace: carrier } : {}),
      };
      announcements.push({ channel: sessionChannel(append.projectId, append.sessionId), message });
    }
    if (append.summaryChanged) {
      announcements.push({
        channel: projectChannel(append.projectId),
        message: toSummaryMessage(append.summary),
      });
    }
    try {
      await this.channels.publish(announcements);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  async publishSummary(summary: SessionSummary): Promise<void> {
    await this.channels.publish([
      { channel: projectChannel(summary.projectId), message: toSummaryMessage(summary) },
    ]);
  }
}
