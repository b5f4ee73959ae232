// The SCORM runtime of a lesson's package: scorm-again (vendored, MIT) as `window.API` (1.2) or
// `window.API_1484_11` (2004), restored from the learner's attempt when it is one to resume,
// committing to EduFlow as the package goes (the session's token in a header) and by beacon as
// the SCO finishes (the token in the URL, since a beacon carries no header). A package of several
// SCOs shows its contents; opening another SCO first lets the one in the frame finish against
// its own API, then gives the next SCO a fresh one.
"use strict";
(() => {
  const player = document.getElementById("scorm-player");
  if (!player) return;
  const frame = player.querySelector("iframe");
  const toc = player.querySelector(".scorm-toc");
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  let api = null;
  let current = null;

  const load = async () => (await fetch(player.dataset.state, { credentials: "same-origin" })).json();
  const blank = () =>
    new Promise((resolve) => {
      frame.addEventListener("load", resolve, { once: true });
      frame.src = "about:blank";
    });

  const contents = (state) => {
    if (state.scos.length < 2) return;
    const list = toc.querySelector("ol");
    list.replaceChildren(
      ...state.scos.map((sco) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = sco.title;
        if (sco.identifier === current) button.setAttribute("aria-current", "step");
        button.addEventListener("click", () => open(sco.identifier));
        item.append(button);
        if (sco.completed) {
          const done = document.createElement("span");
          done.className = "done";
          done.textContent = ` ✓ ${player.dataset.done}`;
          item.append(done);
        }
        return item;
      }),
    );
    toc.hidden = false;
  };

  const open = async (identifier) => {
    if (api) {
      // What the SCO has so far, committed at once; then it unloads (and finishes) on its own API.
      if (state.version === "1.2") api.LMSCommit(""); else api.Commit("");
      await blank();
    }
    state = await load();
    const sco =
      state.scos.find((s) => s.identifier === identifier) ||
      state.scos.find((s) => !s.completed) ||
      state.scos[0];
    current = sco.identifier;
    const settings = {
      lmsCommitUrl: `${sco.commit}?attempt=${sco.attempt}&csrf=${encodeURIComponent(token)}`,
      autocommit: true,
      autocommitSeconds: 10,
      dataCommitFormat: "json",
      asyncModeBeaconBehavior: "on-terminate",
      xhrHeaders: { "X-CSRF-Token": token },
    };
    api = state.version === "1.2" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    if (state.version === "1.2") window.API = api; else window.API_1484_11 = api;
    if (sco.cmi) api.loadFromJSON(sco.cmi, "");
    contents(state);
    frame.src = sco.launch;
  };

  let state = { version: "" };
  open(null);
})();
