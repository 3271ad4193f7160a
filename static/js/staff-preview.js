/* The story and event editor's live preview: while the Chinese body is edited, after a pause, the
   Markdown is POSTed (with the form's CSRF token) to the staff preview endpoint, which answers with
   the public page's own rendering and sanitising. Progressive enhancement: without this script the
   "预览" button re-draws the page with the same preview. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-preview]");
  var box = document.getElementById("live-preview");
  if (!form || !box || !window.fetch) return;
  var body = form.querySelector("textarea[name=body_zh]");
  var token = form.querySelector("input[name=csrf_token]");
  if (!body || !token) return;
  var target = box.querySelector(".prose");
  var timer = null;
  var pending = null;

  function refresh() {
    if (pending) pending.abort();
    pending = new AbortController();
    var data = new FormData();
    data.append("body", body.value);
    fetch(form.dataset.preview, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token.value },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
      .then(function (html) {
        target.innerHTML = html; // sanitised by the server, as on the public page
        box.hidden = !body.value.trim();
      })
      .catch(function () { /* the preview button still works */ });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (body.value.trim()) refresh();
})();
