'use strict';
// @nestjs/swagger's CLI plugin exports only `before(options, program)`, while ts-jest expects
// an AST transformer module with `name`, `version` and `factory(tsCompiler, options)`.
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler, options) => before(options, tsCompiler.program),
};
