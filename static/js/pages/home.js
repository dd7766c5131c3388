// The home page: only the language switch needs script.
import { initI18n } from "../ui/i18n.js";

initI18n();
