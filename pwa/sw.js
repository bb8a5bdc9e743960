/* Trợ lý DVC service worker: the app shell off-line, procedures the citizen opened kept for
 * reading without a connection, the API network-first, and Web Push about dossiers.
 * The server replaces __BUILD__ with a hash of the app's files, so a new release replaces the caches. */
'use strict';

const BUILD = '__BUILD__';
const SHELL_CACHE = `dvc-shell-${BUILD}`;
const PROCEDURE_CACHE = 'dvc-procedures';
const STATE_CACHE = 'dvc-state';
// Exactly the addresses the shell links to (assets carry ?v=<build>), so cache hits are exact.
const SHELL = ['/', '/offline.html', '/manifest.webmanifest', `/assets/app.css?v=${BUILD}`,
  `/assets/app.js?v=${BUILD}`, `/assets/icons/icon-192.png?v=${BUILD}`, '/assets/icons/icon-192.png',
  '/assets/icons/badge-72.png'];
const MAX_PROCEDURES = 60; // opened procedures kept for off-line reading

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL_CACHE, PROCEDURE_CACHE, STATE_CACHE]);
    for (const name of await caches.keys()) {
      if (!keep.has(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  if (request.headers.get('Accept') === 'text/event-stream') return; // live streams go straight to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/api/procedures/') || url.pathname === '/api/levels') {
    event.respondWith(procedure(request));
  } else if (url.pathname.startsWith('/api/')) {
    event.respondWith(fetch(request)); // always fresh: dossiers and chat must never come from a cache
  } else if (url.pathname.startsWith('/assets/') || url.pathname === '/manifest.webmanifest') {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (err) {
    // One page app: the shell answers every address; it shows what is off-line itself.
    return (await caches.match('/', { cacheName: SHELL_CACHE })) || caches.match('/offline.html');
  }
}

async function procedure(request) {
  const cache = await caches.open(PROCEDURE_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PROCEDURES))) await cache.delete(old);
    }
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    return new Response(JSON.stringify({
      title: 'Không có mạng',
      detail: 'Dạ, máy đang không có mạng và thủ tục này chưa được lưu để xem lại. Anh/chị thử lại khi có mạng nhé.',
      status: 503,
    }), { status: 503, headers: { 'Content-Type': 'application/problem+json' } });
  }
}

/* ---- Web Push ---------------------------------------------------------------------------- */

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'Trợ lý Dịch vụ công';
  event.waitUntil((async () => {
    await self.registration.showNotification(title, {
      body: data.body || 'Dạ, hồ sơ của anh/chị có cập nhật mới.',
      lang: 'vi',
      icon: '/assets/icons/icon-192.png',
      badge: '/assets/icons/badge-72.png',
      tag: data.code ? `ho-so-${data.code}` : 'dvc', // a newer status replaces the older notification
      renotify: true,
      data: { url: data.url || '/' },
    });
    // An open dossier page refreshes itself.
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      client.postMessage({ type: 'dossier-updated', code: data.code || null });
    }
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      if (client.url === target.href && 'focus' in client) return client.focus();
    }
    for (const client of windows) {
      if (new URL(client.url).origin === target.origin && 'navigate' in client) {
        await client.focus();
        return client.navigate(target.href);
      }
    }
    return self.clients.openWindow(target.href);
  })());
});

// The browser replaced the subscription (keys expired or rotated): move what it followed to the new one.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const oldEndpoint = (event.oldSubscription && event.oldSubscription.endpoint) || (await rememberedEndpoint());
    if (!oldEndpoint) return;
    let subscription = event.newSubscription;
    if (!subscription) {
      const key = await (await fetch('/api/push/vapid-public-key')).json();
      subscription = await self.registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key.public_key),
      });
    }
    const response = await fetch('/api/push/subscriptions', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ old_endpoint: oldEndpoint, subscription: subscription.toJSON() }),
    });
    if (response.ok) await rememberEndpoint(subscription.endpoint);
  })());
});

// The page tells the worker which endpoint it subscribed with (for browsers without oldSubscription).
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'push-endpoint') event.waitUntil(rememberEndpoint(event.data.endpoint));
});

async function rememberEndpoint(endpoint) {
  const cache = await caches.open(STATE_CACHE);
  await cache.put('/__state/push-endpoint', new Response(endpoint));
}

async function rememberedEndpoint() {
  const hit = await (await caches.open(STATE_CACHE)).match('/__state/push-endpoint');
  return hit ? hit.text() : null;
}

function base64UrlToBytes(value) {
  const padded = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}
