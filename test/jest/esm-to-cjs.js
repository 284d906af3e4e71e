'use strict';
// Jest runs tests as CommonJS and, before Node 24.9, cannot require() ES modules, while the
// NestJS 12 packages are ESM-only. This jest transformer compiles such node_modules files to
// CommonJS with TypeScript's single-file transpiler (fast; no type information needed).
const crypto = require('node:crypto');
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2023,
  allowJs: true,
  esModuleInterop: true,
};
const ownSource = fs.readFileSync(__filename);

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(ownSource).update(ts.version).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    // import.meta is a syntax error in CommonJS; rewrite the forms NestJS uses. The module's own
    // `require` is what `createRequire(import.meta.url)` builds, and a `const require = ...`
    // would clash with the parameter of the CommonJS wrapper.
    const code = source
      .replace(/\b(?:const|let|var)\s+require\s*=\s*createRequire\(import\.meta\.url\);?/g, '')
      .replace(/\bcreateRequire\(import\.meta\.url\)/g, 'require')
      .replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href")
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename');
    return { code: ts.transpileModule(code, { fileName: filename, compilerOptions }).outputText };
  },
};
