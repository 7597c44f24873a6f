import { Initial1764000000000 } from './1764000000000-Initial.js';
import { AgentRuns1764100000000 } from './1764100000000-AgentRuns.js';
import { BuildRequests1764200000000 } from './1764200000000-BuildRequests.js';
import { Identity1764300000000 } from './1764300000000-Identity.js';
import { ToolCallParent1764400000000 } from './1764400000000-ToolCallParent.js';
import { FinishedSessions1764500000000 } from './1764500000000-FinishedSessions.js';
import { IngestRequests1764600000000 } from './1764600000000-IngestRequests.js';
import { IngestStorage1764700000000 } from './1764700000000-IngestStorage.js';
import { LastBatch1764720000000 } from './1764720000000-LastBatch.js';

/** Every migration in order, as classes: the same list works from src (ts-jest) and from dist. */
export const MIGRATIONS = [
  Initial1764000000000,
  AgentRuns1764100000000,
  BuildRequests1764200000000,
  Identity1764300000000,
  ToolCallParent1764400000000,
  FinishedSessions1764500000000,
  IngestRequests1764600000000,
  IngestStorage1764700000000,
  LastBatch1764720000000,
];
