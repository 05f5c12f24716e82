import { describe, expect, it } from '@jest/globals';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('operator/bin/kubectl-kyc', () => {
  const wrapper = readFileSync(`${root}operator/bin/kubectl-kyc`, 'utf8');

  it('is an executable shell script, as kubectl requires of a plugin on PATH', () => {
    expect(wrapper.startsWith('#!/bin/sh\n')).toBe(true);
    expect(() => accessSync(`${root}operator/bin/kubectl-kyc`, constants.X_OK)).not.toThrow();
  });

  it('runs what the build compiles from operator/src/cli/main.ts (tsconfig.build.json: rootDir ., outDir dist)', () => {
    const target = /\/\.\.\/\.\.\/(dist\/[^\s"]+\.js)/.exec(wrapper)?.[1];
    expect(target).toBe('dist/operator/src/cli/main.js');
    const build = JSON.parse(readFileSync(`${root}tsconfig.json`, 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: '.', outDir: 'dist' });
    expect(existsSync(`${root}${(target ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts')}`)).toBe(true);
  });
});
