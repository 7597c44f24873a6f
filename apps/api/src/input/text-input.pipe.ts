import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { TextInputError, wellFormedInput } from './text-input.js';

/**
 * Runs before the ValidationPipe on every body, query and route parameter of every route,
 * so no DTO has to remember it: NUL characters get a 400 naming the field, lone surrogates
 * become U+FFFD (see wellFormedInput).
 */
@Injectable()
export class TextInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    try {
      return wellFormedInput(value, metadata.data ?? '');
    } catch (error) {
      if (error instanceof TextInputError) throw new BadRequestException([error.message]);
      throw error;
    }
  }
}
