// The console's shell: sign-in, navigation and the hash router (#/new, #/videos, #/task/ID,
// #/ops). Each page module renders into <main> and may return a function that stops its live
// updates when the page is left.
import { ApiError, call, canSign, credentials, forget, remember } from './api.js';
import { h, notice, replace } from './dom.js';
import { renderNewVideo } from './new-video.js';
import { renderOperations } from './operations.js';
import { renderTask } from './task.js';
import { renderVideos } from './videos.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const opsLink = document.getElementById('nav-ops');
let options = null;
let leave = null;

document.getElementById('sign-out').addEventListener('click', () => {
  forget();
  options = null;
  location.hash = '#/signin';
  route();
});

async function loadOptions() {
  options = await call('GET', '/api/v1/video/options');
  who.textContent = `${options.caller.user_id} · ${options.caller.tier}`;
  opsLink.hidden = options.caller.tier !== 'admin';
  nav.hidden = false;
}

function signInPage(problem) {
  nav.hidden = true;
  const keyId = h('input', { id: 'key-id', name: 'key_id', autocomplete: 'username', required: true, spellcheck: 'false', placeholder: 'vk_…' });
  const secret = h('input', { id: 'key-secret', name: 'secret', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { id: 'signin-status' }, problem ? notice('error', problem) : null);
  const button = h('button', { type: 'submit', id: 'signin-button' }, 'Sign in');
  if (!canSign()) {
    button.disabled = true;
    status.append(notice('error', 'This page is not a secure context (HTTPS or localhost), so the browser offers no WebCrypto to sign requests with. Open the console over HTTPS or on localhost.'));
  }
  const form = h('form', { class: 'card narrow', id: 'signin-form' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'Paste an API key made with ', h('code', {}, 'videogenx keys create'), '. The secret stays in this browser tab and signs each request; it is never sent.'),
    h('label', { for: 'key-id' }, 'Key id'), keyId,
    h('label', { for: 'key-secret' }, 'Secret'), secret,
    button, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    remember(keyId.value.trim(), secret.value.trim());
    try {
      await loadOptions();
      location.hash = '#/new';
      route();
    } catch (error) {
      forget();
      replace(status, notice('error', error instanceof ApiError ? `Refused: ${error.message}` : `Could not reach the server: ${error.message}`));
      button.disabled = false;
    }
  });
  replace(main, form);
  keyId.focus();
}

async function route() {
  if (leave) { leave(); leave = null; }
  const [page, argument] = location.hash.replace(/^#\/?/, '').split('/');
  for (const link of nav.querySelectorAll('a[data-nav]')) {
    link.setAttribute('aria-current', link.dataset.nav === page ? 'page' : 'false');
  }
  if (!credentials()) return signInPage();
  if (!options) {
    try {
      await loadOptions();
    } catch (error) {
      forget();
      return signInPage(error instanceof ApiError ? `Signed out: ${error.message}` : error.message);
    }
  }
  const context = { options, go: (hash) => { location.hash = hash; } };
  switch (page) {
    case 'videos': leave = renderVideos(main, context); break;
    case 'task': leave = renderTask(main, context, decodeURIComponent(argument ?? '')); break;
    case 'ops': leave = renderOperations(main, context); break;
    case 'new': default: leave = renderNewVideo(main, context, argument ? decodeURIComponent(argument) : null); break;
  }
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
