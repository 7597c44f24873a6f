import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Project } from '#contracts';
import { CreateProjectDto, ProjectParamsDto } from '#contracts/dto';
import type { Principal } from '#identity';
import { BuildReadModel } from '#persistence';
import { CurrentPrincipal, Requires } from '../identity/access.decorators.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly readModel: BuildReadModel) {}

  @Post()
  @Requires('admin')
  create(@Body() body: CreateProjectDto): Promise<Project> {
    return this.readModel.createProject(body.name);
  }

  /** A key restricted to a project sees only that one. */
  @Get()
  @Requires('builds:read')
  async list(@CurrentPrincipal() principal: Principal): Promise<Project[]> {
    if (principal.projectId === null) return this.readModel.listProjects();
    const project = await this.readModel.getProject(principal.projectId);
    return project ? [project] : [];
  }

  @Get(':projectId')
  @Requires('builds:read')
  async get(@Param() { projectId }: ProjectParamsDto): Promise<Project> {
    const project = await this.readModel.getProject(projectId);
    if (!project) throw new NotFoundException(`Project ${projectId} not found`);
    return project;
  }
}
