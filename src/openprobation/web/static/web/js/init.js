// Starts the GOV.UK Frontend and MoJ Frontend components on the page (loaded as an ES module).
import { initAll } from "../../vendor/govuk-frontend.min.js";
import { initAll as mojInitAll } from "../../vendor/moj-frontend.min.js";

initAll();
mojInitAll();
