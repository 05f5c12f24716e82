import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderService } from './service.js';

describe('renderService', () => {
  it('is a ClusterIP (the server default: type is left to whoever exposes it) on 8080 selecting the component pods by instance and component only', () => {
    const s = renderService(platform(), 'auth');
    expect(s.metadata.name).toBe('acme-auth');
    expect(s.spec).toEqual({
      selector: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'auth' },
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
    });
  });
});
