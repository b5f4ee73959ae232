// The SCORM runtime of a lesson's package: scorm-again (vendored, MIT) as `window.API` (1.2) or
// `window.API_1484_11` (2004), restored from the learner's last commit, committing to EduFlow as
// the package goes (the session's token in a header) and by beacon as the tab closes (the token
// in the URL, since a beacon carries no header); then the SCO opens in the frame.
"use strict";
(async () => {
  const player = document.getElementById("scorm-player");
  if (!player) return;
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const state = await (await fetch(player.dataset.state, { credentials: "same-origin" })).json();
  const sco = state.scos.find((s) => !s.completed) || state.scos[0];
  const settings = {
    lmsCommitUrl: `${sco.commit}?csrf=${encodeURIComponent(token)}`,
    autocommit: true,
    autocommitSeconds: 10,
    dataCommitFormat: "json",
    asyncModeBeaconBehavior: "on-terminate",
    xhrHeaders: { "X-CSRF-Token": token },
  };
  const api = state.version === "1.2" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  if (state.version === "1.2") window.API = api; else window.API_1484_11 = api;
  if (sco.cmi) api.loadFromJSON(sco.cmi, "");
  player.querySelector("iframe").src = sco.launch;
})();
