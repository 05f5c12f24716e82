// The entry the build hashes into /assets/index-<hash>.js; index.html loads it (no inline script).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Api } from './api/client.js';
import { App } from './App.js';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App api={new Api()} />
    </StrictMode>,
  );
