import { describe, expect, it } from '@jest/globals';
import { WebhookWorker } from './webhook-worker.js';

const quiet = { info: () => undefined, warn: () => undefined };

describe('WebhookWorker', () => {
  it('when a pass comes back full, then the next starts at once; a failed pass is logged and the loop goes on; close stops it', async () => {
    const answers: Array<number | Error> = [2, new Error('PostgreSQL away'), 2, 1];
    const warnings: string[] = [];
    let passes = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const dispatcher = {
      dispatchDue: () => {
        passes += 1;
        const answer = answers.shift() ?? 0;
        if (answers.length === 0) finished();
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    };
    // Batch 2, poll every 10 ms: a full pass (2) is followed at once, a short or failed one after 10 ms.
    const worker = new WebhookWorker(dispatcher, 2, 10, { ...quiet, warn: (_fields, message) => void warnings.push(message) });
    worker.start();
    await done;
    await worker.close();
    const after = passes;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(after).toBe(4);
    expect(passes).toBe(after);
    expect(warnings).toEqual(['webhook dispatch pass failed; trying again']);
  });
});
