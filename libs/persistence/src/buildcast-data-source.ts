import { Inject } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';

/**
 * Buildcast's DataSource is registered under a name of its own, never as TypeORM's default:
 * a Nest app that mounts a Buildcast module (docs/embedding.md) keeps its own default
 * DataSource, and the two never replace each other.
 */
export const BUILDCAST_DATA_SOURCE_NAME = 'buildcast';

/** The injection token of Buildcast's DataSource (`app.get(BUILDCAST_DATA_SOURCE)`). */
export const BUILDCAST_DATA_SOURCE = getDataSourceToken(BUILDCAST_DATA_SOURCE_NAME) as string;

/** Injects Buildcast's DataSource; a bare `DataSource` parameter would ask for the host's default. */
export const InjectBuildcastDataSource = (): PropertyDecorator & ParameterDecorator =>
  Inject(BUILDCAST_DATA_SOURCE);
