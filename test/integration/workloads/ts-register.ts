// `node --import ./ts-register.ts some.ts`: registers ts-hooks.ts (see there).
import { register } from 'node:module';

register('./ts-hooks.ts', import.meta.url);
