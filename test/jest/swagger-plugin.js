'use strict';
// @nestjs/swagger's CLI plugin exports only `before(options, program)`, while ts-jest expects
// an AST transformer module with `name`, `version` and `factory(tsCompiler, options)`.
// ts-jest calls the factory when a worker starts, even when every file it will load is in jest's
// transform cache; reading `tsCompiler.program` there builds the whole type-checked program
// (seconds per worker and project). The plugin is made on the first file actually compiled instead.
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler, options) => {
    let plugin;
    return (context) => {
      plugin ??= before(options, tsCompiler.program);
      return plugin(context);
    };
  },
};
