// See jest-nest-esm.mjs: the ES modules a CommonJS Nest package requires, for its transform.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';

const registry = globalThis as unknown as Record<symbol, unknown>;
registry[Symbol.for('jest-nest-esm:@nestjs/common')] = common;
registry[Symbol.for('jest-nest-esm:@nestjs/core')] = core;
