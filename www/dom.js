// Tiny DOM helpers. Text always goes in through text nodes (never innerHTML), so nothing typed
// into the page can become markup.

/** `h('div', { class: 'x', onclick }, 'text', child)`: an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Copies `text`; the button says whether it worked, then goes back to its label. */
export async function copyToClipboard(text, button) {
  let ok = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    ok = copyWithSelection(text);
  }
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  button.textContent = ok ? 'Copied' : 'Copy failed';
  button.classList.toggle('copied', ok);
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(setTimeout(() => {
    button.textContent = label;
    button.classList.remove('copied');
  }, 1400));
}

/** The fallback for browsers without the async clipboard API. */
function copyWithSelection(text) {
  const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** A shell word: single-quoted, with embedded single quotes escaped. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
