import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Project, ProjectListItem } from '#contracts';
import { CreateProjectDto, ListProjectsQueryDto, ProjectParamsDto } from '#contracts/dto';
import type { Principal } from '#identity';
import { BuildReadModel } from '#persistence';
import { CurrentPrincipal, Requires } from '../identity/access.decorators.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import { ProjectListItemResponse, ProjectResponse } from '../openapi/projects.responses.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
@ApiErrors(...GUARDED_ERRORS)
export class ProjectsController {
  constructor(private readonly readModel: BuildReadModel) {}

  @Post()
  @Requires('admin')
  @ApiCreatedResponse({ type: ProjectResponse })
  @ApiErrors(...BODY_ERRORS)
  create(@Body() body: CreateProjectDto): Promise<Project> {
    return this.readModel.createProject(body.name);
  }

  /** Newest first, a page at a time, each with its newest build. A key restricted to a project sees only that one. */
  @Get()
  @Requires('builds:read')
  @ApiOkResponse({ type: [ProjectListItemResponse], description: 'newest first, each with its newest build' })
  @ApiErrors(400)
  async list(
    @Query() query: ListProjectsQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectListItem[]> {
    // An unknown cursor would silently answer an empty page, as if the list had ended.
    if (query.before !== undefined && !(await this.readModel.getProject(query.before))) {
      throw new BadRequestException([`before: no project ${query.before}`]);
    }
    return this.readModel.listProjects({ ...query, onlyId: principal.projectId ?? undefined });
  }

  @Get(':projectId')
  @Requires('builds:read')
  @ApiOkResponse({ type: ProjectResponse })
  @ApiErrors(400, 404)
  async get(@Param() { projectId }: ProjectParamsDto): Promise<Project> {
    const project = await this.readModel.getProject(projectId);
    if (!project) throw new NotFoundException(`Project ${projectId} not found`);
    return project;
  }
}
