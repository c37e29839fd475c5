/*
 * luodi.js — progressive enhancement for 落地.
 *
 * Every page works without this file: forms submit normally, links navigate,
 * <details> open natively. This script only adds conveniences, each switched
 * on by a class or data attribute in the server-rendered HTML:
 *
 *   1. button.nav-toggle                 opens/closes the mobile side nav
 *   2. form[data-confirm]                confirm() before submitting
 *   3. select[data-autosubmit]           submit its form on change;
 *      [data-autosubmit-hide]            fallback submit buttons get hidden
 *   4. [data-expand-all] / [data-collapse-all]
 *                                        open/close every <details> in the card
 *   5. details[data-children-url]        lazy-load tree children on first open
 *   6. input[type=file][data-max-bytes]  client-side size check before upload
 *   7. input[data-picker=org|person]     a search-as-you-type picker (combobox)
 *      form[data-scope-picker]           the top bar's scope switcher as a picker
 *   2b. [data-select-all], #batch-action  row selection and batch reasons
 *   8. button[data-print]                prints the page (the sheet of one-time passwords)
 *
 * Plain ES2017, no dependencies, no inline handlers or eval, so it runs under
 * a strict CSP (script-src 'self'). Listeners are delegated to `document`
 * wherever possible so that HTML inserted later (lazy tree nodes) is covered
 * without re-binding.
 */
(function () {
  'use strict';

  const doc = document;
  const root = doc.documentElement;

  // Mark JS as available right away (before DOMContentLoaded) so CSS that
  // depends on it (off-canvas nav, hidden fallback buttons) applies with as
  // little flash as possible.
  root.classList.add('js');

  // Must match the nav breakpoint in luodi.css (section 14).
  const MOBILE_NAV = window.matchMedia('(max-width: 768px)');

  // Fallback texts when the markup does not provide its own.
  const DEFAULT_LOAD_ERROR = '加载失败';
  const DEFAULT_TOO_LARGE = '文件过大';

  // Lazy tree loads: cap parallel requests so "expand all" over a large
  // level does not fire hundreds of fetches at once.
  const MAX_PARALLEL_LOADS = 4;
  const LOAD_TIMEOUT_MS = 20000;

  /* ---------------------------------------------------------------------
   * Helpers
   * ------------------------------------------------------------------- */

  function ready(fn) {
    if (doc.readyState === 'loading') {
      doc.addEventListener('DOMContentLoaded', fn, { once: true });
    } else {
      fn();
    }
  }

  // event.target may be a text node (e.g. clicks on text in old Safari).
  function targetElement(event) {
    const t = event.target;
    return t && t.nodeType === 1 ? t : t && t.parentElement;
  }

  // Submit a form the way a user would. requestSubmit() fires the `submit`
  // event (so data-confirm still applies) and runs constraint validation;
  // form.submit() would silently skip both.
  function submitForm(form) {
    if (typeof form.requestSubmit === 'function') {
      form.requestSubmit();
      return;
    }
    const button = form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    if (button) {
      button.click(); // works even when the button is hidden
    } else if (form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))) {
      form.submit();
    }
  }

  function submitButtons(form) {
    return Array.from(form.querySelectorAll(
      'button[type="submit"], button:not([type]), input[type="submit"]'
    ));
  }

  /* ---------------------------------------------------------------------
   * 1. Mobile side navigation
   * ------------------------------------------------------------------- */

  function setNavOpen(open) {
    const body = doc.body;
    body.classList.toggle('nav-open', open);
    doc.querySelectorAll('button.nav-toggle').forEach((btn) => {
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    if (open) {
      // Move focus into the drawer for keyboard / screen-reader users.
      const first = doc.querySelector('.sidebar a, .sidebar button');
      if (first) first.focus({ preventScroll: true });
    }
  }

  function isNavOpen() {
    return doc.body.classList.contains('nav-open');
  }

  function initNav() {
    doc.querySelectorAll('button.nav-toggle').forEach((btn) => {
      btn.setAttribute('aria-expanded', 'false');
      // Never let the toggle submit a surrounding form.
      if (!btn.hasAttribute('type')) btn.type = 'button';
    });

    doc.addEventListener('click', (event) => {
      const el = targetElement(event);
      if (!el) return;
      if (el.closest('button.nav-toggle')) {
        event.preventDefault();
        setNavOpen(!isNavOpen());
        return;
      }
      if (el.closest('button[data-print]')) {
        event.preventDefault();
        window.print();
        return;
      }
      // A click outside the drawer (i.e. on the backdrop) closes it.
      if (isNavOpen() && !el.closest('.sidebar')) {
        setNavOpen(false);
      }
    });

    doc.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && isNavOpen()) {
        setNavOpen(false);
        const toggle = doc.querySelector('button.nav-toggle');
        if (toggle) toggle.focus();
      }
    });

    // Growing past the breakpoint: the drawer state no longer makes sense.
    const onChange = () => {
      if (!MOBILE_NAV.matches && isNavOpen()) setNavOpen(false);
    };
    if (typeof MOBILE_NAV.addEventListener === 'function') {
      MOBILE_NAV.addEventListener('change', onChange);
    } else if (typeof MOBILE_NAV.addListener === 'function') {
      MOBILE_NAV.addListener(onChange); // Safari < 14
    }
  }

  /* ---------------------------------------------------------------------
   * 2. Confirm before submit  &  6b. block oversized uploads
   * ------------------------------------------------------------------- */

  function initSubmitGuards() {
    doc.addEventListener('submit', (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;

      // An oversized file is still selected: the server would reject it
      // anyway, so don't upload megabytes for nothing.
      if (form.querySelector('input[type="file"][data-too-large-active]')) {
        event.preventDefault();
        return;
      }

      const message = form.dataset.confirm;
      if (message && !window.confirm(message)) {
        event.preventDefault();
      }
    });
  }

  /* ---------------------------------------------------------------------
   * 2b. Row selection for batch work: a header checkbox
   *     [data-select-all=NAME] ticks every checkbox NAME of its table; a
   *     batch form's reason is required while the chosen action needs one
   *     (option[data-needs-reason]), so that the browser asks for it before
   *     any confirmation.
   * ------------------------------------------------------------------- */

  function initBatch() {
    doc.addEventListener('change', (event) => {
      const el = targetElement(event);
      if (!el) return;
      if (el.matches('input[type="checkbox"][data-select-all]')) {
        const table = el.closest('table');
        if (!table) return;
        table.querySelectorAll('input[type="checkbox"][name="' + el.dataset.selectAll + '"]')
          .forEach((box) => { box.checked = el.checked; });
      }
      if (el.matches('#batch-action')) syncReason(el);
    });
    const action = doc.getElementById('batch-action');
    if (action) syncReason(action);
  }

  // Filters folded on narrow screens: open by default (so they work without JS), closed here.
  function initFolds() {
    if (!MOBILE_NAV.matches) return;
    doc.querySelectorAll('details[data-fold-narrow]').forEach((d) => { d.open = false; });
  }

  function syncReason(select) {
    const form = select.form;
    const reason = form && form.querySelector('[name="reason"]');
    const option = select.options[select.selectedIndex];
    if (reason && option) reason.required = option.hasAttribute('data-needs-reason');
  }

  /* ---------------------------------------------------------------------
   * 3. Auto-submitting selects
   * ------------------------------------------------------------------- */

  function initAutosubmit() {
    // The fallback buttons are only needed without JS. CSS already hides
    // them under html.js; the attribute also removes them for assistive tech.
    doc.querySelectorAll('[data-autosubmit-hide]').forEach((el) => {
      el.hidden = true;
    });

    doc.addEventListener('change', (event) => {
      const el = targetElement(event);
      if (el && el.matches('select[data-autosubmit]') && el.form) {
        submitForm(el.form);
      }
    });
  }

  /* ---------------------------------------------------------------------
   * 4. Expand / collapse all <details> in the nearest card
   * ------------------------------------------------------------------- */

  function initExpandCollapse() {
    doc.addEventListener('click', (event) => {
      const el = targetElement(event);
      if (!el) return;
      const btn = el.closest('[data-expand-all], [data-collapse-all]');
      if (!btn) return;
      event.preventDefault(); // in case it is a submit button inside a form

      const open = btn.hasAttribute('data-expand-all');
      const scope = btn.closest('.card') || doc;
      scope.querySelectorAll('details').forEach((d) => {
        // Setting .open fires `toggle`, which triggers lazy loading (5).
        if (d.open !== open) d.open = open;
      });
    });
  }

  /* ---------------------------------------------------------------------
   * 5. Lazy-loaded tree children
   * ------------------------------------------------------------------- */

  const loadQueue = [];
  let activeLoads = 0;

  // The <ul class="tree"> that holds this node's children (direct child of
  // the <details>); created if the server left it out.
  function childList(details) {
    let ul = Array.from(details.children).find((c) => c.matches('ul.tree'));
    if (!ul) {
      ul = doc.createElement('ul');
      ul.className = 'tree';
      details.appendChild(ul);
    }
    return ul;
  }

  // Only ever inject HTML from our own origin.
  function sameOriginUrl(raw) {
    try {
      const url = new URL(raw, doc.baseURI);
      return url.origin === window.location.origin ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  async function fetchChildren(url) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), LOAD_TIMEOUT_MS) : 0;
    try {
      const res = await fetch(url, {
        method: 'GET',
        mode: 'same-origin',
        credentials: 'include',
        headers: { Accept: 'text/html' },
        signal: controller ? controller.signal : undefined,
      });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return await res.text();
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  // Parse the fragment without executing anything and keep only <li> items.
  // If the response has text but no <li> at the top level it is not a tree
  // fragment (typically the login page after a session timeout): treat it
  // as an error instead of pasting a whole page into the tree.
  function parseItems(html) {
    const tpl = doc.createElement('template');
    tpl.innerHTML = html;
    const items = Array.from(tpl.content.children).filter((n) => n.tagName === 'LI');
    if (items.length === 0 && tpl.content.textContent.trim() !== '') {
      throw new Error('unexpected response');
    }
    return items;
  }

  function showLoadError(details, ul) {
    const li = doc.createElement('li');
    li.className = 'muted';
    li.setAttribute('data-load-error', '');
    li.textContent = details.dataset.errorText || DEFAULT_LOAD_ERROR;
    ul.appendChild(li);
  }

  async function loadChildren(details) {
    const ul = childList(details);
    const url = sameOriginUrl(details.dataset.childrenUrl);
    details.setAttribute('aria-busy', 'true');
    try {
      if (!url) throw new Error('cross-origin children URL');
      const items = parseItems(await fetchChildren(url));
      ul.textContent = '';
      items.forEach((li) => ul.appendChild(li));
      details.dataset.loaded = '';
    } catch (e) {
      ul.textContent = '';
      showLoadError(details, ul);
    } finally {
      details.removeAttribute('aria-busy');
      delete details.dataset.queued; // allows a retry after a failure
    }
  }

  function pumpQueue() {
    while (activeLoads < MAX_PARALLEL_LOADS && loadQueue.length > 0) {
      const details = loadQueue.shift();
      activeLoads += 1;
      // (.then(f, f) rather than .finally(): the latter is ES2018.)
      const settled = () => {
        activeLoads -= 1;
        pumpQueue();
      };
      loadChildren(details).then(settled, settled);
    }
  }

  function maybeLoad(details) {
    if (!details.open || !details.dataset.childrenUrl) return;
    // Already loaded, queued or in flight.
    if ('loaded' in details.dataset || 'queued' in details.dataset) return;

    const ul = childList(details);
    // A previous failure: drop the message and retry on this opening.
    Array.from(ul.children)
      .filter((li) => li.hasAttribute('data-load-error'))
      .forEach((li) => li.remove());
    // Children rendered by the server (element nodes; whitespace ignored).
    if (ul.children.length > 0) {
      details.dataset.loaded = '';
      return;
    }

    details.dataset.queued = ''; // cleared by loadChildren() when settled
    loadQueue.push(details);
    pumpQueue();
  }

  function initTree() {
    // `toggle` does not bubble, but it can be caught in the capture phase,
    // which also covers nodes inserted later.
    doc.addEventListener('toggle', (event) => {
      const el = event.target;
      if (el instanceof HTMLDetailsElement && el.matches('details[data-children-url]')) {
        maybeLoad(el);
      }
    }, true);

    // Nodes rendered already open may have fired `toggle` before this ran.
    doc.querySelectorAll('details[data-children-url][open]').forEach(maybeLoad);
  }

  /* ---------------------------------------------------------------------
   * 6. File size limit
   * ------------------------------------------------------------------- */

  // The .field-error next to the input (same parent), created if missing.
  function errorSlot(input) {
    const parent = input.parentElement;
    let slot = parent ? Array.from(parent.children).find((c) => c.classList.contains('field-error')) : null;
    if (!slot) {
      slot = doc.createElement('div');
      slot.className = 'field-error';
      input.insertAdjacentElement('afterend', slot);
    }
    slot.setAttribute('aria-live', 'polite');
    return slot;
  }

  function checkFileSize(input) {
    const max = parseInt(input.dataset.maxBytes, 10);
    if (!(max > 0)) return;

    const files = Array.from(input.files || []);
    // Several files go in one request: their sum is what the server limits.
    const tooLarge = files.reduce((n, f) => n + f.size, 0) > max;
    const slot = errorSlot(input);
    const row = input.closest('.form-row');
    const form = input.form;

    if (tooLarge) {
      input.setAttribute('data-too-large-active', '');
      input.setAttribute('aria-invalid', 'true');
      slot.textContent = input.dataset.tooLarge || DEFAULT_TOO_LARGE;
      if (row) row.classList.add('has-error');
    } else {
      input.removeAttribute('data-too-large-active');
      input.removeAttribute('aria-invalid');
      // Any earlier message (ours or the server's) no longer applies to the
      // newly chosen file.
      slot.textContent = '';
      if (row) row.classList.remove('has-error');
    }

    if (!form) return;
    const blocked = form.querySelector('input[type="file"][data-too-large-active]') !== null;
    submitButtons(form).forEach((btn) => {
      if (blocked && !btn.disabled) {
        btn.disabled = true;
        btn.setAttribute('data-disabled-by-size', ''); // so we only undo our own
      } else if (!blocked && btn.hasAttribute('data-disabled-by-size')) {
        btn.disabled = false;
        btn.removeAttribute('data-disabled-by-size');
      }
    });
  }

  function initFileLimits() {
    doc.addEventListener('change', (event) => {
      const el = targetElement(event);
      if (el && el.matches('input[type="file"][data-max-bytes]')) {
        checkFileSize(el);
      }
    });
    // Browsers may keep a selected file across back/forward navigation.
    doc.querySelectorAll('input[type="file"][data-max-bytes]').forEach((input) => {
      if (input.files && input.files.length > 0) checkFileSize(input);
    });
  }

  /* ---------------------------------------------------------------------
   * 6c. Upload progress: form[data-upload-progress] sends its files with
   *     XMLHttpRequest and fills the form's <progress>; the page the server
   *     answers with (the item, or the form with its error) then replaces
   *     this one, as a plain submit would.
   * ------------------------------------------------------------------- */

  function initUploadProgress() {
    doc.addEventListener('submit', (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upload-progress')) return;
      if (event.defaultPrevented || typeof XMLHttpRequest === 'undefined') return;
      event.preventDefault();
      const bar = form.querySelector('progress');
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', (e) => {
        if (bar && e.lengthComputable) {
          bar.hidden = false;
          bar.max = e.total;
          bar.value = e.loaded;
        }
      });
      xhr.addEventListener('load', () => {
        if (xhr.status < 400 && xhr.responseURL) {
          window.location.assign(xhr.responseURL);
        } else {
          doc.open();
          doc.write(xhr.responseText);
          doc.close();
        }
      });
      xhr.addEventListener('error', () => form.submit());
      submitButtons(form).forEach((b) => { b.disabled = true; });
      xhr.send(new FormData(form));
    });
  }

  /* ---------------------------------------------------------------------
   * 7. Pickers: orgs and people
   *
   * The server renders an ordinary text input that takes a code (or a
   * username); the form works with it as it is. Here the input becomes a
   * hidden field holding the code, and a combobox in its place searches
   * /api/v1/orgs/lookup (or /api/v1/users/lookup) as one types, debounced.
   * Picking an answer puts its code in the hidden field and shows its name;
   * text typed and not picked is sent as typed, so a code still works.
   * Org pickers also get a small tree to browse (/api/v1/orgs/{id}/children).
   * ------------------------------------------------------------------- */

  const PICKER_DEBOUNCE_MS = 200;
  let pickerSeq = 0;

  function pickerTexts() {
    const el = doc.getElementById('picker-texts');
    const d = el ? el.dataset : {};
    return {
      none: d.none || '—',
      loading: d.loading || '…',
      error: d.error || DEFAULT_LOAD_ERROR,
      count: d.count || '{n}',
      browse: d.browse || '▸',
      browseClose: d.browseClose || '▾',
      expand: d.expand || '+',
      placeholderOrg: d.placeholderOrg || '',
      placeholderPerson: d.placeholderPerson || '',
      scopePlaceholder: d.scopePlaceholder || '',
    };
  }

  async function getJson(url) {
    const res = await fetch(url, {
      method: 'GET',
      mode: 'same-origin',
      credentials: 'include',
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }

  function el(tag, cls, text) {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function orgLookupUrl(q, under, limit) {
    const u = new URL('/api/v1/orgs/lookup', window.location.origin);
    u.searchParams.set('q', q);
    if (under) u.searchParams.set('under', under);
    u.searchParams.set('limit', String(limit || 20));
    return u.href;
  }

  // The org a code names, among those the reader may see (exact code only).
  async function resolveCode(code) {
    if (!code) return null;
    const hits = await getJson(orgLookupUrl(code, null, 5));
    const want = code.trim().toLowerCase();
    return hits.find((h) => h.code.toLowerCase() === want) || null;
  }

  /*
   * The combobox. `opts`:
   *   source(q) → Promise<[item]>       answers for the text typed
   *   label(item) → string              what the input shows once picked
   *   render(item, li)                  fills an option
   *   choose(item)                      what picking does
   *   typed(text)                       what typing (without picking) does
   *   openEmpty                         ArrowDown / focus on an empty box lists answers
   */
  function combobox(input, opts) {
    const texts = pickerTexts();
    const id = 'picker-' + (++pickerSeq);
    const list = el('ul', 'picker-list');
    list.id = id + '-list';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    const status = el('div', 'visually-hidden');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('autocomplete', 'off');
    input.insertAdjacentElement('afterend', list);
    list.insertAdjacentElement('afterend', status);

    let items = [];
    let active = -1;
    let timer = 0;
    let asked = 0;

    function options() {
      return Array.from(list.querySelectorAll('[role="option"]'));
    }
    function setActive(i) {
      const os = options();
      if (os.length === 0) { active = -1; return; }
      active = (i + os.length) % os.length;
      os.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
      input.setAttribute('aria-activedescendant', os[active].id);
      os[active].scrollIntoView({ block: 'nearest' });
    }
    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function message(text) {
      list.textContent = '';
      const li = el('li', 'picker-empty', text);
      li.setAttribute('aria-disabled', 'true');
      list.appendChild(li);
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
    function show(found) {
      items = found;
      list.textContent = '';
      active = -1;
      input.removeAttribute('aria-activedescendant');
      if (found.length === 0) {
        message(texts.none);
        status.textContent = texts.none;
        return;
      }
      found.forEach((item, k) => {
        const li = el('li', 'picker-option');
        li.id = id + '-o' + k;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        opts.render(item, li);
        // mousedown, not click: the input keeps its focus.
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(k);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      status.textContent = texts.count.replace('{n}', String(found.length));
    }
    function pick(k) {
      const item = items[k];
      if (!item) return;
      input.value = opts.label(item);
      close();
      opts.choose(item);
    }
    async function ask(q) {
      const mine = ++asked;
      try {
        const found = await opts.source(q);
        if (mine === asked && doc.activeElement === input) show(found);
      } catch (e) {
        if (mine === asked) message(texts.error);
      }
    }
    function askSoon() {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q === '' && !opts.openEmpty) { close(); asked++; return; }
      timer = setTimeout(() => ask(q), PICKER_DEBOUNCE_MS);
    }

    input.addEventListener('input', () => {
      opts.typed(input.value.trim());
      askSoon();
    });
    input.addEventListener('keydown', (e) => {
      if (e.isComposing) return; // an IME is still composing Chinese
      const open = !list.hidden && options().length > 0;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (!open) {
          clearTimeout(timer);
          ask(input.value.trim());
          return;
        }
        setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
      } else if (e.key === 'Enter') {
        if (open && active >= 0) {
          e.preventDefault(); // pick, do not submit the form
          pick(active);
        }
      } else if (e.key === 'Escape') {
        // Also before an answer has come: a lookup still on its way must not open the list.
        clearTimeout(timer);
        asked++;
        if (!list.hidden) {
          e.preventDefault();
          e.stopPropagation();
          close();
        }
      } else if (e.key === 'Tab') {
        close();
      }
    });
    input.addEventListener('focus', () => {
      if (opts.openEmpty && input.value.trim() === '') askSoon();
    });
    input.addEventListener('blur', () => {
      clearTimeout(timer);
      asked++;
      close();
    });
    return { close };
  }

  function orgPathText(h) {
    return (h.path_names || []).join(' › ');
  }

  function renderOrg(h, li) {
    li.appendChild(el('span', 'picker-name', h.name));
    if (h.code) li.appendChild(el('span', 'picker-code', h.code));
    const path = orgPathText(h);
    if (path) li.appendChild(el('span', 'picker-path', path));
  }

  // Wraps `field` (the server's text input): the field becomes hidden and a
  // visible combobox takes its place, its id and its label.
  function wrapField(field) {
    const wrap = el('div', 'picker');
    field.insertAdjacentElement('beforebegin', wrap);
    const box = doc.createElement('input');
    box.type = 'text';
    box.className = field.className;
    box.id = field.id || 'picker-field-' + (++pickerSeq);
    field.id = box.id + '-value';
    ['aria-describedby', 'aria-invalid', 'required', 'autofocus'].forEach((a) => {
      if (field.hasAttribute(a)) box.setAttribute(a, field.getAttribute(a));
    });
    box.value = field.value;
    field.type = 'hidden';
    wrap.appendChild(box);
    wrap.appendChild(field);
    const chosen = el('div', 'picker-chosen');
    chosen.setAttribute('aria-live', 'polite');
    wrap.appendChild(chosen);
    return { wrap, box, chosen };
  }

  function initOrgPicker(field) {
    const texts = pickerTexts();
    const { wrap, box, chosen } = wrapField(field);
    box.placeholder = field.getAttribute('placeholder') || texts.placeholderOrg;
    const under = field.dataset.pickerUnder || '';

    function choose(h) {
      field.value = h.code;
      field.dataset.orgId = String(h.id);
      box.value = h.name;
      chosen.textContent = [orgPathText(h), h.code].filter(Boolean).join(' · ');
      field.dispatchEvent(new CustomEvent('picker:change', { bubbles: true, detail: h }));
    }
    const cb = combobox(box, {
      source: (q) => getJson(orgLookupUrl(q, under, 20)),
      label: (h) => h.name,
      render: renderOrg,
      choose,
      typed: (text) => {
        field.value = text;
        delete field.dataset.orgId;
        chosen.textContent = '';
        field.dispatchEvent(new CustomEvent('picker:change', { bubbles: true, detail: null }));
      },
      openEmpty: false,
    });

    // A code already in the field (a form shown again) is shown by its name.
    if (field.value.trim() !== '') {
      resolveCode(field.value).then((h) => {
        if (h && field.value.trim().toLowerCase() === h.code.toLowerCase()) choose(h);
      }, () => {});
    }

    // Browsing: the reader's scope roots, then children on demand.
    const toggle = el('button', 'btn btn-small picker-browse', texts.browse);
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    const tree = el('div', 'picker-tree');
    tree.id = box.id + '-tree';
    tree.hidden = true;
    toggle.setAttribute('aria-controls', tree.id);
    wrap.insertBefore(toggle, field);
    wrap.appendChild(tree);

    function node(h) {
      const li = el('li', 'picker-node');
      const row = el('div', 'picker-node-row');
      const count = h.child_count === undefined ? 1 : h.child_count;
      let kids = null;
      if (count > 0) {
        const exp = el('button', 'picker-expand', '+');
        exp.type = 'button';
        exp.setAttribute('aria-expanded', 'false');
        exp.setAttribute('aria-label', texts.expand + ' ' + h.name);
        exp.addEventListener('click', async () => {
          const open = exp.getAttribute('aria-expanded') === 'true';
          exp.setAttribute('aria-expanded', open ? 'false' : 'true');
          exp.textContent = open ? '+' : '−';
          if (open) { kids.hidden = true; return; }
          kids.hidden = false;
          if (kids.dataset.loaded !== undefined) return;
          kids.textContent = '';
          kids.appendChild(el('li', 'muted', texts.loading));
          try {
            const children = await getJson('/api/v1/orgs/' + encodeURIComponent(h.id) + '/children');
            kids.textContent = '';
            children.filter((c) => !c.disabled).forEach((c) => {
              c.path_names = (h.path_names || []).concat([h.name]);
              kids.appendChild(node(c));
            });
            kids.dataset.loaded = '';
          } catch (e) {
            kids.textContent = '';
            kids.appendChild(el('li', 'muted', texts.error));
          }
        });
        row.appendChild(exp);
        kids = el('ul', 'picker-subtree');
        kids.hidden = true;
      } else {
        row.appendChild(el('span', 'picker-expand-none'));
      }
      const name = el('button', 'picker-node-pick');
      name.type = 'button';
      name.appendChild(el('span', 'picker-name', h.name));
      name.appendChild(el('span', 'picker-code', h.code));
      name.addEventListener('click', () => {
        choose(h);
        showTree(false);
        box.focus();
      });
      row.appendChild(name);
      li.appendChild(row);
      if (kids) li.appendChild(kids);
      return li;
    }

    async function loadRoots() {
      tree.textContent = '';
      tree.appendChild(el('div', 'muted', texts.loading));
      try {
        let roots;
        if (under) {
          const o = await getJson('/api/v1/orgs/' + encodeURIComponent(under));
          roots = [o];
        } else {
          // The shallowest answers come first; the reader's scope roots are
          // those with no readable ancestor.
          roots = (await getJson(orgLookupUrl('', null, 50)))
            .filter((h) => (h.path_names || []).length === 0);
        }
        const ul = el('ul', 'picker-subtree picker-roots');
        roots.forEach((r) => ul.appendChild(node(r)));
        tree.textContent = '';
        tree.appendChild(ul);
        tree.dataset.loaded = '';
      } catch (e) {
        tree.textContent = '';
        tree.appendChild(el('div', 'muted', texts.error));
      }
    }
    function showTree(open) {
      tree.hidden = !open;
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      toggle.textContent = open ? texts.browseClose : texts.browse;
      if (open && tree.dataset.loaded === undefined) loadRoots();
    }
    toggle.addEventListener('click', () => {
      cb.close();
      showTree(tree.hidden);
    });
    tree.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        showTree(false);
        toggle.focus();
      }
    });
  }

  function initPersonPicker(field) {
    const texts = pickerTexts();
    const { box, chosen } = wrapField(field);
    box.placeholder = field.getAttribute('placeholder') || texts.placeholderPerson;
    const unitField = field.dataset.pickerUnit
      ? (doc.getElementById(field.dataset.pickerUnit + '-value') || doc.getElementById(field.dataset.pickerUnit))
      : null;
    const nameField = field.dataset.pickerName ? doc.getElementById(field.dataset.pickerName) : null;

    async function unitId() {
      if (!unitField || unitField.value.trim() === '') return null;
      if (unitField.dataset.orgId) return unitField.dataset.orgId;
      const h = await resolveCode(unitField.value);
      return h ? String(h.id) : null;
    }
    function label(p) {
      return p.display_name;
    }
    function choose(p) {
      field.value = p.username;
      box.value = p.display_name;
      chosen.textContent = [p.username, p.org_name].join(' · ');
      // The person's name goes into the name field when that is still empty.
      if (nameField && nameField.value.trim() === '') {
        nameField.value = p.display_name.split(/[（(]/)[0].trim();
      }
    }
    combobox(box, {
      source: async (q) => {
        const u = new URL('/api/v1/users/lookup', window.location.origin);
        u.searchParams.set('q', q);
        const org = await unitId();
        if (org) u.searchParams.set('org_id', org);
        return getJson(u.href);
      },
      label,
      render: (p, li) => {
        li.appendChild(el('span', 'picker-name', p.display_name));
        li.appendChild(el('span', 'picker-code', p.username));
        li.appendChild(el('span', 'picker-path', p.org_name));
      },
      choose,
      typed: (text) => {
        field.value = text;
        chosen.textContent = '';
      },
      openEmpty: true,
    });
    if (field.value.trim() !== '') chosen.textContent = field.value.trim();
  }

  // The top bar's scope switcher: the same org search over the whole
  // readable subtree; with an empty box, the switcher's own short list.
  function initScopePicker(form) {
    const select = form.querySelector('select[name="org_id"]');
    if (!select) return;
    const texts = pickerTexts();
    const hidden = doc.createElement('input');
    hidden.type = 'hidden';
    hidden.name = 'org_id';
    hidden.value = select.value;
    const wrap = el('div', 'picker picker-scope');
    const box = doc.createElement('input');
    box.type = 'search';
    box.id = select.id;
    select.id = select.id + '-select';
    const current = select.options[select.selectedIndex];
    box.placeholder = current ? current.textContent.trim() : texts.placeholderOrg;
    box.title = texts.scopePlaceholder;
    select.disabled = true; // no longer sent
    select.hidden = true;
    select.insertAdjacentElement('afterend', wrap);
    wrap.appendChild(box);
    wrap.appendChild(hidden);
    const shortList = Array.from(select.options).map((o) => ({
      id: o.value,
      name: o.textContent.trim(),
      code: '',
      path_names: [],
      local: true,
    }));
    combobox(box, {
      source: async (q) => (q === '' ? shortList : getJson(orgLookupUrl(q, null, 20))),
      label: (h) => h.name,
      render: renderOrg,
      choose: (h) => {
        hidden.value = String(h.id);
        submitForm(form);
      },
      typed: () => {},
      openEmpty: true,
    });
  }

  function initPickers() {
    doc.querySelectorAll('input[data-picker="org"]').forEach(initOrgPicker);
    // After the org pickers, so that a person picker finds its unit's field.
    doc.querySelectorAll('input[data-picker="person"]').forEach(initPersonPicker);
    doc.querySelectorAll('form[data-scope-picker]').forEach(initScopePicker);
  }

  /* ---------------------------------------------------------------------
   * Boot
   * ------------------------------------------------------------------- */

  ready(() => {
    initNav();
    initSubmitGuards();
    initBatch();
    initFolds();
    initAutosubmit();
    initExpandCollapse();
    initTree();
    initFileLimits();
    initUploadProgress();
    initPickers();
  });
})();
