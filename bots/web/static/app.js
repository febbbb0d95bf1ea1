// The web chat page: sends what the person types or presses to
// webchat/message and renders the assistant's reply. Everything shown is
// built with createElement and textContent: nothing from the server or the
// person is ever read as HTML.
'use strict';
(function () {
  var doc = document;
  var root = doc.documentElement;
  var words = {};
  try { words = JSON.parse(root.getAttribute('data-words') || '{}'); } catch (e) { words = {}; }
  var log = doc.getElementById('log');
  var form = doc.getElementById('ask');
  var input = doc.getElementById('message');
  var send = doc.getElementById('send');
  var status = doc.getElementById('status');
  var busy = false;

  function w(key) { return words[key] || ''; }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  // The assistant's own web addresses (aka.ms/sspr,
  // account.live.com/password/reset, https://learn.microsoft.com/…) become
  // links; the pattern admits no character that could end or change the
  // address, and the link is always https.
  var webAddress = /\b(?:https:\/\/)?(?:[a-z0-9-]+\.)+(?:com|ms|net|org|microsoft)\/[A-Za-z0-9\/_.?=&%-]*[A-Za-z0-9\/]/g;

  function addText(parent, text) {
    var last = 0;
    var m;
    webAddress.lastIndex = 0;
    while ((m = webAddress.exec(text)) !== null) {
      if (m.index > last) { parent.appendChild(doc.createTextNode(text.slice(last, m.index))); }
      var a = el('a', '', m[0]);
      a.href = 'https://' + m[0].replace(/^https:\/\//, '');
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      parent.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) { parent.appendChild(doc.createTextNode(text.slice(last))); }
  }

  // rich renders spans: Strong as emphasis, Quoted (outside text: an
  // address, a tenant's name, the person's words) as literal text, never a
  // link.
  function rich(parent, spans) {
    (spans || []).forEach(function (s) {
      var text = String(s.text || '');
      var node = s.strong ? el('strong') : null;
      if (s.quoted) {
        var q = el('span', 'quoted', text);
        if (node) { node.appendChild(q); } else { node = q; }
      } else if (node) {
        addText(node, text);
      } else {
        addText(parent, text);
        return;
      }
      parent.appendChild(node);
    });
    return parent;
  }

  function list(tag, cls, items) {
    var l = el(tag, cls);
    items.forEach(function (it) { l.appendChild(rich(el('li'), it)); });
    return l;
  }

  // buttons renders a row of the reply's buttons (choices, follow-ups,
  // feedback, or any other kind the assistant adds): each sends its action.
  function buttons(parent, heading, items, kind) {
    if (!items || !items.length) { return; }
    var g = el('div', 'buttons ' + kind);
    g.setAttribute('role', 'group');
    if (heading) { g.setAttribute('aria-label', heading); }
    if (kind === 'feedback' && heading) { g.appendChild(el('span', 'label', heading)); }
    items.forEach(function (s) {
      var b = el('button', '', s.label);
      b.type = 'button';
      b.setAttribute('data-role', 'suggestion');
      b.setAttribute('data-kind', kind);
      b.addEventListener('click', function () { ask({ action: String(s.action) }, String(s.label), b); });
      g.appendChild(b);
    });
    parent.appendChild(g);
  }

  function renderReply(r, lang) {
    var art = el('article', 'reply');
    art.setAttribute('data-role', 'reply');
    if (lang) { art.lang = lang; }
    art.appendChild(el('span', 'sr-only', w('assistant') + ':'));
    if (r.headline) { rich(art.appendChild(el('p', 'headline')), r.headline); }
    if (r.verdicts && r.verdicts.length) {
      var vs = el('ul', 'verdicts');
      vs.setAttribute('aria-label', w('verdicts'));
      r.verdicts.forEach(function (v) {
        var li = el('li');
        li.appendChild(el('span', 'quoted', v.name));
        var kind = String(v.kind);
        li.appendChild(el('span', 'badge kind-' + kind.replace(/[^a-z]/g, ''), w('kind.' + kind) || kind));
        vs.appendChild(li);
      });
      art.appendChild(vs);
    }
    if (r.summary) { rich(art.appendChild(el('p', 'summary')), r.summary); }
    if (r.lines && r.lines.length) { art.appendChild(list('ul', 'lines', r.lines)); }
    if (r.details && r.details.length) { art.appendChild(list('ul', 'details', r.details)); }
    if (r.steps && r.steps.length) {
      art.appendChild(el('h2', 'steps-heading', w('steps')));
      art.appendChild(list('ol', 'steps', r.steps));
    }
    if (r.notice) { rich(art.appendChild(el('p', 'notice')), r.notice); }
    buttons(art, w('choices'), r.choices, 'choice');
    buttons(art, w('suggest'), r.suggestions, 'follow-up');
    buttons(art, w('feedback'), r.feedback, 'feedback');
    return art;
  }

  function show(node) {
    log.appendChild(node);
    if (node.scrollIntoView) { node.scrollIntoView({ block: 'nearest' }); }
  }

  function applyWords(lang) {
    if (lang) { root.lang = lang; }
    input.placeholder = w('placeholder');
    send.textContent = w('send');
    doc.getElementById('message-label').textContent = w('input_label');
    doc.getElementById('hint').textContent = w('hint');
    log.setAttribute('aria-label', w('log'));
    if (w('title')) { doc.title = w('title'); }
  }

  // mark records a moment in the page's performance timeline (for
  // measuring the time to a reply).
  function mark(name) {
    if (window.performance && performance.mark) { performance.mark(name); }
  }

  function failed(text) {
    var p = el('p', 'error', text);
    p.setAttribute('data-role', 'error');
    show(p);
  }

  // ask sends one message (typed text or a button's action) and shows the
  // reply; one at a time.
  function ask(payload, shown, from) {
    if (busy) { return; }
    busy = true;
    mark('whichaccount-ask');
    log.setAttribute('aria-busy', 'true');
    send.disabled = true;
    var mine = el('p', 'question');
    mine.setAttribute('data-role', 'question');
    mine.appendChild(el('span', 'sr-only', w('you') + ':'));
    mine.appendChild(doc.createTextNode(shown));
    show(mine);
    status.textContent = w('thinking');
    fetch('webchat/message', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(payload)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok || !data.reply) { failed(data.error || w('error')); return; }
        if (data.words) { words = data.words; applyWords(data.lang); }
        show(renderReply(data.reply, data.lang));
        mark('whichaccount-reply');
      });
    }, function () {
      failed(w('offline'));
    }).then(function () {
      busy = false;
      log.removeAttribute('aria-busy');
      send.disabled = false;
      status.textContent = '';
      if (from && !doc.body.contains(from)) { input.focus(); }
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (busy || !text.trim()) { return; }
    input.value = '';
    ask({ text: text }, text, null);
  });

  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { send.click(); }
    }
  });

  Array.prototype.forEach.call(doc.querySelectorAll('[data-role="starter"]'), function (b) {
    b.addEventListener('click', function () {
      ask({ text: b.getAttribute('data-text') || b.textContent }, b.textContent, b);
    });
  });
})();
