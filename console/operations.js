// Operations (admin keys): devices (state, utilisation, memory, temperature, running tasks), warm
// models, queue depth per priority and recent failures with their reasons, refreshed every 3 s.
import { call } from './api.js';
import { bytes, h, notice, replace, when } from './dom.js';

function percent(ratio) {
  return ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`;
}

function table(headers, rows, id) {
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))));
}

export function renderOperations(main, { options }) {
  let timer = null;
  let stopped = false;
  const content = h('div', { id: 'ops', 'aria-live': 'polite' });
  replace(main, h('h1', {}, 'Operations'), content);
  if (options.caller.tier !== 'admin') {
    // Asked anyway, so the page shows the server's own refusal.
    call('GET', '/api/v1/admin/queue')
      .then(() => replace(content, notice('info', 'This key may read the queue.')))
      .catch((error) => replace(content, notice('error', `Operations need an admin key: ${error.message}`)));
    return null;
  }

  async function load() {
    const [devices, queue] = await Promise.allSettled([call('GET', '/api/v1/admin/devices'), call('GET', '/api/v1/admin/queue')]);
    if (stopped) return;
    const parts = [];
    if (devices.status === 'fulfilled') {
      const d = devices.value;
      parts.push(h('h2', {}, 'Devices'), table(['Device', 'Kind', 'State', 'Utilisation', 'Memory', 'Temperature', 'Running'], d.devices.map((device) => [
        device.name, device.product ? `${device.kind} · ${device.product}` : device.kind, device.state, percent(device.utilisation),
        device.memory_total_bytes ? `${bytes(device.memory_used_bytes)} / ${bytes(device.memory_total_bytes)}` : '—',
        device.temperature_celsius === undefined ? '—' : `${device.temperature_celsius} °C`, String(device.running_tasks),
      ]), 'devices'));
      parts.push(h('h2', {}, 'Warm models'), d.models.length ? table(['Model', 'Loaded', 'In use', 'Uses', 'Loads', 'Cold start', 'Warm start'], d.models.map((model) => [
        model.device ? `${model.name} (${model.device})` : model.name, model.loaded ? 'yes' : 'no', String(model.in_use), String(model.uses), String(model.loads),
        model.first_use_seconds === undefined ? '—' : `${model.first_use_seconds.toFixed(2)} s`, model.warm_seconds === undefined ? '—' : `${(model.warm_seconds * 1000).toFixed(2)} ms`,
      ]), 'models') : h('p', {}, 'No model loaded yet.'));
    } else {
      parts.push(notice('info', `Devices: ${devices.reason.message}`));
    }
    if (queue.status === 'fulfilled') {
      const q = queue.value;
      parts.push(h('h2', {}, `Queue: ${q.queued_tasks} waiting`), table(['Priority', 'Queued'], ['P0', 'P1', 'P2', 'P3'].map((lane) => [lane, String(q.queue_depth[lane] ?? 0)]), 'queue'));
      parts.push(h('h2', {}, 'Recent failures'), q.recent_failures.length ? table(['When', 'Task', 'User', 'Attempts', 'Reason'], q.recent_failures.map((f) => [
        when(f.finished_at), f.task_id, f.user_id, String(f.attempts), `${f.code}: ${f.message}`,
      ]), 'failures') : h('p', {}, 'None.'));
    } else {
      parts.push(notice('error', `Queue: ${queue.reason.message}`));
    }
    parts.push(h('p', { class: 'meta' }, `Updated ${new Date().toLocaleTimeString()}`));
    replace(content, ...parts);
    timer = setTimeout(load, 3000);
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}
