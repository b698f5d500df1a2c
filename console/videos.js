// "My videos": the caller's tasks, newest first, 20 a page; refreshed every 2 s while any of
// them is still queued or rendering. Each shows status, progress, stage, queue position and
// estimated time; pending ones can be cancelled, any can be made again with its settings.
import { ApiError, call, isTerminal } from './api.js';
import { badge, h, notice, replace, seconds, when } from './dom.js';

const PAGE = 20;

/** The row of one task (shared with the task page's header). */
export function taskSummary(task) {
  const pending = !isTerminal(task.status);
  return [
    h('progress', { max: 100, value: task.progress, 'aria-label': `progress ${task.progress}%` }),
    h('p', { class: 'meta' },
      `${task.progress}%`,
      pending && task.stage ? ` · ${task.stage}` : '',
      task.queue_position !== undefined ? ` · position ${task.queue_position + 1} in the queue` : '',
      pending && task.estimated_time !== undefined ? ` · about ${seconds(task.estimated_time)} left` : '',
      ` · created ${when(task.created_at)}`),
  ];
}

/** Cancels `id`; resolves to the task as the server answers. */
export function cancelTask(id) {
  return call('POST', `/api/v1/video/task/${encodeURIComponent(id)}/cancel`);
}

export function renderVideos(main, { go }) {
  let timer = null;
  let stopped = false;
  const cursors = [null];
  const list = h('ul', { class: 'tasks', id: 'task-list', 'aria-live': 'polite' });
  const status = h('div');
  const previous = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Newer');
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Older');
  replace(main, h('h1', {}, 'My videos'), status, list, h('div', { class: 'actions pager' }, previous, next));

  async function load() {
    clearTimeout(timer);
    const cursor = cursors[cursors.length - 1];
    let page;
    try {
      page = await call('GET', `/api/v1/video/tasks?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    } catch (error) {
      if (!stopped) replace(status, notice('error', `Could not list your videos: ${error.message}`));
      return;
    }
    if (stopped) return;
    replace(status);
    replace(list, page.tasks.length ? page.tasks.map(row) : h('li', {}, 'No videos yet. ', h('a', { href: '#/new' }, 'Make one.')));
    previous.disabled = cursors.length === 1;
    next.disabled = !page.next_cursor;
    next.onclick = () => { cursors.push(page.next_cursor); load(); };
    if (page.tasks.some((task) => !isTerminal(task.status))) timer = setTimeout(load, 2000);
  }

  function row(task) {
    const cancel = h('button', { type: 'button', class: 'danger', 'data-cancel': task.task_id }, 'Cancel');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try {
        await cancelTask(task.task_id);
      } catch (error) {
        replace(status, notice('error', error instanceof ApiError ? error.message : `Could not cancel: ${error.message}`));
      }
      load();
    });
    return h('li', { 'data-task': task.task_id },
      h('div', { class: 'task-head' },
        badge(task.status),
        h('a', { href: `#/task/${encodeURIComponent(task.task_id)}` }, task.request.text.length > 90 ? `${task.request.text.slice(0, 90)}…` : task.request.text)),
      h('p', { class: 'meta' }, `${task.request.params.resolution} · ${task.request.params.duration} s · ${task.request.params.fps} fps · P${task.priority} · ${task.task_id}`),
      taskSummary(task),
      h('div', { class: 'actions' },
        isTerminal(task.status) ? null : cancel,
        h('button', { type: 'button', class: 'secondary', onclick: () => go(`#/new/${encodeURIComponent(task.task_id)}`) }, 'Again with these settings')));
  }

  previous.addEventListener('click', () => { cursors.pop(); load(); });
  load();
  return () => { stopped = true; clearTimeout(timer); };
}
