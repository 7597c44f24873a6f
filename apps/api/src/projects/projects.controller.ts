import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Project } from '#contracts';
import { CreateProjectDto, ProjectParamsDto } from '#contracts/dto';
import type { Principal } from '#identity';
import { BuildReadModel } from '#persistence';
import { CurrentPrincipal, Requires } from '../identity/access.decorators.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import { ProjectResponse } from '../openapi/projects.responses.js';

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

  /** A key restricted to a project sees only that one. */
  @Get()
  @Requires('builds:read')
  @ApiOkResponse({ type: [ProjectResponse] })
  async list(@CurrentPrincipal() principal: Principal): Promise<Project[]> {
    if (principal.projectId === null) return this.readModel.listProjects();
    const project = await this.readModel.getProject(principal.projectId);
    return project ? [project] : [];
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
