// Small DOM helpers: every view is built from elements, never from HTML strings, so text from
// the server (prompts, error messages) can never become markup.

/** Creates `<tag>` with attributes (`class`, `for`, `data-*`, event handlers as `onX`) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** "3 s", "2 min 5 s", "1 h 4 min". */
export function seconds(value) {
  if (value === undefined || value === null) return '—';
  const s = Math.max(0, Math.round(value));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** "12.3 MB". */
export function bytes(value) {
  if (!value && value !== 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = value;
  let unit = 0;
  while (v >= 1000 && unit < units.length - 1) { v /= 1000; unit += 1; }
  return `${v.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A local date and time from an ISO 8601 string. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A status badge. */
export function badge(status) {
  return h('span', { class: `badge badge-${status}` }, status);
}

/** A message box: `kind` is `error`, `info` or `ok`. */
export function notice(kind, ...children) {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}
