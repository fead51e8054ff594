"use strict";
// The guide's live part: every 3 s, each challenge's status from /progress.json, with no reload.
// The pages are served with the same text (guide.py status_text, board.py page and next_hint):
// this keeps them current. Everything from the data is written as text, never as markup.
(function () {
  const items = document.querySelectorAll("li.challenge[data-challenge]");
  const rows = document.querySelectorAll("tr[data-row]");
  if (!items.length && !rows.length) {
    return;
  }
  const readable = (time) => (time ? time.slice(0, 10) + " " + time.slice(11, 19) : "");

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function updateSheet(byId) {
    let solved = 0;
    items.forEach((item) => {
      const row = byId.get(item.dataset.challenge);
      const done = Boolean(row && row.solved);
      solved += done ? 1 : 0;
      item.classList.toggle("solved", done);
      item.classList.toggle("open", !done);
      setText(item.querySelector(".status"), done ? "\u2714 Solved at " + readable(row.when) + " UTC" : "Not solved yet");
    });
    document.querySelectorAll(".sheet-count").forEach((count) => setText(count, solved + " of " + items.length));
  }

  function nextHint(data) {
    const p = document.createElement("p");
    p.className = "next";
    p.id = "next";
    if (!data.next) {
      p.textContent = "Every challenge is solved.";
      return p;
    }
    const id = data.next.challenge;
    const sheet = data.challenges.find((row) => row.challenge === id).exercise;
    const code = document.createElement("code");
    code.textContent = id;
    const link = document.createElement("a");
    // guide.py hint_query's form: h=ID:LEVEL.
    link.href = "/sheet/" + encodeURIComponent(sheet) + "?h=" + encodeURIComponent(id) + ":2#" + id;
    link.textContent = "more hints, beside its sheet";
    p.append("Next: ", code, ". Hint: " + data.next.hint + " (", link, ")");
    return p;
  }

  function updateBoard(data, byId) {
    rows.forEach((tr) => {
      const row = byId.get(tr.dataset.row);
      const done = Boolean(row && row.solved);
      const mark = tr.querySelector("td.mark span");
      mark.className = done ? "yes" : "no";
      setText(mark, done ? "solved" : "not yet");
      setText(tr.querySelector("td.when"), done ? readable(row.when) : "");
    });
    setText(document.getElementById("count"), data.solved + " of " + data.total);
    const box = document.getElementById("next-box");
    const fresh = nextHint(data);
    if (box && box.textContent !== fresh.textContent) {
      box.replaceChildren(fresh);
    }
  }

  async function update() {
    let data;
    try {
      const response = await fetch("/progress.json", { cache: "no-store" });
      if (!response.ok) {
        return;
      }
      data = await response.json();
    } catch (error) {
      return; // the guide's server is restarting: the next round tries again
    }
    const byId = new Map(data.challenges.map((row) => [row.challenge, row]));
    updateSheet(byId);
    if (rows.length) {
      updateBoard(data, byId);
    }
  }
  setInterval(update, 3000);
})();
