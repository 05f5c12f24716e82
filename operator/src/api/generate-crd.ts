// `make crds`: writes crds/kycplatform.yaml, operator/src/api/types.ts and docs/api.md from schema.ts.
// Run from the repository root (the Makefile compiles this file first; see the `crds` target).
import { writeFileSync } from 'node:fs';
import { DOCS_PATH, apiReference } from './docs.js';
import { CRD_PATH, TYPES_PATH, crdYaml, typesSource } from './generate.js';

writeFileSync(CRD_PATH, crdYaml());
writeFileSync(TYPES_PATH, typesSource());
writeFileSync(DOCS_PATH, apiReference());
process.stdout.write(`wrote ${CRD_PATH}, ${TYPES_PATH} and ${DOCS_PATH}\n`);
