// A Jest transform for @nestjs/throttler, which ships CommonJS that require()s @nestjs/common
// and @nestjs/core, which ship only ES modules. Node ≥ 20.19 loads that natively
// (require(esm)); Jest's module registry can only from Node 24.9. So in tests its two
// require() calls read the ES modules that jest-nest-esm.setup.ts imported: the very
// instances the app under test uses (one HttpException class, one Injectable decorator).
export default {
  process(source) {
    return {
      code: source.replace(
        /require\("(@nestjs\/(?:common|core))"\)/g,
        (_, id) => `globalThis[Symbol.for('jest-nest-esm:${id}')]`,
      ),
    };
  },
};
