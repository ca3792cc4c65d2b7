// The level guide's advice follows the lead's answers as they change. The advice is worked out on the server
// (engage/engagements/level_guide.py is the rule's one home): the script posts the form with the "Show the
// advice" button, which saves nothing, and puts the page's advice region in place of its own. Without this
// script the button does the same with a whole page.

const FORM = "form[data-level-guide]";
const ADVICE = "[data-level-guide-advice]";
const SHOW = "[data-level-guide-show]";

export function initLevelGuide(root = document) {
  const form = root.querySelector(FORM);
  const region = form?.querySelector(ADVICE);
  const show = form?.querySelector(SHOW);
  const button = show?.querySelector("button[name]");
  if (!region || !button) return;

  let latest = 0;
  const refresh = async () => {
    const asked = ++latest;
    const body = new FormData(form);
    body.set(button.name, button.value || "y");
    try {
      const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok) throw new Error(`The advice could not be fetched (${response.status})`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector(ADVICE);
      if (!fresh) throw new Error("The advice was missing from the page");
      // An older answer's advice arriving late must not replace a newer one's.
      if (asked !== latest) return;
      // Replaced only when it changed, so the live region is not read out again for nothing.
      if (fresh.innerHTML.trim() !== region.innerHTML.trim()) region.replaceChildren(...fresh.childNodes);
    } catch {
      // Fall back to the button, which shows the advice with a whole page.
      show.hidden = false;
    }
  };

  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "radio") refresh();
  });
  // The advice now follows the answers, so the button would only repeat it.
  show.hidden = true;
}
