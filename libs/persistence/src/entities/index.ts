import { BuildEventEntity } from './build-event.entity.js';
import { BuildSessionEntity } from './build-session.entity.js';
import { ProjectEntity } from './project.entity.js';
import { TodoEntity } from './todo.entity.js';
import { ToolCallEntity } from './tool-call.entity.js';

export { BuildEventEntity, BuildSessionEntity, ProjectEntity, TodoEntity, ToolCallEntity };

export const ENTITIES = [ProjectEntity, BuildSessionEntity, TodoEntity, ToolCallEntity, BuildEventEntity];
