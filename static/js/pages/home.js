// The home page: only the language switch needs script.
import { initI18n } from "../i18n.js";

initI18n();
