// The GOV.UK timeout warning pattern, written for this service (GOV.UK Frontend has none):
// before a signed-in session's idle time ends, a modal <dialog> says when, and "Stay signed in"
// asks the server for a page of nothing (the keep-alive URL), which starts the idle time again.
// Focus moves into the dialog (showModal) and the time left is announced; Escape stays signed in.
// The timings come from <body data-session-seconds data-session-warning-seconds>.

function words(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
  if (rest || !minutes) parts.push(rest + (rest === 1 ? " second" : " seconds"));
  return parts.join(" ");
}

export function startTimeoutWarning() {
  const body = document.body;
  const dialog = document.querySelector("[data-timeout-warning]");
  const sessionSeconds = parseInt(body.dataset.sessionSeconds, 10);
  const warningSeconds = parseInt(body.dataset.sessionWarningSeconds, 10);
  if (!dialog || !sessionSeconds || typeof dialog.showModal !== "function") return;
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const announce = dialog.querySelector("[data-timeout-announce]");
  const running = dialog.querySelector("[data-timeout-running]");
  const ended = dialog.querySelector("[data-timeout-ended]");
  let endsAt = 0;
  let timer = null;
  let returnFocus = null;

  function schedule() {
    endsAt = Date.now() + sessionSeconds * 1000;
    clearTimeout(timer);
    timer = setTimeout(open, Math.max(0, sessionSeconds - warningSeconds) * 1000);
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  }

  function tick(announceNow) {
    const left = secondsLeft();
    if (left <= 0) return end();
    countdown.textContent = words(left);
    // A screen reader hears the time when the dialog opens, then every 15 seconds.
    if (announceNow || left % 15 === 0) announce.textContent = words(left);
    timer = setTimeout(function () { tick(false); }, 1000);
  }

  function open() {
    returnFocus = document.activeElement;
    running.hidden = false;
    ended.hidden = true;
    dialog.showModal();
    dialog.querySelector("[data-timeout-stay]").focus();
    tick(true);
  }

  function close() {
    clearTimeout(timer);
    if (dialog.open) dialog.close();
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  }

  function end() {
    running.hidden = true;
    ended.hidden = false;
    announce.textContent = "";
    ended.querySelector("[data-timeout-ended-title]").focus();
  }

  function stay() {
    fetch(body.dataset.keepAliveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.ok) {
          close();
          schedule();
        } else {
          end();
        }
      })
      .catch(end);
  }

  dialog.querySelector("[data-timeout-stay]").addEventListener("click", stay);
  dialog.querySelector("[data-timeout-close]").addEventListener("click", close);
  dialog.addEventListener("cancel", function (event) {
    // Escape: stay signed in while there is time, close once the session has ended.
    event.preventDefault();
    if (ended.hidden) stay(); else close();
  });
  schedule();
}
