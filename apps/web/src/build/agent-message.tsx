import { memo } from 'react';
import Markdown from 'react-markdown';
import type { MessageInfo } from '#client';
import { formatTime } from '../format/format.js';

/**
 * One of the agent's messages, in place among the tool calls. Markdown through
 * react-markdown: raw HTML in it stays text (never injected), links get safe URLs only.
 */
export const AgentMessage = memo(
  function AgentMessage(props: { message: MessageInfo }) {
    const { message } = props;
    return (
      <li className="agent-message" data-testid="message" data-seq={message.seq}>
        <div className="agent-message-text">
          <Markdown skipHtml={false}>{message.text}</Markdown>
        </div>
        <time className="muted" dateTime={message.at.toISOString()}>
          {formatTime(message.at)}
        </time>
      </li>
    );
  },
  // A message never changes once said: rendering its Markdown again on every event is waste.
  (before, after) => before.message.seq === after.message.seq,
);
