/* Trợ lý DVC — the web app. No framework: a hash router, small views that build DOM nodes
 * (never innerHTML with data), and a fetch wrapper that turns the API's problem details into
 * Vietnamese messages. Everything a citizen types is kept in localStorage until the server has it. */
'use strict';

(() => {
  const main = document.getElementById('main');
  const announcer = document.getElementById('announce');
  const APP = 'Trợ lý Dịch vụ công';

  /* ---- storage: never throws (private mode, full disk) ---------------------------------- */
  const store = {
    get(key, fallback) {
      try {
        const raw = localStorage.getItem(`dvc.${key}`);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (err) {
        return fallback;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(`dvc.${key}`, JSON.stringify(value));
      } catch (err) { /* the app still works, it only forgets */ }
    },
    remove(key) {
      try { localStorage.removeItem(`dvc.${key}`); } catch (err) { /* ignore */ }
    },
  };

  /* ---- DOM ------------------------------------------------------------------------------ */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) el.value = value;
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }
  const frag = (...children) => h('div', { class: 'view' }, ...children);
  const enc = encodeURIComponent;
  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function announce(text) {
    announcer.textContent = '';
    setTimeout(() => { announcer.textContent = text; }, 50);
  }

  /* ---- formatting ----------------------------------------------------------------------- */
  const VN_TIME = { timeZone: 'Asia/Ho_Chi_Minh' };
  function fmtDate(value) {
    if (!value) return '';
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? String(value)
      : d.toLocaleDateString('vi-VN', { ...VN_TIME, day: '2-digit', month: '2-digit', year: 'numeric' });
  }
  function fmtDateTime(value) {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) return String(value || '');
    const time = d.toLocaleTimeString('vi-VN', { ...VN_TIME, hour: '2-digit', minute: '2-digit' });
    return `${time}, ${fmtDate(value)}`;
  }
  const money = (n) => `${Number(n).toLocaleString('vi-VN')} đồng`;
  const DELIVERY = {
    office: 'Nhận tại cơ quan',
    post: 'Nhận qua bưu điện (bưu chính công ích)',
    online: 'Nhận bản điện tử trên mạng',
  };
  const AGENCY_LEVEL = { xa: 'Cấp xã', tinh: 'Cấp tỉnh', trung_uong: 'Cấp trung ương' };
  const CHANNEL = { truc_tiep: 'Nộp trực tiếp', truc_tuyen: 'Nộp trực tuyến', buu_chinh: 'Gửi qua bưu điện' };

  /* ---- API ------------------------------------------------------------------------------ */
  class ApiError extends Error {
    constructor(status, title, detail, errors) {
      super(detail);
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.errors = errors || [];
    }
  }
  const OFFLINE = 'Dạ, máy đang không kết nối được mạng. Anh/chị kiểm tra mạng (wifi hoặc 4G) rồi thử lại giúp em.';

  async function api(path, { method = 'GET', json, form, headers = {} } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    } else if (form) {
      init.body = form;
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, 'Không có mạng', OFFLINE);
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      throw new ApiError(response.status, (data && data.title) || 'Có lỗi xảy ra',
        (data && data.detail) || 'Dạ, hệ thống đang gặp sự cố. Anh/chị vui lòng thử lại sau ít phút.',
        (data && data.errors) || []);
    }
    return data;
  }

  const memo = new Map(); // procedure details and forms for this page's life
  function cached(path) {
    if (!memo.has(path)) memo.set(path, api(path).catch((err) => { memo.delete(path); throw err; }));
    return memo.get(path);
  }
  const procedureOf = (code) => cached(`/api/procedures/${enc(code)}`);
  const formOf = (code) => cached(`/api/procedures/${enc(code)}/form`);

  /* ---- router --------------------------------------------------------------------------- */
  const routes = [];
  const route = (pattern, tab, view) => routes.push({ pattern, tab, view });
  let renderSeq = 0;
  let firstRender = true;
  let leaveView = null; // a view's clean-up (closes its live stream) when another view replaces it

  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, qs] = raw.split('?');
    return { path: path || '/', query: new URLSearchParams(qs || '') };
  }

  function go(hash, { replace = false } = {}) {
    if (replace) {
      history.replaceState(null, '', hash);
      render();
    } else if (location.hash === hash) {
      render();
    } else {
      location.hash = hash;
    }
  }

  function setTab(tab) {
    for (const a of document.querySelectorAll('.tabs a')) {
      if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function show(node, { focus = true } = {}) {
    main.replaceChildren(node);
    const heading = main.querySelector('h1');
    document.title = heading ? `${heading.textContent} – ${APP}` : APP;
    if (!firstRender && focus && heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
    firstRender = false;
    document.body.classList.add('ready');
  }

  async function render() {
    const seq = ++renderSeq;
    if (leaveView) {
      leaveView();
      leaveView = null;
    }
    const { path, query } = parseHash();
    const match = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
    if (!match) {
      setTab(null);
      show(frag(h('h1', {}, 'Không tìm thấy trang'),
        h('p', {}, 'Dạ, địa chỉ này không có trong ứng dụng.'),
        h('p', {}, h('a', { class: 'button', href: '#/' }, 'Về trang đầu'))));
      return;
    }
    setTab(match.r.tab);
    const slow = setTimeout(() => {
      if (seq === renderSeq) main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Đang tải…'));
    }, 300);
    try {
      const params = match.m.slice(1).map((p) => decodeURIComponent(p));
      const node = await match.r.view({ params, query });
      clearTimeout(slow);
      if (seq !== renderSeq || !node) return;
      show(node, { focus: match.r.tab !== 'chat' || !firstRender });
    } catch (err) {
      clearTimeout(slow);
      if (seq !== renderSeq) return;
      show(errorView(err));
    }
  }

  function errorView(err) {
    const e = err instanceof ApiError ? err : new ApiError(500, 'Có lỗi xảy ra',
      'Dạ, ứng dụng gặp lỗi khi mở trang này. Anh/chị tải lại trang giúp em.');
    if (!(err instanceof ApiError)) console.error(err);
    return frag(
      h('h1', {}, e.title),
      h('div', { class: `notice ${e.status === 0 ? 'warn' : 'bad'}` }, h('p', {}, e.detail)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => render() }, 'Thử lại'),
        h('a', { class: 'button secondary', href: '#/' }, 'Về trang đầu')),
    );
  }

  function errorSummary(items) {
    // items: [{text, href}] — the summary takes focus so screen readers read it first.
    const box = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
      h('h2', {}, 'Cần sửa lại một số thông tin'),
      h('ul', {}, items.map((it) => h('li', {}, it.href ? h('a', {
        href: it.href,
        onclick: (ev) => {
          if (!it.href.startsWith('#field-')) return;
          ev.preventDefault();
          const target = document.getElementById(it.href.slice(1));
          if (target) target.focus();
        },
      }, it.text) : it.text))));
    return box;
  }

  /* ---- chat ----------------------------------------------------------------------------- */
  function randomId() {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes);
    return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }
  function chatState() {
    const state = store.get('chat', null) || { sender: randomId(), messages: [] };
    for (const m of state.messages) if (m.state === 'sending') m.state = 'failed'; // closed mid-flight
    return state;
  }
  // A Vietnamese mobile number as people type it (the API's own rule).
  const MOBILE = /^[ .()-]*(0|\+84|84)[ .()-]*[35789]([ .()-]*[0-9]){8}[ .()-]*$/;
  const SUGGESTIONS = ['Làm giấy khai sinh cần gì?', 'Mất bằng lái xe máy làm lại thế nào?',
    'Đăng ký thường trú', 'Tra cứu hồ sơ'];
  const GREETING = 'Dạ, em là trợ lý dịch vụ công. Anh/chị cần làm thủ tục gì, cứ nhắn cho em, có dấu hay không dấu đều được ạ.';

  route(/^\/$/, 'chat', () => {
    const state = chatState();
    const list = h('ol', { class: 'chat-log' });
    const log = h('div', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Cuộc trò chuyện với trợ lý' }, list);
    const panel = h('div', { class: 'handoff-panel' });
    const inputId = nextId('chat-input');
    const input = h('textarea', {
      id: inputId, rows: '1', maxlength: '2000', autocomplete: 'off', enterkeyhint: 'send',
      placeholder: 'Ví dụ: làm lại căn cước cần gì?',
    });
    const inputLabel = h('label', { for: inputId, class: 'sr-only' }, 'Nhắn cho trợ lý');
    const sendButton = h('button', { type: 'submit' }, 'Gửi');
    let busy = false;
    let stream = null;

    const save = () => {
      state.messages = state.messages.slice(-100);
      store.set('chat', state);
    };

    function bubble(m, last) {
      const who = m.from === 'user' ? 'Anh/chị' : m.from === 'volunteer' ? `${m.author} (tình nguyện viên)` : 'Trợ lý';
      const li = h('li', { class: `msg ${m.from === 'user' ? 'user' : 'bot'}${m.from === 'volunteer' ? ' person' : ''}${m.state === 'failed' ? ' failed' : ''}` },
        h('span', { class: 'who' }, who),
        h('div', { class: 'bubble' }, m.text));
      if (m.state === 'failed') {
        li.append(h('div', { class: 'failed-note' },
          h('span', {}, 'Chưa gửi được.'),
          h('button', { type: 'button', class: 'secondary', onclick: () => retry(m) }, 'Gửi lại')));
      }
      if (m.from === 'bot' && last && m.buttons && m.buttons.length && !handoffActive()) {
        li.append(h('ul', { class: 'quick', 'aria-label': 'Gợi ý trả lời' }, m.buttons.map((b) => h('li', {},
          b.url ? h('a', { class: 'button', href: b.url }, b.title)
            : h('button', { type: 'button', onclick: () => send(b.payload, b.title) }, b.title)))));
      }
      return li;
    }

    const handoffActive = () => Boolean(state.handoff && ['waiting', 'live'].includes(state.handoff.state));

    function draw() {
      const items = [];
      if (!state.messages.length) {
        items.push(bubble({ from: 'bot', text: GREETING, buttons: SUGGESTIONS.map((s) => ({ title: s, payload: s })) }, true));
      }
      const lastBot = state.messages.map((m) => m.from).lastIndexOf('bot');
      state.messages.forEach((m, i) => items.push(bubble(m, i === lastBot && i === state.messages.length - 1)));
      if (busy) {
        items.push(h('li', { class: 'msg bot typing' }, h('span', { class: 'who' }, 'Trợ lý'),
          h('div', { class: 'bubble', role: 'status', 'aria-label': 'Trợ lý đang trả lời' },
            h('span', { class: 'dot' }), h('span', { class: 'dot' }), h('span', { class: 'dot' }))));
      }
      list.replaceChildren(...items);
      sendButton.disabled = busy;
      inputLabel.textContent = state.handoff && state.handoff.state === 'live' ? 'Nhắn cho tình nguyện viên' : 'Nhắn cho trợ lý';
      drawPanel();
      const lastItem = list.lastElementChild;
      if (lastItem && !firstRender) lastItem.scrollIntoView({ block: 'end', behavior: 'smooth' });
    }

    /* A person instead of the bot: the queue, who is helping, a call-back when nobody is on duty. */
    function drawPanel() {
      const hs = state.handoff;
      const parts = [];
      if (hs && hs.state === 'waiting') {
        parts.push(h('div', { class: 'notice', role: 'status' },
          h('p', {}, h('strong', {}, 'Đang chờ tình nguyện viên')),
          h('p', {}, `Anh/chị đang ở vị trí số ${hs.position}, chờ khoảng ${hs.wait_minutes} phút. Anh/chị cứ nhắn trước, tình nguyện viên sẽ đọc.`),
          h('button', { type: 'button', class: 'secondary', onclick: leave }, 'Thôi, quay lại trợ lý')));
      } else if (hs && hs.state === 'live') {
        const shareable = Object.entries(dossiers()).filter(([, d]) => d.token);
        parts.push(h('div', { class: 'notice', role: 'status' },
          h('p', {}, h('strong', {}, `${hs.volunteer} (tình nguyện viên) đang hỗ trợ anh/chị.`)),
          shareable.length ? h('div', { class: 'actions' }, shareable.map(([code, d]) => h('button', {
            type: 'button', class: 'secondary',
            onclick: async (ev) => {
              try {
                const r = await api(`/api/chat/${enc(state.sender)}/share-dossier`, { method: 'POST', json: { code, tracking_token: d.token } });
                ev.target.replaceWith(h('p', {}, r.message));
              } catch (err) {
                ev.target.replaceWith(h('p', { class: 'error-message' }, err.detail));
              }
            },
          }, `Cho xem hồ sơ ${code}`))) : null,
          h('button', { type: 'button', class: 'secondary', onclick: leave }, 'Kết thúc trò chuyện với tình nguyện viên')));
      } else if (hs && hs.state === 'missed' && !state.callbackLeft) {
        parts.push(callbackForm());
      }
      if (state.askFeedback) parts.push(feedbackForm());
      panel.replaceChildren(...parts);
    }

    function callbackForm() {
      const phone = h('input', { type: 'tel', id: 'callback-phone', autocomplete: 'tel', inputmode: 'tel', maxlength: '20' });
      const note = h('input', { type: 'text', id: 'callback-note', maxlength: '500' });
      const error = h('p', { class: 'error-message', id: 'callback-error', hidden: true });
      return h('section', { class: 'card', 'aria-labelledby': 'callback-h' },
        h('h2', { id: 'callback-h' }, 'Để lại số điện thoại'),
        h('p', {}, state.handoff.message),
        h('form', {
          novalidate: true,
          onsubmit: async (ev) => {
            ev.preventDefault();
            if (!MOBILE.test(phone.value.trim())) {
              error.hidden = false;
              error.textContent = 'Dạ, số điện thoại di động gồm 10 số, ví dụ 0912345678.';
              phone.setAttribute('aria-invalid', 'true');
              phone.setAttribute('aria-describedby', 'callback-error');
              phone.focus();
              return;
            }
            try {
              const r = await api(`/api/chat/${enc(state.sender)}/callback`, { method: 'POST', json: { phone: phone.value, note: note.value || null } });
              state.callbackLeft = true;
              state.messages.push({ from: 'bot', text: r.message, buttons: [] });
              save();
              draw();
            } catch (err) {
              error.hidden = false;
              error.textContent = err.detail;
              phone.setAttribute('aria-invalid', 'true');
              phone.focus();
            }
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'callback-phone' }, 'Số điện thoại di động'), error, phone),
        h('div', { class: 'field' }, h('label', { for: 'callback-note' }, 'Anh/chị cần hỏi về việc gì? (không bắt buộc)'), note),
        h('button', { type: 'submit' }, 'Gửi số điện thoại')));
    }

    function feedbackForm() {
      let helped = null;
      const status = h('p', { role: 'status' });
      const stars = h('fieldset', {}, h('legend', {}, 'Anh/chị chấm mấy sao cho cuộc trò chuyện?'),
        h('div', { class: 'stars' }, [1, 2, 3, 4, 5].map((n) => h('div', { class: 'choice' },
          h('input', { type: 'radio', name: 'rating', id: `rating-${n}`, value: String(n) }),
          h('label', { for: `rating-${n}` }, `${n} sao`)))));
      const yesNo = h('div', { class: 'actions', role: 'group', 'aria-labelledby': 'helped-q' },
        ...[[true, 'Có'], [false, 'Chưa']].map(([value, label]) => h('button', {
          type: 'button', class: 'secondary', 'aria-pressed': 'false',
          onclick: (ev) => {
            helped = value;
            for (const b of yesNo.querySelectorAll('button')) b.setAttribute('aria-pressed', b === ev.target ? 'true' : 'false');
          },
        }, label)));
      return h('section', { class: 'card', 'aria-labelledby': 'feedback-h' },
        h('h2', { id: 'feedback-h', tabindex: '-1' }, 'Đánh giá cuộc trò chuyện'),
        h('p', { id: 'helped-q' }, 'Anh/chị có nhận được thông tin cần không?'), yesNo,
        h('form', {
          onsubmit: async (ev) => {
            ev.preventDefault();
            const picked = stars.querySelector('input:checked');
            if (helped === null) {
              status.textContent = 'Dạ, anh/chị chọn “Có” hoặc “Chưa” giúp em.';
              yesNo.querySelector('button').focus();
              return;
            }
            try {
              const r = await api(`/api/chat/${enc(state.sender)}/feedback`, {
                method: 'POST', json: { helped, rating: picked ? Number(picked.value) : null },
              });
              state.askFeedback = false;
              state.messages.push({ from: 'bot', text: r.message, buttons: [] });
              save();
              draw();
            } catch (err) {
              status.textContent = err.detail;
            }
          },
        }, stars, h('div', { class: 'actions' },
          h('button', { type: 'submit' }, 'Gửi đánh giá'),
          h('button', { type: 'button', class: 'link', onclick: () => { state.askFeedback = false; save(); draw(); } }, 'Bỏ qua'))),
        status);
    }

    function setHandoff(status) {
      const before = state.handoff && state.handoff.state;
      state.handoff = status;
      if (status && status.state !== before) {
        if (status.state === 'closed' && before) state.askFeedback = true;
        if (status.state === 'waiting' || status.state === 'live') state.callbackLeft = false;
        announce(status.message);
      }
      save();
      draw();
      if (handoffActive()) listen(); else stopListening();
    }

    // The volunteer's messages and the handoff's state, live.
    function listen() {
      if (stream || !('EventSource' in window)) return;
      stream = new EventSource(`/api/chat/${enc(state.sender)}/events?after=${state.liveCursor || 0}`);
      stream.addEventListener('message', (ev) => {
        const m = JSON.parse(ev.data);
        if (m.id <= (state.liveCursor || 0)) return;
        state.liveCursor = m.id;
        state.messages.push({ from: 'volunteer', author: m.author || 'Tình nguyện viên', text: m.text });
        announce(`${m.author}: ${m.text}`);
        save();
        draw();
      });
      stream.addEventListener('handoff', (ev) => {
        const status = JSON.parse(ev.data);
        if (status) setHandoff(status);
        if (!status || !['waiting', 'live'].includes(status.state)) stopListening();
      });
    }
    function stopListening() {
      if (stream) stream.close();
      stream = null;
    }
    leaveView = stopListening;

    async function leave() {
      try {
        const r = await api(`/api/chat/${enc(state.sender)}/leave`, { method: 'POST', json: {} });
        setHandoff(r.handoff);
      } catch (err) {
        announce(err.detail);
      }
    }

    async function deliver(message) {
      busy = !handoffActive(); // a person answers on the live stream: no typing dots for the bot
      message.state = 'sending';
      save();
      draw();
      try {
        const reply = await api('/api/chat', { method: 'POST', json: { sender_id: state.sender, message: message.payload } });
        message.state = 'sent';
        for (const m of reply.messages) {
          if (m.text || (m.buttons && m.buttons.length)) {
            state.messages.push({ from: 'bot', text: m.text || '', buttons: m.buttons || [] });
          }
        }
        const spoken = reply.messages.map((m) => m.text).filter(Boolean).join(' ');
        if (spoken) announce(`Trợ lý: ${spoken}`);
        busy = false;
        if (reply.handoff) setHandoff(reply.handoff);
      } catch (err) {
        message.state = 'failed';
        announce(`Chưa gửi được tin nhắn. ${err.detail || ''}`);
      }
      busy = false;
      save();
      draw();
    }

    function send(payload, shown) {
      const text = String(payload || '').trim();
      if (!text || busy) return;
      const message = { from: 'user', text: (shown || text).slice(0, 2000), payload: text.slice(0, 2000), state: 'sending' };
      state.messages.push(message);
      deliver(message);
    }

    function retry(message) {
      if (busy) return;
      // The failed message moves to the end, where the answer will come.
      state.messages = state.messages.filter((m) => m !== message);
      state.messages.push(message);
      deliver(message);
    }

    const form = h('form', {
      class: 'composer',
      onsubmit: (ev) => {
        ev.preventDefault();
        const text = input.value;
        if (!text.trim()) return;
        input.value = '';
        send(text);
        input.focus();
      },
    }, h('div', { class: 'grow' }, inputLabel, input), sendButton);
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });

    draw();
    if (handoffActive()) listen();
    return frag(h('div', { class: 'chat' },
      h('div', { class: 'chat-tools' },
        h('h1', { class: 'sr-only' }, 'Hỏi trợ lý'),
        h('p', { class: 'muted' }, 'Hỏi về thủ tục: cần giấy tờ gì, phí bao nhiêu, nộp ở đâu, nộp trực tuyến được không.'),
        h('div', { class: 'actions' },
          state.messages.length ? h('button', {
            type: 'button', class: 'link',
            onclick: () => { state.askFeedback = true; save(); draw(); panel.querySelector('h2').focus(); },
          }, 'Đánh giá cuộc trò chuyện') : null,
          h('button', {
            type: 'button', class: 'link',
            onclick: () => {
              stopListening();
              store.remove('chat');
              render();
            },
          }, 'Bắt đầu cuộc trò chuyện mới'))),
      log, panel, form));
  });

  /* ---- procedures ----------------------------------------------------------------------- */
  function levelBadge(item) {
    return h('span', { class: `badge${item.online_level === 4 ? ' l4' : ''}` }, item.online_level_name);
  }

  route(/^\/thu-tuc$/, 'procedures', async ({ query }) => {
    const q = (query.get('q') || '').trim();
    const inputId = nextId('q');
    const hintId = `${inputId}-hint`;
    const input = h('input', { type: 'search', id: inputId, name: 'q', value: q, 'aria-describedby': hintId, maxlength: '300', enterkeyhint: 'search' });
    const form = h('form', {
      role: 'search',
      onsubmit: (ev) => {
        ev.preventDefault();
        const value = input.value.trim();
        go(value ? `#/thu-tuc?q=${enc(value)}` : '#/thu-tuc');
      },
    },
    h('div', { class: 'field' },
      h('label', { for: inputId }, 'Anh/chị cần làm thủ tục gì?'),
      h('p', { class: 'hint', id: hintId }, 'Ví dụ: làm lại căn cước, đăng ký khai sinh, cấp lại bằng lái xe. Có dấu hay không dấu đều được.'),
      input),
    h('button', { type: 'submit' }, 'Tìm thủ tục'));

    const results = h('ul', { class: 'results' });
    const more = h('div', { class: 'actions' });
    const status = h('p', { role: 'status' });
    const limit = 10;
    let offset = 0;

    async function load() {
      const page = await api(`/api/procedures?${new URLSearchParams({ q, limit, offset })}`);
      for (const item of page.items) {
        results.append(h('li', {}, h('a', { class: 'item', href: `#/thu-tuc/${enc(item.code)}` },
          h('span', { class: 'name' }, item.name),
          levelBadge(item), ' ',
          h('span', { class: 'muted' }, `${AGENCY_LEVEL[item.agency_level] || ''} · ${item.field}`))));
      }
      offset += page.items.length;
      more.replaceChildren();
      if (offset < page.total) {
        more.append(h('button', {
          type: 'button', class: 'secondary',
          onclick: async (ev) => {
            ev.target.disabled = true;
            try {
              await load();
              announce(`Đã hiện ${offset} trên ${page.total} thủ tục.`);
            } catch (err) {
              more.replaceChildren(h('p', { class: 'error-message' }, err.detail));
            }
          },
        }, 'Xem thêm thủ tục'));
      }
      return page;
    }

    const page = await load();
    const parts = [h('h1', {}, q ? 'Kết quả tìm thủ tục' : 'Tìm thủ tục hành chính'), form];
    if (q) {
      status.textContent = page.total ? `Có ${page.total} thủ tục phù hợp với “${q}”.`
        : `Dạ, em chưa tìm thấy thủ tục nào cho “${q}”. Anh/chị thử gõ cách khác, hoặc hỏi trợ lý.`;
      parts.push(status);
      if (page.total && !page.confident) {
        parts.push(h('div', { class: 'notice' }, h('p', {}, 'Em chưa chắc anh/chị cần thủ tục nào. Anh/chị xem các thủ tục dưới đây và chọn đúng việc của mình giúp em.')));
      }
      if (!page.total) parts.push(h('p', {}, h('a', { class: 'button secondary', href: '#/' }, 'Hỏi trợ lý')));
    } else {
      parts.push(h('h2', {}, 'Danh mục thủ tục'));
    }
    parts.push(results, more);
    return frag(...parts);
  });

  function levelCard(p) {
    const lv = p.level_explained;
    const visits = lv.visits === 0 ? 'Không phải đến cơ quan.' : `Đến cơ quan nhiều nhất ${lv.visits} lần.`;
    return h('section', { class: 'card', 'aria-labelledby': 'level-h' },
      h('h2', { id: 'level-h' }, `Anh/chị cần làm gì – ${p.online_level_name}`),
      h('p', {}, lv.summary),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Làm trên mạng'), h('dd', {}, lv.online),
        h('dt', {}, 'Đến cơ quan'), h('dd', {}, `${lv.in_person} ${visits}`),
        h('dt', {}, 'Phí, lệ phí'), h('dd', {}, lv.payment),
        h('dt', {}, 'Nhận kết quả'), h('dd', {}, lv.result)));
  }

  function checklist(p) {
    const key = `ticks.${p.code}`;
    const ticked = new Set(store.get(key, []));
    const count = h('p', { role: 'status', class: 'muted' });
    const update = () => {
      count.textContent = `Đã chuẩn bị ${ticked.size}/${p.documents.length} giấy tờ.`;
    };
    const items = p.documents.map((doc, i) => {
      const id = `doc-${i}`;
      const copies = [doc.originals ? `${doc.originals} bản chính` : null, doc.copies ? `${doc.copies} bản sao` : null]
        .filter(Boolean).join(', ');
      const details = [
        copies,
        doc.case ? `Trường hợp: ${doc.case}` : null,
        doc.form ? `Mẫu: ${[doc.form.code, doc.form.name].filter(Boolean).join(' – ')}${doc.form.issued_by ? ` (${doc.form.issued_by})` : ''}` : null,
        doc.required ? null : 'Không bắt buộc',
      ].filter(Boolean);
      const box = h('input', {
        type: 'checkbox', id, checked: ticked.has(i),
        onchange: (ev) => {
          if (ev.target.checked) ticked.add(i); else ticked.delete(i);
          store.set(key, [...ticked]);
          update();
        },
      });
      return h('li', {}, h('div', { class: 'choice' }, box,
        h('label', { for: id }, doc.name, details.map((d) => h('span', { class: 'detail' }, d)))));
    });
    update();
    return h('section', { 'aria-labelledby': 'docs-h' },
      h('h2', { id: 'docs-h' }, 'Giấy tờ cần chuẩn bị'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'In danh sách giấy tờ')),
      h('p', { class: 'hint' }, 'Anh/chị đánh dấu giấy tờ đã có; máy sẽ nhớ cho lần sau.'),
      p.documents.length ? h('ul', { class: 'checklist' }, items) : h('p', {}, 'Thủ tục này không ghi thành phần hồ sơ.'),
      p.documents.length ? count : null);
  }

  route(/^\/thu-tuc\/([^/]+)$/, 'procedures', async ({ params: [code] }) => {
    const [p, form] = await Promise.all([procedureOf(code), formOf(code).catch(() => null)]);
    const parts = [
      h('p', { class: 'caption' }, p.field),
      h('h1', {}, p.name),
      h('p', {}, levelBadge(p), ' ', h('span', { class: 'muted' }, `Mã thủ tục ${p.code}`)),
    ];
    if (form) {
      const label = p.online_level >= 3 ? 'Điền tờ khai và nộp trực tuyến' : 'Điền tờ khai để in';
      parts.push(h('p', {}, h('a', { class: 'button', href: `#/thu-tuc/${enc(p.code)}/nop` }, label)));
    }
    parts.push(levelCard(p), checklist(p));
    parts.push(h('section', { 'aria-labelledby': 'time-h' }, h('h2', { id: 'time-h' }, 'Thời hạn và lệ phí'),
      p.channels.map((c) => h('div', { class: 'card' }, h('h3', {}, CHANNEL[c.channel] || c.channel),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Thời hạn giải quyết'), h('dd', {}, c.processing_time),
          h('dt', {}, 'Phí, lệ phí'), h('dd', {}, c.fee))))));
    const where = [h('h2', { id: 'where-h' }, 'Nộp ở đâu'),
      h('p', {}, `${p.agency.name} (${AGENCY_LEVEL[p.agency.level] || ''}).`)];
    if (p.agency.postal_address) where.push(h('p', {}, `Địa chỉ: ${p.agency.postal_address}`));
    if (p.mail_to) where.push(h('p', {}, p.mail_to.how));
    parts.push(h('section', { 'aria-labelledby': 'where-h' }, where));
    if (p.steps.length) {
      parts.push(h('section', { 'aria-labelledby': 'steps-h' }, h('h2', { id: 'steps-h' }, 'Các bước thực hiện'),
        h('ol', {}, p.steps.map((s) => h('li', {}, s)))));
    }
    if (p.conditions.length) {
      parts.push(h('section', { 'aria-labelledby': 'cond-h' }, h('h2', { id: 'cond-h' }, 'Điều kiện'),
        h('ul', {}, p.conditions.map((s) => h('li', {}, s)))));
    }
    parts.push(h('section', { 'aria-labelledby': 'result-h' }, h('h2', { id: 'result-h' }, 'Kết quả'), h('p', {}, p.result)));
    if (p.legal_basis.length) {
      parts.push(h('section', { 'aria-labelledby': 'law-h' }, h('h2', { id: 'law-h' }, 'Căn cứ pháp lý'),
        h('ul', {}, p.legal_basis.map((l) => h('li', {}, `${l.number}: ${l.title}`)))));
    }
    const sources = h('section', { 'aria-labelledby': 'src-h' }, h('h2', { id: 'src-h' }, 'Nguồn thông tin'),
      h('ul', {}, p.sources.map((s) => h('li', {},
        h('a', { href: s.url, rel: 'noopener', target: '_blank' }, s.title || s.url),
        ` – kiểm tra ngày ${fmtDate(s.checked)}`))));
    if (p.needs_verification.length) {
      sources.append(h('div', { class: 'notice warn' }, h('p', {},
        'Một số thông tin của thủ tục này đang chờ đối chiếu lại với văn bản gốc. Anh/chị hỏi lại cơ quan trước khi đi nộp giúp em.'),
      p.verification_note ? h('p', {}, p.verification_note) : null));
    }
    parts.push(sources);
    return frag(...parts);
  });

  /* ---- drafts: the form wizard ---------------------------------------------------------- */
  const drafts = () => store.get('drafts', {});
  function rememberDraft(id, info) {
    const all = drafts();
    all[id] = { ...(all[id] || {}), ...info, saved_at: new Date().toISOString() };
    store.set('drafts', all);
  }
  function draftToken(id) {
    return (drafts()[id] || {}).token;
  }

  route(/^\/thu-tuc\/([^/]+)\/nop$/, 'procedures', async ({ params: [code], query }) => {
    const p = await procedureOf(code);
    const open = Object.entries(drafts()).find(([, d]) => d.procedure_code === p.code && !d.dossier_code);
    if (open && query.get('moi') !== '1') {
      return frag(h('h1', {}, 'Anh/chị đang có một tờ khai điền dở'),
        h('p', {}, `Tờ khai “${p.name}” lưu lúc ${fmtDateTime(open[1].saved_at)}.`),
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: `#/nhap/${enc(open[0])}` }, 'Điền tiếp'),
          h('a', { class: 'button secondary', href: `#/thu-tuc/${enc(p.code)}/nop?moi=1` }, 'Bắt đầu tờ khai mới')));
    }
    const created = await api('/api/drafts', { method: 'POST', json: { procedure_code: p.code, answers: {} } });
    rememberDraft(created.draft.id, { token: created.resume_token, procedure_code: p.code, procedure_name: p.name });
    go(`#/nhap/${enc(created.draft.id)}`, { replace: true });
    return null;
  });

  // The draft being filled, kept between its pages: moving to the next question needs no
  // network, so a citizen who loses the connection mid-form goes on (answers wait in storage).
  let wizard = null;

  async function loadWizard(id, query) {
    const fromLink = query && query.get('t');
    if (fromLink) rememberDraft(id, { token: fromLink });
    if (wizard && wizard.id === id && !fromLink) return wizard;
    const token = fromLink || draftToken(id);
    if (!token) {
      throw new ApiError(404, 'Không mở được tờ khai',
        'Dạ, máy này chưa có đường dẫn của tờ khai. Anh/chị mở lại đường dẫn hoặc quét mã QR đã nhận giúp em.');
    }
    const draft = await api(`/api/drafts/${enc(id)}`, { headers: { 'X-Resume-Token': token } });
    const pending = store.get(`pending.${id}`, null);
    if (pending) Object.assign(draft.answers, pending); // typed while off-line: not on the server yet
    const [form, procedure] = await Promise.all([formOf(draft.procedure_code), procedureOf(draft.procedure_code)]);
    rememberDraft(id, { procedure_code: procedure.code, procedure_name: procedure.name, dossier_code: draft.dossier_code || undefined });
    if (fromLink) history.replaceState(null, '', location.hash.replace(/[?&]t=[^&]*/, '').replace(/\?$/, ''));
    wizard = { id, token, draft, form, procedure };
    return wizard;
  }

  // Answers go to the server as soon as possible; until then they stay in localStorage.
  async function saveAnswers(w, answers) {
    const key = `pending.${w.id}`;
    const pending = { ...store.get(key, {}), ...answers };
    store.set(key, pending);
    Object.assign(w.draft.answers, answers);
    try {
      const draft = await api(`/api/drafts/${enc(w.id)}`, {
        method: 'PATCH', json: { answers: pending }, headers: { 'X-Resume-Token': w.token },
      });
      const now = store.get(key, {});
      for (const [k, v] of Object.entries(pending)) if (JSON.stringify(now[k]) === JSON.stringify(v)) delete now[k];
      if (Object.keys(now).length) store.set(key, now); else store.remove(key);
      Object.assign(draft.answers, now);
      w.draft = draft;
      rememberDraft(w.id, {});
      return { saved: true };
    } catch (err) {
      if (err.status === 0) return { saved: false };
      throw err;
    }
  }

  async function flushPending() {
    for (const [id, info] of Object.entries(drafts())) {
      const pending = store.get(`pending.${id}`, null);
      if (!pending || !info.token) continue;
      try {
        await api(`/api/drafts/${enc(id)}`, { method: 'PATCH', json: { answers: pending }, headers: { 'X-Resume-Token': info.token } });
        store.remove(`pending.${id}`);
      } catch (err) { /* still off-line, or the draft is gone: kept for the next try */ }
    }
  }

  function visibleFields(form, answers) {
    const shown = {};
    return form.fields.filter((f) => {
      let visible = true;
      if (f.show_if) visible = Boolean(shown[f.show_if.field]) && answers[f.show_if.field] === f.show_if.equals;
      shown[f.id] = visible;
      return visible;
    });
  }
  const pageOf = (form, fieldId) => form.pages.find((p) => p.fields.includes(fieldId));
  const isEmpty = (v) => v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && !v.length);

  function missingRequired(w) {
    return visibleFields(w.form, w.draft.answers).filter((f) => f.required && isEmpty(w.draft.answers[f.id]));
  }

  function display(field, value) {
    if (isEmpty(value) && field.type !== 'checkbox') return null;
    switch (field.type) {
      case 'select':
      case 'radio': {
        const opt = (field.options || []).find((o) => o.value === value);
        return opt ? opt.label : String(value);
      }
      case 'checkbox': return value === true ? 'Có' : 'Không';
      case 'date': return fmtDate(value);
      case 'attachment': return value && value.name ? `${value.name} (${Math.max(1, Math.round(value.size / 1024))} KB)` : null;
      case 'address': return typeof value === 'object' ? (value.formatted || value.input) : String(value);
      default: return String(value);
    }
  }

  function firstOpenField(w) {
    const fields = visibleFields(w.form, w.draft.answers);
    // Where the citizen stopped: the first question with an error or never answered (a skipped
    // optional question is saved as null, so it counts as answered), then any required one left empty.
    return fields.find((f) => w.draft.errors[f.id] || !(f.id in w.draft.answers))
      || fields.find((f) => isEmpty(w.draft.answers[f.id]) && f.required && f.type !== 'checkbox');
  }

  route(/^\/nhap\/([^/]+)$/, 'procedures', async ({ params: [id], query }) => {
    const w = await loadWizard(id, query);
    if (w.draft.dossier_code) return go(`#/nhap/${enc(id)}/xong`, { replace: true });
    const open = firstOpenField(w);
    go(open ? `#/nhap/${enc(id)}/cau/${enc(open.id)}` : `#/nhap/${enc(id)}/kiem-tra`, { replace: true });
    return null;
  });

  /* One control per field type. Returns {node, read(), focusTarget}. */
  function control(field, value, w, { errorId, hintId }) {
    const id = `field-${field.id}`;
    const described = [hintId, errorId].filter(Boolean).join(' ') || null;
    const common = { id, name: field.id, 'aria-describedby': described, 'aria-invalid': errorId ? 'true' : null };
    const label = () => h('h1', {}, h('label', { for: id }, field.label));
    switch (field.type) {
      case 'radio':
      case 'select':
        if (field.type === 'radio') {
          return {
            legend: true,
            node: h('div', {}, field.options.map((o, i) => {
              const oid = i === 0 ? id : `${id}-${i}`;
              return h('div', { class: 'choice' },
                h('input', { type: 'radio', id: oid, name: field.id, value: o.value, checked: value === o.value }),
                h('label', { for: oid }, o.label));
            })),
            read: (root) => {
              const hit = root.querySelector(`input[name="${field.id}"]:checked`);
              return hit ? hit.value : null;
            },
          };
        }
        return {
          heading: label(),
          node: h('select', common, h('option', { value: '' }, '— Chọn —'),
            field.options.map((o) => h('option', { value: o.value, selected: value === o.value }, o.label))),
          read: (root) => root.querySelector(`#${id}`).value || null,
        };
      case 'checkbox':
        return {
          node: h('div', { class: 'choice' }, h('input', { type: 'checkbox', ...common, checked: value === true }),
            h('label', { for: id }, field.label)),
          read: (root) => root.querySelector(`#${id}`).checked,
        };
      case 'textarea':
        return {
          heading: label(),
          node: h('textarea', { ...common, maxlength: field.max_length || 2000, value: value || '' }),
          read: (root) => root.querySelector(`#${id}`).value,
        };
      case 'attachment': {
        const status = h('p', { role: 'status' }, value && value.name ? `Đã tải lên: ${display(field, value)}` : '');
        const input = h('input', {
          type: 'file', ...common, accept: (field.accept || []).join(','),
          onchange: async (ev) => {
            const file = ev.target.files[0];
            if (!file) return;
            status.textContent = `Đang tải lên “${file.name}”…`;
            const body = new FormData();
            body.append('file', file);
            try {
              const ref = await api(`/api/drafts/${enc(w.id)}/attachments`, { method: 'POST', form: body, headers: { 'X-Resume-Token': w.token } });
              input.dataset.ref = JSON.stringify(ref);
              status.textContent = `Đã tải lên: ${display(field, ref)}`;
            } catch (err) {
              status.textContent = err.detail;
            }
          },
        });
        if (value && value.id) input.dataset.ref = JSON.stringify(value);
        return {
          heading: label(),
          node: h('div', {}, input, status),
          read: (root) => {
            const raw = root.querySelector(`#${id}`).dataset.ref;
            return raw ? JSON.parse(raw) : null;
          },
        };
      }
      case 'address': {
        const text = value && typeof value === 'object' ? value.input : (value || '');
        const combo = addressCombo({ ...common, value: text, maxlength: field.max_length || 300 });
        return {
          heading: label(),
          node: h('div', {}, combo.node, addressCheck(combo.input, { confirm: false }).node),
          read: () => combo.input.value,
        };
      }
      default: {
        const types = {
          date: { type: 'date' },
          phone: { type: 'tel', autocomplete: 'tel', inputmode: 'tel' },
          email: { type: 'email', autocomplete: 'email', spellcheck: 'false' },
          cccd: { type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '12', spellcheck: 'false' },
          number: { type: 'text', inputmode: field.decimals ? 'decimal' : 'numeric' },
          text: { type: 'text', maxlength: field.max_length || 200 },
        };
        let shownValue = value === undefined || value === null ? '' : String(value);
        if (field.type === 'date') {
          const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(shownValue);
          if (vn) shownValue = `${vn[3]}-${vn[2].padStart(2, '0')}-${vn[1].padStart(2, '0')}`;
        }
        return {
          heading: label(),
          node: h('input', { ...common, ...(types[field.type] || types.text), value: shownValue }),
          read: (root) => root.querySelector(`#${id}`).value.trim(),
        };
      }
    }
  }

  route(/^\/nhap\/([^/]+)\/cau\/([^/]+)$/, 'procedures', async ({ params: [id, fieldId], query }) => {
    const w = await loadWizard(id, query);
    if (w.draft.dossier_code) return go(`#/nhap/${enc(id)}/xong`, { replace: true });
    const field = w.form.fields.find((f) => f.id === fieldId);
    if (!field) return go(`#/nhap/${enc(id)}`, { replace: true });
    const back = query.get('quay-lai') === 'kiem-tra';
    const fields = visibleFields(w.form, w.draft.answers);
    const index = fields.findIndex((f) => f.id === fieldId);
    const page = pageOf(w.form, fieldId);
    const serverError = w.draft.errors[fieldId];
    const hintId = field.hint ? `hint-${field.id}` : null;
    const errorId = `error-${field.id}`;

    const view = frag();
    const summaryHolder = h('div', {});
    const errorText = h('p', { class: 'error-message', id: errorId, hidden: !serverError },
      h('span', { class: 'sr-only' }, 'Lỗi: '), serverError || '');
    const ctl = control(field, w.draft.answers[fieldId], w, { errorId: serverError ? errorId : null, hintId });
    const hint = field.hint ? h('p', { class: 'hint', id: hintId }, field.hint) : null;
    const fieldBox = h('div', { class: `field${serverError ? ' has-error' : ''}` });
    if (ctl.legend) {
      fieldBox.append(h('fieldset', { 'aria-describedby': [hintId, serverError ? errorId : null].filter(Boolean).join(' ') || null },
        h('legend', {}, h('h1', {}, field.label)), hint, errorText, ctl.node));
    } else if (ctl.heading) {
      fieldBox.append(ctl.heading, hint, errorText, ctl.node);
    } else {
      fieldBox.append(h('h1', {}, page ? page.title : w.form.title), hint, errorText, ctl.node);
    }
    const saveStatus = h('p', { class: 'muted', role: 'status' });

    function showError(message) {
      fieldBox.classList.add('has-error');
      errorText.hidden = false;
      errorText.replaceChildren(h('span', { class: 'sr-only' }, 'Lỗi: '), message);
      const target = fieldBox.querySelector('input, select, textarea');
      if (target) target.setAttribute('aria-invalid', 'true');
      for (const el of fieldBox.querySelectorAll('input, select, textarea, fieldset')) {
        const ids = new Set((el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
        ids.add(errorId);
        if (el.matches('fieldset') || el === target) el.setAttribute('aria-describedby', [...ids].join(' '));
      }
      const summary = errorSummary([{ text: message, href: `#field-${field.id}` }]);
      summaryHolder.replaceChildren(summary);
      summary.focus();
    }

    // Autosave while typing: a second after the last key.
    let timer = null;
    fieldBox.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const result = await saveAnswers(w, { [fieldId]: ctl.read(fieldBox) });
          saveStatus.textContent = result.saved ? `Đã tự động lưu lúc ${fmtDateTime(new Date()).split(',')[0]}.`
            : 'Đang không có mạng: phần đã điền được giữ trên máy và sẽ lưu khi có mạng.';
        } catch (err) { /* shown when the citizen presses Tiếp tục */ }
      }, 1000);
    });

    const form = h('form', {
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        clearTimeout(timer);
        const value = ctl.read(fieldBox);
        if (field.required && (isEmpty(value) || (field.type === 'checkbox' && value !== true))) {
          showError(field.type === 'radio' || field.type === 'select' ? 'Dạ, anh/chị chọn một câu trả lời giúp em.'
            : field.type === 'checkbox' ? 'Dạ, anh/chị đánh dấu vào ô này để tiếp tục.'
              : field.type === 'attachment' ? 'Dạ, anh/chị tải lên giấy tờ này giúp em.'
                : 'Dạ, anh/chị chưa trả lời câu này.');
          return;
        }
        const button = ev.submitter || form.querySelector('button[type="submit"]');
        button.disabled = true;
        let result;
        try {
          result = await saveAnswers(w, { [fieldId]: isEmpty(value) && field.type !== 'checkbox' ? null : value });
        } catch (err) {
          button.disabled = false;
          showError(err.detail);
          return;
        }
        button.disabled = false;
        if (result.saved && w.draft.errors[fieldId]) {
          showError(w.draft.errors[fieldId]);
          return;
        }
        const after = visibleFields(w.form, w.draft.answers);
        const next = after[after.findIndex((f) => f.id === fieldId) + 1];
        go(back || !next ? `#/nhap/${enc(id)}/kiem-tra` : `#/nhap/${enc(id)}/cau/${enc(next.id)}`);
      },
    }, fieldBox, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Tiếp tục')));

    const prev = index > 0 ? `#/nhap/${enc(id)}/cau/${enc(fields[index - 1].id)}` : `#/thu-tuc/${enc(w.procedure.code)}`;
    view.append(
      h('p', {}, h('a', { href: back ? `#/nhap/${enc(id)}/kiem-tra` : prev }, 'Quay lại')),
      summaryHolder,
      h('p', { class: 'caption' }, `${w.form.title}${page ? ` · ${page.title}` : ''}`),
      h('p', { class: 'progress' }, `Câu ${index + 1}/${fields.length}`),
      form, saveStatus,
      h('p', {}, h('a', { href: `#/nhap/${enc(id)}/luu` }, 'Lưu lại, làm tiếp sau')),
    );
    if (serverError) summaryHolder.append(errorSummary([{ text: serverError, href: `#field-${field.id}` }]));
    return view;
  });

  function resumeBox(w) {
    const link = `${location.origin}/#/nhap/${w.id}?t=${w.token}`;
    const status = h('p', { role: 'status', class: 'muted' });
    return h('section', { class: 'card', 'aria-labelledby': 'resume-h' },
      h('h2', { id: 'resume-h' }, 'Làm tiếp trên máy khác hoặc lúc khác'),
      h('p', {}, 'Tờ khai được lưu tự động. Anh/chị giữ đường dẫn này hoặc quét mã QR để mở lại đúng chỗ đang điền. Đừng gửi cho người lạ: ai có đường dẫn cũng xem được tờ khai.'),
      h('img', { class: 'qr', src: `/api/drafts/${enc(w.id)}/resume-qr.svg?token=${enc(w.token)}`, alt: 'Mã QR mở lại tờ khai này', width: '176', height: '176' }),
      h('p', {}, h('a', { href: link }, 'Đường dẫn mở lại tờ khai')),
      h('div', { class: 'actions' }, h('button', {
        type: 'button', class: 'secondary',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(link);
            status.textContent = 'Đã chép đường dẫn.';
          } catch (err) {
            status.textContent = 'Máy không cho chép tự động; anh/chị nhấn giữ vào đường dẫn ở trên để chép.';
          }
        },
      }, 'Chép đường dẫn')), status);
  }

  route(/^\/nhap\/([^/]+)\/luu$/, 'procedures', async ({ params: [id], query }) => {
    const w = await loadWizard(id, query);
    const open = firstOpenField(w);
    return frag(h('h1', {}, 'Đã lưu tờ khai'),
      h('p', {}, `Tờ khai “${w.procedure.name}” đã được lưu.`),
      resumeBox(w),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: open ? `#/nhap/${enc(id)}/cau/${enc(open.id)}` : `#/nhap/${enc(id)}/kiem-tra` }, 'Điền tiếp')));
  });

  route(/^\/nhap\/([^/]+)\/kiem-tra$/, 'procedures', async ({ params: [id], query }) => {
    const w = await loadWizard(id, query);
    if (w.draft.dossier_code) return go(`#/nhap/${enc(id)}/xong`, { replace: true });
    const fields = visibleFields(w.form, w.draft.answers);
    const problems = [];
    for (const f of fields) {
      const message = w.draft.errors[f.id] || (f.required && isEmpty(w.draft.answers[f.id]) ? `Chưa trả lời: ${f.label}` : null);
      if (message) problems.push({ text: message, href: `#/nhap/${enc(id)}/cau/${enc(f.id)}?quay-lai=kiem-tra` });
    }
    const online = w.procedure.online_level >= 3;
    const parts = [
      h('p', {}, h('a', { href: fields.length ? `#/nhap/${enc(id)}/cau/${enc(fields[fields.length - 1].id)}` : `#/thu-tuc/${enc(w.procedure.code)}` }, 'Quay lại')),
      h('p', { class: 'caption' }, w.form.title),
      h('h1', {}, online ? 'Kiểm tra lại trước khi nộp' : 'Kiểm tra lại trước khi in'),
    ];
    if (problems.length) parts.push(errorSummary(problems));
    for (const page of w.form.pages) {
      const shown = fields.filter((f) => page.fields.includes(f.id));
      if (!shown.length) continue;
      parts.push(h('h2', {}, page.title), h('dl', { class: 'summary-list' }, shown.map((f) => {
        const text = display(f, w.draft.answers[f.id]);
        return h('div', { class: 'row' },
          h('dt', {}, f.label),
          h('dd', { class: 'answer' }, text === null ? h('span', { class: 'muted' }, 'Chưa trả lời') : text),
          h('dd', {}, h('a', { href: `#/nhap/${enc(id)}/cau/${enc(f.id)}?quay-lai=kiem-tra` }, 'Thay đổi', h('span', { class: 'sr-only' }, ` ${f.label}`))));
      })));
    }
    const pdf = `/api/drafts/${enc(id)}/form.pdf?token=${enc(w.token)}`;
    parts.push(h('div', { class: 'actions' },
      online ? h('a', { class: 'button', href: `#/nhap/${enc(id)}/nop` }, 'Tiếp tục để nộp hồ sơ') : null,
      h('a', { class: `button${online ? ' secondary' : ''}`, href: pdf, target: '_blank', rel: 'noopener' }, 'Tải tờ khai đã điền (PDF)')));
    if (!online) {
      parts.push(h('p', {}, 'Thủ tục này chưa nộp trực tuyến được. Anh/chị in tờ khai, mang theo giấy tờ cần chuẩn bị đến nộp tại cơ quan hoặc gửi qua bưu điện.'));
    }
    parts.push(resumeBox(w));
    return frag(...parts);
  });

  /* ---- addresses: autocomplete by commune, then the normalised address to confirm -------- */
  function addressCombo(attrs) {
    const listId = `${attrs.id}-list`;
    const input = h('input', {
      type: 'text', ...attrs, autocomplete: 'off', spellcheck: 'false', role: 'combobox',
      'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    });
    const list = h('ul', { id: listId, role: 'listbox', 'aria-label': 'Phường, xã gợi ý', hidden: true });
    const count = h('p', { class: 'sr-only', role: 'status' });
    let items = [];
    let active = -1;
    let timer = null;
    let seq = 0;

    function close() {
      items = [];
      active = -1;
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }
    function choose(i) {
      const parts = input.value.split(',');
      parts[parts.length - 1] = ` ${items[i].label}`;
      input.value = parts.join(',').replace(/^\s+/, '');
      close();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new CustomEvent('address-chosen', { bubbles: true }));
      input.focus();
    }
    function draw() {
      list.replaceChildren(...items.map((c, i) => h('li', {
        id: `${listId}-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false',
        onmousedown: (ev) => ev.preventDefault(),
        onclick: () => choose(i),
      }, c.label)));
      list.hidden = !items.length;
      input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
      if (active >= 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
      else input.removeAttribute('aria-activedescendant');
    }
    async function suggest() {
      const last = input.value.split(',').pop().trim();
      if (last.length < 2) return close();
      const mine = ++seq;
      try {
        const page = await api(`/api/addresses/suggest?${new URLSearchParams({ q: last.slice(0, 100), limit: 6 })}`);
        if (mine !== seq) return;
        items = page.items;
      } catch (err) {
        items = [];
      }
      active = -1;
      draw();
      count.textContent = items.length ? `Có ${items.length} phường, xã gợi ý; dùng phím mũi tên để chọn.` : '';
    }
    input.addEventListener('input', (ev) => {
      if (!ev.isTrusted) return;
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    input.addEventListener('keydown', (ev) => {
      if (list.hidden) return;
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        active = (active + (ev.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
        draw();
      } else if (ev.key === 'Enter' && active >= 0) {
        ev.preventDefault();
        choose(active);
      } else if (ev.key === 'Escape') {
        close();
      }
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
    return { input, node: h('div', { class: 'combo' }, input, list, count) };
  }

  // "Kiểm tra địa chỉ": the address as the new administrative units name it, to confirm.
  function addressCheck(input, { confirm }) {
    const out = h('div', { class: 'resolved', role: 'status' });
    const state = { confirmed: false, resolution: null };
    const box = nextId('confirm');
    async function check() {
      const q = input.value.trim();
      if (!q) {
        out.replaceChildren(h('p', { class: 'error-message' }, 'Dạ, anh/chị nhập địa chỉ trước giúp em.'));
        return;
      }
      out.replaceChildren(h('p', { class: 'muted' }, 'Đang kiểm tra địa chỉ…'));
      try {
        const r = await api(`/api/addresses/resolve?${new URLSearchParams({ q })}`);
        state.resolution = r;
        state.confirmed = false;
        const parts = [];
        if (r.status === 'resolved') {
          parts.push(h('div', { class: 'notice' },
            h('p', {}, 'Địa chỉ theo đơn vị hành chính mới:'),
            h('p', {}, h('strong', {}, r.formatted)),
            r.postal_code ? h('p', { class: 'muted' }, `Mã bưu chính: ${r.postal_code}`) : null,
            r.message ? h('p', {}, r.message) : null));
          if (confirm) {
            parts.push(h('div', { class: 'choice' }, h('input', {
              type: 'checkbox', id: box,
              onchange: (ev) => { state.confirmed = ev.target.checked; },
            }), h('label', { for: box }, 'Đúng, đây là địa chỉ của tôi')));
          }
        } else if (r.status === 'ambiguous') {
          parts.push(h('div', { class: 'notice warn' }, h('p', {}, r.message)),
            h('ul', { class: 'results' }, r.candidates.map((c) => h('li', {}, h('button', {
              type: 'button', class: 'secondary',
              onclick: () => {
                input.value = [r.street, c.label].filter(Boolean).join(', ');
                check();
              },
            }, c.label)))));
        } else {
          parts.push(h('div', { class: 'notice bad' }, h('p', {}, r.message)));
        }
        out.replaceChildren(...parts);
      } catch (err) {
        out.replaceChildren(h('p', { class: 'error-message' }, err.detail));
      }
    }
    input.addEventListener('address-chosen', check);
    input.addEventListener('input', (ev) => {
      if (ev.isTrusted && state.resolution) {
        state.resolution = null;
        state.confirmed = false;
        out.replaceChildren();
      }
    });
    const node = h('div', {}, h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: check }, 'Kiểm tra địa chỉ')), out);
    return { node, state, check };
  }

  /* ---- submission ----------------------------------------------------------------------- */
  route(/^\/nhap\/([^/]+)\/nop$/, 'procedures', async ({ params: [id], query }) => {
    const w = await loadWizard(id, query);
    if (w.draft.dossier_code) return go(`#/nhap/${enc(id)}/xong`, { replace: true });
    const p = w.procedure;
    const contactKey = `contact.${id}`;
    const contact = store.get(contactKey, { applicant_name: '', phone: '', delivery: 'office', return_address: '' });
    const options = ['office'];
    if (p.online_level === 4 || p.channels.some((c) => c.channel === 'buu_chinh')) options.push('post');
    if (p.online_level === 4) options.push('online');
    if (!options.includes(contact.delivery)) contact.delivery = 'office';

    const errorBox = h('div', {});
    const messages = {};
    const field = (name, labelText, control, hint) => {
      const err = h('p', { class: 'error-message', id: `error-${name}`, hidden: true });
      messages[name] = err;
      return h('div', { class: 'field', 'data-field': name },
        labelText ? h('label', { for: `field-${name}` }, labelText) : null,
        hint ? h('p', { class: 'hint', id: `hint-${name}` }, hint) : null, err, control);
    };
    const name = h('input', { type: 'text', id: 'field-applicant_name', autocomplete: 'name', maxlength: '200', value: contact.applicant_name });
    const phone = h('input', { type: 'tel', id: 'field-phone', autocomplete: 'tel', inputmode: 'tel', maxlength: '20', value: contact.phone, 'aria-describedby': 'hint-phone' });
    const combo = addressCombo({ id: 'field-return_address', maxlength: '300', value: contact.return_address, 'aria-describedby': 'hint-return_address' });
    const check = addressCheck(combo.input, { confirm: true });
    const addressBox = field('return_address', 'Địa chỉ nhận kết quả', h('div', {}, combo.node, check.node),
      'Số nhà, đường/thôn, rồi phường/xã và tỉnh/thành phố. Gõ tên phường/xã để chọn trong danh sách.');
    const deliveryBox = h('fieldset', { class: 'field', 'data-field': 'delivery' },
      h('legend', {}, 'Anh/chị muốn nhận kết quả thế nào?'));
    messages.delivery = h('p', { class: 'error-message', id: 'error-delivery', hidden: true });
    deliveryBox.append(messages.delivery, ...options.map((o, i) => h('div', { class: 'choice' },
      h('input', { type: 'radio', name: 'delivery', id: i === 0 ? 'field-delivery' : `field-delivery-${o}`, value: o, checked: contact.delivery === o }),
      h('label', { for: i === 0 ? 'field-delivery' : `field-delivery-${o}` }, DELIVERY[o]))));
    const selectedDelivery = () => (deliveryBox.querySelector('input:checked') || {}).value || 'office';
    const syncAddress = () => { addressBox.hidden = selectedDelivery() !== 'post'; };
    deliveryBox.addEventListener('change', syncAddress);

    const keep = () => store.set(contactKey, {
      applicant_name: name.value, phone: phone.value, delivery: selectedDelivery(), return_address: combo.input.value,
    });

    const form = h('form', {
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        keep();
        for (const m of Object.values(messages)) m.hidden = true;
        errorBox.replaceChildren();
        const button = form.querySelector('button[type="submit"]');
        button.disabled = true;
        const delivery = selectedDelivery();
        try {
          const submitted = await api(`/api/drafts/${enc(id)}/submit`, {
            method: 'POST', headers: { 'X-Resume-Token': w.token },
            json: {
              applicant_name: name.value, phone: phone.value, delivery,
              return_address: delivery === 'post' ? combo.input.value : null,
              return_address_confirmed: delivery === 'post' && check.state.confirmed,
            },
          });
          rememberDossier(submitted.dossier.code, { token: submitted.tracking_token, dossier: submitted.dossier });
          store.set(`submitted.${id}`, { code: submitted.dossier.code, receipt: submitted.receipt, dossier: submitted.dossier });
          rememberDraft(id, { dossier_code: submitted.dossier.code });
          w.draft.dossier_code = submitted.dossier.code;
          store.remove(contactKey);
          go(`#/nhap/${enc(id)}/xong`);
        } catch (err) {
          button.disabled = false;
          const items = [];
          for (const e of err.errors || []) {
            if (messages[e.field]) {
              messages[e.field].hidden = false;
              messages[e.field].textContent = e.message;
              items.push({ text: e.message, href: `#field-${e.field}` });
            } else if (w.form.fields.some((f) => f.id === e.field)) {
              const f = w.form.fields.find((x) => x.id === e.field);
              items.push({ text: `${f.label}: ${e.message}`, href: `#/nhap/${enc(id)}/cau/${enc(f.id)}?quay-lai=kiem-tra` });
            }
          }
          if (!items.length) items.push({ text: err.detail });
          const summary = errorSummary(items);
          errorBox.replaceChildren(summary);
          summary.focus();
        }
      },
    },
    field('applicant_name', 'Họ và tên người nộp hồ sơ', name),
    field('phone', 'Số điện thoại di động', phone, 'Cơ quan gọi hoặc nhắn tin khi cần. Ví dụ 0912345678.'),
    deliveryBox, addressBox,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Nộp hồ sơ')));
    form.addEventListener('input', keep);
    syncAddress();
    return frag(
      h('p', {}, h('a', { href: `#/nhap/${enc(id)}/kiem-tra` }, 'Quay lại')),
      errorBox,
      h('p', { class: 'caption' }, p.name),
      h('h1', {}, 'Người nộp và cách nhận kết quả'),
      form);
  });

  route(/^\/nhap\/([^/]+)\/xong$/, 'dossiers', async ({ params: [id] }) => {
    const done = store.get(`submitted.${id}`, null);
    const code = done ? done.code : (drafts()[id] || {}).dossier_code;
    if (!code) return go(`#/nhap/${enc(id)}`, { replace: true });
    const known = dossiers()[code] || {};
    const d = done ? done.dossier : known.dossier;
    const parts = [h('div', { class: 'panel-ok' },
      h('h1', {}, 'Đã nộp hồ sơ'),
      h('p', {}, 'Mã hồ sơ của anh/chị:'),
      h('p', { class: 'big' }, code),
      h('p', {}, 'Anh/chị ghi lại mã này hoặc lưu giấy tiếp nhận để tra cứu khi cần.'))];
    if (d) {
      parts.push(h('h2', {}, 'Việc tiếp theo'), h('p', {}, d.next_step),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Thủ tục'), h('dd', {}, d.procedure_name),
          d.due_date ? [h('dt', {}, 'Ngày hẹn trả kết quả'), h('dd', {}, fmtDate(d.due_date))] : null,
          d.fee_vnd !== null && d.fee_vnd !== undefined ? [h('dt', {}, 'Phí, lệ phí'), h('dd', {}, d.fee_vnd ? money(d.fee_vnd) : 'Không mất phí')] : null,
          h('dt', {}, 'Cách nhận kết quả'), h('dd', {}, DELIVERY[d.delivery] || d.delivery)));
    }
    if (known.token) {
      parts.push(pushCard(code, known.token));
      parts.push(h('div', { class: 'actions' },
        h('a', { class: 'button', href: `#/ho-so/${enc(code)}` }, 'Theo dõi hồ sơ'),
        h('a', { class: 'button secondary', href: `/api/dossiers/${enc(code)}/receipt.pdf?token=${enc(known.token)}`, target: '_blank', rel: 'noopener' }, 'Giấy tiếp nhận (PDF)')));
    }
    return frag(...parts);
  });

  /* ---- dossiers ------------------------------------------------------------------------- */
  const dossiers = () => store.get('dossiers', {});
  function rememberDossier(code, info) {
    const all = dossiers();
    all[code] = { ...(all[code] || {}), ...info };
    store.set('dossiers', all);
  }

  function base64UrlToBytes(value) {
    const padded = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function pushCard(code, token) {
    const labelId = nextId('push-label');
    const status = h('p', { role: 'status' });
    const on = Boolean((dossiers()[code] || {}).push);
    const toggle = h('button', { type: 'button', role: 'switch', 'aria-checked': on ? 'true' : 'false', 'aria-labelledby': labelId }, on ? 'Đang bật' : 'Đang tắt');
    const set = (value) => {
      toggle.setAttribute('aria-checked', value ? 'true' : 'false');
      toggle.textContent = value ? 'Đang bật' : 'Đang tắt';
      rememberDossier(code, { push: value });
    };
    toggle.addEventListener('click', async () => {
      const want = toggle.getAttribute('aria-checked') !== 'true';
      if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
        status.textContent = 'Dạ, trình duyệt này chưa nhận được thông báo. Trên Android anh/chị dùng Chrome; trên iPhone anh/chị thêm ứng dụng vào Màn hình chính rồi mở từ đó.';
        return;
      }
      toggle.disabled = true;
      try {
        const registration = await navigator.serviceWorker.ready;
        if (want) {
          const permission = await Notification.requestPermission();
          if (permission !== 'granted') {
            status.textContent = 'Dạ, anh/chị chưa cho phép thông báo. Anh/chị mở cài đặt của trang, cho phép “Thông báo”, rồi bật lại giúp em.';
            return;
          }
          let subscription = await registration.pushManager.getSubscription();
          if (!subscription) {
            const key = await api('/api/push/vapid-public-key');
            subscription = await registration.pushManager.subscribe({
              userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key.public_key),
            });
          }
          await api('/api/push/subscriptions', {
            method: 'POST', json: { subscription: subscription.toJSON(), dossier_code: code, tracking_token: token },
          });
          if (registration.active) registration.active.postMessage({ type: 'push-endpoint', endpoint: subscription.endpoint });
          set(true);
          status.textContent = 'Đã bật thông báo. Điện thoại sẽ báo khi hồ sơ có thay đổi.';
        } else {
          const subscription = await registration.pushManager.getSubscription();
          if (subscription) {
            await api('/api/push/subscriptions', {
              method: 'DELETE', json: { endpoint: subscription.endpoint, dossier_code: code, tracking_token: token },
            });
          }
          set(false);
          status.textContent = 'Đã tắt thông báo cho hồ sơ này.';
        }
      } catch (err) {
        status.textContent = err instanceof ApiError ? err.detail
          : 'Dạ, máy này chưa đăng ký nhận thông báo được (trình duyệt không kết nối được dịch vụ thông báo). Anh/chị thử lại sau giúp em.';
      } finally {
        toggle.disabled = false;
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': `${labelId}-h` },
      h('h2', { id: `${labelId}-h` }, 'Thông báo khi hồ sơ thay đổi'),
      h('div', { class: 'switch' }, h('span', { id: labelId }, 'Bật thông báo'), toggle),
      h('p', { class: 'hint' }, 'Điện thoại sẽ báo khi hồ sơ được tiếp nhận, cần bổ sung giấy tờ, cần nộp phí hoặc đã có kết quả.'),
      status);
  }

  function dossierDetails(d, action = null) {
    const warn = [5, 6].includes(d.status); // something is missing, or a fee to pay: the citizen must act
    return [
      h('p', {}, h('span', { class: 'badge' }, d.status_name)),
      h('div', { class: `notice${warn ? ' warn' : ''}` }, h('h2', {}, 'Việc anh/chị cần làm'), h('p', {}, d.next_step)),
      action,
      d.overdue ? h('div', { class: 'notice bad' }, h('p', {}, 'Hồ sơ đã quá ngày hẹn trả kết quả. Anh/chị có thể hỏi bộ phận một cửa của cơ quan.')) : null,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Thủ tục'), h('dd', {}, d.procedure_name),
        h('dt', {}, 'Ngày nộp'), h('dd', {}, fmtDateTime(d.received_at)),
        d.due_date ? [h('dt', {}, 'Ngày hẹn trả kết quả'), h('dd', {}, fmtDate(d.due_date))] : null,
        d.fee_vnd !== null && d.fee_vnd !== undefined ? [h('dt', {}, 'Phí, lệ phí'), h('dd', {}, d.fee_vnd ? money(d.fee_vnd) : 'Không mất phí')] : null,
        h('dt', {}, 'Cách nhận kết quả'), h('dd', {}, DELIVERY[d.delivery] || d.delivery),
        d.return_address ? [h('dt', {}, 'Địa chỉ nhận kết quả'), h('dd', {}, d.return_address)] : null),
      h('h2', {}, 'Quá trình xử lý'),
      h('ol', { class: 'timeline' }, [...d.history].reverse().map((e, i) => h('li', { class: i === 0 ? 'now' : null },
        h('strong', {}, e.status_name), h('span', { class: 'when' }, fmtDateTime(e.at)),
        e.note ? h('span', {}, e.note) : null))),
    ];
  }

  // Status 5 (Yêu cầu bổ sung): the citizen sends what is missing from the same page.
  function supplementCard(d, token) {
    const files = [];
    const list = h('ul', {});
    const status = h('p', { role: 'status' });
    const error = h('div', {});
    const note = h('textarea', { id: 'supplement-note', maxlength: '1000' });
    const picker = h('input', {
      type: 'file', id: 'supplement-files', multiple: true, accept: 'application/pdf,image/jpeg,image/png',
      'aria-describedby': 'supplement-hint',
      onchange: async (ev) => {
        for (const file of ev.target.files) {
          status.textContent = `Đang tải lên “${file.name}”…`;
          const body = new FormData();
          body.append('file', file);
          try {
            const ref = await api(`/api/dossiers/${enc(d.code)}/attachments`, { method: 'POST', form: body, headers: { 'X-Tracking-Token': token } });
            files.push(ref);
            list.append(h('li', {}, `${ref.name} (${Math.max(1, Math.round(ref.size / 1024))} KB)`));
            status.textContent = `Đã tải lên “${ref.name}”.`;
          } catch (err) {
            status.textContent = err.detail;
          }
        }
        ev.target.value = '';
      },
    });
    const request = [...d.history].reverse().find((e) => e.status === 5);
    return h('section', { class: 'card', 'aria-labelledby': 'supplement-h' },
      h('h2', { id: 'supplement-h' }, 'Gửi giấy tờ bổ sung'),
      request && request.note ? h('p', {}, `Cơ quan yêu cầu: ${request.note}`) : null,
      error,
      h('form', {
        novalidate: true,
        onsubmit: async (ev) => {
          ev.preventDefault();
          error.replaceChildren();
          try {
            await api(`/api/dossiers/${enc(d.code)}/supplement`, {
              method: 'POST', headers: { 'X-Tracking-Token': token },
              json: { note: note.value.trim() || null, attachments: files.map((f) => f.id) },
            });
            announce('Đã gửi giấy tờ bổ sung.');
            render();
          } catch (err) {
            const summary = errorSummary([{ text: err.detail, href: '#supplement-files' }]);
            error.replaceChildren(summary);
            summary.focus();
          }
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'supplement-files' }, 'Giấy tờ bổ sung'),
        h('p', { class: 'hint', id: 'supplement-hint' }, 'Ảnh chụp rõ nét hoặc tệp PDF, mỗi tệp tối đa 10 MB.'),
        picker, list, status),
      h('div', { class: 'field' }, h('label', { for: 'supplement-note' }, 'Ghi chú cho cơ quan (không bắt buộc)'), note),
      h('button', { type: 'submit' }, 'Gửi bổ sung')));
  }

  function lookupForm(code) {
    const out = h('div', {});
    const codeInput = h('input', { type: 'text', id: 'lookup-code', value: code || '', autocomplete: 'off', spellcheck: 'false', maxlength: '60' });
    const phoneInput = h('input', { type: 'tel', id: 'lookup-phone', autocomplete: 'tel', maxlength: '20' });
    return h('section', { 'aria-labelledby': 'lookup-h' },
      h('h2', { id: 'lookup-h' }, 'Tra cứu bằng mã hồ sơ'),
      h('form', {
        novalidate: true,
        onsubmit: async (ev) => {
          ev.preventDefault();
          if (!codeInput.value.trim() || !phoneInput.value.trim()) {
            out.replaceChildren(errorSummary([{ text: 'Dạ, anh/chị nhập cả mã hồ sơ và số điện thoại giúp em.', href: codeInput.value.trim() ? '#lookup-phone' : '#lookup-code' }]));
            out.firstChild.focus();
            return;
          }
          try {
            const d = await api('/api/dossiers/lookup', { method: 'POST', json: { code: codeInput.value.trim(), phone: phoneInput.value.trim() } });
            out.replaceChildren(h('h3', {}, `Hồ sơ ${d.code}`), ...dossierDetails(d),
              h('p', { class: 'hint' }, 'Để bật thông báo, anh/chị mở đường dẫn hoặc quét mã QR trên giấy tiếp nhận hồ sơ.'));
          } catch (err) {
            out.replaceChildren(h('div', { class: 'notice bad', role: 'alert' }, h('p', {}, err.detail)));
          }
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'lookup-code' }, 'Mã hồ sơ'), h('p', { class: 'hint' }, 'In trên giấy tiếp nhận hồ sơ.'), codeInput),
      h('div', { class: 'field' }, h('label', { for: 'lookup-phone' }, 'Số điện thoại đã khai khi nộp'), phoneInput),
      h('button', { type: 'submit' }, 'Tra cứu')), out);
  }

  route(/^\/ho-so$/, 'dossiers', async () => {
    const mine = Object.entries(dossiers());
    const open = Object.entries(drafts()).filter(([, d]) => !d.dossier_code && d.token);
    const parts = [h('h1', {}, 'Hồ sơ của tôi')];
    if (mine.length) {
      parts.push(h('h2', {}, 'Hồ sơ đã nộp trên máy này'), h('ul', { class: 'results' }, mine.map(([code, d]) => h('li', {},
        h('a', { class: 'item', href: `#/ho-so/${enc(code)}` }, h('span', { class: 'name' }, `Hồ sơ ${code}`),
          h('span', {}, d.dossier ? d.dossier.procedure_name : ''), ' ',
          d.dossier ? h('span', { class: 'badge' }, d.dossier.status_name) : null)))));
    } else {
      parts.push(h('p', {}, 'Máy này chưa nộp hồ sơ nào. Hồ sơ anh/chị nộp qua ứng dụng sẽ hiện ở đây.'));
    }
    if (open.length) {
      parts.push(h('h2', {}, 'Tờ khai đang điền dở'), h('ul', { class: 'results' }, open.map(([id, d]) => h('li', {},
        h('a', { class: 'item', href: `#/nhap/${enc(id)}` }, h('span', { class: 'name' }, d.procedure_name || 'Tờ khai'),
          h('span', { class: 'muted' }, `Lưu lúc ${fmtDateTime(d.saved_at)}`))))));
    }
    parts.push(lookupForm());
    return frag(...parts);
  });

  route(/^\/ho-so\/([^/]+)$/, 'dossiers', async ({ params: [code], query }) => {
    const fromLink = query.get('t');
    if (fromLink) rememberDossier(code, { token: fromLink });
    const token = fromLink || (dossiers()[code] || {}).token;
    if (!token) {
      return frag(h('h1', {}, `Hồ sơ ${code}`),
        h('p', {}, 'Máy này chưa có đường dẫn theo dõi của hồ sơ. Anh/chị tra cứu bằng số điện thoại đã khai khi nộp.'),
        lookupForm(code));
    }
    const d = await api(`/api/dossiers/${enc(code)}`, { headers: { 'X-Tracking-Token': token } });
    rememberDossier(code, { dossier: d });
    if (fromLink) history.replaceState(null, '', `#/ho-so/${enc(code)}`);
    return frag(
      h('p', { class: 'caption' }, d.procedure_name),
      h('h1', {}, `Hồ sơ ${d.code}`),
      ...dossierDetails(d, d.status === 5 ? supplementCard(d, token) : null),
      pushCard(code, token),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => render() }, 'Cập nhật'),
        h('a', { class: 'button secondary', href: `/api/dossiers/${enc(code)}/receipt.pdf?token=${enc(token)}`, target: '_blank', rel: 'noopener' }, 'Giấy tiếp nhận (PDF)')));
  });

  /* ---- one-stop desk: its screens load only when a volunteer opens them (assets/desk.js) -- */
  let deskLoaded = null;
  function loadDesk() {
    deskLoaded = deskLoaded || new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `/assets/desk.js?v=${document.body.dataset.build}`;
      script.onload = resolve;
      script.onerror = () => {
        deskLoaded = null;
        reject(new ApiError(0, 'Không có mạng', OFFLINE));
      };
      document.head.append(script);
    });
    return deskLoaded;
  }
  // What desk.js builds its screens with; its routes go before this placeholder.
  window.DVC = {
    h, api, go, render, announce, nextId, frag, fmtDateTime, errorSummary, dossierDetails,
    route: (pattern, tab, view) => routes.unshift({ pattern, tab, view }),
    onLeave: (fn) => { leaveView = fn; },
  };
  route(/^\/ban-ho-tro(\/.*)?$/, 'desk', async () => {
    await loadDesk();
    render();
    return null;
  });

  /* ---- app frame: service worker, install, off-line ------------------------------------- */
  const offlineBanner = document.getElementById('offline');
  function syncOnline() {
    offlineBanner.hidden = navigator.onLine;
    if (navigator.onLine) flushPending();
  }
  window.addEventListener('online', syncOnline);
  window.addEventListener('offline', syncOnline);

  let installPrompt = null;
  const installButton = document.getElementById('install');
  window.addEventListener('beforeinstallprompt', (ev) => {
    ev.preventDefault();
    installPrompt = ev;
    installButton.hidden = false;
  });
  installButton.addEventListener('click', async () => {
    if (!installPrompt) return;
    installPrompt.prompt();
    await installPrompt.userChoice.catch(() => null);
    installPrompt = null;
    installButton.hidden = true;
  });

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err) => console.warn('service worker', err));
    navigator.serviceWorker.addEventListener('message', (ev) => {
      const data = ev.data || {};
      if (data.type === 'dossier-updated' && data.code && parseHash().path === `/ho-so/${data.code}`) render();
    });
  }

  window.addEventListener('hashchange', render);
  syncOnline();
  render();
})();
