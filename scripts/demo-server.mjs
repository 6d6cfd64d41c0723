/** Serves Engram's demo chat site on loopback. Used by `npm start`. */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';

/**
 * Start the demo server on 127.0.0.1 (a free port unless given). Resolves with its base URL, the
 * prompts it received, and a close function.
 */
export function startDemoServer(port = 0) {
  const prompts = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/engram-demo/api/conversation') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        try {
          prompts.push(JSON.parse(body).prompt);
        } catch {
          /* a malformed request is ignored */
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      return;
    }
    if (url.pathname === '/engram-demo/scripted-chat.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(readFileSync(join(ROOT, 'demo/scripted-chat.js')));
    }
    if (url.pathname === '/' || url.pathname.startsWith('/engram-demo')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(readFileSync(join(ROOT, 'demo/index.html')));
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
      resolve({ url: `${base}/engram-demo/`, prompts, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
