import { Body, Controller, Get, Post, type DynamicModule } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, type Repository } from 'typeorm';

/** A host app's own table, in its own database, through its own default DataSource. */
@Entity('notes')
export class Note {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text' })
  text!: string;
}

/** A host app's own routes: no credential, no Buildcast limits or pipes. */
@Controller('notes')
export class NotesController {
  constructor(@InjectRepository(Note) private readonly notes: Repository<Note>) {}

  @Get()
  list(): Promise<Note[]> {
    return this.notes.find({ order: { id: 'ASC' } });
  }

  @Post()
  add(@Body() body: { text: string; extra?: unknown }): Promise<Note> {
    return this.notes.save({ text: body.text });
  }
}

/** The host's default TypeORM DataSource on `databaseUrl`, and its notes repository. */
export function hostDataSource(databaseUrl: string): DynamicModule[] {
  return [
    TypeOrmModule.forRoot({ type: 'postgres', url: databaseUrl, entities: [Note], synchronize: true }),
    TypeOrmModule.forFeature([Note]),
  ];
}

/** Which database a DataSource is connected to. */
export async function databaseOf(dataSource: DataSource): Promise<string> {
  return (await dataSource.query<{ name: string }[]>('SELECT current_database() AS name'))[0].name;
}
