// The second site's subresource requests: an <img>, a fetch and an <iframe>,
// each sent to the app when its button is pressed. Text goes in with textContent.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const target = document.body.dataset.target;
  for (const button of document.querySelectorAll("button[data-kind]")) {
    button.addEventListener("click", () => {
      const kind = button.dataset.kind;
      const url = `${target}/flags/?via=${kind}`;
      const status = document.getElementById(`status-${kind}`);
      if (kind === "img") {
        const img = new Image(1, 1);
        img.alt = "";
        // The app answers text, not an image: an error is expected; the request went.
        img.onload = img.onerror = () => { status.textContent = "sent"; };
        img.src = url;
      } else if (kind === "fetch") {
        // no-cors: the request goes with credentials; the answer stays unreadable here.
        fetch(url, { credentials: "include", mode: "no-cors" })
          .then(() => { status.textContent = "sent"; })
          .catch((err) => { status.textContent = `failed: ${err}`; });
      } else if (kind === "iframe") {
        const frame = document.createElement("iframe");
        frame.title = "the app's /flags/ in a frame";
        frame.onload = () => { status.textContent = "loaded below"; };
        frame.src = url;
        document.getElementById("frames").replaceChildren(frame);
      }
    });
  }
});
