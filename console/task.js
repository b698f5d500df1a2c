// The task page: live progress over the task's event stream (fetch streaming with signed
// headers), then the thumbnail, a player and a download link, the request echo, and errors in
// plain words.
import { ApiError, call, followTask, isTerminal } from './api.js';
import { badge, bytes, h, notice, replace, seconds, when } from './dom.js';
import { cancelTask, taskSummary } from './videos.js';

// Error codes in plain words, by code or by the prefix of a family (asset_…, media_…, object_…).
const PLAIN_ERRORS = [
  ['out_of_memory', 'The device ran out of memory for this size; try a lower resolution or fewer seconds.'],
  ['lease_expired', 'The worker rendering it stopped answering, and the retries ran out.'],
  ['invalid_job', 'The model refused these settings.'],
  ['model_', 'The model could not run on the worker.'],
  ['inference_failed', 'The model failed while rendering.'],
  ['asset_', 'A reference image, watermark or music URL could not be fetched or read.'],
  ['media_', 'The video could not be encoded or finished.'],
  ['object_', 'The finished video could not be stored.'],
];

function plainError(code) {
  return (PLAIN_ERRORS.find(([prefix]) => code === prefix || (prefix.endsWith('_') && code.startsWith(prefix))) ?? [null, 'The video could not be made.'])[1];
}

function playable(codec) {
  const probe = document.createElement('video');
  return codec === 'h264' ? probe.canPlayType('video/mp4; codecs="avc1.640028"') !== ''
    : probe.canPlayType('video/mp4; codecs="hvc1.1.6.L120.90"') !== '';
}

function resultBlock(task) {
  const result = task.result;
  if (!result) return null;
  if (result.expired) return notice('info', 'This video has been deleted by the retention policy.');
  const media = [];
  if (result.thumbnail_url) media.push(h('img', { class: 'thumb', src: result.thumbnail_url, alt: 'First frame of the video', id: 'thumbnail' }));
  if (playable(result.codec)) {
    media.push(h('video', { class: 'player', id: 'player', src: result.video_url, controls: true, muted: true, autoplay: true, loop: true, playsinline: true, poster: result.thumbnail_url }));
  } else {
    media.push(notice('info', `This browser cannot play ${result.codec.toUpperCase()} video; download it, or make it again with the H.264 codec (the console's default).`));
  }
  return h('section', { class: 'card' },
    h('h2', {}, 'Result'), ...media,
    h('dl', { class: 'kv' },
      h('dt', {}, 'Size'), h('dd', {}, `${result.width}×${result.height}, ${result.fps} fps, ${seconds(result.duration)}, ${bytes(result.size_bytes)}`),
      h('dt', {}, 'Codec'), h('dd', {}, `${result.codec}${result.audio_codec ? ` + ${result.audio_codec}` : ''}`),
      h('dt', {}, 'Links valid until'), h('dd', {}, when(result.expires_at))),
    h('div', { class: 'actions' }, h('a', { class: 'button', href: result.video_url, download: `${task.task_id}.mp4`, id: 'download' }, 'Download MP4')));
}

function errorBlock(task) {
  if (!task.error) return null;
  const plain = plainError(task.error.code);
  return notice('error', `${plain} (${task.error.code}: ${task.error.message})`);
}

export function renderTask(main, { go }, id) {
  const controller = new AbortController();
  const head = h('div', { id: 'task-head' });
  const live = h('div', { id: 'task-live', 'aria-live': 'polite' });
  const body = h('div', { id: 'task-body' });
  const status = h('div');
  replace(main, head, status, live, body);

  function show(task) {
    replace(head,
      h('h1', {}, 'Video ', h('code', {}, task.task_id), ' ', badge(task.status)),
      h('p', {}, task.request.text));
    const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel' }, 'Cancel');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try { show(await cancelTask(task.task_id)); } catch (error) { replace(status, notice('error', error.message)); }
    });
    replace(live, ...taskSummary(task), h('div', { class: 'actions' },
      isTerminal(task.status) ? null : cancel,
      h('button', { type: 'button', class: 'secondary', onclick: () => go(`#/new/${encodeURIComponent(task.task_id)}`) }, 'Again with these settings')));
    if (isTerminal(task.status)) {
      replace(body, resultBlock(task), errorBlock(task),
        h('section', { class: 'card' }, h('h2', {}, 'Request'), h('pre', { id: 'request-echo' }, JSON.stringify(task.request, null, 2))));
    }
  }

  (async () => {
    try {
      const task = await call('GET', `/api/v1/video/task/${encodeURIComponent(id)}`);
      if (controller.signal.aborted) return;
      show(task);
      if (!isTerminal(task.status)) await followTask(id, show, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      replace(status, notice('error', error instanceof ApiError && error.status === 404 ? `No video ${id} among yours.` : error.message));
    }
  })();
  return () => controller.abort();
}
