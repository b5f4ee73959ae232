// LTI messages travel as forms the browser posts on to the other party (OIDC form_post): this
// sends the page's form at once. Without scripts, its button sends it.
"use strict";
for (const form of document.querySelectorAll("form[data-autopost]")) {
  form.submit();
}
