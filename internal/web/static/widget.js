/* touchpoint survey widget. Embed on any page:
   <script src="https://cx.example.com/static/widget.js" data-survey="3" async></script>
   Optional: data-anonymous-id (else Segment's ajs_anonymous_id, else one of its own), data-lang. */
(function () {
  var me = document.currentScript;
  if (!me) return;
  var base = new URL(me.src).origin, survey = me.dataset.survey;
  function anonId() {
    if (me.dataset.anonymousId) return me.dataset.anonymousId;
    try {
      var ajs = localStorage.getItem('ajs_anonymous_id');
      if (ajs) return JSON.parse(ajs);
      var own = localStorage.getItem('tp_anonymous_id');
      if (!own) { own = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)); localStorage.setItem('tp_anonymous_id', own); }
      return own;
    } catch (e) { return 'w-' + String(Math.random()).slice(2); }
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  fetch(base + '/v1/surveys/' + survey + '/widget' + (me.dataset.lang ? '?lang=' + me.dataset.lang : ''))
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (cfg) {
      if (!cfg) return;
      var box = el('div', { role: 'dialog', 'aria-label': cfg.question, style: 'position:fixed;right:16px;bottom:16px;max-width:360px;background:#fff;border:1px solid #cfd6de;border-radius:12px;padding:14px;font:15px system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.15);z-index:2147483000' });
      var close = el('button', { type: 'button', 'aria-label': 'close', style: 'float:right;border:0;background:none;font-size:18px;cursor:pointer' }, '×');
      close.onclick = function () { box.remove(); };
      box.appendChild(close);
      box.appendChild(el('p', { style: 'margin:0 0 10px;font-weight:600' }, cfg.question));
      var row = el('div', { style: 'display:flex;flex-wrap:wrap;gap:4px' }), score = null;
      var comment = el('textarea', { rows: 3, maxlength: 5000, 'aria-label': cfg.comment_prompt, placeholder: cfg.comment_prompt, style: 'width:100%;margin-top:10px;display:none' });
      var send = el('button', { type: 'button', style: 'margin-top:8px;display:none;background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:8px 12px;cursor:pointer' }, cfg.send);
      function post(complete) {
        return fetch(base + '/v1/surveys/' + survey + '/responses', { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ anonymousId: anonId(), score: score, comment: comment.value, complete: complete, page: location.href, language: cfg.language }) });
      }
      for (var i = cfg.min; i <= cfg.max; i++) (function (v) {
        var b = el('button', { type: 'button', 'aria-pressed': 'false', style: 'min-width:28px;padding:6px;border:1px solid #0b5cad;border-radius:6px;background:#fff;color:#0b5cad;cursor:pointer' }, String(v));
        b.onclick = function () {
          score = v;
          Array.prototype.forEach.call(row.children, function (c) { c.style.background = '#fff'; c.style.color = '#0b5cad'; c.setAttribute('aria-pressed', 'false'); });
          b.style.background = '#0b5cad'; b.style.color = '#fff'; b.setAttribute('aria-pressed', 'true');
          comment.style.display = send.style.display = 'block';
          post(false);
        };
        row.appendChild(b);
      })(i);
      box.appendChild(row);
      box.appendChild(el('div', { style: 'display:flex;justify-content:space-between;font-size:12px;color:#5b6470' }, ''));
      box.lastChild.appendChild(el('span', {}, cfg.low)); box.lastChild.appendChild(el('span', {}, cfg.high));
      box.appendChild(comment); box.appendChild(send);
      send.onclick = function () {
        post(true).then(function (r) { if (r.ok) { box.innerHTML = ''; box.appendChild(el('p', { style: 'margin:0' }, cfg.thank_you)); setTimeout(function () { box.remove(); }, 4000); } });
      };
      document.body.appendChild(box);
    });
})();
