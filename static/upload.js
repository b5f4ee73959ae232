// Upload forms outside the primary region: Fly's proxy cannot replay a body over 1 MB to the
// primary region, so the form is sent with `fly-prefer-region` and lands there directly. The
// answer (the editor after a redirect, or the form again with its errors) replaces the page.
"use strict";
for (const form of document.querySelectorAll("form[data-prefer-region]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const res = await fetch(form.action, {
      method: "POST",
      body: new FormData(form, event.submitter),
      headers: { "fly-prefer-region": form.dataset.preferRegion },
      credentials: "same-origin",
    });
    if (res.redirected) {
      window.location.assign(res.url);
      return;
    }
    document.open();
    document.write(await res.text());
    document.close();
  });
}
