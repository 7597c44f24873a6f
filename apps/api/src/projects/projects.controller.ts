import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Project } from '#contracts';
import { CreateProjectDto, ProjectParamsDto } from '#contracts/dto';
import { BuildReadModel } from '#persistence';

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly readModel: BuildReadModel) {}

  @Post()
  create(@Body() body: CreateProjectDto): Promise<Project> {
    return this.readModel.createProject(body.name);
  }

  @Get()
  list(): Promise<Project[]> {
    return this.readModel.listProjects();
  }

  @Get(':projectId')
  async get(@Param() { projectId }: ProjectParamsDto): Promise<Project> {
    const project = await this.readModel.getProject(projectId);
    if (!project) throw new NotFoundException(`Project ${projectId} not found`);
    return project;
  }
}
