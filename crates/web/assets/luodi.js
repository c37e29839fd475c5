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
 *   2b. [data-select-all], #batch-action  row selection and batch reasons
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
    const tooLarge = files.some((f) => f.size > max);
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
   * Boot
   * ------------------------------------------------------------------- */

  ready(() => {
    initNav();
    initSubmitGuards();
    initBatch();
    initAutosubmit();
    initExpandCollapse();
    initTree();
    initFileLimits();
  });
})();
