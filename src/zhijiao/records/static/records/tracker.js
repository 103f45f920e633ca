/* Zhijiao page tracker: reports learning on our own pages to the learning record store as xAPI 1.0.3
 * statements, authorised by the signed-in person's session. Plain ES2017, no build step, no third party.
 *
 * Included by records/_tracker.html, which renders the configuration (#zj-tracker-config) and this
 * script with the page's activity id, name, board and column as data attributes. It reports:
 *   - a page view (viewed) with the first-party visitor id;
 *   - every <video data-zj-video>: initialized, played, paused, seeked, progressed (heartbeat while
 *     playing), completed (share played >= threshold) and terminated, per the xAPI Video Profile;
 *   - every [data-zj-document]: progressed (share read, time spent) and completed when read through;
 *   - every <form data-zj-exercise>: attempted, answered per [data-zj-question], completed with the
 *     score, passed / failed.
 * The vocabulary is documented in docs/xapi.md ("Vocabulary the platform reads").
 *
 * Statements are batched and posted every few seconds, and at once with keepalive when the page is
 * hidden or left. Every statement carries an id made here, so re-sending one is harmless: unacknowledged
 * statements are kept in localStorage when the page goes away and sent again by the next page.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const configNode = document.getElementById("zj-tracker-config");
  if (!script || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  if (!config.actor) {
    // Not signed in: the LRS takes statements only from a session's own user, so the page reports just its
    // view, to the platform's anonymous page-view endpoint (records.visits), which names the visitor itself.
    if (config.pageViews) reportAnonymousView();
    return;
  }

  function reportAnonymousView() {
    const body = {
      id: uuid(), // a function declaration further down, hoisted
      activity: script.dataset.activityId || config.home + location.pathname,
      page: !script.dataset.activityId,
      name: (script.dataset.activityName || document.title).slice(0, 200),
      board: script.dataset.board || "",
      column: script.dataset.column || "",
    };
    const send = (attempt) => fetch(config.pageViews, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).then((r) => {
      if ((r.status === 429 || r.status >= 500) && attempt < 2) setTimeout(() => send(attempt + 1), 5000 * (attempt + 1));
    }, () => { if (attempt < 2) setTimeout(() => send(attempt + 1), 5000 * (attempt + 1)); });
    send(0);
  }

  const VIDEO = "https://w3id.org/xapi/video";
  const ADL = "http://adlnet.gov/expapi/verbs/";
  const VERBS = {
    viewed: "http://id.tincanapi.com/verb/viewed",
    initialized: ADL + "initialized",
    played: VIDEO + "/verbs/played",
    paused: VIDEO + "/verbs/paused",
    seeked: VIDEO + "/verbs/seeked",
    progressed: ADL + "progressed",
    completed: ADL + "completed",
    terminated: ADL + "terminated",
    attempted: ADL + "attempted",
    answered: ADL + "answered",
    passed: ADL + "passed",
    failed: ADL + "failed",
  };
  const TYPES = {
    page: "http://activitystrea.ms/schema/1.0/page",
    video: VIDEO + "/activity-type/video",
    document: "http://id.tincanapi.com/activitytype/document",
    assessment: "http://adlnet.gov/expapi/activities/assessment",
    question: "http://adlnet.gov/expapi/activities/cmi.interaction",
  };
  const EXT = {
    sessionId: VIDEO + "/extensions/session-id",
    length: VIDEO + "/extensions/length",
    completionThreshold: VIDEO + "/extensions/completion-threshold",
    time: VIDEO + "/extensions/time",
    progress: VIDEO + "/extensions/progress",
    playedSegments: VIDEO + "/extensions/played-segments",
    timeFrom: VIDEO + "/extensions/time-from",
    timeTo: VIDEO + "/extensions/time-to",
    readProgress: "https://w3id.org/xapi/cmi5/result/extensions/progress",
    visitor: "https://zhijiao.cn/xapi/extensions/visitor-id",
    board: "https://zhijiao.cn/xapi/extensions/board",
    column: "https://zhijiao.cn/xapi/extensions/column",
  };
  const MAX_BATCH = 50;
  const MAX_KEEPALIVE_BYTES = 60000; // browsers allow 64 KiB of keepalive bodies in flight
  const MAX_OUTBOX = 500;
  const OUTBOX_KEY = "zj-tracker-outbox:" + config.actor.account.name;

  const language = /^zh/i.test(config.language) ? "zh-CN" : config.language || "und";
  const page = {
    id: script.dataset.activityId || config.home + location.pathname,
    name: script.dataset.activityName || document.title,
    board: script.dataset.board || "",
    column: script.dataset.column || "",
  };

  // --- Statements ------------------------------------------------------------------------------------

  function uuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const round = (x) => Math.round(x * 1000) / 1000;
  const duration = (ms) => `PT${(Math.max(0, ms) / 1000).toFixed(2)}S`;

  function activity(id, name, type) {
    const definition = { name: { [language]: String(name || id).slice(0, 200) } };
    if (type) definition.type = type;
    return { objectType: "Activity", id, definition };
  }

  function statement(verb, object, result, extensions) {
    const context = { platform: "Zhijiao", language, extensions: { [EXT.visitor]: config.visitor } };
    if (page.board) context.extensions[EXT.board] = page.board;
    if (page.column) context.extensions[EXT.column] = page.column;
    Object.assign(context.extensions, extensions || {});
    if (object.id !== page.id) context.contextActivities = { parent: [{ objectType: "Activity", id: page.id }] };
    const s = {
      id: uuid(),
      actor: config.actor,
      verb: { id: VERBS[verb], display: { "en-US": verb } },
      object,
      context,
      timestamp: new Date().toISOString(),
    };
    if (result) s.result = result;
    return s;
  }

  // --- Sending ---------------------------------------------------------------------------------------

  let queue = [];
  const inFlight = new Set();
  let timer = null;
  let retryDelay = 2000;
  let halted = false; // the session is gone (401/403): keep everything for the next page

  function restoreOutbox() {
    try {
      const saved = JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
      localStorage.removeItem(OUTBOX_KEY);
      if (Array.isArray(saved)) queue = saved.concat(queue);
    } catch (e) {
      /* storage unavailable (private mode) or garbled: nothing to restore */
    }
  }

  function saveOutbox() {
    const unacknowledged = [...inFlight].flat().concat(queue).slice(-MAX_OUTBOX);
    try {
      if (unacknowledged.length) localStorage.setItem(OUTBOX_KEY, JSON.stringify(unacknowledged));
      else localStorage.removeItem(OUTBOX_KEY);
    } catch (e) {
      /* full or unavailable: the statements in flight may still arrive */
    }
  }

  function schedule(ms) {
    if (timer === null) timer = setTimeout(() => { timer = null; flush(false); }, ms);
  }

  function enqueue(s) {
    queue.push(s);
    if (queue.length >= MAX_BATCH) flush(false);
    else schedule(config.flush * 1000);
  }

  function takeBatch(leaving) {
    const batch = [];
    let bytes = 2;
    while (queue.length && batch.length < MAX_BATCH) {
      const size = JSON.stringify(queue[0]).length + 1;
      if (leaving && batch.length && bytes + size > MAX_KEEPALIVE_BYTES) break;
      batch.push(queue.shift());
      bytes += size;
    }
    return batch;
  }

  function post(batch, leaving) {
    inFlight.add(batch);
    const settle = (retry) => {
      inFlight.delete(batch);
      if (retry) queue = batch.concat(queue);
    };
    return fetch(config.endpoint, {
      method: "POST",
      credentials: "same-origin",
      keepalive: leaving,
      headers: {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
        "X-CSRFToken": config.csrf,
      },
      body: JSON.stringify(batch),
    }).then((response) => {
      if (response.ok) {
        settle(false);
        retryDelay = 2000;
      } else if (response.status === 401 || response.status === 403) {
        settle(true);
        halted = true;
        saveOutbox();
      } else if (response.status === 408 || response.status === 429 || response.status >= 500) {
        settle(true);
        retryDelay = Math.min(retryDelay * 2, 60000);
        schedule(retryDelay);
      } else {
        settle(false); // refused as invalid: sending it again cannot help
        console.warn("zhijiao tracker: statements refused", response.status);
      }
    }, () => {
      settle(true); // network failure: try again later with the same ids
      retryDelay = Math.min(retryDelay * 2, 60000);
      schedule(retryDelay);
    });
  }

  function flush(leaving) {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (halted) return;
    if (leaving) saveOutbox(); // whatever is not acknowledged survives the page
    const sent = [];
    while (queue.length) {
      sent.push(post(takeBatch(leaving), leaving));
      if (leaving) break; // one keepalive body; the rest waits in the outbox for the next page
    }
    return Promise.all(sent);
  }

  // --- Page view -------------------------------------------------------------------------------------

  function viewPage() {
    const object = activity(page.id, page.name, script.dataset.activityId ? null : TYPES.page);
    enqueue(statement("viewed", object));
  }

  // --- Video (xAPI Video Profile) --------------------------------------------------------------------

  function trackVideo(video) {
    const id = video.dataset.activityId || page.id;
    const object = activity(id, video.dataset.activityName || video.title || page.name, TYPES.video);
    const threshold = parseFloat(video.dataset.zjCompletionThreshold) || config.completion;
    let session, segments, openStart, lastTime, lastSeenAt, seekFrom, watchedMs, playingSince;
    let initialized, completed, terminated, heartbeat;

    function reset() {
      session = uuid();
      segments = [];
      openStart = null; // playhead where the segment being played began
      lastTime = video.currentTime || 0; // last playhead seen outside a seek ...
      lastSeenAt = performance.now(); // ... and when
      seekFrom = null;
      watchedMs = 0;
      playingSince = null;
      initialized = completed = terminated = false;
      heartbeat = null;
    }

    const length = () => (Number.isFinite(video.duration) ? round(video.duration) : 0);

    function closeSegment(at) {
      if (openStart !== null && at > openStart) segments.push([openStart, at]);
      openStart = null;
    }

    function played() {
      const list = segments.slice();
      if (openStart !== null && lastTime > openStart) list.push([openStart, lastTime]);
      return list;
    }

    function progress() {
      const total = length();
      if (!total) return 0;
      let covered = 0;
      let reach = 0;
      for (const [a, b] of played().sort((x, y) => x[0] - y[0])) {
        if (b > reach) { covered += b - Math.max(a, reach); reach = b; }
      }
      return Math.min(1, round(covered / total));
    }

    function stopClock() {
      if (playingSince !== null) { watchedMs += performance.now() - playingSince; playingSince = null; }
      if (heartbeat !== null) { clearInterval(heartbeat); heartbeat = null; }
    }

    function send(verb, resultExtensions, result) {
      const extensions = { [EXT.sessionId]: session, [EXT.length]: length() };
      if (verb === "initialized") extensions[EXT.completionThreshold] = threshold;
      const r = Object.assign({}, result || {});
      if (resultExtensions) r.extensions = resultExtensions;
      enqueue(statement(verb, object, Object.keys(r).length ? r : null, extensions));
    }

    function position() {
      return {
        [EXT.time]: round(lastTime),
        [EXT.progress]: progress(),
        [EXT.playedSegments]: played().map(([a, b]) => `${round(a)}[.]${round(b)}`).join("[,]"),
      };
    }

    function initialize() {
      if (initialized) return;
      initialized = true;
      send("initialized");
    }

    function checkCompleted() {
      if (completed || !length() || progress() < threshold) return;
      completed = true;
      const ms = watchedMs + (playingSince === null ? 0 : performance.now() - playingSince);
      send("completed", position(), { completion: true, duration: duration(ms) });
    }

    function terminate() {
      if (!initialized || terminated) return;
      if (openStart !== null) closeSegment(lastTime);
      stopClock();
      terminated = true;
      send("terminated", position());
    }

    reset();
    video.addEventListener("loadedmetadata", initialize);
    if (video.readyState >= 1) initialize();
    video.addEventListener("play", () => {
      if (terminated) reset();
      initialize();
      lastTime = video.currentTime;
      openStart = lastTime;
      playingSince = performance.now();
      send("played", { [EXT.time]: round(lastTime) });
      if (heartbeat === null) heartbeat = setInterval(() => send("progressed", position()), config.heartbeat * 1000);
    });
    video.addEventListener("timeupdate", () => {
      if (video.seeking) return;
      const now = video.currentTime;
      // A jump without seek events (some players restart the stream) ends the segment where it was.
      if (openStart !== null && (now < lastTime || now - lastTime > 3)) { closeSegment(lastTime); openStart = now; }
      lastTime = now;
      lastSeenAt = performance.now();
      checkCompleted();
    });
    video.addEventListener("seeking", () => {
      // timeupdate comes only every quarter second or so: where playback had got to when the seek began
      // is estimated from the last one, at most half a second on.
      if (openStart !== null) {
        const elapsed = ((performance.now() - lastSeenAt) / 1000) * video.playbackRate;
        lastTime = Math.min(lastTime + Math.min(elapsed, 0.5), length() || Infinity);
      }
      if (seekFrom === null) seekFrom = lastTime;
      closeSegment(lastTime); // a playing video resumes its next segment where the seek lands
    });
    video.addEventListener("seeked", () => {
      const to = video.currentTime;
      send("seeked", { [EXT.timeFrom]: round(seekFrom === null ? lastTime : seekFrom), [EXT.timeTo]: round(to) });
      seekFrom = null;
      lastTime = to;
      openStart = video.paused ? null : to;
    });
    video.addEventListener("pause", () => {
      lastTime = video.currentTime;
      closeSegment(lastTime);
      stopClock();
      send("paused", position());
      checkCompleted();
    });
    video.addEventListener("ended", checkCompleted);
    return { terminate, restart: reset, snapshot: () => { if (openStart !== null) send("progressed", position()); } };
  }

  // --- Documents -------------------------------------------------------------------------------------

  function trackDocument(el) {
    const id = el.dataset.activityId || page.id;
    const object = activity(id, el.dataset.activityName || page.name, TYPES.document);
    const minSeconds = parseFloat(el.dataset.zjMinSeconds) || 20;
    let seen = 0; // share of the document that has been on screen (or scrolled through, if it scrolls)
    let visibleMs = 0;
    let visibleSince = document.visibilityState === "visible" ? performance.now() : null;
    let completed = false;
    let reported = -1;

    function measure() {
      let share;
      if (el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== "visible") {
        share = (el.scrollTop + el.clientHeight) / el.scrollHeight;
      } else {
        const box = el.getBoundingClientRect();
        share = box.height ? (window.innerHeight - box.top) / box.height : 1;
      }
      seen = Math.max(seen, Math.min(1, Math.max(0, share)));
    }

    const spent = () => visibleMs + (visibleSince === null ? 0 : performance.now() - visibleSince);

    function check() {
      measure();
      if (!completed && seen >= 0.95 && spent() >= minSeconds * 1000) {
        completed = true;
        enqueue(statement("completed", object, { completion: true, duration: duration(spent()) }));
      }
    }

    function report() {
      check();
      const percent = Math.round(seen * 100);
      if (percent === reported) return;
      reported = percent;
      enqueue(statement("progressed", object, { duration: duration(spent()), extensions: { [EXT.readProgress]: percent } }));
    }

    let pending = false;
    const onScroll = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; check(); });
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("scroll", onScroll, { passive: true });
    setInterval(check, 5000);
    measure();
    return {
      hidden() { if (visibleSince !== null) { visibleMs += performance.now() - visibleSince; visibleSince = null; } report(); },
      shown() { if (visibleSince === null) visibleSince = performance.now(); },
    };
  }

  // --- Exercises -------------------------------------------------------------------------------------

  function trackExercise(form) {
    const id = form.dataset.zjExercise || page.id;
    const object = activity(id, form.dataset.activityName || page.name, TYPES.assessment);
    const passScore = parseFloat(form.dataset.zjPassScore) || 0.6;
    let startedAt = null;

    const start = () => {
      if (startedAt !== null) return;
      startedAt = performance.now();
      enqueue(statement("attempted", object));
    };
    form.addEventListener("focusin", start);
    form.addEventListener("input", start);
    form.addEventListener("submit", () => {
      start();
      const questions = [...form.querySelectorAll("[data-zj-question]")];
      let correct = 0;
      let gradable = questions.length > 0;
      for (const q of questions) {
        const values = [...q.querySelectorAll("input, select, textarea")]
          .filter((i) => (i.type === "checkbox" || i.type === "radio" ? i.checked : i.value !== ""))
          .map((i) => i.value.trim());
        const result = { response: values.join("[,]") };
        if (q.dataset.zjAnswer !== undefined) {
          result.success = result.response === q.dataset.zjAnswer;
          correct += result.success ? 1 : 0;
        } else {
          gradable = false;
        }
        const label = q.dataset.activityName || (q.querySelector("legend, label") || q).textContent.trim();
        const question = activity(`${id}#${encodeURIComponent(q.dataset.zjQuestion)}`, label, TYPES.question);
        enqueue(statement("answered", question, result));
      }
      const elapsed = duration(performance.now() - startedAt);
      const result = { completion: true, duration: elapsed };
      if (gradable) {
        const scaled = round(correct / questions.length);
        result.score = { raw: correct, min: 0, max: questions.length, scaled };
        result.success = scaled >= passScore;
      }
      enqueue(statement("completed", object, result));
      if (gradable) enqueue(statement(result.success ? "passed" : "failed", object, result));
      flush(true);
    });
  }

  // --- Wiring ----------------------------------------------------------------------------------------

  restoreOutbox();
  viewPage();
  const videos = [...document.querySelectorAll("video[data-zj-video]")].map(trackVideo);
  const documents = [...document.querySelectorAll("[data-zj-document]")].map(trackDocument);
  document.querySelectorAll("form[data-zj-exercise]").forEach(trackExercise);

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      videos.forEach((v) => v.snapshot());
      documents.forEach((d) => d.hidden());
      flush(true);
    } else {
      documents.forEach((d) => d.shown());
    }
  });
  window.addEventListener("pagehide", () => {
    videos.forEach((v) => v.terminate());
    documents.forEach((d) => d.hidden());
    flush(true);
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return; // back from the back/forward cache: a new visit and new player sessions
    halted = false;
    videos.forEach((v) => v.restart());
    viewPage();
  });

  // For widgets that grade on the server: ZhijiaoTracker.record("answered", activityId, name, result).
  window.ZhijiaoTracker = {
    record(verb, id, name, result) {
      if (!VERBS[verb]) throw new Error(`unknown verb ${verb}`);
      enqueue(statement(verb, activity(id, name), result || null));
    },
    flush: () => flush(false),
  };
})();
