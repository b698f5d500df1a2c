// "New video": a form built from GET /api/v1/video/options — every field with the server's
// default, its choices or range, the caller's tier already applied — grouped basic / advanced /
// finishing. Validation is the server's: its field errors (data.errors[{field, reason}]) are
// shown next to their fields.
import { ApiError, call } from './api.js';
import { h, notice, replace } from './dom.js';

const LABELS = {
  text: 'Prompt', image: 'Reference image', priority: 'Priority',
  'params.resolution': 'Resolution', 'params.duration': 'Duration (s)', 'params.model': 'Model', 'params.fps': 'Frame rate',
  'params.style': 'Style', 'params.steps': 'Sampling steps', 'params.cfg_scale': 'Guidance (CFG) scale', 'params.sampler': 'Sampler',
  'params.seed': 'Seed', 'params.saturation': 'Saturation', 'params.contrast': 'Contrast', 'params.codec': 'Video codec',
  'params.crf': 'Quality (CRF)', 'params.preset': 'Encoder preset', 'params.brightness': 'Brightness', 'params.denoise': 'Denoise',
  'params.bitrate': 'Bitrate (instead of CRF)', 'params.audio_codec': 'Audio codec',
  'params.subtitle.text': 'Subtitle text', 'params.subtitle.position': 'Subtitle position', 'params.subtitle.font': 'Subtitle font',
  'params.subtitle.size': 'Subtitle size (px)', 'params.subtitle.color': 'Subtitle colour', 'params.subtitle.shadow': 'Subtitle shadow',
  'params.subtitle.max_width': 'Subtitle width (share of frame)', 'params.watermark.text': 'Watermark text',
  'params.watermark.image': 'Watermark image URL', 'params.watermark.position': 'Watermark position',
  'params.watermark.opacity': 'Watermark opacity (%)', 'params.watermark.scale': 'Watermark scale (share of width)',
  'params.background_music.builtin': 'Built-in music', 'params.background_music.url': 'Music URL',
  'params.background_music.volume': 'Music volume', 'params.background_music.fade_out': 'Music fade-out (s)',
};
const GROUPS = [['basic', null], ['advanced', 'Advanced generation'], ['finishing', 'Finishing: subtitles, watermark, music, encoding']];
const PRIORITY_NAMES = ['P0 urgent', 'P1 high', 'P2 normal', 'P3 low'];

/** The DOM id of a field's control. */
export function controlId(name) {
  return `f-${name.replace(/[^a-z0-9]+/gi, '-')}`;
}

function choiceLabel(field, value) {
  if (field.name === 'priority') return PRIORITY_NAMES[value] ?? `P${value}`;
  return String(value);
}

function control(field) {
  const id = controlId(field.name);
  const start = field.console_default ?? field.default;
  const common = { id, name: field.name, 'aria-describedby': `${id}-error ${id}-hint` };
  switch (field.type) {
    case 'longtext':
      return h('textarea', { ...common, maxlength: field.max, required: field.required, placeholder: 'a lighthouse at dawn, waves rolling in' });
    case 'text':
      return h('input', { ...common, type: 'text', maxlength: field.max, placeholder: field.name === 'params.bitrate' ? 'e.g. 800k or 4M' : undefined });
    case 'url':
      return h('input', { ...common, type: 'url', maxlength: field.max, placeholder: 'https://…' });
    case 'color':
      return h('input', { ...common, type: 'color', value: String(start ?? '#FFFFFF').toLowerCase() });
    case 'boolean':
      return h('input', { ...common, type: 'checkbox', class: 'checkbox', checked: start === true });
    case 'choice': {
      const select = h('select', common);
      if (field.default === undefined) select.append(h('option', { value: '' }, 'none'));
      for (const value of field.choices ?? []) {
        select.append(h('option', { value: String(value), selected: value === start }, choiceLabel(field, value)));
      }
      return select;
    }
    case 'integer':
    case 'number':
      return h('input', {
        ...common, type: 'number', inputmode: field.type === 'integer' ? 'numeric' : 'decimal',
        step: field.type === 'integer' ? 1 : (field.step ?? 'any'), value: start,
        placeholder: field.default === undefined ? (field.name === 'params.seed' ? 'random' : 'server default') : undefined,
      });
    default:
      return null;
  }
}

function hintFor(field) {
  const parts = [];
  if (field.default !== undefined) parts.push(`server default ${choiceLabel(field, field.default)}`);
  if (field.type === 'integer' || field.type === 'number') {
    if (field.min !== undefined && field.max !== undefined && field.name !== 'params.seed') parts.push(`${field.min}–${field.max}`);
  }
  if (field.console_note) parts.push(field.console_note);
  if (field.requires) parts.push(`used with ${field.requires.map((name) => LABELS[name] ?? name).join(' or ')}`);
  return parts.join(' · ');
}

function imageControl(field, state) {
  const id = controlId(field.name);
  const file = h('input', { id, type: 'file', accept: 'image/png,image/jpeg,image/webp', 'aria-describedby': `${id}-error ${id}-hint` });
  const url = h('input', { id: `${id}-url`, type: 'url', placeholder: 'or an https:// URL', 'aria-label': 'Reference image URL' });
  file.addEventListener('change', () => {
    const chosen = file.files[0];
    state.image = null;
    if (!chosen) return;
    const reader = new FileReader();
    reader.addEventListener('load', () => { state.image = reader.result; });
    reader.readAsDataURL(chosen);
  });
  state.imageURL = url;
  return h('div', { class: 'image-pair' }, file, url);
}

function fieldBlock(field, state) {
  const id = controlId(field.name);
  const input = field.type === 'image' ? imageControl(field, state) : control(field);
  return h('div', { class: `field${field.type === 'longtext' || field.type === 'image' ? ' field-wide' : ''}`, 'data-field': field.name },
    h('label', { for: id }, LABELS[field.name] ?? field.name, field.required ? ' *' : ''),
    input,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
    h('p', { class: 'hint', id: `${id}-hint` }, hintFor(field)));
}

function setPath(target, path, value) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts[parts.length - 1]] = value;
}

function getPath(source, path) {
  return path.split('.').reduce((node, part) => (node == null ? undefined : node[part]), source);
}

function readForm(form, fields, state) {
  const values = {};
  for (const field of fields) {
    if (field.type === 'image') continue;
    const element = form.elements.namedItem(field.name);
    if (!element) continue;
    if (field.type === 'boolean') { values[field.name] = element.checked; continue; }
    const raw = element.value.trim();
    if (raw !== '') values[field.name] = raw;
  }
  const body = {};
  for (const field of fields) {
    if (field.requires && !field.requires.some((name) => values[name] !== undefined)) continue;
    if (field.type === 'image') {
      const image = state.image ?? (state.imageURL.value.trim() || null);
      if (image) body.image = image;
      continue;
    }
    const raw = values[field.name];
    if (raw === undefined) continue;
    if (field.type === 'boolean') { setPath(body, field.name, raw); continue; }
    const numeric = field.type === 'integer' || field.type === 'number' || typeof field.default === 'number' || typeof (field.choices ?? [])[0] === 'number';
    // A number the browser cannot read is sent as typed, so the server names the problem.
    setPath(body, field.name, numeric && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw);
  }
  return body;
}

function showErrors(form, fields, errors, general) {
  for (const block of form.querySelectorAll('[data-field]')) {
    const message = block.querySelector('.field-error');
    message.hidden = true;
    message.textContent = '';
    block.querySelector('input, select, textarea')?.removeAttribute('aria-invalid');
  }
  const unplaced = [];
  for (const { field, reason } of errors) {
    // The deepest form field the error's path names or lies under (params.subtitle → its text).
    const target = fields.find((f) => f.name === field) ?? fields.find((f) => f.name.startsWith(`${field}.`)) ??
      fields.filter((f) => field.startsWith(`${f.name}.`) || field.startsWith(`${f.name}[`)).pop();
    const block = target && form.querySelector(`[data-field="${CSS.escape(target.name)}"]`);
    if (!block) { unplaced.push(`${field}: ${reason}`); continue; }
    const message = block.querySelector('.field-error');
    message.textContent = message.textContent ? `${message.textContent}; ${reason}` : reason;
    message.hidden = false;
    block.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
  }
  if (unplaced.length) general.append(notice('error', unplaced.join('; ')));
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) { first.closest('details')?.setAttribute('open', ''); first.focus(); }
}

async function prefill(form, fields, id) {
  const task = await call('GET', `/api/v1/video/task/${encodeURIComponent(id)}`);
  const source = { text: task.request.text, image: task.request.image, priority: task.priority, params: { ...task.request.params } };
  const subtitle = source.params.subtitle;
  if (subtitle?.segments) subtitle.text = subtitle.segments.map((segment) => segment.text).join(' ');
  for (const field of fields) {
    const element = form.elements.namedItem(field.name);
    const value = getPath(source, field.name);
    if (!element || value === undefined || value === null || field.type === 'image') continue;
    if (field.type === 'boolean') element.checked = value === true;
    else if (field.type === 'color') element.value = String(value).toLowerCase();
    else element.value = String(value);
  }
  return task;
}

/** Renders the form; with `fromTask`, prefilled with that task's settings ("again"). */
export function renderNewVideo(main, { options, go }, fromTask) {
  const fields = options.fields;
  const state = { image: null, imageURL: null };
  const general = h('div', { id: 'form-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', id: 'submit' }, 'Generate');
  const form = h('form', { class: 'card', id: 'new-video', novalidate: true });
  form.append(h('h1', {}, 'New video'));
  for (const [group, title] of GROUPS) {
    const blocks = h('div', { class: 'fields' }, fields.filter((f) => f.group === group).map((f) => fieldBlock(f, state)));
    form.append(title ? h('details', { id: `group-${group}` }, h('summary', {}, title), blocks) : blocks);
  }
  form.append(h('div', { class: 'actions' }, submit), general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(general);
    showErrors(form, fields, [], general);
    submit.disabled = true;
    try {
      const accepted = await call('POST', '/api/v1/video/generate', readForm(form, fields, state));
      go(`#/task/${encodeURIComponent(accepted.task_id)}`);
    } catch (error) {
      if (error instanceof ApiError) {
        general.append(notice('error', `${error.message} (${error.status} ${error.code})`));
        showErrors(form, fields, error.errors, general);
      } else {
        general.append(notice('error', `Could not reach the server: ${error.message}`));
      }
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, form);
  if (fromTask) {
    prefill(form, fields, fromTask)
      .then(() => general.append(notice('info', `Settings of ${fromTask}; the seed is kept, so the same prompt renders the same video.`)))
      .catch((error) => general.append(notice('error', `Could not load ${fromTask}: ${error.message}`)));
  }
  return null;
}
