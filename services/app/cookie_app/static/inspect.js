// Fill the "What page script sees" column from document.cookie, and name the
// cookies the server received that script cannot see. Every value is written
// with textContent: a cookie is text here, never markup.
"use strict";

function parseCookies(text) {
  return text ? text.split("; ").map((pair) => {
    const at = pair.indexOf("=");
    return at < 0 ? ["", pair] : [pair.slice(0, at), pair.slice(at + 1)];
  }) : [];
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cells.length === 1) td.colSpan = 2;
    tr.append(td);
  }
  return tr;
}

document.addEventListener("DOMContentLoaded", () => {
  // Whether this browser counts this address as secure: Secure cookies need it.
  const secure = document.getElementById("secure-context");
  if (secure) secure.textContent = window.isSecureContext ? "yes" : "no";
  const raw = document.getElementById("document-cookie");
  if (!raw) return;
  const seen = parseCookies(document.cookie);
  raw.textContent = document.cookie === "" ? '"" (empty)' : document.cookie;
  const body = document.getElementById("script-cookies");
  body.replaceChildren(...(seen.length ? seen.map(row) : [row(["(none)"])]));

  const server = JSON.parse(document.getElementById("server-cookies").textContent);
  const visible = new Set(seen.map(([name]) => name));
  const hidden = [...new Set(server.cookies.map(([name]) => name).filter((name) => !visible.has(name)))];
  const received = new Set(server.cookies.map(([name]) => name));
  const unsent = [...new Set(seen.map(([name]) => name).filter((name) => !received.has(name)))];
  const notes = [];
  if (hidden.length) notes.push(`Sent to the server but hidden from page script (HttpOnly): ${hidden.join(", ")}`);
  // For example a SameSite=Strict cookie after an arrival from another site.
  if (unsent.length) notes.push(`Page script sees cookies this page's request did not carry: ${unsent.join(", ")}`);
  document.getElementById("hidden-note").textContent = notes.length
    ? notes.join(". ")
    : "Page script sees every cookie the server received.";
});
