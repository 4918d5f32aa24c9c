/* Handoff inbox of the staff console: live queue, live transcript, replies without reloading.
   Plain JavaScript, no libraries; every text is inserted with textContent (never as HTML). */
(function () {
  "use strict";

  var QUEUE_POLL_MS = 3000;
  var TRANSCRIPT_POLL_MS = 2000;
  var OFFLINE = "Mất kết nối hoặc phiên đăng nhập đã hết; xin tải lại trang.";

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  function minutesSince(iso) {
    var since = Date.parse(iso);
    return isNaN(since) ? 0 : Math.max(0, Math.floor((Date.now() - since) / 60000));
  }

  function refreshWaited() {
    var spans = document.querySelectorAll(".waited[data-since]");
    for (var i = 0; i < spans.length; i++) {
      spans[i].textContent = minutesSince(spans[i].getAttribute("data-since")) + " phút";
    }
  }

  /* ------------------------------------------------------------------ queue */
  function waitingRow(item, csrf) {
    var row = make("tr");
    row.setAttribute("data-id", item.id);
    var waited = make("span", "waited", item.waited + " phút");
    waited.setAttribute("data-since", item.since);
    var first = make("td");
    first.appendChild(waited);
    row.appendChild(first);
    row.appendChild(make("td", "", item.channel));
    row.appendChild(make("td", "", item.procedure));
    row.appendChild(make("td", "", item.province));
    row.appendChild(make("td", "", item.reason));
    var who = make("td", "", item.name);
    who.appendChild(make("div", "small muted value", item.identifier));
    row.appendChild(who);
    row.appendChild(make("td", "small", item.preview));
    var actions = make("td", "row-actions");
    var form = make("form", "inline");
    form.method = "post";
    form.action = "/console/handoffs/" + item.id + "/claim";
    var token = make("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrf;
    form.appendChild(token);
    var button = make("button", "primary claim", "Nhận");
    button.type = "submit";
    form.appendChild(button);
    actions.appendChild(form);
    actions.appendChild(document.createTextNode(" "));
    var link = make("a", "", "Xem");
    link.href = item.url;
    actions.appendChild(link);
    row.appendChild(actions);
    return row;
  }

  function fillList(listId, emptyId, items, detail) {
    var list = document.getElementById(listId);
    var empty = document.getElementById(emptyId);
    if (!list) return;
    list.textContent = "";
    items.forEach(function (item) {
      var entry = make("li");
      var link = make("a", "", "#" + item.id + " · " + item.procedure);
      link.href = item.url;
      entry.appendChild(link);
      entry.appendChild(document.createTextNode(" "));
      entry.appendChild(make("span", "muted small", detail(item)));
      list.appendChild(entry);
    });
    if (empty) empty.hidden = items.length > 0;
  }

  /* A new request: the count in the tab's title and a short sound (which staff can turn off). */
  var SOUND_KEY = "bhxh_inbox_sound";
  var baseTitle = document.title;

  function soundOn() { return window.localStorage.getItem(SOUND_KEY) !== "off"; }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !soundOn()) return;
    try {
      var context = new Context();
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.08;
      tone.connect(gain);
      gain.connect(context.destination);
      tone.start();
      tone.stop(context.currentTime + 0.25);
      window.__inboxBeeps = (window.__inboxBeeps || 0) + 1;
    } catch (e) { /* no sound on this machine */ }
  }

  function setupSoundToggle() {
    var toggle = document.getElementById("sound-toggle");
    if (!toggle) return;
    function show() {
      toggle.setAttribute("aria-pressed", soundOn() ? "true" : "false");
      toggle.textContent = soundOn() ? "Âm báo: bật" : "Âm báo: tắt";
    }
    toggle.addEventListener("click", function () {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      show();
    });
    show();
  }

  function alertWaiting(count, previous) {
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    if (previous !== null && count > previous) beep();
  }

  function setupQueue(root) {
    var url = root.getAttribute("data-queue-url");
    var csrf = root.getAttribute("data-csrf");
    var body = root.querySelector("#waiting-table tbody");
    var waiting = Number(document.getElementById("waiting-count").textContent) || 0;
    alertWaiting(waiting, null);
    setupSoundToggle();
    function render(data) {
      alertWaiting(data.waiting.length, waiting);
      waiting = data.waiting.length;
      body.textContent = "";
      data.waiting.forEach(function (item) { body.appendChild(waitingRow(item, csrf)); });
      document.getElementById("waiting-count").textContent = data.waiting.length;
      document.getElementById("waiting-empty").hidden = data.waiting.length > 0;
      var count = document.getElementById("callback-count");
      if (count) count.textContent = data.callbacks;
      fillList("mine-list", "mine-empty", data.mine, function (i) {
        return i.channel + " · " + i.province;
      });
      fillList("others-list", "others-empty", data.others, function (i) {
        return i.staff + " · " + i.channel;
      });
    }
    function poll() {
      getJson(url).then(render).catch(function () { /* the next round tries again */ });
    }
    window.setInterval(poll, QUEUE_POLL_MS);
  }

  /* ------------------------------------------------------------- transcript */
  function messageNode(m) {
    var node = make("div", "msg msg-" + m.author);
    node.id = "msg-" + m.id;
    node.setAttribute("data-id", m.id);
    node.setAttribute("data-delivery", m.delivery || "");
    var meta = make("div", "meta");
    meta.appendChild(make("span", "who", m.author_label + (m.staff ? " · " + m.staff : "")));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(make("time", "", m.at));
    node.appendChild(meta);
    node.appendChild(make("div", "text", m.text));
    if (m.attachments && m.attachments.length) {
      var list = make("ul", "atts");
      m.attachments.forEach(function (a) {
        var entry = make("li");
        if (a.url) {
          var link = make("a", "", a.name);
          link.href = a.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          entry.appendChild(link);
        } else {
          entry.textContent = a.name;
        }
        list.appendChild(entry);
      });
      node.appendChild(list);
    }
    if (m.delivery) {
      var state = make("div", "delivery d-" + m.delivery, m.delivery_label);
      if (m.reason && m.delivery === "delivered") {
        state.appendChild(document.createTextNode(" · "));
        state.appendChild(make("span", "note", m.reason));
      } else if (m.reason) {
        state.appendChild(document.createTextNode(": "));
        state.appendChild(make("span", "reason", m.reason));
      }
      if (m.delivery === "failed") {
        state.appendChild(document.createTextNode(" "));
        var again = make("button", "link resend", "Soạn lại");
        again.type = "button";
        again.setAttribute("data-text", m.text);
        state.appendChild(again);
      }
      node.appendChild(state);
    }
    return node;
  }

  function setupConversation(box) {
    var url = box.getAttribute("data-poll-url");
    var after = Number(box.getAttribute("data-after")) || 0;
    var pending = {};
    var status = document.getElementById("poll-status");
    var form = document.getElementById("reply-form");
    var text = document.getElementById("reply-text");
    var replyStatus = document.getElementById("reply-status");
    var timer = null;

    Array.prototype.forEach.call(box.querySelectorAll('.msg[data-delivery="pending"]'), function (n) {
      pending[n.getAttribute("data-id")] = true;
    });

    function nearBottom() {
      return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    }

    function show(m) {
      var old = document.getElementById("msg-" + m.id);
      var settled = old && old.getAttribute("data-delivery") !== "pending";
      if (old && settled && m.delivery === "pending") return; // never step back
      var stick = nearBottom();
      var node = messageNode(m);
      if (old) {
        box.replaceChild(node, old);
      } else {
        box.appendChild(node);
      }
      if (m.delivery === "pending") {
        pending[m.id] = true;
      } else {
        delete pending[m.id];
      }
      if (stick || !old) box.scrollTop = box.scrollHeight;
    }

    function showNotices(items) {
      var list = document.getElementById("notices");
      if (!list || !items) return;
      list.textContent = "";
      items.forEach(function (n) {
        var entry = make("li", "notice n-" + n.state);
        entry.setAttribute("data-id", n.id);
        entry.appendChild(document.createTextNode(n.label + ": "));
        entry.appendChild(make("strong", "", n.text));
        if (n.reason) {
          entry.appendChild(document.createTextNode(" · "));
          entry.appendChild(make("span", "reason", n.reason));
        }
        list.appendChild(entry);
      });
    }

    function applyState(data) {
      showNotices(data.notices);
      var badge = document.getElementById("handoff-status");
      if (badge) {
        badge.textContent = data.status_label;
        badge.className = "badge big h-" + data.status;
      }
      if (form && !data.can_act) {
        Array.prototype.forEach.call(form.elements, function (e) { e.disabled = true; });
        if (replyStatus) {
          replyStatus.textContent = data.ended ||
            "Cuộc trò chuyện không còn do ông/bà phụ trách (" +
            data.status_label.toLowerCase() + ").";
        }
      }
      if (data.status !== "waiting" && data.status !== "claimed" && timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
    }

    function poll() {
      var ids = Object.keys(pending);
      var query = "?after=" + after + (ids.length ? "&pending=" + ids.join(",") : "");
      getJson(url + query).then(function (data) {
        data.messages.forEach(function (m) {
          show(m);
          after = Math.max(after, m.id);
        });
        data.updates.forEach(show);
        applyState(data);
        if (status) status.textContent = "";
      }).catch(function () {
        if (status) status.textContent = OFFLINE;
      });
    }

    box.scrollTop = box.scrollHeight;
    if (box.getAttribute("data-open") === "1") {
      timer = window.setInterval(poll, TRANSCRIPT_POLL_MS);
    }

    box.addEventListener("click", function (event) {
      var target = event.target;
      if (target && target.classList && target.classList.contains("resend") && text) {
        text.value = target.getAttribute("data-text") || "";
        text.focus();
      }
    });

    if (!form || !text) return;

    var templates = document.querySelectorAll("#reply-templates .template");
    Array.prototype.forEach.call(templates, function (button) {
      button.addEventListener("click", function () {
        var insert = button.getAttribute("data-text") || "";
        text.value = text.value.trim() ? text.value.replace(/\s*$/, " ") + insert : insert;
        text.focus();
      });
    });

    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) return;
      var send = document.getElementById("reply-send");
      send.disabled = true;
      replyStatus.textContent = "Đang gửi…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok && result.data.message) {
          var m = result.data.message;
          show(m);
          text.value = "";
          replyStatus.textContent = m.delivery === "delivered"
            ? "Đã gửi tới người dân." + (m.reason ? " " + m.reason : "")
            : "Gửi không được: " + (m.reason || "không rõ lý do").replace(/\.?$/, ".");
        } else {
          replyStatus.textContent = result.data.error || "Không gửi được; xin thử lại.";
        }
      }).catch(function () {
        replyStatus.textContent = OFFLINE;
      }).then(function () {
        send.disabled = false;
      });
    });
  }

  var queue = document.getElementById("queue");
  if (queue) setupQueue(queue);
  var transcript = document.getElementById("transcript");
  if (transcript) setupConversation(transcript);
  window.setInterval(refreshWaited, 15000);
})();
