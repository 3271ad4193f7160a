/* Suggestions under the header search box: the ARIA 1.2 combobox pattern with a listbox popup.

   Progressive enhancement: without this script the box is a plain GET form to /search. With it,
   typing asks /api/v1/suggest?q= after a short pause (one request per pause, the previous one
   aborted), ↑/↓ move through the suggestions, Enter opens the highlighted one (or submits the form
   when none is), Escape closes the list, and a click or tap opens a suggestion.

   Chinese is typed through an input method: while a composition is open the box holds pinyin
   ("meihe") that is not the text yet, and Enter confirms a candidate. Nothing is fetched and no key
   is handled until compositionend. No inline script or style anywhere: the site's CSP forbids them. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var MAX_ITEMS = 10;
  var CACHE_SIZE = 30;

  var input = document.getElementById("site-q");
  if (!input || !input.form || !input.dataset.suggestUrl || !window.fetch) return;

  var form = input.form;
  var endpoint = input.dataset.suggestUrl;
  var labels = parseJSON(input.dataset.kindLabels);
  var statusText = input.dataset.statusText || "{n}";

  var list = document.createElement("ul");
  list.id = input.id + "-list";
  list.className = "suggest-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.listLabel || "");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.classList.add("has-suggest");
  form.appendChild(list);
  form.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var items = [];        // the suggestions shown: {kind, slug, title, url}
  var active = -1;       // index of the highlighted one, -1 for none
  var timer = 0;
  var pending = null;    // AbortController of the request in flight
  var composing = false;
  var cache = new Map(); // query -> items, so that backspacing does not ask again

  function parseJSON(text) {
    try { return JSON.parse(text || "{}"); } catch (e) { return {}; }
  }

  function query() {
    return input.value.replace(/\s+/g, " ").trim();
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(load, DEBOUNCE_MS);
  }

  function abort() {
    if (pending) pending.abort();
    pending = null;
  }

  function load() {
    var q = query();
    abort();
    if (!q) { close(); return; }
    if (cache.has(q)) { show(q, cache.get(q)); return; }
    var controller = new AbortController();
    pending = controller;
    fetch(endpoint + "?q=" + encodeURIComponent(q), {
      signal: controller.signal,
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) {
        if (pending !== controller) return; // a newer request replaced this one
        pending = null;
        var found = Array.isArray(data.items) ? data.items.slice(0, MAX_ITEMS) : [];
        remember(q, found);
        show(q, found);
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && pending === controller) { pending = null; close(); }
      });
  }

  function remember(q, found) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
    cache.set(q, found);
  }

  function show(q, found) {
    if (q !== query() || composing) return; // the text changed while the answer was on its way
    items = found;
    active = -1;
    list.textContent = "";
    input.removeAttribute("aria-activedescendant");
    if (!items.length || document.activeElement !== input) { close(); return; }
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.className = "suggest-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      var title = document.createElement("span");
      title.className = "suggest-title";
      title.textContent = item.title; // textContent: a title can never become markup
      var kind = document.createElement("span");
      kind.className = "suggest-kind suggest-kind-" + item.kind;
      kind.textContent = labels[item.kind] || "";
      option.appendChild(title);
      option.appendChild(kind);
      list.appendChild(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = statusText.replace("{n}", String(items.length));
  }

  function close() {
    clearTimeout(timer);
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    status.textContent = "";
  }

  function highlight(index) {
    var options = list.children;
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = index;
    if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
    var option = options[index];
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function open(index) {
    var item = items[index];
    if (!item) return;
    close();
    // The path only: the page stays on the origin the visitor is on, whatever host the API saw.
    var target = new URL(item.url, window.location.href);
    window.location.assign(target.pathname + target.search);
  }

  input.addEventListener("input", function (event) {
    if (composing || event.isComposing) return;
    schedule();
  });
  input.addEventListener("compositionstart", function () {
    composing = true;
    clearTimeout(timer);
    abort();
  });
  input.addEventListener("compositionend", function () {
    composing = false;
    schedule();
  });

  input.addEventListener("keydown", function (event) {
    // keyCode 229: a key the input method is handling (older Safari sends no isComposing).
    if (composing || event.isComposing || event.keyCode === 229) return;
    var expanded = !list.hidden;
    switch (event.key) {
      case "ArrowDown":
      case "Down":
        event.preventDefault();
        if (!expanded) { if (query()) load(); return; }
        highlight(active + 1 < items.length ? active + 1 : 0);
        break;
      case "ArrowUp":
      case "Up":
        if (!expanded) return;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
        break;
      case "Enter":
        if (expanded && active >= 0) {
          event.preventDefault();
          open(active);
        } else {
          close(); // the form submits the typed text
        }
        break;
      case "Escape":
      case "Esc":
        if (expanded) { event.preventDefault(); close(); }
        break;
      case "Tab":
        close();
        break;
    }
  });

  input.addEventListener("blur", close);
  // Keep the focus in the box while pressing an option, so that blur does not close the list
  // before the click arrives (mouse and touch alike).
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) open(Number(option.dataset.index));
  });
  list.addEventListener("mousemove", function (event) {
    var option = event.target.closest("[role=option]");
    if (option && Number(option.dataset.index) !== active) highlight(Number(option.dataset.index));
  });
  // Coming back with the Back button restores the page as it was left: with the list closed.
  window.addEventListener("pageshow", close);
  form.addEventListener("submit", close);
})();
