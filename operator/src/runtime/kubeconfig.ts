// Where the API server is and how to authenticate to it: a kubeconfig file or the in-cluster service
// account. Reading these ourselves keeps @kubernetes/client-node out of the operator process: loading
// that package (its generated API models come with any import of it) costs about 80 MiB of RSS, a third
// of the operator's memory budget, for nothing but this. Kubeconfigs that need more (exec credential
// plugins, auth providers) are handed to client-node's KubeConfig, loaded only then.
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import * as yaml from 'js-yaml';

/** What one request needs: TLS settings and headers (re-read periodically: tokens rotate). */
export interface Credentials {
  tls: https.RequestOptions;
  headers: Record<string, string>;
}

export interface KubeEndpoint {
  /** The API server's base URL. */
  server: string;
  /** Reads the credentials again (files, in-cluster token). */
  credentials(): Promise<Credentials>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}
interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: NamedEntry<{ cluster?: string; user?: string }>[];
  clusters?: NamedEntry<ClusterEntry>[];
  users?: NamedEntry<UserEntry>[];
}

/**
 * The endpoint of a kubeconfig file, or with an empty path: ~/.kube/config when it exists, else the
 * in-cluster service account (what an operator Deployment uses).
 */
export function loadEndpoint(path: string, env: NodeJS.ProcessEnv = process.env): KubeEndpoint {
  if (path) return fromFile(path);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFile(home);
  if (env.KUBERNETES_SERVICE_HOST) return inCluster(env);
  throw new Error('no kubeconfig: set KUBECONFIG (or --kubeconfig), create ~/.kube/config, or run in a cluster');
}

export function inCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeEndpoint {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set: not running in a cluster');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    credentials: () =>
      Promise.resolve({
        tls: { ca: readFileSync(join(dir, 'ca.crt')) },
        headers: { Authorization: `Bearer ${readFileSync(join(dir, 'token'), 'utf8').trim()}` },
      }),
  };
}

export function fromFile(path: string): KubeEndpoint {
  // loadAll, not load: js-yaml 5's load throws on a file without a document (empty, or comments only),
  // which is reported below as a kubeconfig without a current context, as before.
  const config = (yaml.loadAll(readFileSync(path, 'utf8'))[0] ?? {}) as KubeconfigFile;
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`kubeconfig ${path}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: the current context has no cluster with a server`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined) return viaClientNode(path, cluster.server);
  const base = dirname(path);
  const file = (name: string): Buffer => readFileSync(isAbsolute(name) ? name : join(base, name));
  const pem = (data: string | undefined, name: string | undefined): Buffer | undefined =>
    data ? Buffer.from(data, 'base64') : name ? file(name) : undefined;
  return {
    server: cluster.server,
    credentials: () => {
      const tls: https.RequestOptions = {};
      const ca = pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
      if (ca) tls.ca = ca;
      if (cluster['insecure-skip-tls-verify']) tls.rejectUnauthorized = false;
      if (cluster['tls-server-name']) tls.servername = cluster['tls-server-name'];
      const cert = pem(user['client-certificate-data'], user['client-certificate']);
      const key = pem(user['client-key-data'], user['client-key']);
      if (cert) tls.cert = cert;
      if (key) tls.key = key;
      const headers: Record<string, string> = {};
      const token = user.token ?? (user.tokenFile ? file(user.tokenFile).toString('utf8').trim() : undefined);
      if (token) headers.Authorization = `Bearer ${token}`;
      else if (user.username !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
      }
      return Promise.resolve({ tls, headers });
    },
  };
}

/** Exec plugins and auth providers: client-node's KubeConfig runs them (loaded only for such a kubeconfig). */
function viaClientNode(path: string, server: string): KubeEndpoint {
  return {
    server,
    credentials: async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      const opts: https.RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      const { agent: _agent, headers, ...tls } = opts;
      const plain: Record<string, string> = {};
      for (const [key, value] of Object.entries(headers ?? {})) if (typeof value === 'string') plain[key] = value;
      return { tls, headers: plain };
    },
  };
}
