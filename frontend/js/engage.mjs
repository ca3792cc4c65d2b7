// Starts GOV.UK Frontend's components. Loaded as a module, so browsers without module support
// keep the plain HTML pages, which work without script.
import { initAll } from "./govuk-frontend.min.js";
import { initLevelGuide } from "./level-guide.mjs";

initAll();
initLevelGuide();
