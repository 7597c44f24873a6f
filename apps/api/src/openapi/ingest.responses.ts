import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { IngestAnswer } from '../ingest/ingest.service.js';
import type { Exactly } from './exactly.js';

/** `POST …/events`: the seqs this batch got (the first answer again for a repeated Idempotency-Key). */
@ApiSchema({ name: 'AppendedEvents' })
export class IngestAnswerResponse implements Exactly<IngestAnswer, IngestAnswerResponse> {
  @ApiProperty({ type: 'integer', minimum: 0 })
  fromSeq!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  toSeq!: number;
}
