import { BuildEventEntity } from './build-event.entity.js';
import { BuildRequestEntity } from './build-request.entity.js';
import { BuildSessionEntity } from './build-session.entity.js';
import { ProjectEntity } from './project.entity.js';
import { TodoEntity } from './todo.entity.js';
import { ToolCallEntity } from './tool-call.entity.js';

export {
  BuildEventEntity,
  BuildRequestEntity,
  BuildSessionEntity,
  ProjectEntity,
  TodoEntity,
  ToolCallEntity,
};

export const ENTITIES = [
  ProjectEntity,
  BuildSessionEntity,
  TodoEntity,
  ToolCallEntity,
  BuildEventEntity,
  BuildRequestEntity,
];
