// `make crds`: writes crds/kycplatform.yaml and operator/src/api/types.ts from schema.ts.
// Run from the repository root (the Makefile compiles this file first; see the `crds` target).
import { writeFileSync } from 'node:fs';
import { CRD_PATH, TYPES_PATH, crdYaml, typesSource } from './generate.js';

writeFileSync(CRD_PATH, crdYaml());
writeFileSync(TYPES_PATH, typesSource());
process.stdout.write(`wrote ${CRD_PATH} and ${TYPES_PATH}\n`);
