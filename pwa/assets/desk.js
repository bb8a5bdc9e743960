/* Trợ lý DVC — the one-stop desk's screens (volunteers): login, live queue, a conversation,
 * call-backs, labelling what the bot missed, figures. Loaded by app.js only when a desk page is
 * opened, so citizens' phones never download it. */
'use strict';

(() => {
  const {
    h, api, go, render, announce, nextId, frag, fmtDateTime, errorSummary, dossierDetails, route, onLeave,
  } = window.DVC;

  let deskMe = null; // {username, display_name, role, on_duty, csrf_token} while signed in

  function deskApi(path, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (deskMe && options.method && options.method !== 'GET') headers['X-CSRF-Token'] = deskMe.csrf_token;
    return api(path, { ...options, headers });
  }

  async function signedIn() {
    if (deskMe) return deskMe;
    try {
      deskMe = await api('/api/desk/me');
    } catch (err) {
      if (err.status !== 401) throw err;
      deskMe = null;
    }
    return deskMe;
  }

  async function requireDesk() {
    if (await signedIn()) return deskMe;
    go('#/ban-ho-tro/dang-nhap', { replace: true });
    return null;
  }

  function deskNav(current) {
    const links = [['#/ban-ho-tro', 'Hàng chờ'], ['#/ban-ho-tro/goi-lai', 'Gọi lại'], ['#/ban-ho-tro/gan-nhan', 'Dạy trợ lý'],
      ['#/thu-tuc', 'Điền hộ tờ khai']];
    if (deskMe && deskMe.role === 'admin') links.push(['#/ban-ho-tro/so-lieu', 'Số liệu']);
    return h('nav', { class: 'desk-nav', 'aria-label': 'Bàn hỗ trợ' }, h('ul', {}, links.map(([href, label]) => h('li', {},
      h('a', { href, 'aria-current': href === current ? 'page' : null }, label)))));
  }

  route(/^\/ban-ho-tro\/dang-nhap$/, 'desk', async () => {
    const error = h('div', {});
    const user = h('input', { type: 'text', id: 'desk-user', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', maxlength: '64' });
    const pass = h('input', { type: 'password', id: 'desk-pass', autocomplete: 'current-password', maxlength: '200' });
    return frag(h('h1', {}, 'Đăng nhập bàn hỗ trợ'),
      h('p', {}, 'Dành cho tình nguyện viên tại bộ phận một cửa.'), error,
      h('form', {
        novalidate: true,
        onsubmit: async (ev) => {
          ev.preventDefault();
          try {
            deskMe = await api('/api/desk/login', { method: 'POST', json: { username: user.value, password: pass.value } });
            go('#/ban-ho-tro');
          } catch (err) {
            const summary = errorSummary([{ text: err.detail, href: '#desk-user' }]);
            error.replaceChildren(summary);
            summary.focus();
          }
        },
      },
      h('div', { class: 'field' }, h('label', { for: 'desk-user' }, 'Tên đăng nhập'), user),
      h('div', { class: 'field' }, h('label', { for: 'desk-pass' }, 'Mật khẩu'), pass),
      h('button', { type: 'submit' }, 'Đăng nhập')));
  });

  function waited(seconds) {
    return seconds < 60 ? 'vừa xong' : `${Math.floor(seconds / 60)} phút`;
  }

  route(/^\/ban-ho-tro$/, 'desk', async () => {
    if (!await requireDesk()) return null;
    const queueList = h('ul', { class: 'results' });
    const heldList = h('ul', { class: 'results' });
    const info = h('p', { class: 'muted', role: 'status' });
    const dutyLabel = nextId('duty');
    const dutyToggle = h('button', { type: 'button', role: 'switch', 'aria-labelledby': dutyLabel });
    const drawDuty = () => {
      dutyToggle.setAttribute('aria-checked', deskMe.on_duty ? 'true' : 'false');
      dutyToggle.textContent = deskMe.on_duty ? 'Đang trực' : 'Nghỉ';
    };
    dutyToggle.addEventListener('click', async () => {
      deskMe = await deskApi('/api/desk/duty', { method: 'POST', json: { on: !deskMe.on_duty } });
      drawDuty();
    });
    drawDuty();

    function draw(snapshot) {
      const waiting = snapshot.queue.filter((q) => q.state === 'waiting');
      const held = snapshot.queue.filter((q) => q.state === 'live');
      info.textContent = `${snapshot.on_duty} tình nguyện viên đang trực. ${snapshot.desk_hours_now ? 'Đang trong giờ làm việc.' : 'Ngoài giờ làm việc: người dân được mời để lại số điện thoại.'} ${snapshot.callbacks_open} người chờ gọi lại.`;
      queueList.replaceChildren(...(waiting.length ? waiting.map((q) => h('li', { class: 'card' },
        h('h3', {}, `Người dân số ${q.position} – chờ ${waited(q.waited_seconds)}`),
        h('p', { class: 'muted' }, q.reason === 'asked' ? 'Người dân muốn gặp người thật.' : 'Trợ lý chưa hiểu câu hỏi.'),
        q.last_message ? h('p', {}, `“${q.last_message}”`) : null,
        h('button', {
          type: 'button',
          onclick: async (ev) => {
            ev.target.disabled = true;
            try {
              await deskApi(`/api/desk/handoffs/${q.id}/take`, { method: 'POST', json: {} });
              go(`#/ban-ho-tro/tro-chuyen/${q.id}`);
            } catch (err) {
              ev.target.replaceWith(h('p', { class: 'error-message' }, err.detail));
            }
          },
        }, 'Nhận hỗ trợ'))) : [h('li', {}, h('p', {}, 'Chưa có ai chờ.'))]));
      heldList.replaceChildren(...held.map((q) => h('li', {}, h('a', { class: 'item', href: `#/ban-ho-tro/tro-chuyen/${q.id}` },
        h('span', { class: 'name' }, `Đang hỗ trợ: người dân ${q.sender_id.slice(-4)}`),
        q.last_message ? h('span', {}, `“${q.last_message}”`) : null))));
    }

    draw(await deskApi('/api/desk/queue'));
    const events = new EventSource('/api/desk/events');
    events.addEventListener('desk', (ev) => draw(JSON.parse(ev.data)));
    onLeave(() => events.close());
    return frag(
      deskNav('#/ban-ho-tro'),
      h('h1', {}, 'Bàn hỗ trợ'),
      h('div', { class: 'card switch' }, h('span', { id: dutyLabel }, `Xin chào ${deskMe.display_name}. Ca trực:`), dutyToggle),
      info,
      h('h2', {}, 'Hàng chờ'), queueList,
      h('h2', {}, 'Đang hỗ trợ'), heldList,
      h('p', {}, h('button', {
        type: 'button', class: 'link',
        onclick: async () => {
          await deskApi('/api/desk/logout', { method: 'POST', json: {} }).catch(() => null);
          deskMe = null;
          go('#/ban-ho-tro/dang-nhap');
        },
      }, 'Đăng xuất')));
  });

  route(/^\/ban-ho-tro\/tro-chuyen\/(\d+)$/, 'desk', async ({ params: [id] }) => {
    if (!await requireDesk()) return null;
    const list = h('ol', { class: 'chat-log' });
    const log = h('div', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Trò chuyện với người dân' }, list);
    const shared = h('div', {});
    let cursor = 0;
    function add(messages) {
      for (const m of messages) {
        cursor = Math.max(cursor, m.id);
        const who = m.direction === 'in' ? 'Người dân' : (m.author || 'Trợ lý');
        list.append(h('li', { class: `msg ${m.direction === 'in' ? 'bot' : 'user'}` },
          h('span', { class: 'who' }, `${who} · ${fmtDateTime(m.at).split(',')[0]}`), h('div', { class: 'bubble' }, m.text)));
      }
      if (messages.length && list.lastElementChild) list.lastElementChild.scrollIntoView({ block: 'end' });
    }
    async function refresh() {
      add(await deskApi(`/api/desk/handoffs/${id}/messages?after=${cursor}`));
      const dossiersSeen = await deskApi(`/api/desk/handoffs/${id}/dossiers`);
      shared.replaceChildren(...dossiersSeen.map((d) => h('section', { class: 'card' },
        h('h2', {}, `Hồ sơ ${d.code} (người dân cho xem)`), ...dossierDetails(d))));
    }
    add(await deskApi(`/api/desk/handoffs/${id}/messages`));
    await refresh();
    const events = new EventSource('/api/desk/events');
    events.addEventListener('desk', async (ev) => {
      const item = JSON.parse(ev.data).queue.find((q) => String(q.id) === id);
      if (!item) {
        events.close();
        list.append(h('li', { class: 'msg bot' }, h('div', { class: 'bubble' }, 'Cuộc trò chuyện đã kết thúc.')));
        return;
      }
      if (item.last_message_id && item.last_message_id > cursor) await refresh().catch(() => null);
    });
    onLeave(() => events.close());
    const input = h('textarea', { id: 'desk-say', rows: '2', maxlength: '2000' });
    const form = h('form', {
      class: 'composer',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        try {
          add([await deskApi(`/api/desk/handoffs/${id}/messages`, { method: 'POST', json: { text } })]);
          input.value = '';
        } catch (err) {
          announce(err.detail);
        }
        input.focus();
      },
    }, h('div', { class: 'grow' }, h('label', { for: 'desk-say' }, 'Nhắn cho người dân'), input), h('button', { type: 'submit' }, 'Gửi'));
    return frag(
      deskNav(null),
      h('h1', {}, 'Trò chuyện với người dân'),
      h('p', { class: 'hint' }, 'Số căn cước và số điện thoại trong lịch sử đã được che bớt.'),
      log, form, shared,
      h('div', { class: 'actions' }, h('button', {
        type: 'button', class: 'secondary',
        onclick: async () => {
          await deskApi(`/api/desk/handoffs/${id}/release`, { method: 'POST', json: {} });
          go('#/ban-ho-tro');
        },
      }, 'Trả lại cho trợ lý')));
  });

  route(/^\/ban-ho-tro\/goi-lai$/, 'desk', async () => {
    if (!await requireDesk()) return null;
    const items = await deskApi('/api/desk/callbacks');
    return frag(deskNav('#/ban-ho-tro/goi-lai'), h('h1', {}, 'Người dân cần gọi lại'),
      items.length ? h('ul', { class: 'results' }, items.map((c) => h('li', { class: 'card' },
        h('p', {}, h('a', { href: `tel:${c.phone}` }, c.phone), ` – để lại lúc ${fmtDateTime(c.created_at)}`),
        c.note ? h('p', {}, `“${c.note}”`) : null,
        h('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            await deskApi(`/api/desk/callbacks/${c.id}/done`, { method: 'POST', json: {} });
            render();
          },
        }, `Đã gọi ${c.phone}`)))) : h('p', {}, 'Không có ai chờ gọi lại.'));
  });

  route(/^\/ban-ho-tro\/gan-nhan$/, 'desk', async () => {
    if (!await requireDesk()) return null;
    const [items, intents] = await Promise.all([deskApi('/api/desk/review?labelled=false'), deskApi('/api/desk/intents')]);
    const parts = [deskNav('#/ban-ho-tro/gan-nhan'), h('h1', {}, 'Dạy trợ lý'),
      h('p', {}, 'Đây là những câu trợ lý chưa hiểu hoặc người dân muốn gặp người thật. Anh/chị chọn đúng ý của người dân (và mã thủ tục nếu có) để lần huấn luyện sau trợ lý hiểu được.')];
    if (deskMe.role === 'admin') {
      parts.push(h('p', {}, h('a', { class: 'button secondary', href: '/api/desk/review/export', download: 'desk_labelled.yml' }, 'Tải dữ liệu huấn luyện (nlu_data)')));
    }
    parts.push(items.length ? h('ul', { class: 'results' }, items.map((m) => {
      const sel = h('select', { id: `intent-${m.id}` }, h('option', { value: '' }, '— Chọn ý định —'), intents.map((i) => h('option', { value: i }, i)));
      const code = h('input', { type: 'text', id: `proc-${m.id}`, maxlength: '40', inputmode: 'decimal', placeholder: 'ví dụ 1.001193' });
      const status = h('p', { role: 'status' });
      return h('li', { class: 'card' },
        h('p', {}, h('strong', {}, `“${m.text}”`)),
        h('p', { class: 'muted' }, m.review === 'asked' ? 'Người dân muốn gặp người thật' : 'Trợ lý chưa hiểu'),
        h('form', {
          novalidate: true,
          onsubmit: async (ev) => {
            ev.preventDefault();
            try {
              await deskApi(`/api/desk/review/${m.id}`, { method: 'POST', json: { intent: sel.value, procedure_code: code.value.trim() || null } });
              status.textContent = 'Đã lưu nhãn.';
            } catch (err) {
              status.textContent = err.detail;
            }
          },
        },
        h('div', { class: 'field' }, h('label', { for: `intent-${m.id}` }, 'Ý định'), sel),
        h('div', { class: 'field' }, h('label', { for: `proc-${m.id}` }, 'Mã thủ tục (nếu có)'), code),
        h('button', { type: 'submit' }, 'Lưu nhãn')), status);
    })) : h('p', {}, 'Không còn câu nào cần gán nhãn.'));
    return frag(...parts);
  });

  function barChart(title, rows) {
    // rows: [[label, value]]; an SVG drawn here (no chart library), with the numbers as text too.
    const max = Math.max(1, ...rows.map((r) => r[1]));
    const rowH = 28;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 320 ${rows.length * rowH}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${title}: ${rows.map((r) => `${r[0]} ${r[1]}`).join(', ')}`);
    rows.forEach(([label, value], i) => {
      const bar = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      bar.setAttribute('x', '120');
      bar.setAttribute('y', String(i * rowH + 4));
      bar.setAttribute('height', String(rowH - 8));
      bar.setAttribute('width', String(Math.max(2, (170 * value) / max)));
      bar.setAttribute('fill', '#0b5cab');
      const text = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      text.setAttribute('x', '0');
      text.setAttribute('y', String(i * rowH + rowH / 2 + 5));
      text.setAttribute('font-size', '13');
      text.textContent = `${String(label).slice(0, 16)}: ${value}`;
      svg.append(bar, text);
    });
    return h('figure', { class: 'chart' }, svg, h('figcaption', {}, title));
  }

  route(/^\/ban-ho-tro\/so-lieu$/, 'desk', async ({ query }) => {
    if (!await requireDesk()) return null;
    const days = Number(query.get('ngay')) || 30;
    const s = await deskApi(`/api/stats?days=${days}`);
    const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1).replace('.', ',')} %`);
    return frag(deskNav('#/ban-ho-tro/so-lieu'), h('h1', {}, `Số liệu ${days} ngày qua`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Cuộc trò chuyện'), h('dd', {}, String(s.conversations)),
        h('dt', {}, 'Tin nhắn của người dân'), h('dd', {}, String(s.messages)),
        h('dt', {}, 'Tỉ lệ trợ lý chưa hiểu'), h('dd', {}, pct(s.fallback_rate)),
        h('dt', {}, 'Chuyển cho tình nguyện viên'), h('dd', {}, `${s.handoffs} lần (${pct(s.handoff_rate)} cuộc trò chuyện); ${s.missed_handoffs} lần không có ai trực`),
        h('dt', {}, 'Thời gian chờ'), h('dd', {}, s.wait_seconds_p50 === null ? '—' : `trung vị ${Math.round(s.wait_seconds_p50)} giây, 90 % dưới ${Math.round(s.wait_seconds_p90)} giây`),
        h('dt', {}, 'Hài lòng'), h('dd', {}, `${pct(s.helped_rate)} nhận được thông tin cần; điểm trung bình ${s.rating_average === null ? '—' : String(s.rating_average).replace('.', ',')} / 5 (${s.feedback_count} đánh giá)`),
        h('dt', {}, 'Người chờ gọi lại'), h('dd', {}, String(s.callbacks_open))),
      h('h2', {}, 'Đánh giá theo số sao'),
      barChart('Số đánh giá theo số sao', [1, 2, 3, 4, 5].map((n) => [`${n} sao`, s.ratings[String(n)] || 0])),
      h('h2', {}, 'Thủ tục được hỏi nhiều nhất'),
      s.top_procedures.length ? barChart('Số lần hỏi theo thủ tục', s.top_procedures.map((p) => [p.name, p.count]))
        : h('p', {}, 'Chưa có số liệu.'),
      s.top_procedures.length ? h('ol', {}, s.top_procedures.map((p) => h('li', {}, `${p.name} (${p.code}): ${p.count}`))) : null);
  });

})();
